import { Duration } from 'cdk8s';

/**
 * Retries of one route. Retries are only made where the request cannot have reached the
 * function (connection refused or failed, stream refused) or the function answered 503:
 * a function that did the work is never called twice.
 */
export interface RetryPolicy {
  /** Retries after the first attempt, from 1 to 10. */
  readonly attempts: number;
  /**
   * Timeout of each attempt.
   * @default - only the route's requestTimeout bounds the attempts
   */
  readonly perTryTimeout?: Duration;
  /**
   * Base interval of the exponential back-off between attempts.
   * @default - the provider's (Envoy 25ms, Traefik 100ms)
   */
  readonly backoff?: Duration;
}

/** Largest duration the Gateway API and Envoy Gateway duration format can carry (5 digits per unit). */
const MAX_DURATION_MS = 99999 * 1000;

/** `1500ms` or `2s`: the Gateway API / Envoy Gateway duration format. */
export function formatDuration(d: Duration): string {
  const ms = d.toMilliseconds({ integral: false });
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

/** A duration a route can carry: whole milliseconds from 1ms to 99999s. */
export function checkDuration(field: string, d: Duration | undefined): string | undefined {
  if (d === undefined) return undefined;
  const ms = d.toMilliseconds({ integral: false });
  if (!Number.isInteger(ms) || ms < 1 || ms > MAX_DURATION_MS) {
    return `${field} (${ms}ms) must be a whole number of milliseconds from 1ms to 99999s`;
  }
  return undefined;
}

/** Problems of a retry policy. */
export function checkRetry(field: string, retry: RetryPolicy | undefined): string[] {
  if (retry === undefined) return [];
  const errors: (string | undefined)[] = [
    !Number.isInteger(retry.attempts) || retry.attempts < 1 || retry.attempts > 10
      ? `${field}.attempts (${retry.attempts}) must be an integer from 1 to 10 (leave retry out for no retries)`
      : undefined,
    checkDuration(`${field}.perTryTimeout`, retry.perTryTimeout),
    checkDuration(`${field}.backoff`, retry.backoff),
  ];
  return errors.filter((e): e is string => e !== undefined);
}
