/**
 * The seam between what measures requests (the functions themselves, or the gateway in
 * front of them) and what consumes the measurements (autoscaling queries, SLO rules,
 * dashboards). A provider describes its metric names and how to select one function's
 * series; consumers never hard-code metric names.
 */

/**
 * Seconds between scrapes when nothing says otherwise: kube-prometheus-stack's default, and
 * the ObservabilityStack's. Consumers of scraped metrics (rate windows, reaction times)
 * count with the interval really used, never with a guess of their own.
 */
export const DEFAULT_SCRAPE_INTERVAL_SECONDS = 30;

/** The identity of a function as metrics see it. */
export interface MetricsTarget {
  /** Function name. */
  readonly name: string;
  /** Function namespace. */
  readonly namespace: string;
}

/** Request metrics of one source (function SDK, Traefik, Kong, Envoy Gateway, ...). */
export interface RequestMetrics {
  /** Short name of the source, for docs and dashboards (for example "function-sdk", "envoy-gateway"). */
  readonly source: string;
  /** Counter of completed requests. */
  readonly requestsTotal: string;
  /** Histogram of request duration, without the `_bucket`/`_sum`/`_count` suffix. */
  readonly durationHistogram: string;
  /** Unit of the histogram's `le` boundaries. */
  readonly durationUnit: 'seconds' | 'milliseconds';
  /** The histogram's bucket boundaries, in `durationUnit`, ascending. SLO thresholds must be among them. */
  readonly durationBuckets: readonly number[];
  /** Gauge of requests being served right now, if the source exports one. */
  readonly inFlight?: string;
  /** PromQL label matchers (without braces) that select one function's series, for example `namespace="a",function="b"`. */
  matchers(target: MetricsTarget): string;
  /** PromQL label matcher (without braces) that narrows requests to server errors, for example `code=~"5.."`. */
  readonly errorMatcher: string;
}

/**
 * Metrics the platform's function runtime SDK exports on each function's own port at
 * `/metrics`: the platform convention for functions. Buckets include the seed's latency
 * objectives (10, 20 and 50 ms) so the SLOs can be computed from them.
 */
export const FUNCTION_SDK_METRICS: RequestMetrics = {
  source: 'function-sdk',
  requestsTotal: 'wasm_function_requests_total',
  durationHistogram: 'wasm_function_request_duration_seconds',
  durationUnit: 'seconds',
  durationBuckets: [0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  inFlight: 'wasm_function_in_flight_requests',
  matchers: (t) => `namespace="${t.namespace}",function="${t.name}"`,
  errorMatcher: 'code=~"5.."',
};

/**
 * What a gateway's proxies count per route at the edge, beside the function's own view: the
 * responses of each route's upstream (the proxy's per-route cluster), including the ones the
 * proxy makes up itself when the function cannot answer (connection refused or reset by a
 * terminating pod, timeouts, no healthy endpoint). Consumed as a separate SLI, never added to
 * the function's own availability SLI, which already counts the function's 5xx.
 */
export interface EdgeMetrics {
  /** Short name of the source, for docs and messages (for example "envoy-gateway"). */
  readonly source: string;
  /** The proxy pods that export the counters, scraped by a PodMonitor. */
  readonly proxies: { readonly namespace: string; readonly podLabels: Readonly<Record<string, string>> };
  /** Name of the proxy container's port that serves the metrics. */
  readonly scrapePort: string;
  /** HTTP path of the metrics on that port. */
  readonly scrapePath: string;
  /** Counter of upstream responses per route and response class, one per request that reached the route's upstream. */
  readonly responsesTotal: string;
  /** PromQL label matcher (without braces) that narrows the responses to server errors. */
  readonly errorMatcher: string;
  /**
   * PromQL label matchers (without braces) selecting the counters of every route whose
   * backend is `target`; undefined when no route serves it. Read at synth, so routes added
   * after the observability stack count.
   */
  routeMatchers(target: MetricsTarget): string | undefined;
}
