import { App, Chart } from 'cdk8s';
import {
  AdmissionEngine, AdmissionRules, EnforcementAction, PolicyBundle, renderApp, WasmFunction, WasmRuntime,
} from '../../lib';
import { buildReferencePlatform } from '../../platform';
import { formatViolations, kubeValidator } from '../support/kube-schema';
import { KubeObject, problemsOf, testApp } from '../support/synth';
import { validateConstraints } from './support/constraint-schema';

const REPOS = ['registry.shop.example.com/functions/'];

function bundleApp(props: Partial<ConstructorParameters<typeof PolicyBundle>[2]> = {}): { app: App; chart: Chart; bundle: PolicyBundle } {
  const app = testApp();
  const chart = new Chart(app, 'Policies');
  const bundle = new PolicyBundle(chart, 'Bundle', { rules: AdmissionRules.platformDefaults({ allowedRepos: REPOS }), ...props });
  return { app, chart, bundle };
}

const objectsOfChart = (chart: Chart): KubeObject[] => chart.toJson() as KubeObject[];

describe('PolicyBundle with Gatekeeper (the default)', () => {
  const app = testApp();
  const platform = buildReferencePlatform(app);
  const templates = objectsOfChart(platform.policy.templatesChart);
  const constraints = objectsOfChart(platform.policy.constraintsChart);

  test('the bundle matches its snapshot', () => {
    // Built on its own: the platform's copy also carries what other sections add (sync waves).
    expect(objectsOfChart(bundleApp().chart)).toMatchSnapshot();
  });

  test('one ConstraintTemplate per rule carries the rule in Rego and in CEL', () => {
    const ts = templates.filter((o) => o.kind === 'ConstraintTemplate');
    expect(ts.map((t) => t.metadata.name)).toEqual([
      'k8swasmruntimeclass', 'k8srequiredresources', 'k8scontainerlimits', 'k8sallowedrepos', 'k8simagedigests',
      'k8spspprivilegedcontainer', 'k8spspallowprivilegeescalationcontainer', 'k8sblockhostnamespaces', 'k8sblockhostpath',
      'k8srequiredlabels', 'k8smaxreplicas', 'k8sblocknodeport', 'k8sblockloadbalancer',
    ]);
    for (const t of ts) {
      expect(t).toMatchObject({
        apiVersion: 'templates.gatekeeper.sh/v1',
        spec: {
          targets: [{
            target: 'admission.k8s.gatekeeper.sh',
            rego: expect.stringContaining(`package ${t.metadata.name}\n`),
            code: [{ engine: 'K8sNativeValidation', source: { validations: expect.arrayContaining([expect.objectContaining({ expression: expect.any(String), messageExpression: expect.any(String) })]) } }],
          }],
        },
      });
      // Gatekeeper before 3.17 has no variables.anyObject.
      expect(JSON.stringify(t.spec)).not.toContain('anyObject');
    }
  });

  test('constraints are served as constraints.gatekeeper.sh/v1beta1 with deny and the system namespaces excluded', () => {
    expect(constraints.filter((o) => o.metadata.name === 'functions-allowed-repos')).toEqual([expect.objectContaining({
      apiVersion: 'constraints.gatekeeper.sh/v1beta1',
      metadata: expect.objectContaining({ name: 'functions-allowed-repos' }),
      spec: {
        enforcementAction: 'deny',
        match: {
          kinds: [{ apiGroups: [''], kinds: ['Pod', 'ReplicationController'] }, { apiGroups: ['apps'], kinds: ['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet'] }, { apiGroups: ['batch'], kinds: ['Job', 'CronJob'] }],
          scope: 'Namespaced',
          excludedNamespaces: ['kube-system', 'kube-public', 'kube-node-lease', 'gatekeeper-system'],
          namespaceSelector: { matchLabels: { 'platform.wasm.dev/functions': 'true' } },
        },
        parameters: { repos: REPOS },
      },
    })]);
  });

  test('only the gateway namespace may expose LoadBalancer and NodePort Services', () => {
    for (const kind of ['K8sBlockLoadBalancer', 'K8sBlockNodePort']) {
      const c = constraints.find((o) => o.kind === kind)!;
      expect((c.spec as { match: { excludedNamespaces: string[] } }).match.excludedNamespaces).toContain('gateway');
    }
  });

  test('the replica ceiling applies to autoscalers, not to Deployments without replicas', () => {
    const c = constraints.find((o) => o.kind === 'K8sMaxReplicas')!;
    expect(c.spec).toMatchObject({
      match: { kinds: [{ apiGroups: ['apps'], kinds: ['Deployment', 'StatefulSet'] }, { apiGroups: ['autoscaling'], kinds: ['HorizontalPodAutoscaler'] }, { apiGroups: ['keda.sh'], kinds: ['ScaledObject'] }, { apiGroups: ['http.keda.sh'], kinds: ['HTTPScaledObject'] }] },
      parameters: { maxReplicas: 5000 },
    });
  });

  test("Gatekeeper's Config excludes the system namespaces and replicates Namespaces for namespaceSelector", () => {
    expect(templates.find((o) => o.kind === 'Config')).toMatchObject({
      apiVersion: 'config.gatekeeper.sh/v1alpha1',
      metadata: { name: 'config', namespace: 'gatekeeper-system' },
      spec: { match: [{ excludedNamespaces: ['kube-system', 'kube-public', 'kube-node-lease', 'gatekeeper-system'], processes: ['*'] }], sync: { syncOnly: [{ group: '', version: 'v1', kind: 'Namespace' }] } },
    });
  });

  test('every template and Config is valid against its CRD, strictly', () => {
    const validator = kubeValidator();
    const report = templates.map((o) => formatViolations(o, validator.validate(o))).filter((t) => t !== '');
    expect(report).toEqual([]);
  });

  test('constraint kinds have no CRD; each constraint is valid against the schema Gatekeeper generates from its template', () => {
    expect(kubeValidator().knows('constraints.gatekeeper.sh/v1beta1', 'K8sAllowedRepos')).toBe(false);
    expect(validateConstraints([...templates, ...constraints])).toEqual([]);
  });

  test('the constraint schema check catches a parameter the template does not declare', () => {
    const broken = constraints.map((c) => (c.kind === 'K8sAllowedRepos' ? { ...c, spec: { ...(c.spec as object), parameters: { repo: REPOS } } } : c));
    expect(validateConstraints([...templates, ...broken]).join('\n')).toMatch(/K8sAllowedRepos\/functions-allowed-repos \/spec\/parameters: must NOT have additional properties/);
  });

  test('constraints tell Argo CD to skip the dry run of a kind that does not exist yet', () => {
    for (const c of constraints) {
      expect(c.metadata.annotations).toMatchObject({ 'argocd.argoproj.io/sync-options': 'SkipDryRunOnMissingResource=true' });
    }
  });
});

describe('PolicyBundle with ValidatingAdmissionPolicy', () => {
  const { chart } = bundleApp({ engine: AdmissionEngine.VALIDATING_ADMISSION_POLICY, enforcementAction: EnforcementAction.WARN });
  const objects = objectsOfChart(chart);

  test('matches its snapshot', () => {
    expect(objects).toMatchSnapshot();
  });

  test('emits admissionregistration.k8s.io/v1 policies and bindings, no Gatekeeper objects', () => {
    expect(new Set(objects.map((o) => `${o.apiVersion} ${o.kind}`))).toEqual(new Set([
      'admissionregistration.k8s.io/v1 ValidatingAdmissionPolicy',
      'admissionregistration.k8s.io/v1 ValidatingAdmissionPolicyBinding',
    ]));
    expect(objects).toHaveLength(26);
  });

  test('parameters are CEL literals and namespace lists become selectors', () => {
    const policy = objects.find((o) => o.kind === 'ValidatingAdmissionPolicy' && o.metadata.name === 'wasm-platform-functions-allowed-repos')!;
    expect(policy.spec).toMatchObject({
      failurePolicy: 'Fail',
      matchConstraints: {
        namespaceSelector: {
          matchLabels: { 'platform.wasm.dev/functions': 'true' },
          matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system', 'kube-public', 'kube-node-lease', 'gatekeeper-system'] }],
        },
      },
    });
    expect((policy.spec as { validations: { expression: string }[] }).validations[0].expression)
      .toBe('variables.allContainers.all(c, ["registry.shop.example.com/functions/"].exists(r, c.image.startsWith(r)))');
    expect(JSON.stringify(policy.spec)).not.toContain('variables.params');
  });

  test.each([
    [EnforcementAction.DENY, ['Deny']],
    [EnforcementAction.WARN, ['Warn']],
    [EnforcementAction.DRYRUN, ['Audit']],
  ])('enforcementAction %p binds with validationActions %p', (action, expected) => {
    const { chart: c } = bundleApp({ engine: AdmissionEngine.VALIDATING_ADMISSION_POLICY, enforcementAction: action });
    const bindings = objectsOfChart(c).filter((o) => o.kind === 'ValidatingAdmissionPolicyBinding');
    expect(bindings.map((b) => (b.spec as { validationActions: string[] }).validationActions)).toEqual(bindings.map(() => expected));
  });

  test('every policy and binding is valid against the Kubernetes 1.30 schema, strictly', () => {
    const validator = kubeValidator();
    expect(objects.map((o) => formatViolations(o, validator.validate(o))).filter((t) => t !== '')).toEqual([]);
  });
});

describe('PolicyBundle options', () => {
  test('a rule may override the bundle enforcement action, and constraints can go to another chart', () => {
    // GIVEN
    const app = testApp();
    const templates = new Chart(app, 'Templates');
    const constraints = new Chart(app, 'Constraints');
    new PolicyBundle(templates, 'Bundle', {
      rules: [AdmissionRules.imageDigests({ enforcementAction: EnforcementAction.DRYRUN }), AdmissionRules.blockNodePort()],
      enforcementAction: EnforcementAction.WARN,
      constraintScope: constraints,
      gatekeeperConfig: false,
    });

    // THEN
    expect(objectsOfChart(templates).map((o) => o.kind)).toEqual(['ConstraintTemplate', 'ConstraintTemplate']);
    expect(objectsOfChart(constraints).map((o) => [o.kind, (o.spec as { enforcementAction: string }).enforcementAction]))
      .toEqual([['K8sImageDigests', 'dryrun'], ['K8sBlockNodePort', 'warn']]);
  });

  test('two rules of one kind share one template', () => {
    const { chart } = bundleApp({
      rules: [
        AdmissionRules.requiredLabels({ labels: [{ key: 'team' }] }),
        AdmissionRules.requiredLabels({ name: 'namespaced-cost-center', labels: [{ key: 'cost-center', allowedRegex: '^[0-9]{4}$' }] }),
      ],
    });
    const objects = objectsOfChart(chart);
    expect(objects.filter((o) => o.kind === 'ConstraintTemplate')).toHaveLength(1);
    expect(objects.filter((o) => o.kind === 'K8sRequiredLabels').map((o) => o.metadata.name)).toEqual(['functions-ownership-labels', 'namespaced-cost-center']);
  });
});

describe('PolicyBundle validation', () => {
  test('bad props are all reported at once, each naming the field, the value and what is allowed', () => {
    // GIVEN
    const app = testApp();
    const chart = new Chart(app, 'Policies');
    new PolicyBundle(chart, 'Bundle', {
      enforcementAction: EnforcementAction.of('block'),
      rules: [
        AdmissionRules.allowedRepos({ repos: [] }),
        AdmissionRules.allowedRepos({ name: 'prefix', repos: ['registry.shop.example.com'] }),
        AdmissionRules.containerLimits({ cpu: 'lots', memory: '64Mi', enforcementAction: EnforcementAction.of('audit') }),
        AdmissionRules.maxReplicas({ maxReplicas: 0 }),
        AdmissionRules.wasmRuntimeClass({ runtimeClassNames: [] }),
        AdmissionRules.requiredResources({ requests: [], limits: [] }),
        AdmissionRules.noHostPathVolumes({ allowedPathPrefixes: ['var/log'] }),
      ],
    });

    // WHEN
    const problems = problemsOf(app);

    // THEN
    expect(problems).toEqual([
      '[Policies/Bundle] enforcementAction "block" is not a Gatekeeper enforcement action: use one of deny, dryrun, warn',
      '[Policies/Bundle] rule "functions-allowed-repos" (K8sAllowedRepos): repos is empty: every image would be denied; give the registry paths functions are published to (for example ["registry.shop.example.com/functions/"])',
      '[Policies/Bundle] rule "prefix" (K8sAllowedRepos): repos entry "registry.shop.example.com" must end with "/": as a bare prefix it would also admit "registry.shop.example.com.attacker.example/..." and "registry.shop.example.com-other/..." (use "registry.shop.example.com/")',
      '[Policies/Bundle] rule "functions-container-limits" (K8sContainerLimits): enforcementAction "audit" is not a Gatekeeper enforcement action: use one of deny, dryrun, warn',
      '[Policies/Bundle] rule "functions-container-limits" (K8sContainerLimits): cpu "lots" is not a Kubernetes quantity: use a non-negative number with an optional suffix (m, k, M, G, Ki, Mi, Gi, ...), for example "100m"',
      '[Policies/Bundle] rule "functions-max-replicas" (K8sMaxReplicas): maxReplicas (0) must be an integer from 1 to 1000000',
      '[Policies/Bundle] rule "functions-wasm-runtime-class" (K8sWasmRuntimeClass): runtimeClassNames is empty: every function pod would be denied; give at least one RuntimeClass (for example ["wasmedge"])',
      '[Policies/Bundle] rule "functions-required-resources" (K8sRequiredResources): requests and limits are both empty: the rule would check nothing; list cpu and/or memory',
      '[Policies/Bundle] rule "no-host-path-volumes" (K8sBlockHostPath): allowedPathPrefixes entry "var/log" must be an absolute path other than "/" (for example "/var/log/")',
    ]);
  });

  test('ceilings below what a function of the app declares fail at synth, not at the first sync', () => {
    // GIVEN a function sized above the seed's ceilings, and the default (seed) ceilings
    const app = testApp();
    const functions = new Chart(app, 'Functions', { namespace: 'functions-catalog' });
    new WasmFunction(functions, 'Search', {
      name: 'search',
      image: 'registry.shop.example.com/functions/search@sha256:31ed6068a9bdac69388904222e3c68217245099afc5d23437e8d16d656cd42bc',
      runtime: WasmRuntime.K3S_WASMEDGE,
      resources: { cpuRequest: '20m', cpuLimit: '200m', memoryRequest: '64Mi', memoryLimit: '128Mi' },
    });
    new PolicyBundle(new Chart(app, 'Policies'), 'Bundle', { rules: AdmissionRules.platformDefaults({ allowedRepos: ['registry.other.example.com/'] }) });

    // WHEN
    const problems = problemsOf(app);

    // THEN
    expect(problems).toEqual([
      '[Policies/Bundle] rule "functions-container-limits" (K8sContainerLimits): cpu ceiling (100m) is below the CPU limit (200m, request 20m) of function functions-catalog/search, which would be denied at admission: raise cpu to at least 200m or lower the function\'s limit; memory ceiling (64Mi) is below the memory limit (128Mi, request 64Mi) of function functions-catalog/search, which would be denied at admission: raise memory to at least 128Mi or lower the function\'s limit',
      '[Policies/Bundle] rule "functions-allowed-repos" (K8sAllowedRepos): repos (registry.other.example.com/) does not admit image "registry.shop.example.com/functions/search@sha256:31ed6068a9bdac69388904222e3c68217245099afc5d23437e8d16d656cd42bc" of function functions-catalog/search, which would be denied at admission',
    ]);
  });

  test('rule names, repos and path prefixes with quotes or a newline are printed on one line', () => {
    const app = testApp();
    new WasmFunction(new Chart(app, 'Functions', { namespace: 'functions-catalog' }), 'Search', {
      name: 'search',
      image: 'registry.shop.example.com/functions/search@sha256:31ed6068a9bdac69388904222e3c68217245099afc5d23437e8d16d656cd42bc',
    });
    new PolicyBundle(new Chart(app, 'Policies'), 'Bundle', {
      rules: [
        AdmissionRules.allowedRepos({ name: 'r"\nx', repos: ['registry"\nx'] }),
        AdmissionRules.allowedRepos({ name: 'r"\nx', repos: ['registry/'] }),
        AdmissionRules.noHostPathVolumes({ allowedPathPrefixes: ['var"\nlog'] }),
      ],
    });
    const problems = problemsOf(app);
    expect(problems).toEqual(expect.arrayContaining([
      expect.stringContaining('[Policies/Bundle] rule "r\\"\\nx" (K8sAllowedRepos): name "r\\"\\nx" is not a DNS-1123 subdomain'),
      '[Policies/Bundle] rule "r\\"\\nx" (K8sAllowedRepos): repos entry "registry\\"\\nx" must end with "/": as a bare prefix it would also admit "registry\\"\\nx.attacker.example/..." and "registry\\"\\nx-other/..." (use "registry\\"\\nx/")',
      '[Policies/Bundle] rule name "r\\"\\nx" is used by 2 rules: give each rule a distinct name',
      '[Policies/Bundle] rule "r\\"\\nx" (K8sAllowedRepos): repos (registry\\"\\nx) does not admit image "registry.shop.example.com/functions/search@sha256:31ed6068a9bdac69388904222e3c68217245099afc5d23437e8d16d656cd42bc" of function functions-catalog/search, which would be denied at admission',
      '[Policies/Bundle] rule "no-host-path-volumes" (K8sBlockHostPath): allowedPathPrefixes entry "var\\"\\nlog" must be an absolute path other than "/" (for example "/var/log/")',
    ]));
  });

  test('a bundle in a namespaced chart, duplicate rule names and no rules are reported', () => {
    const app = testApp();
    new PolicyBundle(new Chart(app, 'Namespaced', { namespace: 'policy' }), 'Bundle', {
      rules: [AdmissionRules.imageDigests(), AdmissionRules.imageDigests()],
    });
    new PolicyBundle(new Chart(app, 'Empty'), 'Bundle', { rules: [], gatekeeperConfig: false });
    expect(problemsOf(app)).toEqual([
      '[Namespaced/Bundle] the bundle is in chart "Namespaced" whose namespace is "policy": admission policies are cluster-scoped; put them in a chart without a namespace',
      '[Namespaced/Bundle] rule name "functions-image-digests" is used by 2 rules: give each rule a distinct name',
      '[Empty/Bundle] rules is empty: give at least one rule (AdmissionRules.platformDefaults(...) is the reference set)',
    ]);
    expect(() => renderApp(app)).toThrow(/Synthesis failed with 3 problems/);
  });

  test('an enforcement action passed from JavaScript as a plain string names the allowed values, not "undefined"', () => {
    const app = testApp();
    const deny = 'deny' as unknown as EnforcementAction;
    new PolicyBundle(new Chart(app, 'Policies'), 'Bundle', {
      rules: [AdmissionRules.imageDigests({ enforcementAction: 'warn' as unknown as EnforcementAction })],
      enforcementAction: deny,
    });
    expect(problemsOf(app)).toEqual([
      '[Policies/Bundle] enforcementAction "deny" is not an EnforcementAction: use EnforcementAction.DENY, EnforcementAction.DRYRUN or EnforcementAction.WARN (EnforcementAction.of() reads one of deny, dryrun, warn)',
      '[Policies/Bundle] rule "functions-image-digests" (K8sImageDigests): enforcementAction "warn" is not an EnforcementAction: use EnforcementAction.DENY, EnforcementAction.DRYRUN or EnforcementAction.WARN (EnforcementAction.of() reads one of deny, dryrun, warn)',
    ]);
  });

  test('two bundles that both emit Gatekeeper\'s one Config are reported once', () => {
    const app = testApp();
    new PolicyBundle(new Chart(app, 'One'), 'Bundle', { rules: [AdmissionRules.imageDigests()] });
    new PolicyBundle(new Chart(app, 'Two'), 'Bundle', { rules: [AdmissionRules.noPrivilegedContainers()] });
    expect(problemsOf(app)).toEqual([
      '[Two/Bundle/GatekeeperConfig] Config.config.gatekeeper.sh gatekeeper-system/config is also emitted by One/Bundle/GatekeeperConfig: a cluster holds one object per kind, namespace and name, so one would overwrite the other; rename one or remove it',
    ]);
  });

  test('required label keys no object could carry, regexes that do not compile, and bad Gatekeeper names', () => {
    const app = testApp();
    new PolicyBundle(new Chart(app, 'Policies'), 'Bundle', {
      rules: [AdmissionRules.requiredLabels({ labels: [{ key: 'cost center' }, { key: 'example.com/team', allowedRegex: '([a-z]+' }] })],
      gatekeeperNamespace: 'Gatekeeper',
      policyNamePrefix: '-wasm',
    });
    expect(problemsOf(app)).toEqual([
      '[Policies/Bundle] gatekeeperNamespace "Gatekeeper" is not a DNS-1123 label: use 1-63 lowercase letters, digits or \'-\', starting and ending with a letter or digit (for example "product-detail")',
      '[Policies/Bundle] policyNamePrefix "-wasm" cannot start an object name: use lowercase letters, digits, \'-\' and \'.\', starting with a letter or digit (for example "wasm-platform")',
      '[Policies/Bundle] rule "functions-ownership-labels" (K8sRequiredLabels): labels[0] key "cost center" is not a valid label or annotation key: use an optional DNS-1123 subdomain prefix and \'/\', then 1-63 letters, digits, \'-\', \'_\' or \'.\', starting and ending with a letter or digit (for example "example.com/team"): no object could carry it',
      '[Policies/Bundle] rule "functions-ownership-labels" (K8sRequiredLabels): labels entry "example.com/team" allowedRegex "([a-z]+" does not compile as a regular expression (Unterminated group): fix the pattern (RE2 syntax)',
    ]);
  });
});
