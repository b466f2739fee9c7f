import { Chart } from 'cdk8s';
import {
  AdmissionRule, AdmissionRules, OpaAuthorizer, PolicyBundle, RequestAuthorizationPolicy, RequestIdentity,
  RequestQuota,
} from '../lib';
import { PlatformCore } from './core';
import { NAMESPACES } from './namespaces';
import { FUNCTION_REGISTRY } from './registries';
import { TEAMS } from './teams';

export { FUNCTION_REGISTRY } from './registries';

/**
 * The reference platform's admission rules: the platform's, and per team an allowed-repos
 * rule holding its namespaces to its own registry path (the platform-wide rule admits any
 * function under FUNCTION_REGISTRY, another team's included).
 */
export function referenceRules(): AdmissionRule[] {
  const platform = AdmissionRules.platformDefaults({
    allowedRepos: [FUNCTION_REGISTRY],
    gatewayNamespaces: [NAMESPACES.gateway],
    // The seed's 100m/64Mi is the function default; search and checkout are sized up to
    // 200m/128Mi in the catalog, so the ceiling admits the largest reviewed sizing.
    cpuLimitCeiling: '200m',
    memoryLimitCeiling: '128Mi',
    maxReplicas: 5000,
    // Grafana Alloy (hostPath /var/log) and kube-prometheus-stack's node exporter (host
    // network and PID, /proc and /sys) run there; the README tells users to install them.
    nodeAgentNamespaces: [NAMESPACES.monitoring],
  });
  return [...platform, ...Object.values(TEAMS).map((team) => AdmissionRules.teamAllowedRepos(team))];
}

/** The reference platform's request-authorization policy: the seed's, on a verified JWT. */
export function referenceAuthorizationPolicy(): RequestAuthorizationPolicy {
  return RequestAuthorizationPolicy.seed(
    RequestIdentity.jwt({
      issuer: 'https://auth.shop.example.com/',
      audience: 'api.shop.example.com',
      roleClaim: 'role',
      jwksUrl: 'https://auth.shop.example.com/.well-known/jwks.json',
    }),
    RequestQuota.enforcedByGateway(),
  );
}

/** What the policy section of the reference platform created. */
export interface PolicySection {
  /** The OPA request authorizer the gateway calls. */
  readonly authorizer: OpaAuthorizer;
  /** The admission policies. */
  readonly bundle: PolicyBundle;
  /** Chart of the ConstraintTemplates and Gatekeeper's Config: apply before `constraintsChart`. */
  readonly templatesChart: Chart;
  /** Chart of the constraints: their kinds exist only once Gatekeeper has processed the templates. */
  readonly constraintsChart: Chart;
  /** Chart of the OPA request authorizer (namespace `opa`). */
  readonly authorizerChart: Chart;
}

/**
 * Adds the policy section: Gatekeeper admission policies for the platform, and OPA deciding
 * requests for the gateway with the seed's policy.
 */
export function addPolicy(core: PlatformCore): PolicySection {
  const templatesChart = new Chart(core.app, 'AdmissionPolicies');
  const constraintsChart = new Chart(core.app, 'AdmissionConstraints');
  const bundle = new PolicyBundle(templatesChart, 'Bundle', {
    rules: referenceRules(),
    constraintScope: constraintsChart,
  });

  const authorizerChart = new Chart(core.app, 'RequestAuthorization', { namespace: 'opa' });
  const authorizer = new OpaAuthorizer(authorizerChart, 'Opa', {
    policy: referenceAuthorizationPolicy(),
    // The seed names OPA by its tag (openpolicyagent/opa:0.60.0-envoy) and this repository
    // has no digest of it recorded yet: accepted knowingly, until the image is mirrored and pinned.
    allowMutableTag: true,
    // auth.shop.example.com's published egress range (a documentation range here): OPA may
    // fetch the JWKS there on 443 and reach nothing else outside the cluster.
    jwksCidrs: ['203.0.113.0/24'],
  });

  return { authorizer, bundle, templatesChart, constraintsChart, authorizerChart };
}
