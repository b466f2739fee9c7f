import { App, Chart } from 'cdk8s';
import {
  AdmissionEngine, AdmissionRules, FunctionNamespace, PolicyBundle, Team, TeamProps, WasmFunction, WasmRuntime,
} from '../../lib';
import { formatViolations, kubeValidator } from '../support/kube-schema';
import { KubeObject, problemsOf, testApp } from '../support/synth';
import { reviewWithGatekeeper, reviewWithValidatingAdmissionPolicies, Violation } from './support/admission';

const DIGEST = 'sha256:86c59df33204c79db3663f084b5dc26819d10d16e57a614c80aaaabde068edcc';
const PLATFORM_REGISTRY = 'registry.shop.example.com/functions/';
const CATALOG: TeamProps = {
  name: 'catalog', namespaces: ['functions-catalog'], group: 'catalog-developers', registries: [`${PLATFORM_REGISTRY}catalog/`],
};
const ORDERS: TeamProps = {
  name: 'orders', namespaces: ['functions-orders'], group: 'orders-developers', registries: [`${PLATFORM_REGISTRY}orders/`],
};
const CATALOG_IMAGE = `${PLATFORM_REGISTRY}catalog/price@${DIGEST}`;
const ORDERS_IMAGE = `${PLATFORM_REGISTRY}orders/checkout@${DIGEST}`;

/** The platform's rules plus one allowed-repos rule per team, as the given engine emits them. */
function policyObjects(engine: AdmissionEngine): KubeObject[] {
  const app = new App();
  const chart = new Chart(app, 'Policies');
  new PolicyBundle(chart, 'Bundle', {
    engine,
    rules: [
      ...AdmissionRules.platformDefaults({ allowedRepos: [PLATFORM_REGISTRY], cpuLimitCeiling: '200m', memoryLimitCeiling: '128Mi' }),
      AdmissionRules.teamAllowedRepos(CATALOG),
      AdmissionRules.teamAllowedRepos(ORDERS),
    ],
  });
  return JSON.parse(JSON.stringify(chart.toJson())) as KubeObject[];
}

const namespaces: KubeObject[] = ['functions-catalog', 'functions-orders'].map((name) => ({
  apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'platform.wasm.dev/functions': 'true' } },
}));

/** A function Pod that passes every platform rule, with `image`, in `namespace`. */
function functionPod(namespace: string, image: string): KubeObject {
  const labels = { 'app.kubernetes.io/name': 'fn', 'app.kubernetes.io/part-of': 'shop' };
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'fn', namespace, labels },
    spec: {
      runtimeClassName: 'wasmedge',
      containers: [{
        name: 'fn',
        image,
        resources: { requests: { cpu: '10m', memory: '32Mi' }, limits: { cpu: '100m', memory: '64Mi' } },
        securityContext: { allowPrivilegeEscalation: false },
      }],
    },
  } as KubeObject;
}

const engines: [string, (objects: KubeObject[]) => Violation[], (rule: string) => string][] = [
  ['Gatekeeper', (objects) => reviewWithGatekeeper(policyObjects(AdmissionEngine.GATEKEEPER), objects), (rule) => rule],
  [
    'ValidatingAdmissionPolicy',
    (objects) => reviewWithValidatingAdmissionPolicies(policyObjects(AdmissionEngine.VALIDATING_ADMISSION_POLICY), objects),
    (rule) => `wasm-platform-${rule}`,
  ],
];

describe.each(engines)('team allowed-repos rules under %s', (_engine, review, ruleName) => {
  test('a catalog pod with an image of the orders registry is denied by the catalog team rule alone', () => {
    // GIVEN a pod of the catalog namespace whose image is under the platform registry, in the orders path
    const pod = functionPod('functions-catalog', ORDERS_IMAGE);

    // WHEN admission reviews it
    const found = review([...namespaces, pod]);

    // THEN only the catalog team's rule denies it: the platform-wide rule admits any function image
    expect(found).toEqual([{
      rule: ruleName('team-catalog-allowed-repos'),
      object: 'Pod/functions-catalog/fn',
      message: `container <fn> has image <${ORDERS_IMAGE}>, which is not from an allowed registry: use one of ${PLATFORM_REGISTRY}catalog/`,
    }]);
  });

  test("each team's pods from its own registry are admitted: no team rule reaches another team's namespace", () => {
    // GIVEN a pod of each team from its own registry
    const pods = [functionPod('functions-catalog', CATALOG_IMAGE), functionPod('functions-orders', ORDERS_IMAGE)];

    // WHEN
    const found = review([...namespaces, ...pods]);

    // THEN nothing is denied
    expect(found).toEqual([]);
  });

  test('an orders pod with a catalog image is denied by the orders team rule', () => {
    const found = review([...namespaces, functionPod('functions-orders', CATALOG_IMAGE)]);
    expect(found.map((v) => v.rule)).toEqual([ruleName('team-orders-allowed-repos')]);
  });

  test('an image from outside the platform registry is denied by the platform rule and the team rule', () => {
    const found = review([...namespaces, functionPod('functions-catalog', `docker.io/library/price@${DIGEST}`)]);
    expect(found.map((v) => v.rule).sort()).toEqual([ruleName('functions-allowed-repos'), ruleName('team-catalog-allowed-repos')].sort());
  });
});

describe('team allowed-repos rules, as emitted', () => {
  test('Gatekeeper: one k8sallowedrepos template, one constraint per team matching its namespaces by name', () => {
    // GIVEN / WHEN
    const objects = policyObjects(AdmissionEngine.GATEKEEPER);

    // THEN the team constraints share the platform rule's template
    expect(objects.filter((o) => o.kind === 'ConstraintTemplate' && o.metadata.name === 'k8sallowedrepos')).toHaveLength(1);
    const catalog = objects.find((o) => o.metadata.name === 'team-catalog-allowed-repos')!;
    expect(catalog).toMatchObject({
      apiVersion: 'constraints.gatekeeper.sh/v1beta1',
      kind: 'K8sAllowedRepos',
      spec: {
        enforcementAction: 'deny',
        match: { namespaces: ['functions-catalog'], excludedNamespaces: ['kube-system', 'kube-public', 'kube-node-lease', 'gatekeeper-system'] },
        parameters: { repos: [`${PLATFORM_REGISTRY}catalog/`] },
      },
    });
    expect((catalog.spec as { match: Record<string, unknown> }).match.namespaceSelector).toBeUndefined();
  });

  test('ValidatingAdmissionPolicy: a policy per team with its registries, selecting its namespaces by name', () => {
    // GIVEN / WHEN
    const objects = policyObjects(AdmissionEngine.VALIDATING_ADMISSION_POLICY);

    // THEN
    const policy = objects.find((o) => o.kind === 'ValidatingAdmissionPolicy' && o.metadata.name === 'wasm-platform-team-orders-allowed-repos')!;
    expect(policy).toMatchObject({
      spec: {
        matchConstraints: {
          namespaceSelector: {
            matchExpressions: [
              { key: 'kubernetes.io/metadata.name', operator: 'In', values: ['functions-orders'] },
              { key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system', 'kube-public', 'kube-node-lease', 'gatekeeper-system'] },
            ],
          },
        },
      },
    });
    expect((policy.spec as { validations: { expression: string }[] }).validations[0].expression)
      .toBe(`variables.allContainers.all(c, ["${PLATFORM_REGISTRY}orders/"].exists(r, c.image.startsWith(r)))`);
    expect(objects.some((o) => o.kind === 'ValidatingAdmissionPolicyBinding' && o.metadata.name === 'wasm-platform-team-orders-allowed-repos')).toBe(true);
    expect(objects.map((o) => formatViolations(o, kubeValidator().validate(o))).filter((v) => v !== '')).toEqual([]);
  });
});

describe('team allowed-repos rules, validated at synth', () => {
  function app(rules: (teams: Team[]) => ReturnType<typeof AdmissionRules.teamAllowedRepos>[], image = CATALOG_IMAGE): App {
    const a = testApp();
    const base = new Chart(a, 'Base');
    new FunctionNamespace(base, 'Catalog', { name: 'functions-catalog' });
    new FunctionNamespace(base, 'Orders', { name: 'functions-orders' });
    const teams = [new Team(base, 'CatalogTeam', CATALOG), new Team(base, 'OrdersTeam', ORDERS)];
    new WasmFunction(new Chart(a, 'Catalog', { namespace: 'functions-catalog' }), 'Price', {
      name: 'price', image, version: '1.0.0', runtime: WasmRuntime.K3S_WASMEDGE, partOf: 'shop',
    });
    new PolicyBundle(new Chart(a, 'Policies'), 'Bundle', {
      rules: [...AdmissionRules.platformDefaults({ allowedRepos: [PLATFORM_REGISTRY] }), ...rules(teams)],
    });
    return a;
  }

  test('teams whose rules are in the bundle synthesize cleanly (built from the Team constructs themselves)', () => {
    expect(problemsOf(app((teams) => teams.map((t) => AdmissionRules.teamAllowedRepos(t))))).toEqual([]);
  });

  test('a team whose registries no rule of the bundle enforces is reported, naming the fix', () => {
    // GIVEN a bundle with only the catalog team's rule
    const problems = problemsOf(app((teams) => [AdmissionRules.teamAllowedRepos(teams[0])]));

    // THEN the orders team is reported
    expect(problems).toEqual([
      '[Base/OrdersTeam] registries ("registry.shop.example.com/functions/orders/") are checked at synth only: no PolicyBundle of the app (Policies/Bundle) has an allowed-repos rule matching the team\'s namespaces ("functions-orders") that admits only those registries; add AdmissionRules.teamAllowedRepos(team) to a bundle\'s rules',
    ]);
  });

  test('a rule admitting more than the team registries does not count as enforcing them', () => {
    const problems = problemsOf(app((teams) => [
      AdmissionRules.teamAllowedRepos(teams[0]),
      AdmissionRules.teamAllowedRepos({ ...ORDERS, registries: [PLATFORM_REGISTRY] }),
    ]));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^\[Base\/OrdersTeam\] registries .* are checked at synth only/);
  });

  test("a function whose image the team's rule would deny fails at synth, in the team and in the bundle", () => {
    const problems = problemsOf(app((teams) => teams.map((t) => AdmissionRules.teamAllowedRepos(t)), ORDERS_IMAGE));
    expect(problems).toEqual([
      expect.stringMatching(/^\[Base\/CatalogTeam\] function functions-catalog\/price \(Catalog\/Price\) has the image ".*orders\/checkout@.*", which is not from the team's registries/),
      `[Policies/Bundle] rule "team-catalog-allowed-repos" (K8sAllowedRepos): repos (${PLATFORM_REGISTRY}catalog/) does not admit image "${ORDERS_IMAGE}" of function functions-catalog/price, which would be denied at admission`,
    ]);
  });

  test('a team rule without namespaces is reported: Gatekeeper would apply it everywhere', () => {
    const a = testApp();
    new PolicyBundle(new Chart(a, 'Policies'), 'Bundle', {
      rules: [AdmissionRules.teamAllowedRepos({ name: 'empty', namespaces: [], registries: [PLATFORM_REGISTRY] })],
    });
    expect(problemsOf(a)).toEqual([
      '[Policies/Bundle] rule "team-empty-allowed-repos" (K8sAllowedRepos): scope.namespaces is empty, which Gatekeeper reads as every namespace: list at least one namespace, or leave namespaces out to mean every namespace',
    ]);
  });
});
