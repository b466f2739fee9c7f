/** Annotation Argo CD orders a sync by, lowest wave first. */
export const SYNC_WAVE_ANNOTATION = 'argocd.argoproj.io/sync-wave';
/** Annotation carrying per-object sync options (comma-separated). */
export const SYNC_OPTIONS_ANNOTATION = 'argocd.argoproj.io/sync-options';
/** API group of Gatekeeper constraints; every constraint kind lives in it. */
export const GATEKEEPER_CONSTRAINTS_GROUP = 'constraints.gatekeeper.sh';

/**
 * A named sync wave. Argo CD applies wave N only after every object of the waves before it
 * is applied and healthy, so a wave is how an object states "after what I depend on".
 */
export class SyncWave {
  /** Namespaces, the runtime and everything cluster-wide the rest lands in. */
  public static readonly FOUNDATION = new SyncWave('foundation', 0);
  /** Gatekeeper ConstraintTemplates and ValidatingAdmissionPolicies: the policy definitions. */
  public static readonly POLICY_TEMPLATES = new SyncWave('policy-templates', 1);
  /**
   * Gatekeeper constraints and ValidatingAdmissionPolicyBindings. A constraint kind exists
   * only after Gatekeeper has processed its template, so constraints need a wave of their own.
   */
  public static readonly POLICY_CONSTRAINTS = new SyncWave('policy-constraints', 2);
  /** Workloads and what they mount: after the constraints, so admission already enforces them. */
  public static readonly WORKLOADS = new SyncWave('workloads', 3);
  /** Autoscalers, routes and monitors: they point at workloads that must exist first. */
  public static readonly AUTOSCALERS_ROUTES_MONITORS = new SyncWave('autoscalers-routes-monitors', 4);
  /** Policies that attach to routes (Envoy Gateway SecurityPolicy, BackendTrafficPolicy). */
  public static readonly ROUTE_POLICIES = new SyncWave('route-policies', 5);

  /** A wave of your own, for kinds the default table does not cover. */
  public static of(name: string, value: number): SyncWave {
    return new SyncWave(name, value);
  }

  private constructor(
    /** Name used in messages and docs. */
    public readonly name: string,
    /** The value written to `argocd.argoproj.io/sync-wave`. */
    public readonly value: number,
  ) {}

  /** The annotation value. */
  public toString(): string {
    return String(this.value);
  }
}

/** An API group and kind; `kind: '*'` matches every kind of the group. */
export interface GroupKind {
  /** API group, `''` for the core group (`v1`). */
  readonly group: string;
  /** Kind, or `'*'` for every kind of the group. */
  readonly kind: string;
}

/** One row of the kind → wave table. */
export interface KindWave extends GroupKind {
  /** The wave every object of this kind is placed in. */
  readonly wave: SyncWave;
}

const row = (group: string, kind: string, wave: SyncWave): KindWave => ({ group, kind, wave });

/**
 * Where every kind the platform emits goes. Rows are grouped by wave; the order of the
 * waves is the dependency order of the platform: namespaces and the runtime, policy
 * templates, constraints, workloads, then what points at workloads.
 */
export const DEFAULT_KIND_WAVES: readonly KindWave[] = [
  row('', 'Namespace', SyncWave.FOUNDATION),
  row('', 'ResourceQuota', SyncWave.FOUNDATION),
  row('', 'LimitRange', SyncWave.FOUNDATION),
  // With its namespace, before any pod: a namespace's default deny must never arrive after a
  // workload, and a NetworkPolicy depends on nothing but its namespace (Argo CD applies
  // Namespaces first within a wave).
  row('networking.k8s.io', 'NetworkPolicy', SyncWave.FOUNDATION),
  row('apiextensions.k8s.io', 'CustomResourceDefinition', SyncWave.FOUNDATION),
  row('node.k8s.io', 'RuntimeClass', SyncWave.FOUNDATION),
  row('scheduling.k8s.io', 'PriorityClass', SyncWave.FOUNDATION),
  row('storage.k8s.io', 'StorageClass', SyncWave.FOUNDATION),
  row('rbac.authorization.k8s.io', 'ClusterRole', SyncWave.FOUNDATION),
  row('rbac.authorization.k8s.io', 'ClusterRoleBinding', SyncWave.FOUNDATION),
  // Like their cluster-wide kinds: they need only their namespace, and a team's access to it
  // (Team) comes with the namespace, without holding the namespace's Application back to the
  // workloads' wave.
  row('rbac.authorization.k8s.io', 'Role', SyncWave.FOUNDATION),
  row('rbac.authorization.k8s.io', 'RoleBinding', SyncWave.FOUNDATION),
  row('gateway.networking.k8s.io', 'GatewayClass', SyncWave.FOUNDATION),
  row('gateway.envoyproxy.io', 'EnvoyProxy', SyncWave.FOUNDATION),
  // A fleet's own Argo CD objects: the project before the ApplicationSet that names it.
  row('argoproj.io', 'AppProject', SyncWave.FOUNDATION),

  row('templates.gatekeeper.sh', 'ConstraintTemplate', SyncWave.POLICY_TEMPLATES),
  row('config.gatekeeper.sh', 'Config', SyncWave.POLICY_TEMPLATES),
  row('admissionregistration.k8s.io', 'ValidatingAdmissionPolicy', SyncWave.POLICY_TEMPLATES),

  row(GATEKEEPER_CONSTRAINTS_GROUP, '*', SyncWave.POLICY_CONSTRAINTS),
  row('admissionregistration.k8s.io', 'ValidatingAdmissionPolicyBinding', SyncWave.POLICY_CONSTRAINTS),

  row('', 'ServiceAccount', SyncWave.WORKLOADS),
  row('', 'Secret', SyncWave.WORKLOADS),
  row('', 'ConfigMap', SyncWave.WORKLOADS),
  row('', 'Service', SyncWave.WORKLOADS),
  row('', 'PersistentVolumeClaim', SyncWave.WORKLOADS),
  row('apps', 'Deployment', SyncWave.WORKLOADS),
  row('argoproj.io', 'ApplicationSet', SyncWave.WORKLOADS),
  row('apps', 'StatefulSet', SyncWave.WORKLOADS),
  row('apps', 'DaemonSet', SyncWave.WORKLOADS),
  row('batch', 'Job', SyncWave.WORKLOADS),
  row('batch', 'CronJob', SyncWave.WORKLOADS),
  row('policy', 'PodDisruptionBudget', SyncWave.WORKLOADS),
  // Referenced by the autoscalers and routes of the next wave, so they come with the workloads.
  row('keda.sh', 'TriggerAuthentication', SyncWave.WORKLOADS),
  row('keda.sh', 'ClusterTriggerAuthentication', SyncWave.WORKLOADS),
  row('traefik.io', 'Middleware', SyncWave.WORKLOADS),
  row('configuration.konghq.com', 'KongPlugin', SyncWave.WORKLOADS),
  row('configuration.konghq.com', 'KongClusterPlugin', SyncWave.WORKLOADS),
  row('gateway.networking.k8s.io', 'Gateway', SyncWave.WORKLOADS),
  row('gateway.networking.k8s.io', 'ReferenceGrant', SyncWave.WORKLOADS),

  row('autoscaling', 'HorizontalPodAutoscaler', SyncWave.AUTOSCALERS_ROUTES_MONITORS),
  row('keda.sh', 'ScaledObject', SyncWave.AUTOSCALERS_ROUTES_MONITORS),
  row('keda.sh', 'ScaledJob', SyncWave.AUTOSCALERS_ROUTES_MONITORS),
  row('http.keda.sh', 'HTTPScaledObject', SyncWave.AUTOSCALERS_ROUTES_MONITORS),
  row('gateway.networking.k8s.io', 'HTTPRoute', SyncWave.AUTOSCALERS_ROUTES_MONITORS),
  row('gateway.networking.k8s.io', 'GRPCRoute', SyncWave.AUTOSCALERS_ROUTES_MONITORS),
  row('networking.k8s.io', 'Ingress', SyncWave.AUTOSCALERS_ROUTES_MONITORS),
  row('traefik.io', 'IngressRoute', SyncWave.AUTOSCALERS_ROUTES_MONITORS),
  row('monitoring.coreos.com', 'ServiceMonitor', SyncWave.AUTOSCALERS_ROUTES_MONITORS),
  row('monitoring.coreos.com', 'PodMonitor', SyncWave.AUTOSCALERS_ROUTES_MONITORS),
  row('monitoring.coreos.com', 'PrometheusRule', SyncWave.AUTOSCALERS_ROUTES_MONITORS),

  row('gateway.envoyproxy.io', 'SecurityPolicy', SyncWave.ROUTE_POLICIES),
  row('gateway.envoyproxy.io', 'BackendTrafficPolicy', SyncWave.ROUTE_POLICIES),
  row('gateway.envoyproxy.io', 'ClientTrafficPolicy', SyncWave.ROUTE_POLICIES),
];

/** `apps/v1` -> `apps`, `v1` -> `''`. */
export function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

/** `Deployment.apps`, `Namespace` (core): how kubectl names a group kind. */
export function groupKindName(gk: GroupKind): string {
  return gk.group === '' ? gk.kind : `${gk.kind}.${gk.group}`;
}

/**
 * A kind → wave lookup: the defaults with your rows on top (a row of yours replaces the
 * default row of the same group and kind).
 */
export class WaveTable {
  /** The default table. */
  public static defaults(): WaveTable {
    return new WaveTable(DEFAULT_KIND_WAVES);
  }

  private readonly exact = new Map<string, KindWave>();
  private readonly wildcard = new Map<string, KindWave>();

  constructor(rows: readonly KindWave[], overrides: readonly KindWave[] = []) {
    for (const r of [...rows, ...overrides]) {
      (r.kind === '*' ? this.wildcard : this.exact).set(r.kind === '*' ? r.group : `${r.group}/${r.kind}`, r);
    }
  }

  /** The wave of a group and kind, or undefined when the table has no row for it. */
  public waveOf(group: string, kind: string): SyncWave | undefined {
    return (this.exact.get(`${group}/${kind}`) ?? this.wildcard.get(group))?.wave;
  }

  /** Every row, in wave order. */
  public get rows(): KindWave[] {
    return [...this.exact.values(), ...this.wildcard.values()].sort((a, b) => a.wave.value - b.wave.value);
  }
}

/**
 * API groups served by the API server itself (no CRD). Anything else is a custom resource
 * whose CRD some other installation provides.
 */
const BUILT_IN_GROUPS = new Set([
  '', 'apps', 'batch', 'autoscaling', 'policy', 'networking.k8s.io', 'rbac.authorization.k8s.io',
  'node.k8s.io', 'scheduling.k8s.io', 'storage.k8s.io', 'apiextensions.k8s.io', 'admissionregistration.k8s.io',
  'coordination.k8s.io', 'discovery.k8s.io', 'certificates.k8s.io', 'flowcontrol.apiserver.k8s.io',
  'apiregistration.k8s.io', 'events.k8s.io', 'authentication.k8s.io', 'authorization.k8s.io', 'resource.k8s.io',
]);

/** True for a group the API server serves without a CRD. */
export function isBuiltInGroup(group: string): boolean {
  return BUILT_IN_GROUPS.has(group);
}

/**
 * The order Argo CD (gitops-engine) applies built-in kinds in within one wave; custom
 * resources come after all of them. Used to accept a dependency inside one wave only when
 * this order already guarantees it.
 */
export const ARGO_CD_KIND_ORDER: readonly string[] = [
  'Namespace', 'NetworkPolicy', 'ResourceQuota', 'LimitRange', 'PodSecurityPolicy', 'PodDisruptionBudget',
  'ServiceAccount', 'Secret', 'SecretList', 'ConfigMap', 'StorageClass', 'PersistentVolume',
  'PersistentVolumeClaim', 'CustomResourceDefinition', 'ClusterRole', 'ClusterRoleList', 'ClusterRoleBinding',
  'ClusterRoleBindingList', 'Role', 'RoleList', 'RoleBinding', 'RoleBindingList', 'Service', 'DaemonSet', 'Pod',
  'ReplicationController', 'ReplicaSet', 'Deployment', 'HorizontalPodAutoscaler', 'StatefulSet', 'Job',
  'CronJob', 'IngressClass', 'Ingress', 'APIService',
];
