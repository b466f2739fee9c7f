import { Chart } from 'cdk8s';
import {
  FUNCTION_SDK_METRICS, KedaFunctionAutoscaler, KedaTrigger, ObservabilityStack, RequestMetrics, SaleSchedule, ScalingBehavior, ScalingPolicy,
  SelectPolicy, Weekday,
} from '../../lib';
import { findOne, KubeObject, objectsOf, problemsOf } from '../support/synth';
import { functionChart, schemaReport, specOf } from './support';

type ScaledObjectJson = KubeObject & { spec: { triggers: { type: string; name?: string; metadata: Record<string, string>; metricType?: string }[]; [k: string]: unknown } };

const GATEWAY_METRICS: RequestMetrics = {
  ...FUNCTION_SDK_METRICS,
  source: 'envoy-gateway',
  requestsTotal: 'envoy_cluster_upstream_rq_total',
  inFlight: 'envoy_cluster_upstream_rq_active',
  matchers: (t) => `envoy_cluster_name="httproute/${t.namespace}/${t.name}/rule/0"`,
};

function scaledObject(objects: KubeObject[]): ScaledObjectJson {
  return findOne(objects, 'ScaledObject') as ScaledObjectJson;
}

describe('KedaFunctionAutoscaler', () => {
  test('by default: one request-rate trigger on the function\'s own metrics, fallback, flash-sale behavior', () => {
    // GIVEN
    const { chart, fn } = functionChart();

    // WHEN
    const scaler = new KedaFunctionAutoscaler(chart, 'Scaling', { target: fn, maxReplicas: 800 });
    const objects = objectsOf(chart);

    // THEN
    const so = scaledObject(objects);
    expect(so).toMatchSnapshot();
    expect(so.spec).toEqual({
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'checkout' },
      minReplicaCount: 10,
      maxReplicaCount: 800,
      pollingInterval: 15,
      fallback: { failureThreshold: 3, replicas: 400 },
      advanced: { horizontalPodAutoscalerConfig: { behavior: ScalingBehavior.flashSale().toKeda() } },
      triggers: [{
        type: 'prometheus',
        name: 'request-rate',
        metricType: 'AverageValue',
        metadata: {
          serverAddress: 'http://prometheus-operated.monitoring.svc:9090',
          // Four scrapes at the default 30 s interval (no ObservabilityStack here).
          query: 'sum(rate(wasm_function_requests_total{namespace="functions-orders",function="checkout"}[120s]))',
          threshold: '100',
          // A lost metric is an error (then the fallback), not a 0 that holds the floor.
          ignoreNullValues: 'false',
        },
      }],
    });
    expect(scaler.hpaName).toBe('keda-hpa-checkout');
    expect(fn.autoscalerAttachments[0]).toMatchObject({ kind: 'ScaledObject', hpaName: 'keda-hpa-checkout', minReplicas: 10, maxReplicas: 800 });
    expect(specOf(findOne(objects, 'Deployment'))).not.toHaveProperty('replicas');
    expect(schemaReport(objects)).toBe('');
  });

  describe('one scrape interval: the ObservabilityStack\'s, where one scrapes the function', () => {
    function watched(scrapeIntervalSeconds?: number) {
      const f = functionChart();
      const monitoring = new Chart(f.app, 'Observability', { namespace: 'monitoring' });
      const stack = new ObservabilityStack(monitoring, 'Stack', { logs: false, scrapeIntervalSeconds });
      return { ...f, stack };
    }
    const windowOf = (chart: Chart): string => (scaledObject(objectsOf(chart)).spec.triggers[0].metadata.query.match(/\[(\d+s)\]/) ?? [])[1];

    test('the window, the metrics lag and the description follow the stack\'s interval, even when the stack comes later', () => {
      // GIVEN an autoscaler built before the stack, as the reference platform does
      const f = functionChart();
      const scaler = new KedaFunctionAutoscaler(f.chart, 'Scaling', {
        target: f.fn, maxReplicas: 800, capacity: { peakRequestsPerSecond: 20000, requestsPerPodPerSecond: 120 },
      });
      // WHEN a stack scraping every 15 s watches the function
      const monitoring = new Chart(f.app, 'Observability', { namespace: 'monitoring' });
      new ObservabilityStack(monitoring, 'Stack', { logs: false, scrapeIntervalSeconds: 15 }).addFunction(f.fn);
      // THEN four scrapes make the 60 s window; lag = 15 s scrape + 30 s half window
      expect(windowOf(f.chart)).toBe('60s');
      expect(scaler.functionScrapeInterval).toEqual({ seconds: 15, source: 'ServiceMonitor Observability/Stack/FunctionsOrdersCheckout/Monitor' });
      expect(scaler.metricsLagSeconds()).toBe(45);
      expect(scaler.capacitySummary().plan?.reaction.totalSeconds).toBe(62);
      expect(scaler.describeScaling()).toBe('request rate 84/s per pod (function-sdk, 60 s window at 15 s scrapes)');
      expect(problemsOf(f.app)).toEqual([]);
    });

    test('at the stack\'s default 30 s the default window is 2 minutes and the reaction 107 s, not 62 s', () => {
      // The autoscaler used to assume 15 s scrapes beside 30 s ServiceMonitors: a 60 s window
      // held two samples, and the report's 62 s reaction was really 77 s.
      const f = watched();
      const scaler = new KedaFunctionAutoscaler(f.chart, 'Scaling', {
        target: f.fn, maxReplicas: 800, capacity: { peakRequestsPerSecond: 20000, requestsPerPodPerSecond: 120 },
      });
      f.stack.addFunction(f.fn);
      expect(windowOf(f.chart)).toBe('120s');
      expect(scaler.capacitySummary().plan?.reaction).toEqual({ syncSeconds: 15, metricsLagSeconds: 90, podStartSeconds: 2, totalSeconds: 107 });
      expect(problemsOf(f.app)).toEqual([]);
    });

    test('a window under four scrapes is an error naming the ServiceMonitor', () => {
      const f = watched(30);
      new KedaFunctionAutoscaler(f.chart, 'Scaling', {
        target: f.fn, maxReplicas: 800, triggers: [KedaTrigger.requestRate({ requestsPerPodPerSecond: 84, rateWindowSeconds: 60 })],
      });
      f.stack.addFunction(f.fn);
      expect(problemsOf(f.app)).toEqual([
        '[Orders/Scaling] triggers[0].rateWindowSeconds (60) holds fewer than 4 scrapes at the 30 s scrape interval (ServiceMonitor Observability/Stack/FunctionsOrdersCheckout/Monitor): rate() over it sees 2 samples, and none after a missed scrape; use a window of at least 120, or scrape more often',
      ]);
    });

    test('without a stack, prometheus.scrapeIntervalSeconds counts; beside a stack, a different one is an error', () => {
      const alone = functionChart();
      new KedaFunctionAutoscaler(alone.chart, 'Scaling', {
        target: alone.fn, maxReplicas: 800, prometheus: { scrapeIntervalSeconds: 15 },
        triggers: [KedaTrigger.requestRate({ requestsPerPodPerSecond: 84, rateWindowSeconds: 45 })],
      });
      expect(problemsOf(alone.app)).toEqual([
        '[Orders/Scaling] triggers[0].rateWindowSeconds (45) holds fewer than 4 scrapes at the 15 s scrape interval (prometheus.scrapeIntervalSeconds): rate() over it sees 3 samples, and none after a missed scrape; use a window of at least 60, or scrape more often',
      ]);

      const f = watched(30);
      new KedaFunctionAutoscaler(f.chart, 'Scaling', { target: f.fn, maxReplicas: 800, prometheus: { scrapeIntervalSeconds: 15 } });
      f.stack.addFunction(f.fn);
      expect(problemsOf(f.app)).toEqual([
        '[Orders/Scaling] prometheus.scrapeIntervalSeconds (15) is not how often the function\'s metrics are scraped: ServiceMonitor Observability/Stack/FunctionsOrdersCheckout/Monitor scrapes them every 30 s; remove prometheus.scrapeIntervalSeconds (the stack\'s interval is used), or change the stack\'s scrapeIntervalSeconds',
      ]);
    });
  });

  test('the default trigger aims at 70 % of the planned per-pod throughput, and the fallback holds the peak', () => {
    const { chart, fn } = functionChart();
    new KedaFunctionAutoscaler(chart, 'Scaling', {
      target: fn, maxReplicas: 800, capacity: { peakRequestsPerSecond: 20000, requestsPerPodPerSecond: 120 },
    });
    const so = scaledObject(objectsOf(chart));
    // 120 × 0.7 = 84 per pod; 20000 / 84 = 238.1 -> 239 replicas at peak.
    expect(so.spec.triggers[0].metadata.threshold).toBe('84');
    expect(so.spec.fallback).toEqual({ failureThreshold: 3, replicas: 239 });
  });

  test('queries come from the RequestMetrics given, against the Prometheus given, with bearer authentication', () => {
    // GIVEN
    const { chart, fn } = functionChart();

    // WHEN
    const scaler = new KedaFunctionAutoscaler(chart, 'Scaling', {
      target: fn,
      maxReplicas: 100,
      triggers: [
        KedaTrigger.requestRate({ requestsPerPodPerSecond: 150, rateWindowSeconds: 120, metrics: GATEWAY_METRICS }),
        KedaTrigger.inFlight({ requestsPerPod: 20, metrics: GATEWAY_METRICS }),
      ],
      prometheus: { address: 'https://thanos-query.monitoring.svc:9091', bearerTokenSecret: { name: 'keda-prometheus', key: 'token' } },
      fallback: { replicas: 50, failureThreshold: 5 },
    });
    const objects = objectsOf(chart);

    // THEN
    const so = scaledObject(objects);
    expect(so.spec.triggers).toEqual([
      {
        type: 'prometheus', name: 'request-rate', metricType: 'AverageValue',
        metadata: {
          serverAddress: 'https://thanos-query.monitoring.svc:9091',
          query: 'sum(rate(envoy_cluster_upstream_rq_total{envoy_cluster_name="httproute/functions-orders/checkout/rule/0"}[120s]))',
          threshold: '150',
          ignoreNullValues: 'false',
          authModes: 'bearer',
        },
        authenticationRef: { name: 'checkout-prometheus', kind: 'TriggerAuthentication' },
      },
      {
        type: 'prometheus', name: 'in-flight', metricType: 'AverageValue',
        metadata: {
          serverAddress: 'https://thanos-query.monitoring.svc:9091',
          query: 'sum(envoy_cluster_upstream_rq_active{envoy_cluster_name="httproute/functions-orders/checkout/rule/0"})',
          threshold: '20',
          ignoreNullValues: 'false',
          authModes: 'bearer',
        },
        authenticationRef: { name: 'checkout-prometheus', kind: 'TriggerAuthentication' },
      },
    ]);
    expect(so.spec.fallback).toEqual({ failureThreshold: 5, replicas: 50 });
    expect(findOne(objects, 'TriggerAuthentication')).toMatchObject({
      metadata: { name: 'checkout-prometheus', namespace: 'functions-orders' },
      spec: { secretTargetRef: [{ parameter: 'bearerToken', name: 'keda-prometheus', key: 'token' }] },
    });
    expect(scaler.prometheusAuthentication).toBeDefined();
    expect(schemaReport(objects)).toBe('');
  });

  test('flash-sale windows pre-scale with cron triggers beside the metric triggers', () => {
    // GIVEN
    const { chart, fn } = functionChart();

    // WHEN
    new KedaFunctionAutoscaler(chart, 'Scaling', {
      target: fn,
      maxReplicas: 800,
      flashSales: [
        { name: 'friday-evening', schedule: SaleSchedule.weekly({ days: [Weekday.FRIDAY], start: '20:00', end: '22:00' }), timezone: 'Europe/Berlin', replicas: 250 },
        { name: 'black-friday', schedule: SaleSchedule.onDate({ start: '2025-11-28T00:00', end: '2025-11-29T02:00' }), timezone: 'Europe/Berlin', replicas: 400, prescaleMinutes: 30 },
      ],
    });
    const objects = objectsOf(chart);

    // THEN
    const so = scaledObject(objects);
    expect(so).toMatchSnapshot();
    expect(so.spec.triggers.map((t) => t.type)).toEqual(['prometheus', 'cron', 'cron']);
    expect(so.spec.triggers.slice(1)).toEqual([
      { type: 'cron', name: 'flash-sale-friday-evening', metricType: 'AverageValue', metadata: { timezone: 'Europe/Berlin', start: '45 19 * * 5', end: '0 22 * * 5', desiredReplicas: '250' } },
      { type: 'cron', name: 'flash-sale-black-friday', metricType: 'AverageValue', metadata: { timezone: 'Europe/Berlin', start: '30 23 27 11 *', end: '0 2 29 11 *', desiredReplicas: '400' } },
    ]);
    // KEDA 2.15's CheckFallbackValid refuses a ScaledObject with a fallback unless every
    // trigger is AverageValue: a cron trigger without metricType made it refuse the whole object.
    expect(so.spec.fallback).toBeDefined();
    expect(so.spec.triggers.every((t) => t.metricType === 'AverageValue')).toBe(true);
    expect(schemaReport(objects)).toBe('');
  });

  test('a fallback with a trigger that is not AverageValue is refused, as KEDA refuses it', () => {
    // GIVEN a trigger of the user's own that names no metricType
    class BareTrigger extends KedaTrigger {
      public readonly type = 'prometheus' as const;
      public readonly measuredOutsideFunction = false;
      public render() {
        return { type: 'prometheus', name: 'bare', metadata: { serverAddress: 'http://p:9090', query: 'vector(1)', threshold: '1' } };
      }
      public validate(): string[] { return []; }
      public metricsLagSeconds(): number { return 30; }
      public describe(): string { return 'bare'; }
      public targetUtilization(): number | undefined { return undefined; }
    }
    const { app, chart, fn } = functionChart();
    // WHEN it is used with the default fallback
    new KedaFunctionAutoscaler(chart, 'Scaling', { target: fn, maxReplicas: 100, triggers: [new BareTrigger()] });
    // THEN
    expect(problemsOf(app)).toContain('[Orders/Scaling] fallback is set, but trigger bare has metricType <none>: KEDA accepts a fallback only when every trigger\'s metricType is AverageValue; set it, or remove the fallback');
  });

  test('cpu and memory triggers: Utilization, and no fallback by default (KEDA supports none for them)', () => {
    const { chart, fn } = functionChart();
    new KedaFunctionAutoscaler(chart, 'Scaling', { target: fn, maxReplicas: 100, triggers: [KedaTrigger.cpu(70), KedaTrigger.memory(80)] });
    const objects = objectsOf(chart);
    const so = scaledObject(objects);
    expect(so.spec.triggers).toEqual([
      { type: 'cpu', name: 'cpu', metricType: 'Utilization', metadata: { value: '70' } },
      { type: 'memory', name: 'memory', metricType: 'Utilization', metadata: { value: '80' } },
    ]);
    expect(so.spec).not.toHaveProperty('fallback');
    expect(schemaReport(objects)).toBe('');
  });

  test('scale to zero with gateway-measured metrics: cooldown is set', () => {
    const { app, chart, fn } = functionChart();
    new KedaFunctionAutoscaler(chart, 'Scaling', {
      target: fn, minReplicas: 0, maxReplicas: 100, cooldownPeriodSeconds: 120,
      triggers: [KedaTrigger.requestRate({ requestsPerPodPerSecond: 100, metrics: GATEWAY_METRICS })],
    });
    expect(problemsOf(app)).toEqual([]);
    expect(scaledObject(objectsOf(chart)).spec).toMatchObject({ minReplicaCount: 0, cooldownPeriod: 120 });
  });

  describe('rules', () => {
    test('scale to zero needs a trigger that can wake the function: not cpu/memory only', () => {
      const { app, chart, fn } = functionChart();
      new KedaFunctionAutoscaler(chart, 'Scaling', { target: fn, minReplicas: 0, maxReplicas: 100, triggers: [KedaTrigger.cpu(70)] });
      expect(problemsOf(app)).toEqual([
        '[Orders/Scaling] minReplicas (0) needs a trigger that can wake the function: KEDA\'s admission webhook refuses a ScaledObject whose only triggers are cpu/memory with minReplicaCount 0; use ScaleToZeroFunctionAutoscaler (the KEDA HTTP add-on holds requests while the function wakes), or minReplicas of at least 1',
      ]);
    });

    test('scale to zero needs a trigger that can wake the function: not metrics the function measures itself', () => {
      const { app, chart, fn } = functionChart();
      new KedaFunctionAutoscaler(chart, 'Scaling', { target: fn, minReplicas: 0, maxReplicas: 100 });
      expect(problemsOf(app)).toEqual([
        '[Orders/Scaling] minReplicas (0) needs a trigger that can wake the function: the function\'s own request metrics are not counted while it has no pods; use ScaleToZeroFunctionAutoscaler (the KEDA HTTP add-on holds requests while the function wakes), request metrics measured in front of the function (a gateway\'s RequestMetrics as the trigger\'s metrics), or minReplicas of at least 1',
      ]);
    });

    test('scale to zero: a flash-sale window does not wake the function outside the window', () => {
      // GIVEN minReplicas 0 with the function's own request metrics and a daily window
      const lunch = { name: 'lunch', schedule: SaleSchedule.daily({ start: '12:00', end: '13:00' }), timezone: 'UTC', replicas: 50 };
      const { app, chart, fn } = functionChart();
      new KedaFunctionAutoscaler(chart, 'Scaling', { target: fn, minReplicas: 0, maxReplicas: 100, flashSales: [lunch] });
      // THEN outside 12:00-13:00 nothing counts the requests that would wake it
      expect(problemsOf(app)).toEqual([
        '[Orders/Scaling] minReplicas (0) needs a trigger that can wake the function: the function\'s own request metrics are not counted while it has no pods; flash-sale windows scale it up only during the window, so outside it requests find no pod and nothing wakes it; use ScaleToZeroFunctionAutoscaler (the KEDA HTTP add-on holds requests while the function wakes), request metrics measured in front of the function (a gateway\'s RequestMetrics as the trigger\'s metrics), or minReplicas of at least 1',
      ]);
      // AND a window with only cpu triggers is refused the same way (KEDA's webhook accepts the cron trigger, but cpu cannot wake it)
      const cpu = functionChart();
      new KedaFunctionAutoscaler(cpu.chart, 'Scaling', { target: cpu.fn, minReplicas: 0, maxReplicas: 100, triggers: [KedaTrigger.cpu(70)], flashSales: [lunch] });
      expect(problemsOf(cpu.app)).toEqual([
        '[Orders/Scaling] minReplicas (0) needs a trigger that can wake the function: cpu and memory are not measured while it has no pods; flash-sale windows scale it up only during the window, so outside it requests find no pod and nothing wakes it; use ScaleToZeroFunctionAutoscaler (the KEDA HTTP add-on holds requests while the function wakes), request metrics measured in front of the function (a gateway\'s RequestMetrics as the trigger\'s metrics), or minReplicas of at least 1',
      ]);
      // AND only windows, no metric triggers at all, neither
      const only = functionChart();
      new KedaFunctionAutoscaler(only.chart, 'Scaling', { target: only.fn, minReplicas: 0, maxReplicas: 100, triggers: [], flashSales: [lunch] });
      expect(problemsOf(only.app)).toEqual([
        '[Orders/Scaling] minReplicas (0) needs a trigger that can wake the function: flash-sale windows scale it up only during the window, so outside it requests find no pod and nothing wakes it; use ScaleToZeroFunctionAutoscaler (the KEDA HTTP add-on holds requests while the function wakes), request metrics measured in front of the function (a gateway\'s RequestMetrics as the trigger\'s metrics), or minReplicas of at least 1',
      ]);
    });

    test('scale to zero with gateway-measured metrics and a window is accepted', () => {
      const { app, chart, fn } = functionChart();
      new KedaFunctionAutoscaler(chart, 'Scaling', {
        target: fn, minReplicas: 0, maxReplicas: 100,
        triggers: [KedaTrigger.requestRate({ requestsPerPodPerSecond: 100, metrics: GATEWAY_METRICS })],
        flashSales: [{ name: 'lunch', schedule: SaleSchedule.daily({ start: '12:00', end: '13:00' }), timezone: 'UTC', replicas: 50 }],
      });
      expect(problemsOf(app)).toEqual([]);
    });

    test('cpu/memory triggers need requests on the function container', () => {
      const { app, chart, fn } = functionChart({ resources: { cpuRequest: '0' } });
      new KedaFunctionAutoscaler(chart, 'Scaling', { target: fn, maxReplicas: 100, triggers: [KedaTrigger.cpu(70)] });
      expect(problemsOf(app)).toEqual([
        '[Orders/Scaling] triggers scale on cpu, but the function\'s resources.cpuRequest is "0": set a CPU request above 0 (utilization is a share of it), or scale on request rate',
      ]);
    });

    test('a fallback with cpu/memory triggers, or outside min..max, is refused', () => {
      const { app, chart, fn } = functionChart();
      new KedaFunctionAutoscaler(chart, 'Scaling', {
        target: fn, maxReplicas: 100, triggers: [KedaTrigger.requestRate({ requestsPerPodPerSecond: 100 }), KedaTrigger.cpu(70)],
        fallback: { replicas: 200, failureThreshold: 0 },
      });
      expect(problemsOf(app)).toEqual([
        '[Orders/Scaling] fallback is set, but KEDA supports a fallback only for AverageValue metrics and triggers include cpu: remove the fallback or scale on request rate',
        '[Orders/Scaling] fallback.replicas (200) must be an integer from minReplicas (10) to maxReplicas (100)',
        '[Orders/Scaling] fallback.failureThreshold (0) must be an integer from 1 to 100',
      ]);
    });

    test('trigger options, repeated triggers and the Prometheus address', () => {
      const { app, chart, fn } = functionChart();
      new KedaFunctionAutoscaler(chart, 'Scaling', {
        target: fn, maxReplicas: 100,
        triggers: [
          KedaTrigger.requestRate({ requestsPerPodPerSecond: 0, rateWindowSeconds: 15 }),
          KedaTrigger.requestRate({ requestsPerPodPerSecond: 10 }),
          KedaTrigger.inFlight({ requestsPerPod: 5, metrics: { ...FUNCTION_SDK_METRICS, inFlight: undefined } }),
          KedaTrigger.memory(101),
        ],
        prometheus: { address: 'prometheus:9090', scrapeIntervalSeconds: 0 },
        pollingIntervalSeconds: 0,
      });
      expect(problemsOf(app)).toEqual([
        '[Orders/Scaling] triggers[0].requestsPerPodPerSecond (0) must be a positive number',
        '[Orders/Scaling] triggers[0].rateWindowSeconds (15) must be an integer from 30 to 600 (at most ten minutes)',
        '[Orders/Scaling] triggers[1] repeats the request-rate trigger: KEDA needs unique trigger names, give each kind once',
        '[Orders/Scaling] triggers[2].metrics (function-sdk) exports no in-flight gauge: use KedaTrigger.requestRate, or metrics that set inFlight',
        '[Orders/Scaling] triggers[3] memory utilization (101) must be an integer percentage from 1 to 100',
        '[Orders/Scaling] prometheus.address "prometheus:9090" must be an http:// or https:// URL (for example "http://prometheus-operated.monitoring.svc:9090")',
        '[Orders/Scaling] prometheus.scrapeIntervalSeconds (0) must be an integer from 1 to 300',
        '[Orders/Scaling] pollingIntervalSeconds (0) must be an integer from 1 to 3600',
      ]);
    });

    test('no triggers and no windows scale on nothing', () => {
      const { app, chart, fn } = functionChart();
      new KedaFunctionAutoscaler(chart, 'Scaling', { target: fn, maxReplicas: 100, triggers: [] });
      expect(problemsOf(app)).toContain('[Orders/Scaling] triggers is empty and there are no flashSales: give at least one KedaTrigger (for example KedaTrigger.requestRate(...))');
    });

    test('flash-sale windows: replicas within the range, unique names', () => {
      const { app, chart, fn } = functionChart();
      const schedule = SaleSchedule.daily({ start: '12:00', end: '13:00' });
      new KedaFunctionAutoscaler(chart, 'Scaling', {
        target: fn, maxReplicas: 100,
        flashSales: [
          { name: 'lunch', schedule, timezone: 'UTC', replicas: 10 },
          { name: 'lunch', schedule, timezone: 'UTC', replicas: 101 },
        ],
      });
      expect(problemsOf(app)).toEqual([
        '[Orders/Scaling] flashSales[0].replicas (10) must be an integer above minReplicas (10) and at most maxReplicas (100)',
        '[Orders/Scaling] flashSales[1].name "lunch" is used by another window: give each window its own name',
        '[Orders/Scaling] flashSales[1].replicas (101) must be an integer above minReplicas (10) and at most maxReplicas (100)',
      ]);
    });

    test('a flash-sale window name with quotes or a newline is printed on one line', () => {
      const { app, chart, fn } = functionChart();
      const schedule = SaleSchedule.daily({ start: '12:00', end: '13:00' });
      new KedaFunctionAutoscaler(chart, 'Scaling', {
        target: fn, maxReplicas: 100,
        flashSales: [
          { name: 'lunch"\nx', schedule, timezone: 'UTC', replicas: 50 },
          { name: 'lunch"\nx', schedule, timezone: 'UTC', replicas: 50 },
        ],
      });
      expect(problemsOf(app)).toEqual(expect.arrayContaining([
        '[Orders/Scaling] flashSales[1].name "lunch\\"\\nx" is used by another window: give each window its own name',
      ]));
    });

    test('a pre-scale lead shorter than the fastest climb under the behavior is refused, with the numbers', () => {
      // GIVEN a behavior that adds 10 pods per minute: 10 -> 100 takes 9 steps, 480 s
      const { app, chart, fn } = functionChart();
      const slow = new ScalingBehavior({
        scaleUp: { stabilizationWindowSeconds: 0, policies: [ScalingPolicy.pods(10, 60)], selectPolicy: SelectPolicy.MAX },
        scaleDown: ScalingBehavior.flashSale().scaleDown,
      });

      // WHEN
      new KedaFunctionAutoscaler(chart, 'Scaling', {
        target: fn, maxReplicas: 100, behavior: slow,
        flashSales: [{ name: 'lunch', schedule: SaleSchedule.daily({ start: '12:00', end: '13:00' }), timezone: 'UTC', replicas: 100, prescaleMinutes: 5 }],
      });

      // THEN
      expect(problemsOf(app)).toEqual([
        '[Orders/Scaling] flashSales[0].prescaleMinutes (5) starts the scale-up 300 s before the sale, but going from minReplicas (10) to 100 replicas takes at least 497 s (9 steps under behavior.scaleUp = 480 s, + 15 s HPA sync + 2 s pod start): set prescaleMinutes to at least 9',
      ]);
    });

    test('a capacity plan the range cannot carry is reported on the autoscaler', () => {
      const { app, chart, fn } = functionChart();
      new KedaFunctionAutoscaler(chart, 'Scaling', {
        target: fn, maxReplicas: 100,
        triggers: [KedaTrigger.requestRate({ requestsPerPodPerSecond: 84 })],
        capacity: { peakRequestsPerSecond: 20000, requestsPerPodPerSecond: 120, burstRequestsPerSecond: 1500 },
        fallback: { replicas: 100 },
      });
      // Reaction: 15 s sync + (15 s scrape + 60 s window / 2) metrics lag + 2 s pod start = 62 s.
      expect(problemsOf(app)).toEqual([
        '[Orders/Scaling] capacity.peakRequestsPerSecond (20000) needs 239 replicas at 84 requests/s per pod (120 × 70 % target utilization), above maxReplicas (100): raise maxReplicas to at least 239, or make each pod serve more',
        '[Orders/Scaling] capacity.burstRequestsPerSecond (1500) exceeds what minReplicas (10) × 120 requests/s per pod = 1200 requests/s absorb during one reaction time of 107 s (15 s HPA sync + 90 s metrics lag + 2 s pod start): raise minReplicas to at least 13, or pre-scale with a flash-sale window',
      ]);
    });
  });
});
