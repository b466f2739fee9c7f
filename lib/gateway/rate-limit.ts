import { oneLine } from '../core/names';

/** What a rate limit counts requests by. */
export class RateLimitKey {
  /** One bucket per client IP address (the TCP peer the proxy sees). */
  public static readonly CLIENT_IP = new RateLimitKey('client-ip');
  /**
   * One bucket for the route in each proxy replica, shared by every client: the proxy counts
   * in its own memory, so the route admits this limit times the proxy replicas in all.
   */
  public static readonly ROUTE = new RateLimitKey('route');
  /**
   * One bucket for the whole route, shared by every client and every proxy replica: the
   * proxies ask a rate-limit service (Envoy Gateway's, backed by Redis) for each request.
   */
  public static readonly ROUTE_WIDE = new RateLimitKey('route-wide');

  /** One bucket per distinct value of a request header (an API key or a user id set upstream). */
  public static header(name: string): RateLimitKey {
    return new RateLimitKey('header', name);
  }

  private constructor(
    /** The kind of key. */
    public readonly kind: 'client-ip' | 'header' | 'route' | 'route-wide',
    /** The header whose value is the key, for `header`. */
    public readonly headerName?: string,
  ) {}

  /** For messages: `client-ip`, `route`, `route-wide` or `header "x-api-key"`. */
  public toString(): string {
    return this.kind === 'header' ? `header "${oneLine(this.headerName ?? '')}"` : this.kind;
  }
}

/** The numbers of a {@link RateLimit}. */
export interface RateLimitOptions {
  /** Sustained rate each bucket refills at, in requests per second. */
  readonly averagePerSecond: number;
  /**
   * Largest number of requests a bucket admits at once (token bucket size).
   * @default - equal to averagePerSecond (one second's worth)
   */
  readonly burst?: number;
}

/**
 * A per-route rate limit: a token bucket of `burst` requests refilled at
 * `averagePerSecond`, counted per client, per header value, per proxy replica for the
 * whole route, or once for the whole route across every replica. Requests over the limit
 * are answered 429 by the gateway and never reach the function.
 */
export class RateLimit {
  /** A bucket per client IP. */
  public static perClient(options: RateLimitOptions): RateLimit {
    return new RateLimit(RateLimitKey.CLIENT_IP, options);
  }

  /** A bucket per distinct value of request header `name`. */
  public static perHeader(name: string, options: RateLimitOptions): RateLimit {
    return new RateLimit(RateLimitKey.header(name), options);
  }

  /**
   * One bucket for the route in each proxy replica (Envoy's local rate limit, Traefik's
   * RateLimit middleware, Kong's `policy: local`), shared by all clients. Nothing is shared
   * between replicas, so the route admits `averagePerSecond` times the proxy replicas in
   * all; a route whose function has a capacity plan must admit its planned peak that way
   * (see `GatewayRouteOptions.shedsAbovePlan`). Needs no service beside the proxy.
   */
  public static perProxyReplica(options: RateLimitOptions): RateLimit {
    return new RateLimit(RateLimitKey.ROUTE, options);
  }

  /**
   * @deprecated Misnamed: it is a per-proxy-replica limit, not a global one (each replica
   * keeps its own bucket). Use {@link RateLimit.perProxyReplica}, which it equals, or
   * {@link RateLimit.routeWide} for one bucket shared by every replica.
   */
  public static global(options: RateLimitOptions): RateLimit {
    return RateLimit.perProxyReplica(options);
  }

  /**
   * One bucket for the whole route, shared by all clients and every proxy replica: the
   * route admits `averagePerSecond` in all, however many replicas run. Envoy Gateway only
   * (`type: Global`): it needs Envoy Gateway's rate-limit service, which the Envoy Gateway
   * install must run with a Redis backend (`rateLimit.backend` in its `EnvoyGateway`
   * config), declared with `globalRateLimit` on `GatewayProvider.envoyGateway()`. Each
   * request costs a call to that service, and when it cannot be reached Envoy lets the
   * request through unless the install sets `rateLimit.failClosed`.
   */
  public static routeWide(options: RateLimitOptions): RateLimit {
    return new RateLimit(RateLimitKey.ROUTE_WIDE, options);
  }

  /** What requests are counted by. */
  public readonly key: RateLimitKey;
  /** Requests per second. */
  public readonly averagePerSecond: number;
  /** Bucket size, in requests. */
  public readonly burst: number;

  /** For people: `per proxy replica: 2000/s`, `route-wide: 100000/s`, `per client-ip: 50/s` (with a burst when it is not one second's worth). */
  public describe(): string {
    const scope = this.key.kind === 'route' ? 'per proxy replica' : this.key.kind === 'route-wide' ? 'route-wide' : `per ${this.key}`;
    const burst = this.burst === this.averagePerSecond ? '' : `, burst ${this.burst}`;
    return `${scope}: ${this.averagePerSecond}/s${burst}`;
  }

  /**
   * What the route admits in all when `proxyReplicas` proxies serve it, in requests per
   * second: the average times the replicas for a per-replica limit, the average for a
   * route-wide one; undefined for per-client and per-header limits, which bound each client
   * and not the route.
   */
  public routeCeilingPerSecond(proxyReplicas: number): number | undefined {
    switch (this.key.kind) {
      case 'route': return this.averagePerSecond * proxyReplicas;
      case 'route-wide': return this.averagePerSecond;
      default: return undefined;
    }
  }

  private constructor(key: RateLimitKey, options: RateLimitOptions) {
    this.key = key;
    this.averagePerSecond = options.averagePerSecond;
    this.burst = options.burst ?? options.averagePerSecond;
  }

  /** Problems with the numbers, each naming `field`. */
  public check(field: string): string[] {
    const errors: string[] = [];
    if (!Number.isInteger(this.averagePerSecond) || this.averagePerSecond <= 0) {
      errors.push(`${field}.averagePerSecond (${this.averagePerSecond}) must be a positive integer number of requests per second: a limit of zero or less would refuse every request (remove the rate limit instead)`);
    }
    if (!Number.isInteger(this.burst) || this.burst <= 0) {
      errors.push(`${field}.burst (${this.burst}) must be a positive integer number of requests`);
    }
    if (this.key.kind === 'header' && !/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(this.key.headerName ?? '')) {
      errors.push(`${field} header name "${oneLine(this.key.headerName ?? '')}" is not a valid HTTP header name (letters, digits and !#$%&'*+.^_\`|~-)`);
    }
    return errors;
  }
}
