import { Chart, Testing } from 'cdk8s';
import {
  checkClusterDescription, climbOf, ClusterCapacity, ClusterDescription, computeClusterCapacity, HorizontalFunctionAutoscaler,
  KedaFunctionAutoscaler, OpaAuthorizer, podCreationSeconds, renderApp, RequestAuthorizationPolicy, RequestIdentity,
  resolvePodCreationRate, SaleSchedule, ScaleToZeroFunctionAutoscaler, WasmRuntime, WasmRuntimeClass, Weekday,
} from '../../lib';
import { problemsOf, testApp } from '../support/synth';
import { addFunction, functionChart, matching } from './support';

/**
 * Room for the seed's CPU (5000 × 10m = 50 cores) and memory (5000 × 32Mi = 156.25 GiB): only
 * pods can fail. No rollouts during a sale, so the seed's own numbers are checked; the surge
 * has tests of its own.
 */
const SEED_CLUSTER: ClusterDescription = { name: 'seed', nodes: 10, allocatableCpuPerNode: '8', allocatableMemoryPerNode: '32Gi', concurrentRollouts: 0 };

function seedApp(cluster: ClusterDescription) {
  const { app, chart, fn } = functionChart();
  HorizontalFunctionAutoscaler.seed(chart, 'Scaling', fn);
  const capacity = new ClusterCapacity(app, 'ClusterCapacity', { cluster });
  return { app, capacity };
}

describe('ClusterCapacity', () => {
  test('the seed\'s 5000 pods on 10 nodes fail with exactly the numbers', () => {
    // GIVEN the seed's HPA (max 5000) on the seed's 10 nodes at the kubelet default of 110 pods
    const { app } = seedApp(SEED_CLUSTER);

    // WHEN
    const problems = problemsOf(app);

    // THEN
    expect(problems).toEqual([
      '[ClusterCapacity] pods: the autoscalers\' maxReplicas add up to 5000 pods, but 10 nodes × 110 pods per node hold 1100: set maxPodsPerNode to at least 500 (kubelet --max-pods) and nodeCidrMaskSize to 23 or lower (a /24 gives 254 pod IPs), or run at least 46 nodes at 110 pods per node',
    ]);
    expect(() => renderApp(app)).toThrow(/set maxPodsPerNode to at least 500 .* or run at least 46 nodes at 110 pods per node/);
  });

  test('the seed fits with max-pods 500 on /23 node CIDRs, or on 46 nodes at 110, and not on 45', () => {
    expect(problemsOf(seedApp({ ...SEED_CLUSTER, maxPodsPerNode: 500, nodeCidrMaskSize: 23 }).app)).toEqual([]);
    expect(problemsOf(seedApp({ ...SEED_CLUSTER, nodes: 46 }).app)).toEqual([]);
    expect(problemsOf(seedApp({ ...SEED_CLUSTER, nodes: 45 }).app)).toEqual([
      '[ClusterCapacity] pods: the autoscalers\' maxReplicas add up to 5000 pods, but 45 nodes × 110 pods per node hold 4950: set maxPodsPerNode to at least 112 (kubelet --max-pods), or run at least 46 nodes at 110 pods per node',
    ]);
  });

  test('pods, CPU and memory against DaemonSets, spare nodes and other workloads (hand-computed)', () => {
    // GIVEN
    //   checkout: 600 × 10m = 6 cores, 600 × 32Mi = 18.75 GiB
    //   search:   400 × 50m = 20 cores, 400 × 128Mi = 50 GiB
    //   other:    100 pods, 5 cores, 10 GiB
    //   12 nodes - 2 spare = 10 usable, each 110 - 10 DaemonSet pods = 100 pods, 2 cores, 7 GiB
    const { app, chart, fn } = functionChart();
    const search = addFunction(chart, 'search', { resources: { cpuRequest: '50m', memoryRequest: '128Mi', memoryLimit: '256Mi' } });
    new HorizontalFunctionAutoscaler(chart, 'CheckoutScaling', { target: fn, minReplicas: 1, maxReplicas: 600 });
    new HorizontalFunctionAutoscaler(chart, 'SearchScaling', { target: search, minReplicas: 1, maxReplicas: 400 });
    const capacity = new ClusterCapacity(app, 'ClusterCapacity', {
      cluster: {
        name: 'small', nodes: 12, spareNodes: 2, daemonSetPodsPerNode: 10, allocatableCpuPerNode: '2', allocatableMemoryPerNode: '7Gi',
        otherWorkloads: { pods: 100, cpuRequest: '5', memoryRequest: '10Gi' }, concurrentRollouts: 0,
      },
    });

    // WHEN
    const result = capacity.compute();

    // THEN
    expect(result).toMatchObject({
      usableNodes: 10, podSlots: 1000, cpuCores: 20, memoryBytes: 70 * 2 ** 30,
      functionPods: 1000, pods: 1100, cpuCoresRequested: 31, memoryBytesRequested: 78.75 * 2 ** 30,
      requiredMaxPodsPerNode: 120, requiredNodesForPods: 13, requiredNodesForCpu: 18, requiredNodesForMemory: 14,
    });
    expect(problemsOf(app)).toEqual([
      '[ClusterCapacity] pods: the autoscalers\' maxReplicas add up to 1000 pods (+ 100 pods for other workloads = 1100 pods), but 10 usable nodes (12 - 2 spare) × 100 pods per node (maxPodsPerNode 110 - 10 DaemonSet pods) hold 1000: set maxPodsPerNode to at least 120 (kubelet --max-pods), or run at least 13 nodes at 110 pods per node',
      '[ClusterCapacity] cpu: maxReplicas × CPU requests add up to 26 cores (+ 5 cores for other workloads = 31 cores), but 10 usable nodes (12 - 2 spare) × 2 allocatable cores hold 20: run at least 18 nodes, or lower maxReplicas or CPU requests',
      '[ClusterCapacity] memory: maxReplicas × memory requests add up to 68.75 GiB (+ 10 GiB for other workloads = 78.75 GiB), but 10 usable nodes (12 - 2 spare) × 7 GiB allocatable hold 70 GiB: run at least 14 nodes, or lower maxReplicas or memory requests',
    ]);
  });

  test('exactly full fits', () => {
    // 2 nodes × 110 pods = 220 = 220 replicas; 220 × 10m = 2.2 cores = 2 × 1100m; 220 × 32Mi = 6.875 GiB = 2 × 3520Mi
    const result = computeClusterCapacity(
      { name: 'tight', nodes: 2, allocatableCpuPerNode: '1100m', allocatableMemoryPerNode: '3520Mi' },
      [{ path: 'x', functionName: 'x', namespace: 'n', kind: 'ScaledObject', scaling: '', minReplicas: 1, maxReplicas: 220, cpuRequestCores: 0.01, memoryRequestBytes: 32 * 2 ** 20, flashSales: [] }],
    );
    expect(result.problems).toEqual([]);
  });

  test('the cluster description is checked', () => {
    expect(checkClusterDescription({
      name: 'bad', nodes: 0, allocatableCpuPerNode: '8 cores', allocatableMemoryPerNode: '0', maxPodsPerNode: 500, daemonSetPodsPerNode: -1,
    })).toEqual([
      'cluster.nodes (0) must be an integer from 1 to 5000',
      'cluster.allocatableCpuPerNode "8 cores" is not a Kubernetes quantity: use a non-negative number with an optional suffix (m, k, M, G, Ki, Mi, Gi, ...), for example "15500m"',
      'cluster.daemonSetPodsPerNode (-1) must be an integer from 0 to 499',
      'cluster.maxPodsPerNode (500) exceeds the 254 pod IPs of a /24 node CIDR: set nodeCidrMaskSize to 23 or lower (kube-controller-manager --node-cidr-mask-size), or lower maxPodsPerNode',
      'cluster.allocatableMemoryPerNode ("0") must be above 0',
    ]);
  });

  test('spare nodes leave at least one node', () => {
    expect(checkClusterDescription({ ...SEED_CLUSTER, nodes: 3, spareNodes: 3 })).toEqual(['cluster.spareNodes (3) must be an integer from 0 to 2']);
  });

  test('a function may spread over zones only on a cluster whose nodes carry them', () => {
    // GIVEN a function that asks for a zone spread
    const { app, chart, fn } = functionChart({ spreadOverZones: true });
    HorizontalFunctionAutoscaler.seed(chart, 'Scaling', fn);
    // WHEN the cluster description does not say the zones are labelled (K3s sets none)
    new ClusterCapacity(app, 'ClusterCapacity', { cluster: { ...SEED_CLUSTER, nodes: 46 } });
    // THEN it is refused with both fixes
    expect(problemsOf(app)).toEqual([
      '[ClusterCapacity] function functions-orders/checkout (Orders/Checkout) sets spreadOverZones, but cluster.zonesLabelled is not true: on nodes without topology.kubernetes.io/zone the scheduler ignores its spread constraints altogether; label the zones and set zonesLabelled, or drop spreadOverZones',
    ]);
  });

  test('the report says how pods are spread', () => {
    const render = (zonesLabelled: boolean) => {
      const { app } = seedApp({ ...SEED_CLUSTER, nodes: 46, zonesLabelled });
      return renderApp(app).find((f) => f.path === 'reports/capacity.md')!.content;
    };
    expect(render(false)).toContain('Topology spread: over nodes only (`kubernetes.io/hostname`): the cluster description does not say the nodes carry `topology.kubernetes.io/zone` (K3s sets none), so no function spreads over zones.');
    expect(render(true)).toContain('functions that set `spreadOverZones` spread over `topology.kubernetes.io/zone` too.');
  });

  test('one cluster description per app', () => {
    const { app } = seedApp({ ...SEED_CLUSTER, nodes: 46 });
    new ClusterCapacity(app, 'Again', { cluster: { ...SEED_CLUSTER, nodes: 46 } });
    expect(problemsOf(app)).toEqual([
      '[ClusterCapacity] another ClusterCapacity exists at Again: describe the cluster once per app',
      '[Again] another ClusterCapacity exists at ClusterCapacity: describe the cluster once per app',
    ]);
  });

  test('the report is written outside every chart folder and reads as a person would want it', () => {
    // GIVEN one function of each mode
    const { app, chart, fn } = functionChart();
    const catalog = new Chart(app, 'Catalog', { namespace: 'functions-catalog' });
    const reviews = addFunction(catalog, 'reviews');
    const inventory = addFunction(catalog, 'inventory');
    new KedaFunctionAutoscaler(chart, 'CheckoutScaling', {
      target: fn, maxReplicas: 800,
      capacity: { peakRequestsPerSecond: 20000, requestsPerPodPerSecond: 120, burstRequestsPerSecond: 1000 },
      flashSales: [{ name: 'friday-evening', schedule: SaleSchedule.weekly({ days: [Weekday.FRIDAY], start: '20:00', end: '22:00' }), timezone: 'Europe/Berlin', replicas: 250 }],
    });
    new ScaleToZeroFunctionAutoscaler(catalog, 'ReviewsScaling', { target: reviews, hosts: ['reviews.functions-catalog.svc.cluster.local'], maxReplicas: 40 });
    new HorizontalFunctionAutoscaler(catalog, 'InventoryScaling', { target: inventory, minReplicas: 6, maxReplicas: 300 });
    new ClusterCapacity(app, 'ClusterCapacity', {
      cluster: { name: 'prod', nodes: 13, allocatableCpuPerNode: '7500m', allocatableMemoryPerNode: '28Gi' },
    });

    // WHEN
    const files = renderApp(app);

    // THEN
    const report = files.find((f) => f.path === 'reports/capacity.md');
    expect(report).toBeDefined();
    const chartFolders = files.filter((f) => f.path.endsWith('.k8s.yaml')).map((f) => f.path.split('/')[0]);
    expect(chartFolders).not.toContain('reports');
    expect(report!.content).toMatchSnapshot();
    // 800 + 40 + 300 at max, + 200 for checkout's surge (25 % of 800), + 50 interceptor pods (the chart's max)
    expect(report!.content).toContain('| pods | 1390 | 1430 | 97.2 % | 13 |');
    expect(report!.content).toContain('Binding: **pod slots** (the highest use above).');
    expect(report!.content).toContain('| rollout surge (functions-orders/checkout 200 pods; 1 at once) | 200 | 2 | 6.25 |');
    expect(report!.content).toContain('| KEDA HTTP interceptor (keda/keda-add-ons-http-interceptor-proxy, interceptor.replicas.max, the chart\'s default) | 50 | 12.5 | 0.98 |');
    // 10 -> 800 under the flash-sale behavior: HPA 110, 440, 800 = 30 s, but 790 pods at 20/s after a burst of 30 take (790 - 30) / 20 = 38 s.
    expect(report!.content).toContain('| functions-orders/checkout | ScaledObject | request rate 84/s per pod (function-sdk, 120 s window at 30 s scrapes), 1 flash-sale window | 10 | 800 | 38 s | pod creation (790 pods at 20/s after a burst of 30: 38 s; HPA 30 s, 3 steps) |');
    // reviews 0 -> 40 under the Kubernetes default: 1, 5, 10, 20, 40 = 60 s; its 40 pods take (40 - 30) / 20 = 0.5 s.
    expect(report!.content).toContain('| functions-catalog/reviews | HTTPScaledObject | HTTP add-on: 100 concurrent requests per pod, scale to zero (wake-up 5 s) | 0 | 40 | 60 s | HPA steps (HPA 60 s, 5 steps; 40 pods at 20/s after a burst of 30: 0.5 s) |');
    // All three from min to max: 790 + 40 + 294 = 1124 pods, (1124 - 30) / 20 = 54.7 s.
    expect(report!.content).toContain('Every autoscaled function from min to max at once, the worst case of a sale: 1124 pods, at least 54.7 s to create.');
    // No ObservabilityStack: 30 s scrapes, a 120 s window: 15 s sync + (30 + 60) s lag + 2 s pod start.
    expect(report!.content).toContain('| functions-orders/checkout | 20000 | 120 (84) | 239 of 800 | 67200 | 1200 | 1000 | 200 | 107 s |');
    // 10 -> 250: HPA 15 s (2 steps) against (240 - 30) / 20 = 10.5 s of pod creation.
    expect(report!.content).toContain('| functions-orders/checkout | friday-evening | Fri 20:00-22:00 | Europe/Berlin | 250 | 15 min before | 15 s |');
  });

  test('a function without an autoscaler counts with its fixed replicas', () => {
    // GIVEN 5000 fixed replicas of 10m / 32Mi on 10 nodes of 110 pods, 1 core and 64Gi
    //   pods: 5000 > 10 × 110 = 1100; cpu: 5000 × 10m = 50 cores > 10 cores; memory: 156.25 GiB <= 640 GiB
    const { app } = functionChart({ replicas: 5000 });
    const capacity = new ClusterCapacity(app, 'ClusterCapacity', {
      cluster: { name: 'tiny', nodes: 10, allocatableCpuPerNode: '1', allocatableMemoryPerNode: '64Gi', concurrentRollouts: 0 },
    });

    // WHEN
    const result = capacity.compute();

    // THEN
    expect(result).toMatchObject({ functionPods: 5000, pods: 5000, cpuCoresRequested: 50, memoryBytesRequested: 156.25 * 2 ** 30 });
    expect(problemsOf(app)).toEqual([
      '[ClusterCapacity] pods: the autoscalers\' maxReplicas and the fixed replicas add up to 5000 pods, but 10 nodes × 110 pods per node hold 1100: set maxPodsPerNode to at least 500 (kubelet --max-pods) and nodeCidrMaskSize to 23 or lower (a /24 gives 254 pod IPs), or run at least 46 nodes at 110 pods per node',
      '[ClusterCapacity] cpu: maxReplicas (fixed replicas without an autoscaler) × CPU requests add up to 50 cores, but 10 nodes × 1 allocatable cores hold 10: run at least 50 nodes, or lower maxReplicas, fixed replicas or CPU requests',
    ]);
  });

  test('fixed and autoscaled functions add up, and the report shows the fixed ones', () => {
    // GIVEN checkout autoscaled to 300, search fixed at 40 (50m, 128Mi), an autoscaled
    // function's replicas never counted twice
    //   pods 340; cpu 300 × 10m + 40 × 50m = 5 cores; memory 300 × 32Mi + 40 × 128Mi = 14.375 GiB
    const { app, chart, fn } = functionChart();
    addFunction(chart, 'search', { replicas: 40, resources: { cpuRequest: '50m', memoryRequest: '128Mi', memoryLimit: '256Mi' } });
    new HorizontalFunctionAutoscaler(chart, 'CheckoutScaling', { target: fn, minReplicas: 10, maxReplicas: 300 });
    const capacity = new ClusterCapacity(app, 'ClusterCapacity', {
      cluster: { name: 'small', nodes: 4, allocatableCpuPerNode: '2', allocatableMemoryPerNode: '8Gi', concurrentRollouts: 0 },
    });

    // WHEN
    const result = capacity.compute();
    const report = renderApp(app).find((f) => f.path === 'reports/capacity.md')!.content;

    // THEN
    expect(result).toMatchObject({ functionPods: 340, cpuCoresRequested: 5, memoryBytesRequested: 14.375 * 2 ** 30, problems: [] });
    expect(result.functions.map((f) => [f.functionName, f.kind, f.maxReplicas])).toEqual([
      ['checkout', 'HorizontalPodAutoscaler', 300],
      ['search', 'fixed replicas', 40],
    ]);
    expect(report).toContain('| pods | 340 | 440 | 77.3 % | 4 |');
    expect(report).toContain('| functions-orders/search | fixed replicas | - | 40 | 40 | - |');
    expect(report).toContain('"fixed replicas": a function without an autoscaler; its replicas count as min and max.');
  });
});

describe('ClusterCapacity: what fills a cluster in a sale', () => {
  test('a rollout at maxReplicas surges 25 %: the seed needs 57 nodes at 110 pods, not 46', () => {
    // GIVEN the seed (max 5000) with one rollout during a sale: ceil(5000 × 25 %) = 1250 surge pods
    //   6250 pods: 46 × 110 = 5060 fail; 56 × 110 = 6160 fail; 57 × 110 = 6270 fit
    const rolling = { ...SEED_CLUSTER, concurrentRollouts: 1 };

    // THEN
    expect(problemsOf(seedApp({ ...rolling, nodes: 46 }).app)).toEqual([
      '[ClusterCapacity] pods: the autoscalers\' maxReplicas add up to 5000 pods (+ 1250 pods for a rollout\'s surge = 6250 pods), but 46 nodes × 110 pods per node hold 5060: set maxPodsPerNode to at least 136 (kubelet --max-pods), or run at least 57 nodes at 110 pods per node, or lower maxSurge or cluster.concurrentRollouts (the surge counts 1250 pods)',
    ]);
    expect(problemsOf(seedApp({ ...rolling, nodes: 56 }).app)).toHaveLength(1);
    expect(problemsOf(seedApp({ ...rolling, nodes: 57 }).app)).toEqual([]);
    // The default is one rollout at a time.
    expect(problemsOf(seedApp({ ...SEED_CLUSTER, concurrentRollouts: undefined, nodes: 57 }).app)).toEqual([]);
    expect(problemsOf(seedApp({ ...SEED_CLUSTER, concurrentRollouts: undefined, nodes: 56 }).app)).toHaveLength(1);
  });

  test('the largest surges count, as many as concurrentRollouts, from each Deployment\'s own maxSurge (hand-computed)', () => {
    // GIVEN checkout max 600 at 25 % = 150 surge; search max 400 at maxSurge 10 = 10; cart max 101 at 25 % = ceil(25.25) = 26
    const { app, chart, fn } = functionChart();
    const search = addFunction(chart, 'search', { maxSurge: 10 });
    const cart = addFunction(chart, 'cart');
    new HorizontalFunctionAutoscaler(chart, 'CheckoutScaling', { target: fn, minReplicas: 10, maxReplicas: 600 });
    new HorizontalFunctionAutoscaler(chart, 'SearchScaling', { target: search, minReplicas: 10, maxReplicas: 400 });
    new HorizontalFunctionAutoscaler(chart, 'CartScaling', { target: cart, minReplicas: 10, maxReplicas: 101 });
    const cluster: ClusterDescription = { name: 'c', nodes: 20, allocatableCpuPerNode: '8', allocatableMemoryPerNode: '32Gi', concurrentRollouts: 2 };
    const capacity = new ClusterCapacity(app, 'ClusterCapacity', { cluster });

    // WHEN
    const result = capacity.compute();

    // THEN 150 + 26 = 176 pods, 176 × 10m = 1.76 cores, 176 × 32Mi = 5.5 GiB; 1101 + 176 = 1277 pods
    expect(result.rollouts).toEqual([
      { function: 'functions-orders/checkout', surgePods: 150, maxReplicas: 600 },
      { function: 'functions-orders/cart', surgePods: 26, maxReplicas: 101 },
    ]);
    expect(result.demand[1]).toEqual({
      label: 'rollout surge (functions-orders/checkout 150 pods, functions-orders/cart 26 pods; 2 at once)', pods: 176, cpuCores: 1.76, memoryBytes: 5.5 * 2 ** 30,
    });
    expect(result.pods).toBe(1277);
    // The Deployment says what the check counted.
    const deployment = Testing.synth(chart).find((o) => o.kind === 'Deployment' && o.metadata.name === 'search');
    expect(deployment.spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: 10, maxUnavailable: 0 } });
    // No rollouts during sales: no surge.
    expect(computeClusterCapacity({ ...cluster, concurrentRollouts: 0 }, result.functions).rollouts).toEqual([]);
  });

  test('maxSurge is checked', () => {
    const { app } = functionChart({ maxSurge: '0%' });
    expect(problemsOf(app)).toEqual([
      '[Orders/Checkout] maxSurge "0%" must be a pod count or a percentage from 1% to 100% (for example "25%")',
    ]);
  });

  test('the RuntimeClass\'s pod overhead is added to every function pod, surge included (hand-computed)', () => {
    // GIVEN checkout max 600 on a class with 5m / 8Mi overhead, one rollout: 600 + 150 = 750 pods
    //   overhead 750 × 5m = 3.75 cores, 750 × 8Mi = 5.859375 GiB
    const app = testApp();
    const runtimeChart = new Chart(app, 'Runtime');
    const runtime = new WasmRuntimeClass(runtimeChart, 'Wasm', { nodeSelector: { 'platform.example.com/wasmedge': 'true' }, podOverhead: { cpu: '5m', memory: '8Mi' } });
    const chart = new Chart(app, 'Orders', { namespace: 'functions-orders' });
    const fn = addFunction(chart, 'checkout', { runtime });
    new HorizontalFunctionAutoscaler(chart, 'Scaling', { target: fn, minReplicas: 10, maxReplicas: 600 });
    const capacity = new ClusterCapacity(app, 'ClusterCapacity', {
      cluster: { name: 'c', nodes: 3, allocatableCpuPerNode: '4', allocatableMemoryPerNode: '16Gi', maxPodsPerNode: 250, nodeCidrMaskSize: 24 },
    });

    // WHEN
    const result = capacity.compute();

    // THEN requests 750 × 10m = 7.5 cores and 750 × 32Mi = 23.4375 GiB, + overhead = 11.25 cores, 29.296875 GiB
    expect(result.demand.find((d) => d.label === 'RuntimeClass pod overhead')).toEqual({ label: 'RuntimeClass pod overhead', pods: 0, cpuCores: 3.75, memoryBytes: 750 * 8 * 2 ** 20 });
    expect(result.cpuCoresRequested).toBeCloseTo(11.25, 9);
    expect(result.memoryBytesRequested).toBe(750 * 40 * 2 ** 20);
    // 3 nodes × 250 pods = 750 slots and × 4 cores = 12 fit; at 3.5 cores per node (10.5) the overhead makes it fail, and the message says so
    expect(problemsOf(app)).toEqual([]);
    const tight = computeClusterCapacity({ ...capacity.cluster, allocatableCpuPerNode: '3500m' }, result.functions);
    expect(tight.problems).toEqual([
      'cpu: maxReplicas × CPU requests add up to 6 cores (+ 1.5 cores for a rollout\'s surge + 3.75 cores for RuntimeClass pod overhead = 11.25 cores), but 3 nodes × 3.5 allocatable cores hold 10.5: run at least 4 nodes, or lower maxReplicas or CPU requests, or lower maxSurge or cluster.concurrentRollouts (the surge counts 150 pods)',
    ]);
    // K3s's bundled class declares none; a cluster-provided class may say what it has.
    expect(WasmRuntime.K3S_WASMEDGE.podOverhead).toBeUndefined();
    expect(WasmRuntime.clusterProvided('wasmedge', { cpu: '5m', memory: '8Mi' }).podOverhead).toEqual({ cpu: '5m', memory: '8Mi' });
  });

  test('the platform\'s own pods come from the constructs: OPA with its surge, the KEDA interceptor once (hand-computed)', () => {
    // GIVEN OPA at 3 replicas (100m, 128Mi) and two scale-to-zero functions behind one interceptor
    //   OPA: 3 + 1 surge = 4 pods, 0.4 cores, 0.5 GiB; interceptor: 50 pods × 250m = 12.5 cores, 50 × 20Mi = 1000Mi
    const { app, chart, fn } = functionChart();
    const reviews = addFunction(chart, 'reviews');
    new ScaleToZeroFunctionAutoscaler(chart, 'CheckoutScaling', { target: fn, hosts: ['checkout.functions-orders.svc.cluster.local'], maxReplicas: 40 });
    new ScaleToZeroFunctionAutoscaler(chart, 'ReviewsScaling', { target: reviews, hosts: ['reviews.functions-orders.svc.cluster.local'], maxReplicas: 40 });
    new OpaAuthorizer(new Chart(app, 'Authz', { namespace: 'opa' }), 'Opa', {
      policy: RequestAuthorizationPolicy.seed(RequestIdentity.trustedHeader('x-role')), allowMutableTag: true,
    });
    const capacity = new ClusterCapacity(app, 'ClusterCapacity', {
      cluster: { name: 'c', nodes: 2, allocatableCpuPerNode: '8', allocatableMemoryPerNode: '32Gi', concurrentRollouts: 0, otherWorkloads: { pods: 10, cpuRequest: '1', memoryRequest: '1Gi' } },
    });

    // WHEN
    const result = capacity.compute();

    // THEN 80 function pods + 4 + 50 + 10 = 144
    expect(result.demand.slice(1)).toEqual([
      { label: 'KEDA HTTP interceptor (keda/keda-add-ons-http-interceptor-proxy, interceptor.replicas.max, the chart\'s default)', pods: 50, cpuCores: 12.5, memoryBytes: 1000 * 2 ** 20 },
      { label: 'OPA authorizer (opa/opa, replicas 3 + 1 surge)', pods: 4, cpuCores: 0.4, memoryBytes: 0.5 * 2 ** 30 },
      { label: 'other workloads', pods: 10, cpuCores: 1, memoryBytes: 2 ** 30 },
    ]);
    expect(result.pods).toBe(144);
    // 0.8 + 0.4 + 12.5 + 1 = 14.7 cores against 16
    expect(result.cpuCoresRequested).toBeCloseTo(14.7, 9);
    expect(problemsOf(app)).toEqual([]);
  });

  test('an interceptor described with fewer replicas counts at what it says', () => {
    const { app, chart, fn } = functionChart();
    new ScaleToZeroFunctionAutoscaler(chart, 'Scaling', {
      target: fn, hosts: ['checkout.functions-orders.svc.cluster.local'], maxReplicas: 40,
      interceptor: { maxReplicas: 6, cpuRequest: '500m', memoryRequest: '64Mi' },
    });
    const capacity = new ClusterCapacity(app, 'ClusterCapacity', { cluster: { name: 'c', nodes: 1, allocatableCpuPerNode: '8', allocatableMemoryPerNode: '32Gi' } });
    expect(capacity.compute().demand.find((d) => d.label.startsWith('KEDA'))).toEqual({
      label: 'KEDA HTTP interceptor (keda/keda-add-ons-http-interceptor-proxy, interceptor.maxReplicas)', pods: 6, cpuCores: 3, memoryBytes: 6 * 64 * 2 ** 20,
    });
  });

  test('pod creation bounds the climb: 10 to 1000 takes 48 s at the default 20/s, not the HPA\'s 30 s', () => {
    // GIVEN the HPA steps of the flash-sale behavior take 10 -> 1000 in 30 s (3 steps);
    //   creating 990 pods at 20/s after a burst of 30 takes (990 - 30) / 20 = 48 s
    const rate = resolvePodCreationRate(undefined);
    const hpa = { steps: 3, seconds: 30, path: [110, 440, 1000] };

    // THEN
    expect(rate).toMatchObject({ podsPerSecond: 20, burst: 30, boundBy: 'kube-controller-manager' });
    expect(podCreationSeconds(30, rate)).toBe(0);
    expect(climbOf(hpa, 990, rate)).toEqual({ seconds: 48, boundBy: 'pod creation', hpaSeconds: 30, hpaSteps: 3, creationSeconds: 48, pods: 990 });
    // Raising the controller manager's limits past the scheduler's makes the scheduler bind: (990 - 100) / 50 = 17.8 s, under the HPA's 30 s.
    const raised = resolvePodCreationRate({ controllerManagerQps: 200, controllerManagerBurst: 300 });
    expect(raised).toMatchObject({ podsPerSecond: 50, burst: 100, boundBy: 'kube-scheduler' });
    expect(climbOf(hpa, 990, raised)).toMatchObject({ seconds: 30, boundBy: 'HPA steps', creationSeconds: 17.8 });
  });

  test('flash-sale windows that start together must create their pods within the shortest pre-scale', () => {
    // GIVEN checkout 10 -> 800 and flash-sale 10 -> 1500, both pre-scaling 1 minute before the same sale
    //   2280 pods: 15 s sync + (2280 - 30) / 20 = 112.5 s + 2 s pod start = 129.5 s > 60 s
    const { app, chart, fn } = functionChart();
    const flash = addFunction(chart, 'flash-sale');
    const sale = SaleSchedule.weekly({ days: [Weekday.FRIDAY], start: '20:00', end: '22:00' });
    const window = (replicas: number) => [{ name: 'friday', schedule: sale, timezone: 'Europe/Berlin', replicas, prescaleMinutes: 1 }];
    new KedaFunctionAutoscaler(chart, 'CheckoutScaling', { target: fn, maxReplicas: 800, flashSales: window(800) });
    new KedaFunctionAutoscaler(chart, 'FlashSaleScaling', { target: flash, maxReplicas: 1500, flashSales: window(1500) });
    const cluster: ClusterDescription = { name: 'c', nodes: 20, allocatableCpuPerNode: '8', allocatableMemoryPerNode: '32Gi', maxPodsPerNode: 250, concurrentRollouts: 0 };
    new ClusterCapacity(app, 'ClusterCapacity', { cluster });

    // THEN refused with both fixes
    expect(matching(problemsOf(app), 'pod creation')).toEqual([
      '[ClusterCapacity] pod creation: the flash-sale windows starting Fri 20:00-22:00 (Europe/Berlin) (functions-orders/checkout friday, functions-orders/flash-sale friday) create 2280 pods together, which takes at least 129.5 s (15 s HPA sync + 112.5 s at 20 pods/s after a burst of 30, kube-controller-manager + 2 s pod start), but the shortest pre-scale gives 60 s: set prescaleMinutes to at least 3, or raise the kube-controller-manager\'s API rate (cluster.podCreation)',
    ]);
  });

  test('the same windows fit at a raised API rate: (2280 - 100) / 50 = 43.6 s, + 17 s = 60.6 s still does not; at 100/s it does', () => {
    const build = (podCreation: ClusterDescription['podCreation']) => {
      const { app, chart, fn } = functionChart();
      const flash = addFunction(chart, 'flash-sale');
      const sale = SaleSchedule.weekly({ days: [Weekday.FRIDAY], start: '20:00', end: '22:00' });
      const window = (replicas: number) => [{ name: 'friday', schedule: sale, timezone: 'Europe/Berlin', replicas, prescaleMinutes: 1 }];
      new KedaFunctionAutoscaler(chart, 'CheckoutScaling', { target: fn, maxReplicas: 800, flashSales: window(800) });
      new KedaFunctionAutoscaler(chart, 'FlashSaleScaling', { target: flash, maxReplicas: 1500, flashSales: window(1500) });
      new ClusterCapacity(app, 'ClusterCapacity', {
        cluster: { name: 'c', nodes: 20, allocatableCpuPerNode: '8', allocatableMemoryPerNode: '32Gi', maxPodsPerNode: 250, concurrentRollouts: 0, podCreation },
      });
      return matching(problemsOf(app), 'pod creation');
    };
    expect(build({ controllerManagerQps: 100, controllerManagerBurst: 200 })).toHaveLength(1);
    // 100/s on both, burst 200: (2280 - 200) / 100 = 20.8 s; max(HPA, 20.8) + 17 s <= 60 s
    expect(build({ controllerManagerQps: 100, controllerManagerBurst: 200, schedulerQps: 100, schedulerBurst: 200 })).toEqual([]);
  });

  test('concurrentRollouts and the pod creation rate are checked', () => {
    expect(checkClusterDescription({
      ...SEED_CLUSTER, concurrentRollouts: -1, podCreation: { controllerManagerQps: 0, controllerManagerBurst: 1.5, schedulerQps: Number.NaN },
    })).toEqual([
      'cluster.concurrentRollouts (-1) must be an integer from 0 to 10000',
      'cluster.podCreation.controllerManagerQps (0) must be a number of requests per second above 0 and at most 100000',
      'cluster.podCreation.controllerManagerBurst (1.5) must be an integer from 1 to 100000',
      'cluster.podCreation.schedulerQps (NaN) must be a number of requests per second above 0 and at most 100000',
    ]);
  });
});
