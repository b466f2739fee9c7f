import {
  BackendTrafficPolicySpecRateLimit, BackendTrafficPolicySpecRateLimitGlobalRulesClientSelectors,
  BackendTrafficPolicySpecRateLimitGlobalRulesClientSelectorsHeadersType, BackendTrafficPolicySpecRateLimitGlobalRulesClientSelectorsSourceCidrType,
  BackendTrafficPolicySpecRateLimitGlobalRulesLimitUnit, BackendTrafficPolicySpecRateLimitLocalRulesLimitUnit,
  BackendTrafficPolicySpecRateLimitType, BackendTrafficPolicySpecRetry, BackendTrafficPolicySpecRetryRetryOnTriggers,
} from '../../imports/envoy-gateway-backendtrafficpolicies-gateway.envoyproxy.io';
import type { EdgeMetrics, RequestMetrics } from '../core/metrics';
import type { PlatformPods } from '../core/platform-pods';
import { oneLine } from '../core/names';
import { parseQuantity } from '../core/quantity';
import type { FunctionGateway } from './function-gateway';
import type { IGatewayProvider } from './gateway-provider';
import { VERIFIED_SUBJECT_HEADER, type GatewayRoute } from './gateway-route';
import {
  checkEnvoyProxyResources, DEFAULT_ENVOY_PROXY_RESOURCES, EnvoyProxyResources, renderEnvoyProxy,
} from './envoy-proxy';
import type { RateLimit } from './rate-limit';
import { gatewayMetadata, renderGateway, renderGatewayClass, renderHttpRoute, routeMetadata } from './render-helpers';
import { formatDuration } from './route-policy';
import * as plain from '../synth/plain-bindings';

/** Props for {@link EnvoyGatewayProvider}. */
export interface EnvoyGatewayProviderProps {
  /**
   * Name of the GatewayClass the Gateway uses.
   * @default "envoy-gateway"
   */
  readonly gatewayClassName?: string;
  /**
   * Emit the GatewayClass (cluster-scoped). Turn off when the install already provides one.
   * @default true
   */
  readonly createGatewayClass?: boolean;
  /**
   * Envoy Gateway's global rate limiting is enabled in its install (the `EnvoyGateway`
   * config's `rateLimit.backend` points at a Redis). Per-client, per-header and route-wide
   * limits need it: Envoy's local rate limit keeps one bucket per route and proxy replica.
   * This library cannot configure the Envoy Gateway controller itself: the flag states
   * what its install does.
   * @default false
   */
  readonly globalRateLimit?: boolean;
  /**
   * Envoy replicas Envoy Gateway runs for each Gateway of the class, set in the EnvoyProxy
   * the emitted GatewayClass names in its `parametersRef`. Per-proxy-replica rate limits
   * admit their average times this in all. With `createGatewayClass: false` no EnvoyProxy
   * is emitted and this states what the install's own GatewayClass runs.
   * @default - 2 with the emitted EnvoyProxy, so one node failure or rollout never leaves the edge without a proxy; 1 (Envoy Gateway's own default) with `createGatewayClass: false`
   */
  readonly proxyReplicas?: number;
  /**
   * Resources of each Envoy container, in the emitted EnvoyProxy.
   * @default - 1 CPU and 512Mi requested, a 1Gi memory limit and no CPU limit
   */
  readonly proxyResources?: EnvoyProxyResources;
  /**
   * Labels of the Envoy pods Envoy Gateway runs for a Gateway, which the functions' and the
   * authorizer's NetworkPolicies admit. Envoy Gateway 1.2 puts `app.kubernetes.io/name: envoy`,
   * `app.kubernetes.io/component: proxy`, `app.kubernetes.io/managed-by: envoy-gateway` and the
   * owning Gateway's `gateway.envoyproxy.io/owning-gateway-name` / `-namespace` on them; the
   * owning-gateway pair keeps another Gateway's Envoys (same controller) out.
   * @default - those five labels, for the gateway's name and namespace
   */
  readonly proxyPodLabels?: Record<string, string>;
}

/** Envoy's token bucket refills `requests` every `unit`, so burst / average picks the unit. */
const UNITS: readonly { seconds: number; unit: BackendTrafficPolicySpecRateLimitLocalRulesLimitUnit }[] = [
  { seconds: 1, unit: BackendTrafficPolicySpecRateLimitLocalRulesLimitUnit.SECOND },
  { seconds: 60, unit: BackendTrafficPolicySpecRateLimitLocalRulesLimitUnit.MINUTE },
  { seconds: 3600, unit: BackendTrafficPolicySpecRateLimitLocalRulesLimitUnit.HOUR },
];

function bucketUnit(limit: RateLimit): { requests: number; unit: BackendTrafficPolicySpecRateLimitLocalRulesLimitUnit } | undefined {
  const match = UNITS.find((u) => limit.burst === limit.averagePerSecond * u.seconds);
  return match ? { requests: limit.burst, unit: match.unit } : undefined;
}

/**
 * Envoy Gateway (v1.2, Gateway API): Gateway + HTTPRoute, rate limits, retries and
 * timeouts in a BackendTrafficPolicy, and OPA authorization through a SecurityPolicy whose
 * `extAuth.grpc` calls OPA's Envoy plugin (ext_authz) directly: the only provider here that
 * really enforces an OPA decision.
 *
 * Requirements: Envoy Gateway installed with its controller in the gateway's namespace, so
 * the Envoy pods (and the LoadBalancer Service it creates for the Gateway) run there, where
 * the functions' NetworkPolicies admit them.
 *
 * Proxies: the GatewayClass names an `EnvoyProxy` in the gateway's namespace (Envoy Gateway
 * reads it only in its controller's namespace) that sets the Envoy replicas and resources.
 *
 * Metrics: Envoy's default histogram buckets (0.5, 1, 5, 10, 25, 50, 100, ... ms) have no
 * 20 ms boundary, and custom buckets need an EnvoyProxy bootstrap patch this library does
 * not write, so `requestMetrics` is undefined: use the functions' own metrics.
 * `edgeMetrics` are Envoy's per-route-cluster upstream response counters, for an edge
 * availability objective beside the function's own (see {@link ENVOY_EDGE_METRICS}).
 */
export class EnvoyGatewayProvider implements IGatewayProvider {
  public readonly name = 'envoy-gateway';
  public readonly requestMetrics?: RequestMetrics = undefined;
  public readonly gatewayClassName: string;
  public readonly createGatewayClass: boolean;
  public readonly globalRateLimit: boolean;
  public readonly proxyReplicas: number;
  /** Resources of each Envoy container, resolved. */
  public readonly proxyResources: Required<EnvoyProxyResources>;
  private readonly proxyResourcesGiven: boolean;
  private readonly proxyLabelsOverride?: Record<string, string>;

  constructor(props: EnvoyGatewayProviderProps = {}) {
    this.gatewayClassName = props.gatewayClassName ?? 'envoy-gateway';
    this.createGatewayClass = props.createGatewayClass ?? true;
    this.globalRateLimit = props.globalRateLimit ?? false;
    this.proxyReplicas = props.proxyReplicas ?? (this.createGatewayClass ? 2 : 1);
    this.proxyResources = { ...DEFAULT_ENVOY_PROXY_RESOURCES, ...props.proxyResources };
    this.proxyResourcesGiven = props.proxyResources !== undefined;
    this.proxyLabelsOverride = props.proxyPodLabels;
  }

  /** Name of the emitted EnvoyProxy: the class's, whose parameters it holds. */
  public get envoyProxyName(): string {
    return `${this.gatewayClassName}-proxy`;
  }

  /**
   * The Envoy pods the emitted EnvoyProxy asks for, plus the surge of their rollout (Envoy
   * Gateway's proxy Deployment keeps the Kubernetes default maxSurge of 25 %): only when this
   * provider emits the EnvoyProxy, since otherwise the install decides them.
   */
  public proxyPods(gateway: FunctionGateway): PlatformPods[] {
    if (!this.createGatewayClass) return [];
    const surge = Math.ceil(this.proxyReplicas * 0.25);
    return [{
      component: 'Envoy Gateway proxies',
      key: `${gateway.namespace}/${this.envoyProxyName}`,
      pods: this.proxyReplicas + surge,
      cpuRequestCores: parseQuantity(this.proxyResources.cpuRequest) ?? 0,
      memoryRequestBytes: parseQuantity(this.proxyResources.memoryRequest) ?? 0,
      source: `EnvoyProxy replicas ${this.proxyReplicas} + ${surge} surge`,
    }];
  }

  /**
   * Envoy's upstream response counters of each route's cluster. Envoy Gateway 1.2 names the
   * cluster of an HTTPRoute rule `httproute/<namespace>/<name>/rule/<index>` and serves
   * Envoy's stats at `/stats/prometheus` on the proxy container's port `metrics` (19001,
   * unless an EnvoyProxy disables Prometheus). A canary split shares its route's cluster, so
   * the counters belong to the route's primary function only.
   */
  public edgeMetrics(gateway: FunctionGateway): EdgeMetrics {
    return {
      ...ENVOY_EDGE_METRICS,
      proxies: { namespace: gateway.namespace, podLabels: this.proxyPodLabels(gateway) },
      routeMatchers: (target) => {
        const names = gateway.routes
          .filter((r) => r.function.name === target.name && r.function.namespace === target.namespace)
          // Namespace and route name are DNS labels (checked by the route): no regex metacharacter.
          .map((r) => `httproute/${r.namespace}/${r.resourceName}/rule/[0-9]+`);
        return names.length === 0 ? undefined : `envoy_cluster_name=~"${[...new Set(names)].join('|')}"`;
      },
    };
  }

  public proxyPodLabels(gateway: FunctionGateway): Record<string, string> {
    return this.proxyLabelsOverride ? { ...this.proxyLabelsOverride } : envoyPodLabels(gateway);
  }

  public renderGateway(gateway: FunctionGateway): void {
    if (this.createGatewayClass) {
      // The GatewayClass is where Envoy Gateway 1.2 reads an EnvoyProxy from: without it the
      // replica count would never reach the Envoy Deployment.
      renderEnvoyProxy(gateway, 'EnvoyProxy', {
        name: this.envoyProxyName,
        namespace: gateway.namespace,
        labels: gatewayMetadata(gateway).labels ?? {},
        replicas: this.proxyReplicas,
        resources: this.proxyResources,
      });
      renderGatewayClass(gateway, this.gatewayClassName, 'gateway.envoyproxy.io/gatewayclass-controller',
        'Envoy Gateway in front of the Wasm functions', undefined,
        { group: 'gateway.envoyproxy.io', kind: 'EnvoyProxy', name: this.envoyProxyName, namespace: gateway.namespace });
    }
    // Envoy Gateway provisions the LoadBalancer Service for the Gateway itself (port 80 to
    // Envoy's 10080: it shifts privileged ports by 10000); a second Service would be a
    // second load balancer.
    renderGateway(gateway, this.gatewayClassName);
  }

  public renderRoute(route: GatewayRoute): void {
    renderHttpRoute(route);
    const targetRefs = [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', name: lazyName(route) }];

    if (route.rateLimit || route.perUserRateLimit || route.retry || route.requestTimeout) {
      new plain.BackendTrafficPolicy(route, 'TrafficPolicy', {
        metadata: routeMetadata(route),
        spec: {
          targetRefs,
          rateLimit: this.rateLimitOfRoute(route),
          retry: route.retry ? retryOf(route) : undefined,
          timeout: route.requestTimeout ? { http: { requestTimeout: formatDuration(route.requestTimeout) } } : undefined,
        },
      });
    }

    if (route.authorize && route.gateway.authorizer) {
      const authorizer = route.gateway.authorizer;
      const jwt = route.perUserRateLimit ? authorizer.verifiedJwt : undefined;
      new plain.SecurityPolicy(route, 'SecurityPolicy', {
        metadata: routeMetadata(route),
        spec: {
          targetRefs,
          // Only where a per-user limit needs a verified subject: Envoy's JWT filter checks the
          // token against the same issuer and JWKS as OPA, refuses requests without a valid one
          // (401), and sets the header from the verified `sub`, replacing any client copy,
          // before the rate limit filter reads it. OPA still decides the roles.
          jwt: jwt ? {
            providers: [{
              name: 'verified-user',
              issuer: jwt.issuer,
              audiences: jwt.audience !== undefined ? [jwt.audience] : undefined,
              remoteJwks: { uri: jwt.jwksUrl },
              claimToHeaders: [{ claim: 'sub', header: VERIFIED_SUBJECT_HEADER }],
            }],
          } : undefined,
          extAuth: {
            grpc: {
              backendRefs: [{
                group: '',
                kind: 'Service',
                name: authorizer.serviceName,
                namespace: authorizer.namespace,
                port: authorizer.grpcPort,
              }],
            },
            // Fail closed: when OPA cannot be reached the request is refused, never let through.
            failOpen: false,
          },
        },
      });
    }
  }

  public checkGateway(gateway: FunctionGateway): string[] {
    const errors = checkEnvoyProxyResources(this.proxyResources);
    // With the EnvoyProxy this provider emits (which adds no pod labels), the Envoy pods carry
    // exactly Envoy Gateway's own labels: an override naming any other would select no proxy,
    // and every function would refuse the gateway's traffic.
    if (this.proxyLabelsOverride && this.createGatewayClass) {
      const own = envoyPodLabels(gateway);
      const foreign = Object.entries(this.proxyLabelsOverride).filter(([k, v]) => own[k] !== v);
      if (foreign.length > 0) {
        errors.push(`proxyPodLabels ${foreign.map(([k, v]) => `${oneLine(k)}=${oneLine(v)}`).join(', ')} select no pod Envoy Gateway runs for Gateway ${gateway.namespace}/${gateway.name}: with the EnvoyProxy this provider emits, its Envoy pods carry only ${Object.entries(own).map(([k, v]) => `${k}=${v}`).join(', ')}; name a subset of those, or leave proxyPodLabels out`);
      }
    }
    if (this.proxyResourcesGiven && !this.createGatewayClass) {
      errors.push('proxyResources is set but createGatewayClass is false: the resources go in the EnvoyProxy the emitted GatewayClass names, and none is emitted; set them in the EnvoyProxy of the install\'s GatewayClass, or let this provider create the GatewayClass');
    }
    return errors;
  }

  public checkRoute(route: GatewayRoute): string[] {
    const errors: string[] = [];
    const limit = route.rateLimit;
    if (limit && limit.key.kind !== 'route' && !this.globalRateLimit) {
      errors.push(`rateLimit keyed by ${limit.key} cannot be enforced by Envoy Gateway without its global rate limit service: its local rate limit keeps one bucket per route and proxy replica. Enable global rate limiting (Redis) in the Envoy Gateway install and set globalRateLimit on GatewayProvider.envoyGateway(), or use RateLimit.perProxyReplica()`);
    }
    for (const [field, l] of [['rateLimit', limit], ['perUserRateLimit', route.perUserRateLimit]] as const) {
      if (l && !bucketUnit(l)) {
        errors.push(`${field}.burst (${l.burst}) cannot be expressed by Envoy Gateway for averagePerSecond (${l.averagePerSecond}): its bucket holds one refill period's worth, so burst must be averagePerSecond times 1, 60 or 3600 (${l.averagePerSecond}, ${l.averagePerSecond * 60} or ${l.averagePerSecond * 3600})`);
      }
    }
    if (route.perUserRateLimit) {
      if (!this.globalRateLimit) {
        errors.push('perUserRateLimit cannot be enforced by Envoy Gateway without its global rate limit service: a bucket per user needs a Distinct header match, which its local rate limit does not support. Enable global rate limiting (Redis) in the Envoy Gateway install and set globalRateLimit on GatewayProvider.envoyGateway()');
      }
      if (limit?.key.kind === 'route') {
        errors.push(`perUserRateLimit and a per-proxy-replica rateLimit cannot share the route: Envoy Gateway 1.2 takes one rate-limit type per BackendTrafficPolicy and the per-user limit is Global; make rateLimit RateLimit.routeWide() (${limit.averagePerSecond * this.proxyReplicas} requests/s for ${this.proxyReplicas} replicas admits the same in all)`);
      }
      const authorizer = route.gateway.authorizer;
      if (route.authorize && authorizer && authorizer.verifiedJwt === undefined) {
        errors.push(`perUserRateLimit needs the gateway to verify the caller's JWT (only a verified subject may key the limit: a header from an unverified token is forgeable), but authorizer ${oneLine(authorizer.namespace)}/${oneLine(authorizer.serviceName)} names no JWT issuer with a JWKS URL for the gateway to verify against: give its policy RequestIdentity.jwt({ issuer, jwksUrl })`);
      }
    }
    return errors;
  }

  /** The route's limit and its per-user limit, which Envoy Gateway counts together as Global rules. */
  private rateLimitOfRoute(route: GatewayRoute): BackendTrafficPolicySpecRateLimit | undefined {
    const perUser = route.perUserRateLimit ? this.rateLimitOf(route.perUserRateLimit) : undefined;
    const routeLimit = route.rateLimit ? this.rateLimitOf(route.rateLimit) : undefined;
    if (!perUser) return routeLimit;
    if (routeLimit && routeLimit.type !== BackendTrafficPolicySpecRateLimitType.GLOBAL) return undefined;
    return {
      type: BackendTrafficPolicySpecRateLimitType.GLOBAL,
      global: { rules: [...(routeLimit?.global?.rules ?? []), ...(perUser.global?.rules ?? [])] },
    };
  }

  private rateLimitOf(limit: RateLimit): BackendTrafficPolicySpecRateLimit | undefined {
    const bucket = bucketUnit(limit);
    if (!bucket) return undefined;
    if (limit.key.kind === 'route') {
      return { type: BackendTrafficPolicySpecRateLimitType.LOCAL, local: { rules: [{ limit: bucket }] } };
    }
    const globalLimit = { requests: bucket.requests, unit: bucket.unit as string as BackendTrafficPolicySpecRateLimitGlobalRulesLimitUnit };
    if (limit.key.kind === 'route-wide') {
      // No client selector: one counter in the rate-limit service for all the route's traffic.
      return { type: BackendTrafficPolicySpecRateLimitType.GLOBAL, global: { rules: [{ limit: globalLimit }] } };
    }
    const selector: BackendTrafficPolicySpecRateLimitGlobalRulesClientSelectors = limit.key.kind === 'client-ip'
      ? { sourceCidr: { type: BackendTrafficPolicySpecRateLimitGlobalRulesClientSelectorsSourceCidrType.DISTINCT, value: '0.0.0.0/0' } }
      : { headers: [{ name: limit.key.headerName!, type: BackendTrafficPolicySpecRateLimitGlobalRulesClientSelectorsHeadersType.DISTINCT }] };
    return {
      type: BackendTrafficPolicySpecRateLimitType.GLOBAL,
      global: {
        rules: [{ clientSelectors: [selector], limit: globalLimit }],
      },
    };
  }
}

function lazyName(route: GatewayRoute): string {
  return routeMetadata(route).name!;
}

function retryOf(route: GatewayRoute): BackendTrafficPolicySpecRetry {
  const retry = route.retry!;
  return {
    numRetries: retry.attempts,
    retryOn: {
      // Only failures where the function cannot have done the work, and 503 (not ready).
      triggers: [
        BackendTrafficPolicySpecRetryRetryOnTriggers.CONNECT_HYPHEN_FAILURE,
        BackendTrafficPolicySpecRetryRetryOnTriggers.REFUSED_HYPHEN_STREAM,
        BackendTrafficPolicySpecRetryRetryOnTriggers.RETRIABLE_HYPHEN_STATUS_HYPHEN_CODES,
      ],
      httpStatusCodes: [503],
    },
    perRetry: retry.perTryTimeout || retry.backoff ? {
      timeout: retry.perTryTimeout ? formatDuration(retry.perTryTimeout) : undefined,
      backOff: retry.backoff ? { baseInterval: formatDuration(retry.backoff) } : undefined,
    } : undefined,
  };
}

/**
 * The labels Envoy Gateway 1.2 puts on the Envoy pods of `gateway` (its infrastructure
 * provider's envoyLabels and owning-gateway labels).
 */
function envoyPodLabels(gateway: FunctionGateway): Record<string, string> {
  return {
    'app.kubernetes.io/component': 'proxy',
    'app.kubernetes.io/managed-by': 'envoy-gateway',
    'app.kubernetes.io/name': 'envoy',
    'gateway.envoyproxy.io/owning-gateway-name': gateway.name,
    'gateway.envoyproxy.io/owning-gateway-namespace': gateway.namespace,
  };
}

/**
 * Envoy's per-cluster upstream response counter as its Prometheus output names it
 * (`cluster.<name>.upstream_rq_<class>xx` with the class and cluster name extracted as labels).
 * Envoy's router charges it once per request that reached the cluster, with the code the
 * client got from the cluster: the upstream's, or the 503/504 Envoy makes up for a reset,
 * refused connection, timeout or no healthy endpoint. A response that is retried is charged to
 * `cluster.<name>.retry.upstream_rq_<code>` instead, so a request retried into a success counts
 * once, as a success. `upstream_rq_total` is not the denominator: it counts attempts on a pool
 * connection, so it includes retries and leaves out "no healthy upstream".
 */
export const ENVOY_EDGE_METRICS: Omit<EdgeMetrics, 'proxies' | 'routeMatchers'> = {
  source: 'envoy-gateway',
  scrapePort: 'metrics',
  scrapePath: '/stats/prometheus',
  responsesTotal: 'envoy_cluster_upstream_rq_xx',
  errorMatcher: 'envoy_response_code_class="5"',
};
