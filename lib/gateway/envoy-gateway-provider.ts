import {
  BackendTrafficPolicy, BackendTrafficPolicySpecRateLimit, BackendTrafficPolicySpecRateLimitGlobalRulesClientSelectors,
  BackendTrafficPolicySpecRateLimitGlobalRulesClientSelectorsHeadersType, BackendTrafficPolicySpecRateLimitGlobalRulesClientSelectorsSourceCidrType,
  BackendTrafficPolicySpecRateLimitGlobalRulesLimitUnit, BackendTrafficPolicySpecRateLimitLocalRulesLimitUnit,
  BackendTrafficPolicySpecRateLimitType, BackendTrafficPolicySpecRetry, BackendTrafficPolicySpecRetryRetryOnTriggers,
} from '../../imports/envoy-gateway-backendtrafficpolicies-gateway.envoyproxy.io';
import { SecurityPolicy } from '../../imports/envoy-gateway-securitypolicies-gateway.envoyproxy.io';
import type { RequestMetrics } from '../core/metrics';
import type { FunctionGateway } from './function-gateway';
import type { IGatewayProvider } from './gateway-provider';
import type { GatewayRoute } from './gateway-route';
import type { RateLimit } from './rate-limit';
import { renderGateway, renderGatewayClass, renderHttpRoute, routeMetadata } from './render-helpers';
import { formatDuration } from './route-policy';

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
   * config's `rateLimit.backend` points at a Redis). Per-client and per-header limits need
   * it: Envoy's local rate limit keeps one bucket per route and proxy replica.
   * @default false
   */
  readonly globalRateLimit?: boolean;
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
 * Metrics: Envoy's default histogram buckets (0.5, 1, 5, 10, 25, 50, 100, ... ms) have no
 * 20 ms boundary, and custom buckets need an EnvoyProxy bootstrap patch this library has
 * no binding for, so `requestMetrics` is undefined: use the functions' own metrics.
 */
export class EnvoyGatewayProvider implements IGatewayProvider {
  public readonly name = 'envoy-gateway';
  public readonly requestMetrics?: RequestMetrics = undefined;
  public readonly gatewayClassName: string;
  public readonly createGatewayClass: boolean;
  public readonly globalRateLimit: boolean;

  constructor(props: EnvoyGatewayProviderProps = {}) {
    this.gatewayClassName = props.gatewayClassName ?? 'envoy-gateway';
    this.createGatewayClass = props.createGatewayClass ?? true;
    this.globalRateLimit = props.globalRateLimit ?? false;
  }

  public renderGateway(gateway: FunctionGateway): void {
    if (this.createGatewayClass) {
      renderGatewayClass(gateway, this.gatewayClassName, 'gateway.envoyproxy.io/gatewayclass-controller',
        'Envoy Gateway in front of the Wasm functions');
    }
    // Envoy Gateway provisions the LoadBalancer Service for the Gateway itself (port 80 to
    // Envoy's 10080: it shifts privileged ports by 10000); a second Service would be a
    // second load balancer.
    renderGateway(gateway, this.gatewayClassName);
  }

  public renderRoute(route: GatewayRoute): void {
    renderHttpRoute(route);
    const targetRefs = [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', name: lazyName(route) }];

    if (route.rateLimit || route.retry || route.requestTimeout) {
      new BackendTrafficPolicy(route, 'TrafficPolicy', {
        metadata: routeMetadata(route),
        spec: {
          targetRefs,
          rateLimit: route.rateLimit ? this.rateLimitOf(route.rateLimit) : undefined,
          retry: route.retry ? retryOf(route) : undefined,
          timeout: route.requestTimeout ? { http: { requestTimeout: formatDuration(route.requestTimeout) } } : undefined,
        },
      });
    }

    if (route.authorize && route.gateway.authorizer) {
      const authorizer = route.gateway.authorizer;
      new SecurityPolicy(route, 'SecurityPolicy', {
        metadata: routeMetadata(route),
        spec: {
          targetRefs,
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

  public checkGateway(_gateway: FunctionGateway): string[] {
    return [];
  }

  public checkRoute(route: GatewayRoute): string[] {
    const errors: string[] = [];
    const limit = route.rateLimit;
    if (limit && limit.key.kind !== 'route' && !this.globalRateLimit) {
      errors.push(`rateLimit keyed by ${limit.key} cannot be enforced by Envoy Gateway without its global rate limit service: its local rate limit keeps one bucket per route and proxy replica. Enable global rate limiting (Redis) in the Envoy Gateway install and set globalRateLimit on GatewayProvider.envoyGateway(), or use RateLimit.global()`);
    }
    if (limit && !bucketUnit(limit)) {
      errors.push(`rateLimit.burst (${limit.burst}) cannot be expressed by Envoy Gateway for averagePerSecond (${limit.averagePerSecond}): its bucket holds one refill period's worth, so burst must be averagePerSecond times 1, 60 or 3600 (${limit.averagePerSecond}, ${limit.averagePerSecond * 60} or ${limit.averagePerSecond * 3600})`);
    }
    return errors;
  }

  private rateLimitOf(limit: RateLimit): BackendTrafficPolicySpecRateLimit | undefined {
    const bucket = bucketUnit(limit);
    if (!bucket) return undefined;
    if (limit.key.kind === 'route') {
      return { type: BackendTrafficPolicySpecRateLimitType.LOCAL, local: { rules: [{ limit: bucket }] } };
    }
    const selector: BackendTrafficPolicySpecRateLimitGlobalRulesClientSelectors = limit.key.kind === 'client-ip'
      ? { sourceCidr: { type: BackendTrafficPolicySpecRateLimitGlobalRulesClientSelectorsSourceCidrType.DISTINCT, value: '0.0.0.0/0' } }
      : { headers: [{ name: limit.key.headerName!, type: BackendTrafficPolicySpecRateLimitGlobalRulesClientSelectorsHeadersType.DISTINCT }] };
    return {
      type: BackendTrafficPolicySpecRateLimitType.GLOBAL,
      global: {
        rules: [{
          clientSelectors: [selector],
          limit: { requests: bucket.requests, unit: bucket.unit as string as BackendTrafficPolicySpecRateLimitGlobalRulesLimitUnit },
        }],
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
