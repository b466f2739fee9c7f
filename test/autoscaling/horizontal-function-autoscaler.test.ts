import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import {
  HorizontalFunctionAutoscaler, KedaFunctionAutoscaler, ResourceMetric, ScalingBehavior, ScalingPolicy,
} from '../../lib';
import { findOne, objectsOf, problemsOf } from '../support/synth';
import { functionChart, matching, schemaReport, specOf } from './support';

describe('HorizontalFunctionAutoscaler', () => {
  test('the seed example: autoscaling/v2 on CPU 70 %, 10 to 5000, flash-sale behavior', () => {
    // GIVEN
    const { chart, fn } = functionChart();

    // WHEN
    const hpa = HorizontalFunctionAutoscaler.seed(chart, 'Scaling', fn);
    const objects = objectsOf(chart);

    // THEN
    expect(findOne(objects, 'HorizontalPodAutoscaler')).toMatchSnapshot();
    expect(findOne(objects, 'HorizontalPodAutoscaler')).toMatchObject({
      apiVersion: 'autoscaling/v2',
      metadata: { name: 'checkout', namespace: 'functions-orders', labels: { 'app.kubernetes.io/component': 'autoscaler' } },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'checkout' },
        minReplicas: 10,
        maxReplicas: 5000,
        metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }],
        behavior: ScalingBehavior.flashSale().toHpa(),
      },
    });
    expect(hpa.hpaName).toBe('checkout');
    expect(schemaReport(objects)).toBe('');
  });

  test('the Deployment carries no replicas once autoscaled', () => {
    const { chart, fn } = functionChart();
    new HorizontalFunctionAutoscaler(chart, 'Scaling', { target: fn, maxReplicas: 50 });
    expect(specOf(findOne(objectsOf(chart), 'Deployment'))).not.toHaveProperty('replicas');
    expect(fn.autoscalerAttachments).toEqual([
      expect.objectContaining({ kind: 'HorizontalPodAutoscaler', minReplicas: 10, maxReplicas: 50, hpaName: 'checkout' }),
    ]);
  });

  test('memory and CPU together, a custom behavior and name', () => {
    const { chart, fn } = functionChart();
    new HorizontalFunctionAutoscaler(chart, 'Scaling', {
      target: fn,
      name: 'checkout-cpu',
      minReplicas: 2,
      maxReplicas: 20,
      metrics: [ResourceMetric.cpu(60), ResourceMetric.memory(80)],
      behavior: new ScalingBehavior({
        scaleUp: { stabilizationWindowSeconds: 0, policies: [ScalingPolicy.pods(5, 30)] },
        scaleDown: { stabilizationWindowSeconds: 120, policies: [ScalingPolicy.percent(50, 60)] },
      }),
    });
    const objects = objectsOf(chart);
    const hpa = findOne(objects, 'HorizontalPodAutoscaler') as unknown as { metadata: { name: string }; spec: { metrics: unknown[]; behavior: unknown } };
    expect(hpa.metadata.name).toBe('checkout-cpu');
    expect(hpa.spec.metrics).toHaveLength(2);
    expect(hpa.spec.behavior).toEqual({
      scaleUp: { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 5, periodSeconds: 30 }] },
      scaleDown: { stabilizationWindowSeconds: 120, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 50, periodSeconds: 60 }] },
    });
    expect(schemaReport(objects)).toBe('');
  });

  describe('rules', () => {
    test('min must not exceed max; replica counts within 1..5000', () => {
      const { app, chart, fn } = functionChart();
      new HorizontalFunctionAutoscaler(chart, 'Scaling', { target: fn, minReplicas: 10, maxReplicas: 5 });
      expect(problemsOf(app)).toEqual(['[Orders/Scaling] maxReplicas (5) must be at least minReplicas (10)']);

      const other = functionChart();
      new HorizontalFunctionAutoscaler(other.chart, 'Scaling', { target: other.fn, minReplicas: 1.5, maxReplicas: 6000 });
      expect(problemsOf(other.app)).toEqual([
        '[Orders/Scaling] minReplicas (1.5) must be an integer from 1 to 5000',
        '[Orders/Scaling] maxReplicas (6000) must be an integer from 1 to 5000',
      ]);
    });

    test('a plain HPA cannot scale to zero', () => {
      const { app, chart, fn } = functionChart();
      new HorizontalFunctionAutoscaler(chart, 'Scaling', { target: fn, minReplicas: 0, maxReplicas: 5 });
      expect(problemsOf(app)).toEqual([
        '[Orders/Scaling] minReplicas (0) must be at least 1 for a HorizontalPodAutoscaler (scale to zero needs the HPAScaleToZero alpha gate): use ScaleToZeroFunctionAutoscaler or KedaFunctionAutoscaler to scale to zero',
      ]);
    });

    test('CPU and memory utilization need requests on the function container', () => {
      const { app, chart, fn } = functionChart({ resources: { cpuRequest: '0', memoryRequest: '0' } });
      new HorizontalFunctionAutoscaler(chart, 'Scaling', { target: fn, maxReplicas: 50, metrics: [ResourceMetric.cpu(70), ResourceMetric.memory(80)] });
      expect(problemsOf(app)).toEqual([
        '[Orders/Scaling] metrics scale on cpu, but the function\'s resources.cpuRequest is "0": set a CPU request above 0 (utilization is a share of it), or scale on request rate',
        '[Orders/Scaling] metrics scale on memory, but the function\'s resources.memoryRequest is "0": set a memory request above 0 (utilization is a share of it), or scale on request rate',
      ]);
    });

    test('a request the metrics need is printed on one line, its quotes escaped', () => {
      const { app, chart, fn } = functionChart({ resources: { cpuRequest: '1"\nx', memoryRequest: '2"\ny' } });
      new HorizontalFunctionAutoscaler(chart, 'Scaling', { target: fn, maxReplicas: 50, metrics: [ResourceMetric.cpu(70), ResourceMetric.memory(80)] });
      expect(problemsOf(app)).toEqual(expect.arrayContaining([
        '[Orders/Scaling] metrics scale on cpu, but the function\'s resources.cpuRequest is "1\\"\\nx": set a CPU request above 0 (utilization is a share of it), or scale on request rate',
        '[Orders/Scaling] metrics scale on memory, but the function\'s resources.memoryRequest is "2\\"\\ny": set a memory request above 0 (utilization is a share of it), or scale on request rate',
        expect.stringContaining('[Orders/Checkout] resources.cpuRequest "1\\"\\nx" is not a Kubernetes quantity'),
      ]));
    });

    test('metrics: at least one, percentages from 1 to 100, each resource once', () => {
      const { app, chart, fn } = functionChart();
      new HorizontalFunctionAutoscaler(chart, 'Scaling', { target: fn, maxReplicas: 50, metrics: [ResourceMetric.cpu(0), ResourceMetric.cpu(70)] });
      expect(problemsOf(app)).toEqual([
        '[Orders/Scaling] metrics[0] cpu utilization (0) must be an integer percentage from 1 to 100',
        '[Orders/Scaling] metrics[1] repeats cpu: give each resource once',
      ]);
      const empty = functionChart();
      new HorizontalFunctionAutoscaler(empty.chart, 'Scaling', { target: empty.fn, maxReplicas: 50, metrics: [] });
      expect(problemsOf(empty.app)).toEqual(['[Orders/Scaling] metrics is empty: give at least one ResourceMetric (for example ResourceMetric.cpu(70))']);
    });

    test('behavior problems are reported with the field', () => {
      const { app, chart, fn } = functionChart();
      new HorizontalFunctionAutoscaler(chart, 'Scaling', {
        target: fn,
        maxReplicas: 50,
        behavior: new ScalingBehavior({ scaleUp: { stabilizationWindowSeconds: 0, policies: [ScalingPolicy.percent(100, 0)] }, scaleDown: ScalingBehavior.flashSale().scaleDown }),
      });
      expect(problemsOf(app)).toEqual(['[Orders/Scaling] behavior.scaleUp.policies[0].periodSeconds (0) must be an integer from 1 to 1800']);
    });

    test('never an HPA and a ScaledObject on the same Deployment', () => {
      const { app, chart, fn } = functionChart();
      new HorizontalFunctionAutoscaler(chart, 'Cpu', { target: fn, maxReplicas: 50 });
      new KedaFunctionAutoscaler(chart, 'Requests', { target: fn, maxReplicas: 50 });
      expect(matching(problemsOf(app), 'autoscalers')).toEqual([
        '[Orders/Checkout] is scaled by 2 autoscalers (HorizontalPodAutoscaler Orders/Cpu, ScaledObject Orders/Requests): keep exactly one, they would fight over the replica count',
      ]);
    });

    test('nor a hand-written HPA beside a ScaledObject', () => {
      const { app, chart, fn } = functionChart();
      new KedaFunctionAutoscaler(chart, 'Requests', { target: fn, maxReplicas: 50 });
      new k8s.KubeHorizontalPodAutoscalerV2(chart, 'HandWritten', {
        metadata: { name: 'checkout-cpu' },
        spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'checkout' }, maxReplicas: 10 },
      });
      expect(problemsOf(app)).toEqual([
        '[Orders/Requests] HorizontalPodAutoscaler "checkout-cpu" (Orders/HandWritten) also scales Deployment functions-orders/checkout: KEDA creates its own HorizontalPodAutoscaler keda-hpa-checkout for this ScaledObject; two autoscalers on one Deployment fight over its replica count: remove one',
      ]);
      expect(ApiObject.of(chart.node.findChild('HandWritten')).kind).toBe('HorizontalPodAutoscaler');
    });

    test('a fixed replica count on an autoscaled function is refused', () => {
      const { app, chart, fn } = functionChart({ replicas: 100 });
      new HorizontalFunctionAutoscaler(chart, 'Scaling', { target: fn, maxReplicas: 50 });
      expect(problemsOf(app)).toEqual([
        '[Orders/Checkout] replicas (100) is set but HorizontalPodAutoscaler Orders/Scaling owns the replica count: remove replicas (under GitOps, Argo CD and the autoscaler would fight over it)',
      ]);
    });
  });
});
