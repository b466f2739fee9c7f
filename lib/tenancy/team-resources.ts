/** A namespaced kind a team manages: its API group, kind and RBAC resource. */
export interface TeamManagedResource {
  readonly group: string;
  readonly kind: string;
  /** The plural RBAC names it by. */
  readonly resource: string;
}

/**
 * What a team's functions are made of, and so what its group may change in its own
 * namespaces and its AppProject may deliver: the objects of WasmFunction and the
 * autoscalers. Left out on purpose: ResourceQuota, LimitRange, Role and RoleBinding (a team
 * could raise its own quota or grant itself more), NetworkPolicy (it could undo the
 * namespace's default deny), Secrets (functions take config from ConfigMaps), and the routes
 * with their policies (HTTPRoute, BackendTrafficPolicy, SecurityPolicy): they carry the
 * gateway's rate limits and request authorization, which a team must not drop, and a route
 * of a function scaled to zero lives in the KEDA interceptor's namespace, not the team's.
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
];
