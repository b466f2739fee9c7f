import { HttpScalingMetric, ScaleToZeroFunctionAutoscaler } from '../../lib';
import { findOne, objectsOf, problemsOf } from '../support/synth';
import { addFunction, functionChart, schemaReport, specOf } from './support';

const HOST = 'checkout.functions-orders.svc.cluster.local';

describe('ScaleToZeroFunctionAutoscaler', () => {
  test('an HTTPScaledObject from 0, a NetworkPolicy for the interceptor, and the route through the interceptor', () => {
    // GIVEN
    const { chart, fn } = functionChart();

    // WHEN
    const scaler = new ScaleToZeroFunctionAutoscaler(chart, 'Scaling', { target: fn, hosts: [HOST], maxReplicas: 20 });
    const objects = objectsOf(chart);

    // THEN
    const httpso = findOne(objects, 'HTTPScaledObject');
    expect(httpso).toMatchSnapshot();
    expect(httpso).toMatchObject({
      apiVersion: 'http.keda.sh/v1alpha1',
      metadata: { name: 'checkout', namespace: 'functions-orders' },
      spec: {
        hosts: [HOST],
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'checkout', service: 'checkout', port: 80 },
        replicas: { min: 0, max: 20 },
        scaledownPeriod: 300,
        scalingMetric: { concurrency: { targetValue: 100 } },
      },
    });
    // The function's own policy admits the interceptor's pods, never the whole keda namespace.
    expect(findOne(objects, 'NetworkPolicy', 'checkout')).toMatchObject({
      spec: {
        podSelector: { matchLabels: fn.selectorLabels },
        ingress: [{
          from: [{
            namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'keda' } },
            podSelector: { matchLabels: { 'app.kubernetes.io/component': 'interceptor', 'app.kubernetes.io/part-of': 'keda-add-ons-http' } },
          }],
          ports: [{ port: 8080, protocol: 'TCP' }],
        }],
      },
    });
    // The route learns how long the interceptor may hold a cold request: 2 s pod start + 3 s activation.
    expect(fn.ingressBackend).toEqual({ serviceName: 'keda-add-ons-http-interceptor-proxy', namespace: 'keda', port: 8080, hostHeader: HOST, wakeUpSeconds: 5 });
    expect(scaler.wakeUpSeconds).toBe(5);
    expect(scaler.describeScaling()).toBe('HTTP add-on: 100 concurrent requests per pod, scale to zero (wake-up 5 s)');
    expect(scaler.hpaName).toBe('keda-hpa-checkout');
    expect(fn.autoscalerAttachments[0]).toMatchObject({ kind: 'HTTPScaledObject', minReplicas: 0, maxReplicas: 20 });
    expect(specOf(findOne(objects, 'Deployment'))).not.toHaveProperty('replicas');
    expect(schemaReport(objects)).toBe('');
  });

  test('request-rate scaling, path prefixes and another interceptor location', () => {
    const { chart, fn } = functionChart();
    new ScaleToZeroFunctionAutoscaler(chart, 'Scaling', {
      target: fn, hosts: [HOST], pathPrefixes: ['/api/checkout'], maxReplicas: 20, minReplicas: 1,
      scalingMetric: HttpScalingMetric.requestRate(50, 30),
      interceptor: { namespace: 'keda-system', serviceName: 'http-interceptor', port: 9090 },
    });
    const objects = objectsOf(chart);
    expect(findOne(objects, 'HTTPScaledObject')).toMatchObject({
      spec: {
        pathPrefixes: ['/api/checkout'],
        replicas: { min: 1, max: 20 },
        scalingMetric: { requestRate: { targetValue: 50, window: '30s', granularity: '1s' } },
      },
    });
    // minReplicas 1: a pod is always there, so nothing waits for a wake-up.
    expect(fn.ingressBackend).toEqual({ serviceName: 'http-interceptor', namespace: 'keda-system', port: 9090, hostHeader: HOST, wakeUpSeconds: undefined });
    expect(schemaReport(objects)).toBe('');
  });

  describe('rules', () => {
    test('hosts: at least one, each a DNS name; paths absolute', () => {
      const { app, chart, fn } = functionChart();
      new ScaleToZeroFunctionAutoscaler(chart, 'Scaling', { target: fn, hosts: [], pathPrefixes: ['api'], maxReplicas: 20 });
      expect(problemsOf(app)).toEqual([
        '[Orders/Scaling] hosts is empty: give the host the interceptor matches (it routes by Host header), for example "reviews.functions-catalog.svc.cluster.local"',
        '[Orders/Scaling] pathPrefixes[0] "api" must be an absolute HTTP path starting with \'/\' and without spaces (for example "/healthz")',
      ]);
      const other = functionChart();
      new ScaleToZeroFunctionAutoscaler(other.chart, 'Scaling', { target: other.fn, hosts: ['Checkout.Example'], maxReplicas: 20 });
      expect(problemsOf(other.app)).toEqual([
        '[Orders/Scaling] hosts[0] "Checkout.Example" is not a DNS-1123 subdomain: use lowercase letters, digits, \'-\' and \'.\', at most 253 characters',
      ]);
    });

    test('two functions cannot match the same host and path at the shared interceptor', () => {
      const { app, chart, fn } = functionChart();
      const cart = addFunction(chart, 'cart');
      new ScaleToZeroFunctionAutoscaler(chart, 'CheckoutScaling', { target: fn, hosts: [HOST], maxReplicas: 20 });
      new ScaleToZeroFunctionAutoscaler(chart, 'CartScaling', { target: cart, hosts: [HOST], maxReplicas: 20 });
      expect(problemsOf(app)).toEqual([
        `[Orders/CheckoutScaling] hosts match "${HOST}/" as does Orders/CartScaling: the interceptor routes by host and path, give each function its own host`,
        `[Orders/CartScaling] hosts match "${HOST}/" as does Orders/CheckoutScaling: the interceptor routes by host and path, give each function its own host`,
      ]);
    });

    test('metric targets, scale-down period and interceptor fields', () => {
      const { app, chart, fn } = functionChart();
      new ScaleToZeroFunctionAutoscaler(chart, 'Scaling', {
        target: fn, hosts: [HOST], maxReplicas: 20, scalingMetric: HttpScalingMetric.requestRate(0, 0), scaledownPeriodSeconds: -1,
        interceptor: { namespace: 'KEDA', port: 0 },
      });
      expect(problemsOf(app)).toEqual([
        '[Orders/Scaling] scalingMetric requestRate target (0) must be a positive integer',
        '[Orders/Scaling] scalingMetric window seconds (0) must be an integer from 1 to 3600',
        '[Orders/Scaling] scaledownPeriodSeconds (-1) must be an integer from 0 to 86400',
        '[Orders/Scaling] interceptor.namespace "KEDA" is not a DNS-1123 label: use 1-63 lowercase letters, digits or \'-\', starting and ending with a letter or digit (for example "product-detail")',
        '[Orders/Scaling] interceptor.port (0) must be an integer port number from 1 to 65535',
      ]);
    });

    test('the wake-up follows the capacity plan\'s pod start, and must fit in the interceptor\'s wait', () => {
      const { app, chart, fn } = functionChart();
      const scaler = new ScaleToZeroFunctionAutoscaler(chart, 'Scaling', {
        target: fn, hosts: [HOST], maxReplicas: 20, capacity: { peakRequestsPerSecond: 100, requestsPerPodPerSecond: 50, podStartSeconds: 4 },
      });
      expect(scaler.wakeUpSeconds).toBe(7);
      expect(problemsOf(app)).toEqual([]);

      const slow = functionChart();
      new ScaleToZeroFunctionAutoscaler(slow.chart, 'Scaling', { target: slow.fn, hosts: [HOST], maxReplicas: 20, wakeUpSeconds: 25 });
      expect(problemsOf(slow.app)).toEqual([
        '[Orders/Scaling] wakeUpSeconds (25) must be below interceptor.waitTimeoutSeconds (20): the interceptor stops holding the first request after that and answers with an error; raise the add-on\'s interceptor.replicas.waitTimeout and say so in interceptor.waitTimeoutSeconds, or make the function start faster',
      ]);
      const awake = functionChart();
      new ScaleToZeroFunctionAutoscaler(awake.chart, 'Scaling', { target: awake.fn, hosts: [HOST], maxReplicas: 20, minReplicas: 1, wakeUpSeconds: 5 });
      expect(problemsOf(awake.app)).toEqual([
        '[Orders/Scaling] wakeUpSeconds (5) is set but minReplicas is 1: the function never sleeps, so there is no wake-up; remove wakeUpSeconds or set minReplicas 0',
      ]);
    });

    test('min must not exceed max', () => {
      const { app, chart, fn } = functionChart();
      new ScaleToZeroFunctionAutoscaler(chart, 'Scaling', { target: fn, hosts: [HOST], minReplicas: 5, maxReplicas: 2 });
      expect(problemsOf(app)).toEqual(['[Orders/Scaling] maxReplicas (2) must be at least minReplicas (5)']);
    });
  });
});
