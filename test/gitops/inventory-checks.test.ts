import { ApiObject, Chart, JsonPatch } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { findDependencies, KubeManifest } from '../../lib';
import { duplicateObjectProblems } from '../../lib/synth/duplicate-objects';
import { problemsOf, testApp } from '../support/synth';
import { fixtureCharts, withDelivery } from './fixture-app';

// The GitOps checks read an index of the inventory built once per synthesis; these pin what
// they report where the index could have changed it: the order of the problems, the objects
// of one identity, the references of every kind and the waves of Applications in a cycle.

const OBJECTS: KubeManifest[] = [
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns' } },
  { apiVersion: 'example.com/v1', kind: 'Namespace', metadata: { name: 'ns' } },
  { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'sa', namespace: 'ns' } },
  { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'ns' } },
  { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'ns' } },
  { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'ns' } },
  { apiVersion: 'node.k8s.io/v1', kind: 'RuntimeClass', metadata: { name: 'wasm' } },
  {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', namespace: 'ns' },
    spec: { template: { spec: {
      runtimeClassName: 'wasm', serviceAccountName: 'sa',
      volumes: [{ configMap: { name: 'cm' } }, { secret: { secretName: 's' } }, { configMap: { name: 'ns/cm' } }],
      containers: [{ envFrom: [{ configMapRef: { name: 'cm' } }] }],
      initContainers: [{ envFrom: [{ secretRef: { name: 's' } }] }],
    } } },
  },
  {
    apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'c', namespace: 'ns' },
    spec: { jobTemplate: { spec: { template: { spec: { serviceAccountName: 'sa' } } } } },
  },
  { apiVersion: 'example.com/v1', kind: 'Deployment', metadata: { name: 'custom', namespace: 'ns' }, spec: { template: { spec: { serviceAccountName: 'sa' } } } },
  { apiVersion: 'templates.gatekeeper.sh/v1', kind: 'ConstraintTemplate', metadata: { name: 'k8slabels' }, spec: { crd: { spec: { names: { kind: 'K8sLabels' } } } } },
  { apiVersion: 'constraints.gatekeeper.sh/v1beta1', kind: 'K8sLabels', metadata: { name: 'must-label' } },
  { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicy', metadata: { name: 'vap' } },
  { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicyBinding', metadata: { name: 'vap' }, spec: { policyName: 'vap' } },
  { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'h', namespace: 'ns' }, spec: { scaleTargetRef: { kind: 'Deployment', name: 'd' } } },
  { apiVersion: 'v1', kind: 'Service', metadata: { name: 'svc', namespace: 'ns' } },
  { apiVersion: 'http.keda.sh/v1alpha1', kind: 'HTTPScaledObject', metadata: { name: 'hs', namespace: 'ns' }, spec: { scaleTargetRef: { name: 'd', service: 'svc' } } },
  { apiVersion: 'keda.sh/v1alpha1', kind: 'TriggerAuthentication', metadata: { name: 'auth', namespace: 'ns' } },
  { apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledJob', metadata: { name: 'sj', namespace: 'ns' }, spec: { triggers: [{ authenticationRef: { name: 'auth' } }, { authenticationRef: { name: 'none' } }] } },
  { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'GatewayClass', metadata: { name: 'envoy' } },
  { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'gw', namespace: 'ns' }, spec: { gatewayClassName: 'envoy' } },
  {
    apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'r', namespace: 'ns' },
    spec: { parentRefs: [{ name: 'gw' }], rules: [{ backendRefs: [{ name: 'svc' }, { name: 'svc', namespace: 'other' }] }] },
  },
  {
    apiVersion: 'gateway.envoyproxy.io/v1alpha1', kind: 'SecurityPolicy', metadata: { name: 'p', namespace: 'ns' },
    spec: { targetRef: { kind: 'HTTPRoute', name: 'r' }, targetRefs: [{ kind: 'Gateway', name: 'gw' }] },
  },
  { apiVersion: 'traefik.io/v1alpha1', kind: 'Middleware', metadata: { name: 'mw', namespace: 'ns' } },
  {
    apiVersion: 'traefik.io/v1alpha1', kind: 'IngressRoute', metadata: { name: 'ir', namespace: 'ns' },
    spec: { routes: [{ middlewares: [{ name: 'mw' }], services: [{ name: 'svc' }] }] },
  },
];

describe('GitOps inventory checks', () => {
  test('findDependencies finds every kind of reference, in object, reference and target order', () => {
    const name = (m: KubeManifest) => `${m.apiVersion} ${m.kind} ${m.metadata?.name}`;
    expect(findDependencies(OBJECTS).map((d) => `${name(d.from)} -> ${name(d.to)} via ${d.via}`)).toEqual(EXPECTED_DEPENDENCIES);
  });

  test("findDependencies matches names holding a '/' as their kind/namespace/name string does", () => {
    // GIVEN names no cluster accepts, whose keys are one string
    const objects: KubeManifest[] = [
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'b/c', namespace: 'a' } },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'a/b' } },
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', namespace: 'a' }, spec: { template: { spec: { volumes: [{ configMap: { name: 'b/c' } }] } } } },
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'e', namespace: 'a/b' }, spec: { template: { spec: { volumes: [{ configMap: { name: 'c' } }] } } } },
    ];
    const name = (m: KubeManifest) => `${m.kind} ${m.metadata?.namespace} ${m.metadata?.name}`;
    expect(findDependencies(objects).map((d) => `${name(d.from)} -> ${name(d.to)}`)).toEqual(EXPECTED_SLASH_DEPENDENCIES);
  });

  test("the synth's duplicate check finds objects in the order they come, and names holding a '/' as their key string does", () => {
    // GIVEN a ConfigMap repeated after another repeated one, and two names no cluster accepts whose keys are one string
    const app = testApp();
    const one = new Chart(app, 'One', { namespace: 'shop' });
    const two = new Chart(app, 'Two', { namespace: 'shop' });
    for (const chart of [one, two]) {
      new k8s.KubeConfigMap(chart, 'Second', { metadata: { name: 'second' } });
      new k8s.KubeConfigMap(chart, 'First', { metadata: { name: 'first' } });
    }
    new k8s.KubeConfigMap(one, 'Slash1', { metadata: { name: 'b/c', namespace: 'a' } });
    new k8s.KubeConfigMap(two, 'Slash2', { metadata: { name: 'c', namespace: 'a/b' } });
    // THEN a problem per repeated identity, in the order of their first objects
    expect(duplicateObjectProblems(app).map((p) => p.replace(/:.*/, ''))).toEqual(EXPECTED_DUPLICATES);
  });

  test('objects two Applications own are reported once per identity, in output order', () => {
    // GIVEN two ConfigMaps of the functions chart renamed by a patch to names the observability
    // chart also uses (so the constructs differ, and only rendering makes the objects one), and
    // an object of another group, earlier, with the kind, namespace and name of the second
    const charts = fixtureCharts();
    for (const [id, renamed] of [['One', 'shared-b'], ['Two', 'shared-a']]) {
      new k8s.KubeConfigMap(charts.functions, id, { metadata: { name: id.toLowerCase() } }).addJsonPatch(JsonPatch.replace('/metadata/name', renamed));
    }
    new k8s.KubeConfigMap(charts.observability, 'SharedA', { metadata: { name: 'shared-a', namespace: 'functions-catalog' } });
    new k8s.KubeConfigMap(charts.observability, 'SharedB', { metadata: { name: 'shared-b', namespace: 'functions-catalog' } });
    new ApiObject(charts.base, 'Lookalike', { apiVersion: 'example.com/v1', kind: 'ConfigMap', metadata: { name: 'shared-a', namespace: 'functions-catalog' } });
    const f = withDelivery(charts, { waves: [{ group: 'example.com', kind: 'ConfigMap', wave: { name: 'foundation', value: 0 } as never }] });
    // THEN one problem per identity, the first one the output holds first
    const owned = (id: string) => `[Gitops/Delivery] ConfigMap functions-catalog/${id} is owned by 2 applications ("catalog-functions", "observability"): ` +
      'an object must be emitted by exactly one Application, or Argo CD flips its tracking between them on every sync';
    expect(problemsOf(f.app).filter((p) => p.includes('is owned by'))).toEqual([owned('shared-b'), owned('shared-a')]);
  });

  test('the waves of Applications that depend on each other are those of the relaxation over every dependency', () => {
    // GIVEN the cycle of "two Applications that depend on each other", with its dependencies repeated
    const charts = fixtureCharts();
    for (const n of [1, 2, 3]) {
      new ApiObject(charts.functions, `Scaler${n}`, {
        apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject', metadata: { name: `price-queue-${n}` },
        spec: { scaleTargetRef: { name: 'price-queue-worker' }, triggers: [{ type: 'prometheus', authenticationRef: { name: 'prometheus' }, metadata: {} }] },
      });
    }
    new ApiObject(charts.autoscaling, 'Auth', { apiVersion: 'keda.sh/v1alpha1', kind: 'TriggerAuthentication', metadata: { name: 'prometheus' }, spec: {} });
    const f = withDelivery(charts);
    // WHEN rendered anyway (a synth reports the cycle) THEN the waves are where the relaxation stopped
    const waves = f.delivery.applications.map((a) => `${a.name}=${(a.resource.toJson() as KubeManifest).metadata?.annotations?.['argocd.argoproj.io/sync-wave']}`);
    expect(waves).toEqual(EXPECTED_CYCLE_WAVES);
  });
});

const EXPECTED_DEPENDENCIES: string[] = [
  'v1 ServiceAccount sa -> v1 Namespace ns via metadata.namespace',
  'v1 ConfigMap cm -> v1 Namespace ns via metadata.namespace',
  'v1 ConfigMap cm -> v1 Namespace ns via metadata.namespace',
  'v1 Secret s -> v1 Namespace ns via metadata.namespace',
  'apps/v1 Deployment d -> v1 Namespace ns via metadata.namespace',
  'apps/v1 Deployment d -> node.k8s.io/v1 RuntimeClass wasm via spec.template.spec.runtimeClassName',
  'apps/v1 Deployment d -> v1 ServiceAccount sa via spec.template.spec.serviceAccountName',
  'apps/v1 Deployment d -> v1 ConfigMap cm via spec.template.spec.volumes',
  'apps/v1 Deployment d -> v1 ConfigMap cm via spec.template.spec.volumes',
  'apps/v1 Deployment d -> v1 Secret s via spec.template.spec.volumes',
  'apps/v1 Deployment d -> v1 ConfigMap cm via spec.template.spec.containers.envFrom',
  'apps/v1 Deployment d -> v1 ConfigMap cm via spec.template.spec.containers.envFrom',
  'apps/v1 Deployment d -> v1 Secret s via spec.template.spec.containers.envFrom',
  'batch/v1 CronJob c -> v1 Namespace ns via metadata.namespace',
  'batch/v1 CronJob c -> v1 ServiceAccount sa via spec.jobTemplate.spec.template.spec.serviceAccountName',
  'example.com/v1 Deployment custom -> v1 Namespace ns via metadata.namespace',
  'constraints.gatekeeper.sh/v1beta1 K8sLabels must-label -> templates.gatekeeper.sh/v1 ConstraintTemplate k8slabels via kind (its ConstraintTemplate)',
  'admissionregistration.k8s.io/v1 ValidatingAdmissionPolicyBinding vap -> admissionregistration.k8s.io/v1 ValidatingAdmissionPolicy vap via spec.policyName',
  'autoscaling/v2 HorizontalPodAutoscaler h -> v1 Namespace ns via metadata.namespace',
  'autoscaling/v2 HorizontalPodAutoscaler h -> apps/v1 Deployment d via spec.scaleTargetRef',
  'v1 Service svc -> v1 Namespace ns via metadata.namespace',
  'http.keda.sh/v1alpha1 HTTPScaledObject hs -> v1 Namespace ns via metadata.namespace',
  'http.keda.sh/v1alpha1 HTTPScaledObject hs -> apps/v1 Deployment d via spec.scaleTargetRef',
  'http.keda.sh/v1alpha1 HTTPScaledObject hs -> v1 Service svc via spec.scaleTargetRef.service',
  'keda.sh/v1alpha1 TriggerAuthentication auth -> v1 Namespace ns via metadata.namespace',
  'keda.sh/v1alpha1 ScaledJob sj -> v1 Namespace ns via metadata.namespace',
  'keda.sh/v1alpha1 ScaledJob sj -> keda.sh/v1alpha1 TriggerAuthentication auth via spec.triggers.authenticationRef',
  'gateway.networking.k8s.io/v1 Gateway gw -> v1 Namespace ns via metadata.namespace',
  'gateway.networking.k8s.io/v1 Gateway gw -> gateway.networking.k8s.io/v1 GatewayClass envoy via spec.gatewayClassName',
  'gateway.networking.k8s.io/v1 HTTPRoute r -> v1 Namespace ns via metadata.namespace',
  'gateway.networking.k8s.io/v1 HTTPRoute r -> gateway.networking.k8s.io/v1 Gateway gw via spec.parentRefs',
  'gateway.networking.k8s.io/v1 HTTPRoute r -> v1 Service svc via spec.rules.backendRefs',
  'gateway.envoyproxy.io/v1alpha1 SecurityPolicy p -> v1 Namespace ns via metadata.namespace',
  'gateway.envoyproxy.io/v1alpha1 SecurityPolicy p -> gateway.networking.k8s.io/v1 HTTPRoute r via spec.targetRef',
  'gateway.envoyproxy.io/v1alpha1 SecurityPolicy p -> gateway.networking.k8s.io/v1 Gateway gw via spec.targetRef',
  'traefik.io/v1alpha1 Middleware mw -> v1 Namespace ns via metadata.namespace',
  'traefik.io/v1alpha1 IngressRoute ir -> v1 Namespace ns via metadata.namespace',
  'traefik.io/v1alpha1 IngressRoute ir -> traefik.io/v1alpha1 Middleware mw via spec.routes.middlewares',
  'traefik.io/v1alpha1 IngressRoute ir -> v1 Service svc via spec.routes.services',
];
const EXPECTED_CYCLE_WAVES: string[] = [
  'platform-base=0', 'policy=2', 'catalog-functions=17', 'autoscaling=18', 'gateway=18', 'observability=4',
];
const EXPECTED_SLASH_DEPENDENCIES: string[] = [
  'Deployment a d -> ConfigMap a b/c',
  'Deployment a d -> ConfigMap a/b c',
  'Deployment a/b e -> ConfigMap a b/c',
  'Deployment a/b e -> ConfigMap a/b c',
];
const EXPECTED_DUPLICATES: string[] = [
  '[Two/Second] ConfigMap shop/second is also emitted by One/Second',
  '[Two/First] ConfigMap shop/first is also emitted by One/First',
  '[Two/Slash2] ConfigMap a/b/c is also emitted by One/Slash1',
];
