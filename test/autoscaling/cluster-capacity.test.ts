import { Chart } from 'cdk8s';
import {
  checkClusterDescription, ClusterCapacity, ClusterDescription, computeClusterCapacity, HorizontalFunctionAutoscaler,
  KedaFunctionAutoscaler, renderApp, SaleSchedule, ScaleToZeroFunctionAutoscaler, Weekday,
} from '../../lib';
import { problemsOf } from '../support/synth';
import { addFunction, functionChart } from './support';

/** Room for the seed's CPU (5000 × 10m = 50 cores) and memory (5000 × 32Mi = 156.25 GiB): only pods can fail. */
const SEED_CLUSTER: ClusterDescription = { name: 'seed', nodes: 10, allocatableCpuPerNode: '8', allocatableMemoryPerNode: '32Gi' };

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
        otherWorkloads: { pods: 100, cpuRequest: '5', memoryRequest: '10Gi' },
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
      cluster: { name: 'prod', nodes: 12, allocatableCpuPerNode: '7500m', allocatableMemoryPerNode: '28Gi' },
    });

    // WHEN
    const files = renderApp(app);

    // THEN
    const report = files.find((f) => f.path === 'reports/capacity.md');
    expect(report).toBeDefined();
    const chartFolders = files.filter((f) => f.path.endsWith('.k8s.yaml')).map((f) => f.path.split('/')[0]);
    expect(chartFolders).not.toContain('reports');
    expect(report!.content).toMatchSnapshot();
    expect(report!.content).toContain('| pods | 1140 | 1320 | 86.4 % | 11 |');
    // 10 -> 800 under the flash-sale behavior: 110, 440, 800 = 30 s; reviews 0 -> 40 under the Kubernetes default: 1, 5, 10, 20, 40 = 60 s
    expect(report!.content).toContain('| functions-orders/checkout | ScaledObject | request rate 84/s per pod (function-sdk, 120 s window at 30 s scrapes), 1 flash-sale window | 10 | 800 | 30 s (3 steps) |');
    expect(report!.content).toContain('| functions-catalog/reviews | HTTPScaledObject | HTTP add-on: 100 concurrent requests per pod, scale to zero (wake-up 5 s) | 0 | 40 | 60 s (5 steps) |');
    // No ObservabilityStack: 30 s scrapes, a 120 s window: 15 s sync + (30 + 60) s lag + 2 s pod start.
    expect(report!.content).toContain('| functions-orders/checkout | 20000 | 120 (84) | 239 of 800 | 67200 | 1200 | 1000 | 200 | 107 s |');
    expect(report!.content).toContain('| functions-orders/checkout | friday-evening | Fri 20:00-22:00 | Europe/Berlin | 250 | 15 min before | 15 s (2 steps) |');
  });

  test('a function without an autoscaler counts with its fixed replicas', () => {
    // GIVEN 5000 fixed replicas of 10m / 32Mi on 10 nodes of 110 pods, 1 core and 64Gi
    //   pods: 5000 > 10 × 110 = 1100; cpu: 5000 × 10m = 50 cores > 10 cores; memory: 156.25 GiB <= 640 GiB
    const { app } = functionChart({ replicas: 5000 });
    const capacity = new ClusterCapacity(app, 'ClusterCapacity', {
      cluster: { name: 'tiny', nodes: 10, allocatableCpuPerNode: '1', allocatableMemoryPerNode: '64Gi' },
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
      cluster: { name: 'small', nodes: 4, allocatableCpuPerNode: '2', allocatableMemoryPerNode: '8Gi' },
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
