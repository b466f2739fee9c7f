import { App, Chart } from 'cdk8s';
import { ClusterCapacity, ClusterDescription, Fleet, FleetCluster, FleetClusterSpec, GitOpsDelivery, KedaFunctionAutoscaler, renderApp } from '../../lib';
import { addFunction } from '../autoscaling/support';
import { problemsOf, testApp } from '../support/synth';

const REPO = 'https://git.example.com/platform/functions.git';
const NODES: ClusterDescription = { name: 'k3s', nodes: 6, allocatableCpuPerNode: '7500m', allocatableMemoryPerNode: '28Gi', maxPodsPerNode: 110 };
const CLUSTERS: FleetClusterSpec[] = [
  { name: 'prod-a', environment: 'production', region: 'eu-central', server: 'https://prod-a.example.com:6443', description: NODES, trafficPercent: 60 },
  { name: 'prod-b', environment: 'production', region: 'eu-west', server: 'https://prod-b.example.com:6443', description: NODES, trafficPercent: 40 },
];

/**
 * checkout: 6,000 requests/s over the environment, 250 per pod at 80 % (200 per pod);
 * prod-a takes 60 % (3,600) with maxReplicas 32, prod-b 40 % (2,400) with maxReplicas 24.
 */
function build(app: App, cluster: FleetCluster): void {
  const chart = new Chart(app, 'Functions', { namespace: 'functions' });
  new KedaFunctionAutoscaler(chart, 'Checkout', {
    target: addFunction(chart, 'checkout'), minReplicas: 2, maxReplicas: cluster.name === 'prod-a' ? 32 : 24,
    capacity: { peakRequestsPerSecond: cluster.share(6000), requestsPerPodPerSecond: 250, targetUtilizationPercent: 80 },
  });
  new ClusterCapacity(app, 'Capacity', { cluster: cluster.description });
  new GitOpsDelivery(new Chart(app, 'Gitops', { namespace: 'argocd' }), 'Delivery', { repoUrl: REPO, ...cluster.deliveryProps('shop') });
}

describe('region loss', () => {
  test('the lost region\'s traffic goes to the survivors by weight; a survivor whose maxReplicas cannot carry it is named with what it serves (hand-computed)', () => {
    // GIVEN
    const app = testApp();
    const fleet = new Fleet(new Chart(app, 'Fleet'), 'Fleet', { clusters: CLUSTERS, repoUrl: REPO, build });
    expect(problemsOf(app)).toEqual([]);

    // WHEN
    const losses = fleet.regionLoss();

    // THEN
    // eu-central (60 %) lost: prod-b × 100/40 = 2.5: 2,400 → 6,000 req/s, needs 30 pods > 24: serves 24 × 200 / 6,000 = 80 %.
    const central = losses.find((l) => l.region === 'eu-central')!;
    expect(central.absorbed).toBe(false);
    expect(central.lostPercent).toBe(60);
    expect(central.survivors).toHaveLength(1);
    expect(central.survivors[0].cluster).toBe('prod-b');
    expect(central.survivors[0].sharePercent).toBeCloseTo(100);
    expect(central.survivors[0].functions).toEqual([expect.objectContaining({
      functionName: 'checkout', peakBefore: 2400, replicasNeeded: 30, maxReplicas: 24,
    })]);
    expect(central.survivors[0].functions[0].peakAfter).toBeCloseTo(6000);
    expect(central.survivors[0].functions[0].servedFraction).toBeCloseTo(0.8);
    // eu-west (40 %) lost: prod-a × 100/60: 3,600 → 6,000 req/s, needs 30 pods ≤ 32.
    const west = losses.find((l) => l.region === 'eu-west')!;
    expect(west.absorbed).toBe(true);
    expect(west.survivors[0].functions[0]).toEqual(expect.objectContaining({ peakBefore: 3600, replicasNeeded: 30, maxReplicas: 32, servedFraction: 1 }));

    // AND the report says it.
    const report = renderApp(app).find((f) => f.path === 'reports/fleet.md')!.content;
    expect(report).toContain('When eu-central fails, **the other clusters cannot absorb its traffic**');
    expect(report).toContain('| functions/checkout | 2400 | 6000 | 30 | 24 | **80 %** |');
    expect(report).toContain('When eu-west fails, the other clusters absorb its traffic within their maxReplicas.');
  });

  test('an environment in one region has no region-loss figure', () => {
    const app = testApp();
    const fleet = new Fleet(new Chart(app, 'Fleet'), 'Fleet', {
      clusters: [{ ...CLUSTERS[0], trafficPercent: 100 }], repoUrl: REPO, build,
    });
    expect(fleet.regionLoss()).toEqual([]);
  });
});
