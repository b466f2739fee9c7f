import type { IConstruct } from 'constructs';

/** One route's rate limit held against its function's planned peak. */
export interface RouteLimitCapacity {
  /** `<namespace>/<route name>`. */
  readonly route: string;
  /** The function the route serves (the stable one when it has a canary). */
  readonly functionName: string;
  /** The limit, for people (for example `per proxy replica: 2000/s`); undefined without a limit. */
  readonly limit?: string;
  /** What the limit admits in all, in requests per second; undefined when it bounds clients, not the route. */
  readonly ceilingPerSecond?: number;
  /** The function's planned peak, in requests per second; undefined without a capacity plan. */
  readonly plannedPeakRequestsPerSecond?: number;
  /** The route states that its limit sheds traffic below the planned peak. */
  readonly shedsAbovePlan: boolean;
}

/** A gateway's proxies and route limits, as the capacity report shows them. */
export interface GatewayCapacity {
  /** Construct path of the gateway. */
  readonly path: string;
  /** `<namespace>/<gateway name>`. */
  readonly gateway: string;
  /** The proxy implementation (for example "envoy-gateway"). */
  readonly provider: string;
  /** Proxy replicas serving the gateway. */
  readonly proxyReplicas: number;
  readonly routes: readonly RouteLimitCapacity[];
}

/**
 * Something at the edge (a `FunctionGateway`) that describes its capacity to the capacity
 * report, which lives in another part of the library and must not depend on the gateway.
 */
export interface IGatewayCapacitySource extends IConstruct {
  /** The gateway's proxies and route limits, read at synth. */
  gatewayCapacity(): GatewayCapacity;
}

/** The gateway capacity sources among `constructs`. */
export function gatewayCapacitySources(constructs: readonly IConstruct[]): IGatewayCapacitySource[] {
  return constructs.filter((c): c is IGatewayCapacitySource => typeof (c as Partial<IGatewayCapacitySource>).gatewayCapacity === 'function');
}
