import { RuleKind } from '../policy/admission-rule';

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
export const TEAM_MANAGED_RESOURCES: readonly RuleKind[] = [
  { apiGroup: '', kind: 'ConfigMap', resource: 'configmaps' },
  { apiGroup: '', kind: 'Service', resource: 'services' },
  { apiGroup: '', kind: 'ServiceAccount', resource: 'serviceaccounts' },
  { apiGroup: 'apps', kind: 'Deployment', resource: 'deployments' },
  { apiGroup: 'policy', kind: 'PodDisruptionBudget', resource: 'poddisruptionbudgets' },
  { apiGroup: 'autoscaling', kind: 'HorizontalPodAutoscaler', resource: 'horizontalpodautoscalers' },
  { apiGroup: 'keda.sh', kind: 'ScaledObject', resource: 'scaledobjects' },
  { apiGroup: 'http.keda.sh', kind: 'HTTPScaledObject', resource: 'httpscaledobjects' },
];
