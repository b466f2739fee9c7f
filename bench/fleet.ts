import { App, Chart, Duration } from 'cdk8s';
import {
  AdmissionRules, ClusterDescription, ClusterCapacity, FUNCTION_SDK_METRICS, FunctionGateway, FunctionNamespace,
  GatewayProvider, GitOpsDelivery, KedaFunctionAutoscaler, KedaTrigger, ObservabilityStack, OpaAuthorizer, PolicyBundle,
  RateLimit, RequestAuthorizationPolicy, RequestIdentity, RequestQuota, SEED_OBJECTIVES, WasmFunction,
} from '../lib';

/** Namespaces the generated fleet spreads its functions over. */
export const FLEET_NAMESPACES = 10;

const REGISTRY = 'registry.example.com/fleet/';
const GATEWAY_NAMESPACE = 'gateway';
const MONITORING_NAMESPACE = 'monitoring';

/**
 * A cluster large enough for 5,000 functions at maxReplicas (10 each, the default 10m CPU
 * and 32Mi memory requests): 50,000 pods on 300 nodes of 244 usable pod slots.
 */
export const FLEET_CLUSTER: ClusterDescription = {
  name: 'k3s-fleet-bench',
  nodes: 300,
  allocatableCpuPerNode: '7500m',
  allocatableMemoryPerNode: '28Gi',
  maxPodsPerNode: 250,
  nodeCidrMaskSize: 24,
  daemonSetPodsPerNode: 6,
  spareNodes: 2,
  otherWorkloads: { pods: 180, cpuRequest: '60', memoryRequest: '240Gi' },
};

/**
 * A generated platform of `count` functions, each with the full stack the library gives a
 * function, composed the way `platform/` composes the reference platform: the function
 * (Deployment, Service, ServiceAccount, ConfigMap, PodDisruptionBudget, NetworkPolicy), a
 * KEDA request-rate autoscaler, a rate-limited Envoy Gateway route, monitoring (ServiceMonitor,
 * SLO rules, dashboard), under one cluster capacity check, one admission PolicyBundle, an
 * OPA authorizer and Argo CD delivery created last. Function i gets a deterministic digest
 * and name.
 */
export function buildFleet(app: App, count: number): void {
  const base = new Chart(app, 'FleetBase');
  const namespaces: string[] = [];
  const functionCharts: Chart[] = [];
  const autoscalingCharts: Chart[] = [];
  for (let n = 0; n < FLEET_NAMESPACES; n++) {
    const namespace = `fleet-${n}`;
    namespaces.push(namespace);
    new FunctionNamespace(base, `Namespace${n}`, { name: namespace });
    functionCharts.push(new Chart(app, `Fleet${n}`, { namespace }));
    autoscalingCharts.push(new Chart(app, `Fleet${n}Autoscaling`, { namespace }));
  }

  // Functions and their autoscalers (platform/core.ts, platform/autoscaling.ts).
  const functions: WasmFunction[] = [];
  for (let i = 0; i < count; i++) {
    const n = i % FLEET_NAMESPACES;
    const name = `fn-${i}`;
    const fn = new WasmFunction(functionCharts[n], `Fn${i}`, {
      name,
      image: `${REGISTRY}${name}@sha256:${digest(i)}`,
      config: { FUNCTION_INDEX: String(i) },
      partOf: 'fleet',
    });
    new KedaFunctionAutoscaler(autoscalingCharts[n], `Fn${i}`, {
      target: fn,
      minReplicas: 2,
      maxReplicas: 10,
      triggers: [KedaTrigger.requestRate({ requestsPerPodPerSecond: 200 })],
    });
    functions.push(fn);
  }
  new ClusterCapacity(app, 'ClusterCapacity', { cluster: FLEET_CLUSTER });

  // Admission policies and the request authorizer (platform/policy.ts).
  const templatesChart = new Chart(app, 'FleetAdmissionPolicies');
  const constraintsChart = new Chart(app, 'FleetAdmissionConstraints');
  new PolicyBundle(templatesChart, 'Bundle', {
    rules: AdmissionRules.platformDefaults({ allowedRepos: [REGISTRY], gatewayNamespaces: [GATEWAY_NAMESPACE], maxReplicas: 5000 }),
    constraintScope: constraintsChart,
  });
  const authorizer = new OpaAuthorizer(new Chart(app, 'FleetRequestAuthorization', { namespace: 'opa' }), 'Opa', {
    policy: RequestAuthorizationPolicy.seed(
      RequestIdentity.jwt({
        issuer: 'https://auth.example.com/',
        audience: 'api.example.com',
        roleClaim: 'role',
        jwksUrl: 'https://auth.example.com/.well-known/jwks.json',
      }),
      RequestQuota.enforcedByGateway(),
    ),
    // The default image is the seed's tag, as the reference platform's (platform/policy.ts).
    allowMutableTag: true,
  });

  // One gateway, a route per function in a route chart per namespace (platform/gateway.ts).
  const gateway = new FunctionGateway(new Chart(app, 'FleetGateway', { namespace: GATEWAY_NAMESPACE }), 'Gateway', {
    provider: GatewayProvider.envoyGateway(),
    name: 'functions',
    routeNamespaces: namespaces,
    defaultHost: 'fleet.example.com',
    tls: { secretName: 'fleet-example-com-tls' },
    authorizer,
    referenceGrantsProvided: true,
  });
  const routeCharts = namespaces.map((namespace, n) => new Chart(app, `Fleet${n}Routes`, { namespace }));
  const rateLimit = RateLimit.perProxyReplica({ averagePerSecond: 1000 });
  functions.forEach((fn, i) => {
    gateway.addRoute(routeCharts[i % FLEET_NAMESPACES], `Fn${i}`, {
      function: fn,
      // Reads: the fleet measures synthesis, not authorization.
      methods: ['GET', 'HEAD'],
      rateLimit,
      requestTimeout: Duration.seconds(1),
    });
  });

  // Monitoring of every function (platform/observability.ts).
  const stack = new ObservabilityStack(new Chart(app, 'FleetObservability', { namespace: MONITORING_NAMESPACE }), 'Stack', {
    sloSource: gateway.requestMetrics ?? FUNCTION_SDK_METRICS,
    defaultObjectives: [...SEED_OBJECTIVES],
    grafanaUrl: 'https://grafana.example.com',
    authorizer: { namespace: authorizer.namespace, deploymentName: authorizer.deploymentName },
    logs: { extraNamespaces: [GATEWAY_NAMESPACE] },
  });
  for (const fn of functions) stack.addFunction(fn);

  // Delivery last: it places every object created before it (platform/gitops.ts).
  new GitOpsDelivery(new Chart(app, 'FleetGitops', { namespace: 'argocd' }), 'Delivery', {
    repoUrl: 'https://git.example.com/platform/fleet.git',
    projectName: 'fleet',
  });
}

function digest(i: number): string {
  return i.toString(16).padStart(64, '0');
}
