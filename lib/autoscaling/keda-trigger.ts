import { FUNCTION_SDK_METRICS, MetricsTarget, RequestMetrics } from '../core/metrics';

/** The Prometheus server KEDA queries, as seen from the KEDA operator's pods. */
export interface PrometheusServer {
  /**
   * URL of the Prometheus HTTP API.
   * @default DEFAULT_PROMETHEUS_ADDRESS (the Prometheus Operator's `prometheus-operated` Service in `monitoring`)
   */
  readonly address?: string;
  /**
   * How often Prometheus scrapes the request metrics: it sets the default request-rate window
   * (four scrapes) and is part of the metrics lag in the capacity model. Where an
   * ObservabilityStack scrapes the function, its interval counts for the function's own
   * metrics, and a different value here is an error.
   * @default - the ObservabilityStack's interval where one scrapes the function, else DEFAULT_SCRAPE_INTERVAL_SECONDS (30, kube-prometheus-stack's)
   */
  readonly scrapeIntervalSeconds?: number;
  /**
   * A Secret in the function's namespace holding a bearer token for Prometheus; a KEDA
   * TriggerAuthentication is created for it.
   * @default - no authentication (an in-cluster Prometheus behind a NetworkPolicy)
   */
  readonly bearerTokenSecret?: { readonly name: string; readonly key: string };
}

/** The in-cluster Prometheus the Prometheus Operator creates in `monitoring`. */
export const DEFAULT_PROMETHEUS_ADDRESS = 'http://prometheus-operated.monitoring.svc:9090';

/** What a trigger needs to render itself. */
export interface TriggerContext {
  /** The function the query selects. */
  readonly target: MetricsTarget;
  /** Prometheus, with defaults applied; its interval is the one for metrics of other sources (a gateway's). */
  readonly prometheus: Required<Pick<PrometheusServer, 'address' | 'scrapeIntervalSeconds'>>;
  /** How often the function's own metrics (FUNCTION_SDK_METRICS) are scraped, and who says so. */
  readonly functionScrape: ScrapeInterval;
  /** Name of the TriggerAuthentication for Prometheus, when there is one. */
  readonly prometheusAuthentication?: string;
}

/** A scrape interval and where it was read, for messages. */
export interface ScrapeInterval {
  readonly seconds: number;
  /** For example "ServiceMonitor Observability/Stack/FunctionsOrdersCheckout/Monitor" or "prometheus.scrapeIntervalSeconds". */
  readonly source: string;
}

/** The scrape interval of the series a trigger over `metrics` reads. */
export function scrapeIntervalOf(metrics: RequestMetrics, context: TriggerContext): ScrapeInterval {
  return metrics.source === FUNCTION_SDK_METRICS.source
    ? context.functionScrape
    : { seconds: context.prometheus.scrapeIntervalSeconds, source: 'prometheus.scrapeIntervalSeconds' };
}

/** The fewest scrapes a `rate()` window must hold, so that one missed scrape does not empty it. */
export const MIN_SCRAPES_PER_RATE_WINDOW = 4;

/** A trigger as the ScaledObject CRD holds it. */
export interface RenderedTrigger {
  readonly type: string;
  readonly name?: string;
  readonly metricType?: string;
  readonly metadata: { [key: string]: string };
  readonly authenticationRef?: { readonly name: string; readonly kind?: string };
}

/** Options for {@link KedaTrigger.requestRate}. */
export interface RequestRateTriggerOptions {
  /** Requests per second each pod should serve; KEDA keeps `rate / pods` at this value. */
  readonly requestsPerPodPerSecond: number;
  /**
   * Window of the PromQL `rate()`, from 30 to 600. At least four scrape intervals (a synth
   * error otherwise), so a missed scrape does not leave it with one sample or none.
   * @default - four scrape intervals, at least 60 (60 at a 15 s scrape, 120 at 30 s)
   */
  readonly rateWindowSeconds?: number;
  /**
   * Who measures the requests.
   * @default FUNCTION_SDK_METRICS (the function's own `/metrics`)
   */
  readonly metrics?: RequestMetrics;
}

/** Options for {@link KedaTrigger.inFlight}. */
export interface InFlightTriggerOptions {
  /** Concurrent requests each pod should hold; KEDA keeps `in-flight / pods` at this value. */
  readonly requestsPerPod: number;
  /**
   * Who measures the requests; it must export an in-flight gauge.
   * @default FUNCTION_SDK_METRICS
   */
  readonly metrics?: RequestMetrics;
}

/**
 * One metric a KEDA ScaledObject scales on. Request rate or in-flight requests are the
 * sound choice for Wasm functions; CPU and memory depend on the shim reporting usage.
 */
export abstract class KedaTrigger {
  /** Scale on the function's request rate (a Prometheus trigger over `RequestMetrics.requestsTotal`). */
  public static requestRate(options: RequestRateTriggerOptions): KedaTrigger {
    return new RequestRateTrigger(options);
  }

  /** Scale on requests being served right now (a Prometheus trigger over `RequestMetrics.inFlight`). */
  public static inFlight(options: InFlightTriggerOptions): KedaTrigger {
    return new InFlightTrigger(options);
  }

  /**
   * Scale on CPU utilization of the pods' requests. Needs a shim that reports CPU usage to
   * the kubelet: runwasi pods long reported none (a cgroup driver mismatch, fixed in 2025).
   */
  public static cpu(utilizationPercent: number): KedaTrigger {
    return new ResourceTrigger('cpu', utilizationPercent);
  }

  /** Scale on memory utilization of the pods' requests (same caveat as {@link cpu}). */
  public static memory(utilizationPercent: number): KedaTrigger {
    return new ResourceTrigger('memory', utilizationPercent);
  }

  /** KEDA trigger type. */
  public abstract readonly type: 'prometheus' | 'cpu' | 'memory';
  /** True for cpu and memory (which cannot wake a function from zero, nor use a fallback). */
  public get isResource(): boolean {
    return this.type === 'cpu' || this.type === 'memory';
  }

  /** True when the measurement exists while the function has no pods. */
  public abstract readonly measuredOutsideFunction: boolean;
  /** The ScaledObject form. */
  public abstract render(context: TriggerContext): RenderedTrigger;
  /** Problems with the options, naming `field`. */
  public abstract validate(field: string, context: TriggerContext): string[];
  /** Seconds between a load change and the metric showing it (part of the capacity model's reaction time). */
  public abstract metricsLagSeconds(context: TriggerContext): number;
  /** The trigger for people. */
  public abstract describe(context: TriggerContext): string;
  /** The share of one pod's throughput this trigger aims at, when `perPod` requests/s is what a pod can serve. */
  public abstract targetUtilization(requestsPerPodPerSecond: number): number | undefined;
}

function measuredOutside(metrics: RequestMetrics): boolean {
  // The function SDK counts inside the pod: with no pods there is nothing to count.
  return metrics.source !== FUNCTION_SDK_METRICS.source;
}

function prometheusTrigger(name: string, query: string, threshold: number, context: TriggerContext): RenderedTrigger {
  return {
    type: 'prometheus',
    name,
    metricType: 'AverageValue',
    metadata: {
      serverAddress: context.prometheus.address,
      query,
      threshold: String(threshold),
      // KEDA's default (true) reads an empty result as 0: a lost scrape target would hold the
      // function at its floor during a sale, and the fallback would never apply.
      ignoreNullValues: 'false',
      ...(context.prometheusAuthentication ? { authModes: 'bearer' } : {}),
    },
    ...(context.prometheusAuthentication ? { authenticationRef: { name: context.prometheusAuthentication, kind: 'TriggerAuthentication' } } : {}),
  };
}

function checkPositive(field: string, value: number): string[] {
  return Number.isFinite(value) && value > 0 ? [] : [`${field} (${value}) must be a positive number`];
}

class RequestRateTrigger extends KedaTrigger {
  public readonly type = 'prometheus';
  public readonly measuredOutsideFunction: boolean;
  private readonly metrics: RequestMetrics;

  constructor(private readonly options: RequestRateTriggerOptions) {
    super();
    this.metrics = options.metrics ?? FUNCTION_SDK_METRICS;
    this.measuredOutsideFunction = measuredOutside(this.metrics);
  }

  /** The window: as given, or four scrapes of the series it reads (at least 60 s). */
  public windowSeconds(context: TriggerContext): number {
    return this.options.rateWindowSeconds
      ?? Math.max(60, MIN_SCRAPES_PER_RATE_WINDOW * scrapeIntervalOf(this.metrics, context).seconds);
  }

  public render(context: TriggerContext): RenderedTrigger {
    const query = `sum(rate(${this.metrics.requestsTotal}{${this.metrics.matchers(context.target)}}[${this.windowSeconds(context)}s]))`;
    return prometheusTrigger('request-rate', query, this.options.requestsPerPodPerSecond, context);
  }

  public validate(field: string, context: TriggerContext): string[] {
    const window = this.windowSeconds(context);
    const scrape = scrapeIntervalOf(this.metrics, context);
    const minimum = MIN_SCRAPES_PER_RATE_WINDOW * scrape.seconds;
    return [
      ...checkPositive(`${field}.requestsPerPodPerSecond`, this.options.requestsPerPodPerSecond),
      ...(Number.isInteger(window) && window >= 30 && window <= 600 ? []
        : [`${field}.rateWindowSeconds (${window}) must be an integer from 30 to 600 (at most ten minutes)`]),
      ...(window >= minimum ? []
        : [`${field}.rateWindowSeconds (${window}) holds fewer than ${MIN_SCRAPES_PER_RATE_WINDOW} scrapes at the ${scrape.seconds} s scrape interval (${scrape.source}): rate() over it sees ${Math.floor(window / scrape.seconds)} samples, and none after a missed scrape; use a window of at least ${minimum}, or scrape more often`]),
    ];
  }

  public metricsLagSeconds(context: TriggerContext): number {
    // A step in traffic shows fully in rate() after the window; KEDA reaches the target at about half of it.
    return scrapeIntervalOf(this.metrics, context).seconds + this.windowSeconds(context) / 2;
  }

  public describe(context: TriggerContext): string {
    return `request rate ${this.options.requestsPerPodPerSecond}/s per pod (${this.metrics.source}, ${this.windowSeconds(context)} s window at ${scrapeIntervalOf(this.metrics, context).seconds} s scrapes)`;
  }

  public targetUtilization(perPod: number): number {
    return this.options.requestsPerPodPerSecond / perPod;
  }
}

class InFlightTrigger extends KedaTrigger {
  public readonly type = 'prometheus';
  public readonly measuredOutsideFunction: boolean;
  private readonly metrics: RequestMetrics;

  constructor(private readonly options: InFlightTriggerOptions) {
    super();
    this.metrics = options.metrics ?? FUNCTION_SDK_METRICS;
    this.measuredOutsideFunction = measuredOutside(this.metrics);
  }

  public render(context: TriggerContext): RenderedTrigger {
    const query = `sum(${this.metrics.inFlight ?? 'missing_in_flight_gauge'}{${this.metrics.matchers(context.target)}})`;
    return prometheusTrigger('in-flight', query, this.options.requestsPerPod, context);
  }

  public validate(field: string): string[] {
    return [
      ...checkPositive(`${field}.requestsPerPod`, this.options.requestsPerPod),
      ...(this.metrics.inFlight ? [] : [`${field}.metrics (${this.metrics.source}) exports no in-flight gauge: use KedaTrigger.requestRate, or metrics that set inFlight`]),
    ];
  }

  public metricsLagSeconds(context: TriggerContext): number {
    return scrapeIntervalOf(this.metrics, context).seconds;
  }

  public describe(context: TriggerContext): string {
    return `in-flight ${this.options.requestsPerPod} per pod (${this.metrics.source}, ${scrapeIntervalOf(this.metrics, context).seconds} s scrapes)`;
  }

  public targetUtilization(): undefined {
    return undefined;
  }
}

class ResourceTrigger extends KedaTrigger {
  public readonly measuredOutsideFunction = false;
  constructor(public readonly type: 'cpu' | 'memory', private readonly utilizationPercent: number) {
    super();
  }

  public render(): RenderedTrigger {
    return { type: this.type, name: this.type, metricType: 'Utilization', metadata: { value: String(this.utilizationPercent) } };
  }

  public validate(field: string): string[] {
    const v = this.utilizationPercent;
    return Number.isInteger(v) && v >= 1 && v <= 100 ? []
      : [`${field} ${this.type} utilization (${v}) must be an integer percentage from 1 to 100`];
  }

  public metricsLagSeconds(): number {
    return RESOURCE_METRICS_LAG_SECONDS;
  }

  public describe(): string {
    return `${this.type} ${this.utilizationPercent} %`;
  }

  public targetUtilization(): undefined {
    // Utilization is of the pod's request, which says nothing about its share of request throughput.
    return undefined;
  }
}

/** metrics-server's resolution (K3s runs it with `--metric-resolution=15s`). */
export const RESOURCE_METRICS_LAG_SECONDS = 15;
