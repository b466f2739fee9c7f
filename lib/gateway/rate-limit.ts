import { oneLine } from '../core/names';

/** What a rate limit counts requests by. */
export class RateLimitKey {
  /** One bucket per client IP address (the TCP peer the proxy sees). */
  public static readonly CLIENT_IP = new RateLimitKey('client-ip');
  /** One bucket for the whole route, shared by every client. */
  public static readonly ROUTE = new RateLimitKey('route');

  /** One bucket per distinct value of a request header (an API key or a user id set upstream). */
  public static header(name: string): RateLimitKey {
    return new RateLimitKey('header', name);
  }

  private constructor(
    /** The kind of key. */
    public readonly kind: 'client-ip' | 'header' | 'route',
    /** The header whose value is the key, for `header`. */
    public readonly headerName?: string,
  ) {}

  /** For messages: `client-ip`, `route` or `header "x-api-key"`. */
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
 * `averagePerSecond`, counted per client, per header value or for the whole route.
 * Requests over the limit are answered 429 by the gateway and never reach the function.
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

  /** One bucket for the route, shared by all clients. */
  public static global(options: RateLimitOptions): RateLimit {
    return new RateLimit(RateLimitKey.ROUTE, options);
  }

  /** What requests are counted by. */
  public readonly key: RateLimitKey;
  /** Requests per second. */
  public readonly averagePerSecond: number;
  /** Bucket size, in requests. */
  public readonly burst: number;

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
