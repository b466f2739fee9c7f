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
    // pods, + 375 for flash-sale's rollout (25 % of 1500), + 50 KEDA interceptor pods, + 4 OPA
    // pods (3 + 1 surge), + 15 Envoy pods (12 + 3 surge), + 125 others = 5689, on
    // (28 - 2 spare) × (250 - 6 DaemonSet pods) = 6344 slots.
    expect(result).toMatchObject({ functionPods: 5120, pods: 5689, podSlots: 6344, binding: 'pods', problems: [] });
    // 5120 × 10m = 51.2 cores (+ 18 for search's and inventory's larger requests = 69.2), + 3.75 surge, + 12.5 interceptor, + 0.4 OPA, + 15 × 2 Envoy, + 47 others.
    expect(result.cpuCoresRequested).toBeCloseTo(162.85, 9);
    // In a sale from every floor to every max: 5120 - 68 = 5052 pods at 20/s after a burst of 30 = 251.1 s.
    expect(result.saleClimb).toEqual({ pods: 5052, seconds: 251.1 });
    expect(autoscaling.capacity.cluster).toBe(PRODUCTION_CLUSTER);
  });

  test('at the kubelet default of 110 pods per node the same platform would need 57 nodes (55 + 2 spare)', () => {
    // 5689 pods / (110 - 6 DaemonSet pods) = 54.70 -> 55 usable nodes, + 2 spare.
    const { functions, platformPods } = autoscaling.capacity.compute();
    const result = computeClusterCapacity({ ...PRODUCTION_CLUSTER, maxPodsPerNode: 110 }, functions, platformPods);
    expect(result.requiredNodesForPods).toBe(57);
    expect(result.problems).toEqual([
      'pods: the autoscalers\' maxReplicas add up to 5120 pods (+ 375 pods for a rollout\'s surge + 50 pods for the KEDA HTTP interceptor + 4 pods for the OPA authorizer + 15 pods for the Envoy Gateway proxies + 125 pods for other workloads = 5689 pods), but 26 usable nodes (28 - 2 spare) × 104 pods per node (maxPodsPerNode 110 - 6 DaemonSet pods) hold 2704: set maxPodsPerNode to at least 225 (kubelet --max-pods), or run at least 57 nodes at 110 pods per node, or lower maxSurge or cluster.concurrentRollouts (the surge counts 375 pods)',
    ]);
  });

  test('every function rolling at once at maxReplicas would add 1280 surge pods and need 30 nodes', () => {
    // 150 + 150 + 75 + 100 + 50 + 10 + 150 + 200 + 375 + 20 = 1280; 6594 pods / 244 = 27.02 -> 28, + 2 spare.
    const { functions, platformPods } = autoscaling.capacity.compute();
    const result = computeClusterCapacity({ ...PRODUCTION_CLUSTER, concurrentRollouts: functions.length }, functions, platformPods);
    expect(result.demand[1].pods).toBe(1280);
    expect(result.pods).toBe(6594);
    expect(result.requiredNodesForPods).toBe(30);
    expect(result.problems).toHaveLength(1);
    expect(computeClusterCapacity({ ...PRODUCTION_CLUSTER, nodes: 30, concurrentRollouts: functions.length }, functions, platformPods).problems).toEqual([]);
  });

  test('the capacity report is written to reports/, outside every Argo CD application folder', () => {
    const report = autoscaling.capacity.report;
    expect(report.path).toBe('reports/capacity.md');
    expect(app.charts.map((c) => c.node.id.toLowerCase())).not.toContain('reports');
    expect(report.render()).toMatchSnapshot();
  });
});
