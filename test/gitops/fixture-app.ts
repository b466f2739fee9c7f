import { ApiObject, App, Chart, JsonPatch } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { FunctionNamespace, GitOpsDelivery, GitOpsDeliveryProps, WasmFunction } from '../../lib';
import { testApp } from '../support/synth';

export const REPO = 'https://git.shop.example.com/platform/wasm-functions.git';
export const IMAGE = 'registry.shop.example.com/functions/price@sha256:86c59df33204c79db3663f084b5dc26819d10d16e57a614c80aaaabde068edcc';

/** Charts of a small platform with one object of every concern the waves order. */
export interface FixtureCharts {
  readonly app: App;
  readonly base: Chart;
  readonly policy: Chart;
  readonly functions: Chart;
  readonly autoscaling: Chart;
  readonly gateway: Chart;
  readonly observability: Chart;
  readonly price: WasmFunction;
}

/**
 * GIVEN a platform of six charts: namespaces, Gatekeeper template + constraint and a
 * ValidatingAdmissionPolicy + binding, a function, an HPA on it, a Gateway with a route
 * and a route policy, and a ServiceMonitor with a dashboard ConfigMap.
 */
export function fixtureCharts(app: App = testApp(), options: { dashboardBytes?: number; hpaKeepsReplicas?: boolean } = {}): FixtureCharts {
  const base = new Chart(app, 'PlatformBase');
  new FunctionNamespace(base, 'CatalogNamespace', { name: 'functions-catalog' });

  const policy = new Chart(app, 'Policy');
  new ApiObject(policy, 'RequiredLabelsTemplate', {
    apiVersion: 'templates.gatekeeper.sh/v1',
    kind: 'ConstraintTemplate',
    metadata: { name: 'k8srequiredlabels' },
    spec: {
      crd: { spec: { names: { kind: 'K8sRequiredLabels' } } },
      targets: [{ target: 'admission.k8s.gatekeeper.sh', rego: 'package k8srequiredlabels\nviolation[{"msg": "x"}] { false }\n' }],
    },
  });
  new ApiObject(policy, 'RequiredLabels', {
    apiVersion: 'constraints.gatekeeper.sh/v1beta1',
    kind: 'K8sRequiredLabels',
    metadata: { name: 'functions-have-part-of' },
    spec: { match: { kinds: [{ apiGroups: ['apps'], kinds: ['Deployment'] }] } },
  });
  // Kubernetes 1.30 serves these as v1; the 1.28 bindings only know the beta.
  new ApiObject(policy, 'WasmRuntimePolicy', {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicy',
    metadata: { name: 'functions-use-wasm-runtime' },
    spec: {
      failurePolicy: 'Fail',
      matchConstraints: { resourceRules: [{ apiGroups: ['apps'], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['deployments'] }] },
      validations: [{ expression: "object.spec.template.spec.runtimeClassName == 'wasmedge'" }],
    },
  });
  new ApiObject(policy, 'WasmRuntimeBinding', {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicyBinding',
    metadata: { name: 'functions-use-wasm-runtime' },
    spec: { policyName: 'functions-use-wasm-runtime', validationActions: ['Deny'] },
  });

  const functions = new Chart(app, 'CatalogFunctions', { namespace: 'functions-catalog' });
  const price = new WasmFunction(functions, 'Price', { name: 'price', image: IMAGE });

  const autoscaling = new Chart(app, 'Autoscaling', { namespace: 'functions-catalog' });
  new k8s.KubeHorizontalPodAutoscalerV2(autoscaling, 'PriceScaler', {
    metadata: { name: 'price' },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'price' },
      minReplicas: 10,
      maxReplicas: 500,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }],
    },
  });
  price.attachAutoscaler({ owner: autoscaling, kind: 'HorizontalPodAutoscaler', minReplicas: 10, maxReplicas: 500, hpaName: 'price' });
  if (options.hpaKeepsReplicas) {
    // A Deployment patched past the library, as hand-written manifests often are.
    price.deploymentObject.addJsonPatch(JsonPatch.add('/spec/replicas', 2));
  }

  const gateway = new Chart(app, 'Gateway', { namespace: 'gateway' });
  new ApiObject(gateway, 'Gateway', {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'Gateway',
    metadata: { name: 'public' },
    spec: { gatewayClassName: 'envoy', listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }] },
  });
  new ApiObject(gateway, 'PriceRoute', {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name: 'price' },
    spec: {
      parentRefs: [{ name: 'public' }],
      rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/api/price' } }], backendRefs: [{ name: 'price', namespace: 'functions-catalog', port: 80 }] }],
    },
  });
  new ApiObject(gateway, 'PriceAuth', {
    apiVersion: 'gateway.envoyproxy.io/v1alpha1',
    kind: 'SecurityPolicy',
    metadata: { name: 'price' },
    spec: { targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', name: 'price' }] },
  });

  const observability = new Chart(app, 'Observability', { namespace: 'monitoring' });
  new ApiObject(observability, 'FunctionMonitor', {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'ServiceMonitor',
    metadata: { name: 'functions' },
    spec: { selector: { matchLabels: { 'app.kubernetes.io/component': 'function' } }, endpoints: [{ port: 'http' }] },
  });
  new k8s.KubeConfigMap(observability, 'Dashboard', {
    metadata: { name: 'functions-dashboard', labels: { grafana_dashboard: '1' } },
    data: { 'functions.json': JSON.stringify({ title: 'Functions', padding: 'x'.repeat(options.dashboardBytes ?? 10) }) },
  });

  return { app, base, policy, functions, autoscaling, gateway, observability, price };
}

/** WHEN the GitOps construct is added last, in a chart of its own. */
export function withDelivery(charts: FixtureCharts, props: Partial<GitOpsDeliveryProps> = {}) {
  const chart = new Chart(charts.app, 'Gitops', { namespace: 'argocd' });
  const delivery = new GitOpsDelivery(chart, 'Delivery', { repoUrl: REPO, ...props });
  return { ...charts, chart, delivery };
}
