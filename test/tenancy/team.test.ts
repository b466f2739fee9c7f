import { Chart } from 'cdk8s';
import {
  HorizontalFunctionAutoscaler, renderApp, ResourceMetric, Team, TeamProject, TeamProps, WasmFunction, WasmRuntime,
} from '../../lib';
import { addFunction, IMAGE, schemaReport } from '../autoscaling/support';
import { allObjects, findOne, KubeObject, problemsOf, testApp } from '../support/synth';

const REGISTRY = 'registry.shop.example.com/functions/';
const ORDERS = 'functions-orders';

/** An app with a base chart (for teams) and a functions chart in functions-orders. */
function ordersApp() {
  const app = testApp();
  const base = new Chart(app, 'Base');
  const chart = new Chart(app, 'Orders', { namespace: ORDERS });
  return { app, base, chart };
}

function ordersTeam(base: Chart, props: Partial<TeamProps> = {}): Team {
  return new Team(base, 'OrdersTeam', {
    name: 'orders', namespaces: [ORDERS], group: 'orders-developers', registries: [REGISTRY], ...props,
  });
}

/** checkout at max 100 (default sizing, 25 % surge); search at 3 fixed replicas, 20m/200m/64Mi/128Mi, surge 1. */
function twoFunctions(chart: Chart): { checkout: WasmFunction; search: WasmFunction } {
  const checkout = addFunction(chart, 'checkout');
  new HorizontalFunctionAutoscaler(chart, 'CheckoutScaling', { target: checkout, minReplicas: 10, maxReplicas: 100, metrics: [ResourceMetric.cpu(70)] });
  const search = addFunction(chart, 'search', {
    replicas: 3, maxSurge: 1, resources: { cpuRequest: '20m', cpuLimit: '200m', memoryRequest: '64Mi', memoryLimit: '128Mi' },
  });
  return { checkout, search };
}

const quotaOf = (objects: readonly KubeObject[], namespace = ORDERS) =>
  (objects.find((o) => o.kind === 'ResourceQuota' && o.metadata.namespace === namespace)!.spec as { hard: Record<string, string> }).hard;

describe('Team quota arithmetic', () => {
  test('maxReplicas and fixed replicas, each with its surge, times requests and limits, plus 20 % (hand-computed)', () => {
    // GIVEN
    //   checkout: 100 + 25 surge = 125 pods × 10m/100m CPU, 32Mi/64Mi memory
    //   search:     3 +  1 surge =   4 pods × 20m/200m CPU, 64Mi/128Mi memory
    //   pods 129, requests.cpu 1330m, limits.cpu 13300m, requests.memory 4256Mi, limits.memory 8512Mi
    //   × 1.2: 154.8 → 155 pods, 1596m, 15960m, 5107.2 → 5108Mi, 10214.4 → 10215Mi
    const { app, base, chart } = ordersApp();
    twoFunctions(chart);
    // A function of another namespace counts for its own namespace only.
    addFunction(new Chart(app, 'Catalog', { namespace: 'functions-catalog' }), 'price', { replicas: 50 });
    const team = ordersTeam(base, { maxContainerCpu: '200m', maxContainerMemory: '128Mi' });

    // WHEN
    const objects = allObjects(app);

    // THEN
    expect(problemsOf(app)).toEqual([]);
    expect(quotaOf(objects)).toEqual({
      'pods': '155', 'requests.cpu': '1596m', 'limits.cpu': '15960m', 'requests.memory': '5108Mi', 'limits.memory': '10215Mi',
    });
    const [q] = team.namespaceQuotas();
    expect(q.demand.total).toEqual({
      pods: 129, cpuRequestMillis: 1330, cpuLimitMillis: 13300, memoryRequestBytes: 4256 * 2 ** 20, memoryLimitBytes: 8512 * 2 ** 20,
    });
    expect(q.demand.functions.map((f) => [f.function, f.replicas, f.surgePods])).toEqual([['functions-orders/checkout', 100, 25], ['functions-orders/search', 3, 1]]);
  });

  test('the RuntimeClass overhead counts in requests and limits; headroom 0 gives the bare sum', () => {
    // GIVEN 100 + 1 surge = 101 pods, each 10m + 5m overhead requested, 100m + 5m limited, 32Mi + 8Mi, 64Mi + 8Mi
    const { app, base, chart } = ordersApp();
    const fn = addFunction(chart, 'checkout', { maxSurge: 1, runtime: WasmRuntime.clusterProvided('wasmedge', { cpu: '5m', memory: '8Mi' }) });
    new HorizontalFunctionAutoscaler(chart, 'Scaling', { target: fn, minReplicas: 10, maxReplicas: 100, metrics: [ResourceMetric.cpu(70)] });
    ordersTeam(base, { headroomPercent: 0 });

    // THEN 101 × 15m = 1515m, × 105m = 10605m, × 40Mi = 4040Mi, × 72Mi = 7272Mi
    expect(problemsOf(app)).toEqual([]);
    expect(quotaOf(allObjects(app))).toEqual({
      'pods': '101', 'requests.cpu': '1515m', 'limits.cpu': '10605m', 'requests.memory': '4040Mi', 'limits.memory': '7272Mi',
    });
  });

  test('whole cores and gibibytes read as such; a namespace without functions gets a zero quota', () => {
    // 799 + 1 surge = 800 pods × 10m = 8 cores, × 100m = 80 cores, × 32Mi = 25Gi, × 64Mi = 50Gi; no headroom
    const { app, base, chart } = ordersApp();
    addFunction(chart, 'checkout', { replicas: 799, maxSurge: 1 });
    ordersTeam(base, { namespaces: [ORDERS, 'functions-empty'], headroomPercent: 0 });
    const objects = allObjects(app);
    expect(quotaOf(objects)).toEqual({ 'pods': '800', 'requests.cpu': '8', 'limits.cpu': '80', 'requests.memory': '25Gi', 'limits.memory': '50Gi' });
    expect(quotaOf(objects, 'functions-empty')).toEqual({ 'pods': '0', 'requests.cpu': '0', 'limits.cpu': '0', 'requests.memory': '0', 'limits.memory': '0' });
  });

  test('a quota given by hand is emitted as given when it holds the functions', () => {
    const { app, base, chart } = ordersApp();
    twoFunctions(chart);
    ordersTeam(base, {
      maxContainerCpu: '200m', maxContainerMemory: '128Mi',
      quotas: { [ORDERS]: { pods: 129, cpuRequest: '1330m', cpuLimit: '13300m', memoryRequest: '4256Mi', memoryLimit: '8512Mi' } },
    });
    expect(problemsOf(app)).toEqual([]);
    expect(quotaOf(allObjects(app))).toEqual({
      'pods': '129', 'requests.cpu': '1330m', 'limits.cpu': '13300m', 'requests.memory': '4256Mi', 'limits.memory': '8512Mi',
    });
  });
});

describe('Team objects', () => {
  test('quota, LimitRange, Role and RoleBinding per namespace, a view binding, an AppProject: all schema-valid', () => {
    // GIVEN
    const { app, base, chart } = ordersApp();
    twoFunctions(chart);
    const team = ordersTeam(base, { namespaces: [ORDERS, 'functions-orders-batch'], maxContainerCpu: '200m', maxContainerMemory: '128Mi' });
    const argo = new Chart(app, 'Argo', { namespace: 'argocd' });
    new TeamProject(argo, 'OrdersProject', { team, repoUrl: 'https://git.example.com/platform.git' });

    // WHEN
    const objects = allObjects(app).filter((o) => o.metadata.labels?.['platform.wasm.dev/team'] === 'orders');

    // THEN
    expect(problemsOf(app)).toEqual([]);
    expect(schemaReport(objects)).toBe('');
    expect(objects.map((o) => `${o.kind} ${o.metadata.namespace ?? '-'}/${o.metadata.name}`)).toEqual([
      'ResourceQuota functions-orders/team-orders', 'LimitRange functions-orders/team-orders',
      'Role functions-orders/team-orders', 'RoleBinding functions-orders/team-orders',
      'ResourceQuota functions-orders-batch/team-orders', 'LimitRange functions-orders-batch/team-orders',
      'Role functions-orders-batch/team-orders', 'RoleBinding functions-orders-batch/team-orders',
      'ClusterRoleBinding -/team-orders-view', 'AppProject argocd/orders',
    ]);
    expect(findOne(objects.filter((o) => o.metadata.namespace === ORDERS), 'LimitRange').spec).toEqual({
      limits: [{
        type: 'Container',
        defaultRequest: { cpu: '10m', memory: '32Mi' },
        default: { cpu: '100m', memory: '64Mi' },
        max: { cpu: '200m', memory: '128Mi' },
      }],
    });
    expect(findOne(objects, 'ClusterRoleBinding')).toMatchObject({
      roleRef: { kind: 'ClusterRole', name: 'view' },
      subjects: [{ kind: 'Group', name: 'orders-developers' }],
    });
    const role = findOne(objects.filter((o) => o.metadata.namespace === ORDERS), 'Role') as unknown as { rules: { apiGroups: string[]; resources: string[]; verbs: string[] }[] };
    const granted = role.rules.flatMap((r) => r.resources.map((res) => `${r.apiGroups[0]}/${res}`));
    expect(granted).toEqual(expect.arrayContaining(['apps/deployments', '/configmaps', 'keda.sh/scaledobjects', '/pods', '/pods/log']));
    // Never the objects that would let a team raise its quota, grant itself more, or undo the default deny.
    for (const forbidden of ['/resourcequotas', '/limitranges', 'rbac.authorization.k8s.io/roles', 'rbac.authorization.k8s.io/rolebindings', 'networking.k8s.io/networkpolicies', '/secrets']) {
      expect(granted).not.toContain(forbidden);
    }
    expect(role.rules.find((r) => r.resources.includes('pods'))!.verbs).not.toContain('create');
    const project = findOne(objects, 'AppProject') as unknown as { spec: Record<string, any> };
    expect(project.spec).toMatchObject({
      sourceRepos: ['https://git.example.com/platform.git'],
      destinations: [
        { server: 'https://kubernetes.default.svc', namespace: ORDERS },
        { server: 'https://kubernetes.default.svc', namespace: 'functions-orders-batch' },
      ],
      roles: [{ name: 'team', groups: ['orders-developers'] }],
    });
    expect(project.spec.clusterResourceWhitelist).toBeUndefined();
    expect(project.spec.namespaceResourceWhitelist).not.toContainEqual({ group: '', kind: 'ResourceQuota' });
    expect(project.spec.namespaceResourceWhitelist).toContainEqual({ group: 'apps', kind: 'Deployment' });
  });
});

describe('Team synth errors', () => {
  test('a namespace another team owns: one error at the second team, nothing written', () => {
    const { app, base } = ordersApp();
    ordersTeam(base);
    new Team(base, 'Checkout', { name: 'checkout', namespaces: [ORDERS], group: 'checkout-developers', registries: [REGISTRY] });
    expect(problemsOf(app)).toEqual([
      '[Base/Checkout] namespace "functions-orders" is already owned by team "orders" (Base/OrdersTeam): a namespace has one owner, whose quota and RBAC it carries; remove it from one of the teams',
    ]);
    expect(() => renderApp(app)).toThrow(/already owned by team "orders"/);
  });

  test('one function needing more than the given quota names the function and both numbers', () => {
    const { app, base, chart } = ordersApp();
    twoFunctions(chart);
    ordersTeam(base, {
      maxContainerCpu: '200m', maxContainerMemory: '128Mi',
      // Pods 100 < checkout's 125; requests.cpu 1300m < the sum's 1330m but above each function's.
      quotas: { [ORDERS]: { pods: 100, cpuRequest: '1300m', cpuLimit: '20', memoryRequest: '8Gi', memoryLimit: '16Gi' } },
    });
    expect(problemsOf(app)).toEqual([
      '[Base/OrdersTeam] function functions-orders/checkout (Orders/checkout) needs 125 pods of pods at its peak (100 replicas + 25 surge pods), more than quotas["functions-orders"].pods (100 pods): raise the quota to at least 129 pods (every function of the namespace), or lower the function\'s maxReplicas',
      '[Base/OrdersTeam] the functions of functions-orders need 1330m of requests.cpu at their peak (functions-orders/checkout 1250m, functions-orders/search 80m), more than quotas["functions-orders"].cpuRequest (1300m): raise the quota to at least 1330m, or lower their maxReplicas',
    ]);
    expect(() => renderApp(app)).toThrow(/needs 125 pods of pods at its peak/);
  });

  test('memory limits below the functions\' are reported in their units', () => {
    const { app, base, chart } = ordersApp();
    twoFunctions(chart);
    ordersTeam(base, {
      maxContainerCpu: '200m', maxContainerMemory: '128Mi',
      quotas: { [ORDERS]: { pods: 200, cpuRequest: '2', cpuLimit: '20', memoryRequest: '8Gi', memoryLimit: '7Gi' } },
    });
    expect(problemsOf(app)).toEqual([
      '[Base/OrdersTeam] function functions-orders/checkout (Orders/checkout) needs 8000Mi of limits.memory at its peak (100 replicas + 25 surge pods), more than quotas["functions-orders"].memoryLimit (7Gi): raise the quota to at least 8512Mi (every function of the namespace), or lower the function\'s maxReplicas',
    ]);
  });

  test('a quota for a namespace the team does not own, and unparseable quantities', () => {
    const { app, base } = ordersApp();
    ordersTeam(base, { quotas: { 'functions-catalog': { pods: 1.5, cpuRequest: 'lots', cpuLimit: '1', memoryRequest: '1Gi', memoryLimit: '1Gi' } } });
    expect(problemsOf(app)).toEqual([
      '[Base/OrdersTeam] quotas names "functions-catalog", which is not among namespaces ("functions-orders"): give quotas only for namespaces the team owns',
      '[Base/OrdersTeam] quotas["functions-catalog"].pods (1.5) must be an integer from 0 to 1000000',
      '[Base/OrdersTeam] quotas["functions-catalog"].cpuRequest "lots" is not a Kubernetes quantity: use a non-negative number with an optional suffix (m, k, M, G, Ki, Mi, Gi, ...), for example "40"',
    ]);
  });

  test('a function above the LimitRange maxima, or from another registry', () => {
    const { app, base, chart } = ordersApp();
    twoFunctions(chart);
    addFunction(chart, 'legacy', { image: 'docker.io/library/legacy@sha256:86c59df33204c79db3663f084b5dc26819d10d16e57a614c80aaaabde068edcc' });
    ordersTeam(base);
    expect(problemsOf(app)).toEqual([
      '[Base/OrdersTeam] function functions-orders/search (Orders/search) has cpuLimit "200m", above maxContainerCpu ("100m"): the LimitRange would refuse its pods; raise maxContainerCpu to at least "200m", or lower the function\'s cpuLimit',
      '[Base/OrdersTeam] function functions-orders/search (Orders/search) has memoryLimit "128Mi", above maxContainerMemory ("64Mi"): the LimitRange would refuse its pods; raise maxContainerMemory to at least "128Mi", or lower the function\'s memoryLimit',
      '[Base/OrdersTeam] function functions-orders/legacy (Orders/legacy) has the image "docker.io/library/legacy@sha256:86c59df33204c79db3663f084b5dc26819d10d16e57a614c80aaaabde068edcc", which is not from the team\'s registries ("registry.shop.example.com/functions/"): publish it there, or add its registry to registries',
    ]);
  });

  test('bad names, empty lists, headroom and maxima below the defaults', () => {
    const { app, base } = ordersApp();
    new Team(base, 'Bad', {
      name: 'Orders Team', namespaces: ['functions-orders', 'functions-orders'], group: ' ', registries: [],
      headroomPercent: -5, maxContainerCpu: '50m', maxContainerMemory: 'big',
    });
    expect(problemsOf(app)).toEqual([
      '[Base/Bad] name "Orders Team" is not a DNS-1123 label: use 1-63 lowercase letters, digits or \'-\', starting and ending with a letter or digit (for example "product-detail")',
      '[Base/Bad] group is empty: give the identity-provider group whose members are the team',
      '[Base/Bad] registries is empty: give at least one image registry prefix (for example "registry.example.com/team/")',
      '[Base/Bad] headroomPercent (-5) must be an integer from 0 to 1000',
      '[Base/Bad] maxContainerMemory "big" is not a Kubernetes quantity: use a non-negative number with an optional suffix (m, k, M, G, Ki, Mi, Gi, ...), for example "128Mi"',
      '[Base/Bad] namespaces lists "functions-orders" twice: list each namespace once',
      '[Base/Bad] maxContainerCpu ("50m") is below the LimitRange\'s default limit ("100m", the seed\'s sizing), which the API server refuses: set it to at least "100m"',
    ]);
  });

  test('two teams with one name', () => {
    const { app, base } = ordersApp();
    ordersTeam(base);
    new Team(base, 'Again', { name: 'orders', namespaces: ['functions-orders-2'], group: 'g', registries: [REGISTRY] });
    expect(problemsOf(app)).toEqual([
      '[Base/Again] name "orders" is already used by Team Base/OrdersTeam: give each team its own name',
      // The duplicate-object check sees the same name from its side.
      '[Base/Again/ViewBinding] ClusterRoleBinding.rbac.authorization.k8s.io team-orders-view is also emitted by Base/OrdersTeam/ViewBinding: a cluster holds one object per kind, namespace and name, so one would overwrite the other; rename one or remove it',
    ]);
  });

  test('a TeamProject with a repository that is not a URL', () => {
    const { app, base } = ordersApp();
    const team = ordersTeam(base);
    new TeamProject(new Chart(app, 'Argo', { namespace: 'argocd' }), 'Project', { team, repoUrl: 'not a url' });
    expect(problemsOf(app).filter((p) => p.startsWith('[Argo/Project]'))).toHaveLength(1);
    expect(problemsOf(app)[0]).toMatch(/^\[Argo\/Project\] repoUrl "not a url"/);
  });
});

// Unused import guard: IMAGE is the registry the teams above admit.
test('the test image comes from the teams\' registry', () => {
  expect(IMAGE.startsWith(REGISTRY)).toBe(true);
});
