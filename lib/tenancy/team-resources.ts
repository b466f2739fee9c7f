/** A namespaced kind a team manages: its API group, kind and RBAC resource. */
export interface TeamManagedResource {
  readonly group: string;
  readonly kind: string;
  /** The plural RBAC names it by. */
  readonly resource: string;
}

/**
 * What a team's functions are made of, and so what its group may change in its own
 * namespaces and its AppProject may deliver: the objects of WasmFunction, the autoscalers
 * and the routes. Left out on purpose: ResourceQuota, LimitRange, Role and RoleBinding (a
 * team could raise its own quota or grant itself more), NetworkPolicy (it could undo the
 * namespace's default deny), Secrets (functions take config from ConfigMaps).
 */
export const TEAM_MANAGED_RESOURCES: readonly TeamManagedResource[] = [
  { group: '', kind: 'ConfigMap', resource: 'configmaps' },
  { group: '', kind: 'Service', resource: 'services' },
  { group: '', kind: 'ServiceAccount', resource: 'serviceaccounts' },
  { group: 'apps', kind: 'Deployment', resource: 'deployments' },
  { group: 'policy', kind: 'PodDisruptionBudget', resource: 'poddisruptionbudgets' },
  { group: 'autoscaling', kind: 'HorizontalPodAutoscaler', resource: 'horizontalpodautoscalers' },
  { group: 'keda.sh', kind: 'ScaledObject', resource: 'scaledobjects' },
  { group: 'http.keda.sh', kind: 'HTTPScaledObject', resource: 'httpscaledobjects' },
  { group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', resource: 'httproutes' },
  { group: 'gateway.envoyproxy.io', kind: 'BackendTrafficPolicy', resource: 'backendtrafficpolicies' },
  { group: 'gateway.envoyproxy.io', kind: 'SecurityPolicy', resource: 'securitypolicies' },
];
