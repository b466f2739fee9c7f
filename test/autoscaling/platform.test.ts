import { computeClusterCapacity, HorizontalFunctionAutoscaler, KedaFunctionAutoscaler, ScaleToZeroFunctionAutoscaler } from '../../lib';
import { buildReferencePlatform } from '../../platform';
import { PRODUCTION_CLUSTER } from '../../platform/autoscaling';
import { KubeObject, problemsOf, testApp } from '../support/synth';
import { schemaReport } from './support';

function build() {
  const app = testApp();
  const platform = buildReferencePlatform(app);
  return { app, platform };
}

const MY_PATHS = /^\[(CatalogAutoscaling|OrdersAutoscaling|ClusterCapacity|CatalogFunctions|OrdersFunctions)\b/;

describe('reference platform: autoscaling section', () => {
  const { app, platform } = build();
  const { autoscaling } = platform;
  const objects = Object.values(autoscaling.charts).flatMap((c) => c.toJson() as KubeObject[]);

  // Every function, and the canary beside price.
  const allFunctions = { ...platform.functions, ...Object.fromEntries(Object.values(platform.canaries).map((c) => [c.name, c])) };

  test('every function has exactly one autoscaler, and no Deployment carries replicas', () => {
    expect(Object.keys(autoscaling.autoscalers).sort()).toEqual(Object.keys(allFunctions).sort());
    for (const fn of Object.values(allFunctions)) {
      expect(fn.autoscalerAttachments).toHaveLength(1);
      expect(fn.replicas).toBeUndefined();
    }
  });

  test('each function gets the mode suited to it', () => {
    const a = autoscaling.autoscalers;
    expect(a.inventory).toBeInstanceOf(HorizontalFunctionAutoscaler);
    expect(a.reviews).toBeInstanceOf(ScaleToZeroFunctionAutoscaler);
    const keda = Object.entries(a).filter(([, s]) => s instanceof KedaFunctionAutoscaler).map(([n]) => n).sort();
    expect(keda).toEqual(['cart', 'checkout', 'flash-sale', 'price', 'price-canary', 'product-detail', 'recommend', 'search']);
    const withWindows = Object.entries(a).filter(([, s]) => s.flashSales.length > 0).map(([n]) => n).sort();
    expect(withWindows).toEqual(['checkout', 'flash-sale']);
  });

  test('the rarely used function is routed through the KEDA HTTP add-on interceptor by Host header', () => {
    expect(platform.functions.reviews.ingressBackend).toEqual({
      serviceName: 'keda-add-ons-http-interceptor-proxy', namespace: 'keda', port: 8080, hostHeader: 'reviews.functions-catalog.svc.cluster.local',
      wakeUpSeconds: 5,
    });
  });

  test('a cold request to reviews is not cut off while it wakes: no per-try timeout on its route, 10 s in all', () => {
    // The reads' 300 ms per-try timeout also bounded the first attempt, which the interceptor
    // holds for up to the 5 s wake-up: Envoy answered every cold request with a 504.
    const waking = Object.values(platform.gateway.routes).filter((r) => r.backends.some((b) => b.backend.wakeUpSeconds !== undefined));
    expect(waking.map((r) => r.name)).toEqual(['reviews']);
    const policy = platform.gateway.routes.reviews.node.findAll()
      .map((c) => c as unknown as { toJson?: () => KubeObject })
      .filter((c) => typeof c.toJson === 'function')
      .map((c) => c.toJson!())
      .find((o) => o.kind === 'BackendTrafficPolicy')!;
    const spec = policy.spec as { retry: { numRetries: number; perRetry?: { timeout?: string } }; timeout: { http: { requestTimeout: string } } };
    expect(spec.retry.numRetries).toBe(2);
    expect(spec.retry.perRetry?.timeout).toBeUndefined();
    expect(spec.timeout.http.requestTimeout).toBe('10s');
    expect(problemsOf(app).filter((p) => p.startsWith('[CatalogRoutes/Reviews]'))).toEqual([]);
  });

  test('autoscalers sit in their function\'s namespace, one chart per namespace', () => {
    const scalers = objects.filter((o) => ['HorizontalPodAutoscaler', 'ScaledObject', 'HTTPScaledObject'].includes(o.kind));
    expect(scalers).toHaveLength(10);
    for (const s of scalers) {
      const fn = allFunctions[s.metadata.name!];
      expect(s.metadata.namespace).toBe(fn.namespace);
    }
  });

  test('the autoscaling charts match their snapshots and are strictly valid', () => {
    for (const [domain, chart] of Object.entries(autoscaling.charts)) {
      expect(chart.toJson()).toMatchSnapshot(domain);
    }
    expect(schemaReport(objects)).toBe('');
  });

  test('the production cluster passes the capacity check, and the functions and autoscalers have no problems', () => {
    expect(problemsOf(app).filter((p) => MY_PATHS.test(p))).toEqual([]);
    const result = autoscaling.capacity.compute();
    // 600 + 600 + 300 + 400 + 200 + 40 + 600 + 800 + 1500 + 80 (price-canary) = 5120 function
    // pods + 180 others, on (28 - 2 spare) × (250 - 6 DaemonSet pods) = 6344 slots.
    expect(result).toMatchObject({ functionPods: 5120, pods: 5300, podSlots: 6344, problems: [] });
    // The canary adds 80 × 10m = 0.8 cores to the 128.4 before it.
    expect(result.cpuCoresRequested).toBeCloseTo(129.2, 9);
    expect(autoscaling.capacity.cluster).toBe(PRODUCTION_CLUSTER);
  });

  test('at the kubelet default of 110 pods per node the same platform would need 53 nodes (51 + 2 spare)', () => {
    // 5300 pods / (110 - 6 DaemonSet pods) = 50.96 -> 51 usable nodes, + 2 spare.
    const functions = autoscaling.capacity.compute().functions;
    const result = computeClusterCapacity({ ...PRODUCTION_CLUSTER, maxPodsPerNode: 110 }, functions);
    expect(result.requiredNodesForPods).toBe(53);
    expect(result.problems).toEqual([
      'pods: the autoscalers\' maxReplicas add up to 5120 pods (+ 180 pods for other workloads = 5300 pods), but 26 usable nodes (28 - 2 spare) × 104 pods per node (maxPodsPerNode 110 - 6 DaemonSet pods) hold 2704: set maxPodsPerNode to at least 210 (kubelet --max-pods), or run at least 53 nodes at 110 pods per node',
    ]);
  });

  test('the capacity report is written to reports/, outside every Argo CD application folder', () => {
    const report = autoscaling.capacity.report;
    expect(report.path).toBe('reports/capacity.md');
    expect(app.charts.map((c) => c.node.id.toLowerCase())).not.toContain('reports');
    expect(report.render()).toMatchSnapshot();
  });
});
