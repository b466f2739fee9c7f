import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import * as yaml from 'js-yaml';
import {
  ClusterCapacity, ClusterDescription, Fleet, FleetCluster, FleetClusterSpec, FleetProps, GitOpsDelivery, KedaFunctionAutoscaler,
  renderApp, synthesizeApp,
} from '../../lib';
import { addFunction } from '../autoscaling/support';
import { kubeValidator, formatViolations } from '../support/kube-schema';
import { problemsOf, testApp } from '../support/synth';

const REPO = 'https://git.example.com/platform/functions.git';

const NODES: ClusterDescription = { name: 'k3s', nodes: 6, allocatableCpuPerNode: '7500m', allocatableMemoryPerNode: '28Gi', maxPodsPerNode: 110 };

const CLUSTERS: FleetClusterSpec[] = [
  { name: 'stage', environment: 'staging', region: 'eu-central', server: 'https://stage.example.com:6443', description: NODES, trafficPercent: 100 },
  { name: 'prod-a', environment: 'production', region: 'eu-central', server: 'https://prod-a.example.com:6443', description: NODES, trafficPercent: 60 },
  { name: 'prod-b', environment: 'production', region: 'eu-west', server: 'https://prod-b.example.com:6443', description: NODES, trafficPercent: 40 },
];

/** One function with a KEDA autoscaler, the cluster's capacity check and its delivery. */
function buildCluster(app: App, cluster: FleetCluster, overrides: { delivery?: boolean; deliveryProps?: boolean; capacity?: boolean } = {}): void {
  const chart = new Chart(app, 'Functions', { namespace: 'functions' });
  const fn = addFunction(chart, 'checkout');
  new KedaFunctionAutoscaler(chart, 'Checkout', {
    target: fn, minReplicas: 2, maxReplicas: 40,
    capacity: { peakRequestsPerSecond: Math.ceil(cluster.share(6000)), requestsPerPodPerSecond: 250 },
  });
  if (overrides.capacity ?? true) new ClusterCapacity(app, 'Capacity', { cluster: cluster.description });
  if (overrides.delivery ?? true) {
    new GitOpsDelivery(new Chart(app, 'Gitops', { namespace: 'argocd' }), 'Delivery', {
      repoUrl: REPO, projectName: 'shop', ...((overrides.deliveryProps ?? true) ? cluster.deliveryProps('shop') : {}),
    });
  }
}

function fleetApp(props: Partial<FleetProps> = {}): { app: App; fleet: Fleet } {
  const app = testApp();
  const fleet = new Fleet(new Chart(app, 'Fleet', { namespace: 'argocd' }), 'Fleet', {
    clusters: CLUSTERS, repoUrl: REPO, build: (a, c) => buildCluster(a, c), ...props,
  });
  return { app, fleet };
}

interface Element { name: string; cluster: string; step: string; wave: string; path: string; server: string; project: string; syncPolicy: Record<string, unknown> }

function applicationSetOf(app: App): { spec: { generators: { list: { elements: Element[] } }[]; strategy: { rollingSync: { steps: { matchExpressions: { values: string[] }[] }[] } } } } {
  const file = renderApp(app).find((f) => f.path === 'fleet/fleet.k8s.yaml')!;
  return yaml.loadAll(file.content).find((o) => (o as { kind: string }).kind === 'ApplicationSet') as ReturnType<typeof applicationSetOf>;
}

describe('Fleet', () => {
  test('each cluster is published under clusters/<name>/, and the fleet layer beside it', () => {
    // GIVEN
    const { app } = fleetApp();

    // WHEN
    const paths = renderApp(app).map((f) => f.path);

    // THEN
    for (const c of ['stage', 'prod-a', 'prod-b']) {
      expect(paths).toContain(`clusters/${c}/functions/functions.k8s.yaml`);
      expect(paths).toContain(`clusters/${c}/gitops/gitops.k8s.yaml`);
      expect(paths).toContain(`clusters/${c}/reports/capacity.md`);
      // The fleet delivers the cluster: no bootstrap of its own.
      expect(paths.filter((p) => p.startsWith(`clusters/${c}/bootstrap/`))).toEqual([]);
    }
    expect(paths).toContain('fleet/fleet.k8s.yaml');
    expect(paths).toContain('reports/fleet.md');
  });

  test('the ApplicationSet has one element per cluster and Application, rolled out staging first, then the regions in order, wave by wave', () => {
    // GIVEN
    const { app } = fleetApp();

    // WHEN
    const set = applicationSetOf(app);
    const elements = set.spec.generators[0].list.elements;

    // THEN
    expect(elements.map((e) => `${e.step} ${e.name} ${e.wave}`)).toEqual([
      '01 stage-gitops -1', '02 stage-functions 4',
      '03 prod-a-gitops -1', '04 prod-a-functions 4',
      '05 prod-b-gitops -1', '06 prod-b-functions 4',
    ]);
    expect(set.spec.strategy.rollingSync.steps.map((s) => s.matchExpressions[0].values)).toEqual([['01'], ['02'], ['03'], ['04'], ['05'], ['06']]);
    const functions = elements.find((e) => e.name === 'prod-b-functions')!;
    expect(functions).toMatchObject({ cluster: 'prod-b', path: 'dist/clusters/prod-b/functions', server: 'https://prod-b.example.com:6443', project: 'shop-prod-b' });
    // Progressive syncs sync each step themselves: no automated sync on the generated Applications.
    expect(functions.syncPolicy.automated).toBeUndefined();
    expect(functions.syncPolicy.syncOptions).toContain('ServerSideApply=true');
    // The clusters' own AppProjects go to the hub through the fleet's project.
    expect(elements.find((e) => e.name === 'prod-b-gitops')).toMatchObject({ server: 'https://kubernetes.default.svc', project: 'fleet', path: 'dist/clusters/prod-b/gitops' });
  });

  test('every object of the fleet layer is valid against its CRD, strictly', () => {
    const { app } = fleetApp();
    const objects = renderApp(app).filter((f) => f.path.startsWith('fleet/')).flatMap((f) => yaml.loadAll(f.content));
    expect(objects.map((o) => (o as { kind: string }).kind)).toEqual(['AppProject', 'ApplicationSet']);
    for (const o of objects) expect(formatViolations(o, kubeValidator().validate(o))).toBe('');
  });

  test('environments order the rollout: a production cluster listed first still rolls out after staging', () => {
    const { fleet } = fleetApp({ clusters: [CLUSTERS[1], CLUSTERS[0], CLUSTERS[2]] });
    expect(fleet.rolloutOrder.map((c) => c.name)).toEqual(['stage', 'prod-a', 'prod-b']);
  });
});

describe('Fleet bad input', () => {
  test('two clusters with one name, and two with one server, are errors naming both', () => {
    const { app } = fleetApp({
      clusters: [CLUSTERS[0], { ...CLUSTERS[1], trafficPercent: 50 }, { ...CLUSTERS[2], name: 'prod-a', server: CLUSTERS[1].server, trafficPercent: 50 }],
    });
    const problems = problemsOf(app);
    expect(problems).toEqual(expect.arrayContaining([
      expect.stringMatching(/^\[Fleet\/Fleet\] cluster name "prod-a" is declared 2 times \(clusters\[1\], clusters\[2\]\)/),
      expect.stringMatching(/^\[Fleet\/Fleet\] clusters "prod-a" and "prod-a" have one server "https:\/\/prod-a.example.com:6443"/),
    ]));
  });

  test('traffic shares of an environment that do not sum to 100 % are an error listing them', () => {
    const { app } = fleetApp({ clusters: [CLUSTERS[0], CLUSTERS[1], { ...CLUSTERS[2], trafficPercent: 30 }] });
    expect(problemsOf(app)).toContainEqual(
      '[Fleet/Fleet] the traffic shares of environment "production" sum to 90 % (prod-a 60 %, prod-b 30 %), not 100 %: the shares are the load balancer\'s weights over the environment\'s peak');
  });

  test('a share outside (0, 100] is an error naming the field', () => {
    const { app } = fleetApp({ clusters: [{ ...CLUSTERS[0], trafficPercent: 0 }] });
    expect(problemsOf(app)).toContainEqual(expect.stringContaining('clusters[0].trafficPercent (0) must be more than 0 and at most 100'));
  });

  test('a cluster built without the fleet\'s delivery settings, or without a capacity check, is an error with the fix', () => {
    const { app } = fleetApp({
      build: (a, c) => buildCluster(a, c, c.name === 'stage' ? { deliveryProps: false } : c.name === 'prod-a' ? { capacity: false } : { delivery: false }),
    });
    const problems = problemsOf(app);
    expect(problems).toEqual(expect.arrayContaining([
      expect.stringContaining('cluster "stage": its GitOpsDelivery\'s pathPrefix is "dist", not "dist/clusters/stage" where the fleet writes it'),
      expect.stringContaining('cluster "stage": its GitOpsDelivery emits its Applications'),
      expect.stringContaining('cluster "prod-a" has no ClusterCapacity'),
      expect.stringContaining('cluster "prod-b" has 0 GitOpsDelivery constructs'),
    ]));
  });

  test('a cluster\'s own problems carry its folder in the construct path, and nothing is written', () => {
    // GIVEN: prod-b's function peaks above what maxReplicas carries.
    const { app } = fleetApp({
      build: (a, c) => {
        buildCluster(a, c);
        if (c.name === 'prod-b') {
          const chart = new Chart(a, 'Extra', { namespace: 'functions' });
          new KedaFunctionAutoscaler(chart, 'Cart', {
            target: addFunction(chart, 'cart'), minReplicas: 2, maxReplicas: 3,
            capacity: { peakRequestsPerSecond: 10000, requestsPerPodPerSecond: 250 },
          });
        }
      },
    });
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'fleet-'));
    const outdir = path.join(work, 'dist');

    // WHEN / THEN
    expect(() => synthesizeApp(app, { outdir })).toThrow(/\[clusters\/prod-b\/Extra\/Cart\] .*maxReplicas/);
    expect(fs.existsSync(outdir)).toBe(false);
    fs.rmSync(work, { recursive: true, force: true });
  });
});
