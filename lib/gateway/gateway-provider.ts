import type { EdgeMetrics, RequestMetrics } from '../core/metrics';
import type { PlatformPods } from '../core/platform-pods';
import type { FunctionGateway } from './function-gateway';
import type { GatewayRoute } from './gateway-route';

/**
 * A proxy implementation behind {@link FunctionGateway}: it renders the gateway's and each
 * route's objects in its own API, and refuses what it cannot enforce.
 */
export interface IGatewayProvider {
  /** Short name, for messages and labels (for example "envoy-gateway"). */
  readonly name: string;
  /**
   * The proxy's request metrics, when its histogram can tell the platform's latency
   * objectives (10, 20 and 50 ms) apart; undefined when it cannot.
   */
  readonly requestMetrics?: RequestMetrics;
  /**
   * The proxies' per-route upstream response counters of `gateway`, for an edge availability
   * SLI beside the function's own; undefined when the provider exposes none per route.
   */
  edgeMetrics?(gateway: FunctionGateway): EdgeMetrics | undefined;
  /**
   * Proxy replicas that serve the gateway. A rate limit counted per replica admits its
   * average times this in all, which must carry each routed function's planned peak.
   */
  readonly proxyReplicas: number;
  /**
   * The proxy pods this provider makes the cluster run for `gateway`, for the capacity check;
   * undefined (or empty) when the library does not set their count and requests (an install
   * the user sizes, counted in the cluster's `otherWorkloads`).
   */
  proxyPods?(gateway: FunctionGateway): PlatformPods[];
  /**
   * Labels every data-plane (proxy) pod of `gateway` carries: the functions' and the
   * authorizer's NetworkPolicies admit exactly these pods in the gateway's namespace.
   */
  proxyPodLabels(gateway: FunctionGateway): Record<string, string>;
  /** Adds the gateway-level objects (Gateway, edge Service, static configuration) under `gateway`. */
  renderGateway(gateway: FunctionGateway): void;
  /** Adds one route's objects under `route`. Anything that depends on the backend must be read lazily. */
  renderRoute(route: GatewayRoute): void;
  /** Problems of the gateway this provider cannot express. */
  checkGateway(gateway: FunctionGateway): string[];
  /** Problems of the route this provider cannot express or enforce. */
  checkRoute(route: GatewayRoute): string[];
}
