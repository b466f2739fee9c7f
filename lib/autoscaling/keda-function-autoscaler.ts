import { Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { ScaledObject } from '../../imports/keda-scaledobjects-keda.sh';
import { TriggerAuthentication } from '../../imports/keda-triggerauthentications-keda.sh';
import * as plain from '../synth/plain-bindings';
import { DEFAULT_SCRAPE_INTERVAL_SECONDS } from '../core/metrics';
import { checkDns1123Subdomain, checkIntegerInRange, oneLine } from '../core/names';
import { fmt } from './capacity-plan';
import { checkFlashSaleWindow, FlashSaleWindow, prescaleMinutesOf } from './flash-sale';
import { FunctionAutoscaler, FunctionAutoscalerProps } from './function-autoscaler';
import { checkResourceRequests } from './horizontal-function-autoscaler';
import { DEFAULT_PROMETHEUS_ADDRESS, KedaTrigger, PrometheusServer, RenderedTrigger, ScrapeInterval, TriggerContext } from './keda-trigger';
import { fastestScaleUp, HPA_SYNC_PERIOD_SECONDS, ScalingBehavior } from './scaling-behavior';

/** What KEDA does when a trigger's metric cannot be read. */
export interface KedaFallback {
  /** Replicas to hold while the metric is unavailable. */
  readonly replicas: number;
  /**
   * Consecutive failed reads before the fallback applies.
   * @default 3
   */
  readonly failureThreshold?: number;
}

/** Props for {@link KedaFunctionAutoscaler}. */
export interface KedaFunctionAutoscalerProps extends FunctionAutoscalerProps {
  /**
   * Lowest replica count. 0 only with a trigger that can wake the function: request metrics
   * measured in front of the function (flash-sale windows alone do not wake it outside the window).
   * @default 10 (the seed's)
   */
  readonly minReplicas?: number;
  /**
   * What to scale on; KEDA takes the highest replica count any trigger asks for.
   * @default - one request-rate trigger on the function's own metrics, aiming at 70 % of `capacity.requestsPerPodPerSecond` (100 requests/s per pod without a plan)
   */
  readonly triggers?: KedaTrigger[];
  /**
   * Known peaks to pre-scale for (KEDA cron triggers beside the metric triggers).
   * @default - none
   */
  readonly flashSales?: FlashSaleWindow[];
  /**
   * The Prometheus the request triggers query.
   * @default - DEFAULT_PROMETHEUS_ADDRESS, the ObservabilityStack's scrape interval (30 s without one), no authentication
   */
  readonly prometheus?: PrometheusServer;
  /**
   * Replicas to hold when a metric cannot be read (Prometheus down during a sale). KEDA
   * supports it only when no trigger is cpu or memory.
   * @default - when every trigger supports it: the capacity plan's replicas at peak (half of maxReplicas without a plan), after 3 failed reads; otherwise none
   */
  readonly fallback?: KedaFallback;
  /**
   * How fast to scale out and in (the HPA KEDA creates).
   * @default ScalingBehavior.flashSale()
   */
  readonly behavior?: ScalingBehavior;
  /**
   * Seconds between KEDA's checks of the triggers; paces the 0 -> 1 activation and the
   * fallback (the HPA reads the metrics every 15 s regardless).
   * @default 15
   */
  readonly pollingIntervalSeconds?: number;
  /**
   * Seconds without load before KEDA scales from 1 to 0 (only with minReplicas 0).
   * @default 300
   */
  readonly cooldownPeriodSeconds?: number;
  /**
   * Name of the ScaledObject (KEDA names its HPA `keda-hpa-<name>`).
   * @default - the function's name
   */
  readonly name?: string;
}

/**
 * A KEDA ScaledObject for a function: request-rate, in-flight, CPU or memory triggers,
 * flash-sale windows that pre-scale ahead of known peaks, a fallback for when metrics are
 * unavailable, and the HPA behavior. KEDA creates and owns the HorizontalPodAutoscaler
 * (`keda-hpa-<name>`); never add another to the same Deployment.
 */
export class KedaFunctionAutoscaler extends FunctionAutoscaler {
  /** The ScaledObject. */
  public readonly resource: ScaledObject;
  /** The metric triggers. */
  public readonly triggers: readonly KedaTrigger[];
  /** The TriggerAuthentication for Prometheus, when it needs one. */
  public readonly prometheusAuthentication?: TriggerAuthentication;

  private readonly windows: readonly FlashSaleWindow[];
  private readonly scalingBehavior: ScalingBehavior;
  private readonly prometheus: PrometheusServer;
  private readonly prometheusAddress: string;
  private readonly fallback?: KedaFallback;
  private readonly explicitFallback: boolean;
  private readonly pollingIntervalSeconds: number;
  private readonly cooldownPeriodSeconds: number;
  private readonly triggersGiven: boolean;

  constructor(scope: Construct, id: string, props: KedaFunctionAutoscalerProps) {
    const name = props.name ?? props.target.name;
    super(scope, id, props, {
      kind: 'ScaledObject',
      objectName: name,
      hpaName: `keda-hpa-${name}`,
      minReplicas: props.minReplicas ?? 10,
      minReplicasFloor: 0,
    });
    const perPod = props.capacity?.requestsPerPodPerSecond;
    this.triggersGiven = props.triggers !== undefined;
    this.triggers = props.triggers
      ?? [KedaTrigger.requestRate({ requestsPerPodPerSecond: perPod !== undefined ? Math.max(1, Math.round(perPod * 0.7)) : 100 })];
    this.windows = props.flashSales ?? [];
    this.scalingBehavior = props.behavior ?? ScalingBehavior.flashSale();
    this.pollingIntervalSeconds = props.pollingIntervalSeconds ?? 15;
    this.cooldownPeriodSeconds = props.cooldownPeriodSeconds ?? 300;

    const prometheus = props.prometheus ?? {};
    if (prometheus.bearerTokenSecret) {
      this.prometheusAuthentication = new TriggerAuthentication(this, 'PrometheusAuthentication', {
        metadata: { name: `${name}-prometheus`, namespace: this.namespace || undefined, labels: this.objectLabels() },
        spec: {
          secretTargetRef: [{ parameter: 'bearerToken', name: prometheus.bearerTokenSecret.name, key: prometheus.bearerTokenSecret.key }],
        },
      });
    }
    this.prometheus = prometheus;
    this.prometheusAddress = prometheus.address ?? DEFAULT_PROMETHEUS_ADDRESS;

    this.explicitFallback = props.fallback !== undefined;
    const fallbackSupported = this.triggers.every((t) => !t.isResource);
    this.fallback = props.fallback ?? (fallbackSupported ? { replicas: this.defaultFallbackReplicas() } : undefined);

    this.resource = new plain.ScaledObject(this, 'Resource', {
      metadata: { name, namespace: this.namespace || undefined, labels: this.objectLabels() },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: this.target.name },
        minReplicaCount: this.minReplicas,
        maxReplicaCount: this.maxReplicas,
        pollingInterval: this.pollingIntervalSeconds,
        // KEDA uses the cooldown only for the last step to zero.
        cooldownPeriod: this.minReplicas === 0 ? this.cooldownPeriodSeconds : undefined,
        fallback: this.fallback ? { failureThreshold: this.fallback.failureThreshold ?? 3, replicas: this.fallback.replicas } : undefined,
        advanced: { horizontalPodAutoscalerConfig: { behavior: this.scalingBehavior.toKeda() } },
        // Lazy: the window follows the scrape interval of an ObservabilityStack added later.
        triggers: Lazy.any({ produce: () => this.renderTriggers() }),
      },
    });
    this.node.defaultChild = this.resource;
  }

  public get behavior(): ScalingBehavior {
    return this.scalingBehavior;
  }

  /**
   * How often the function's own metrics are scraped (read at synth): the interval of the
   * ObservabilityStack that scrapes the function (the slowest, if several do), else
   * `prometheus.scrapeIntervalSeconds`, else DEFAULT_SCRAPE_INTERVAL_SECONDS.
   */
  public get functionScrapeInterval(): ScrapeInterval {
    const scrapes = this.target.scrapeAttachments;
    if (scrapes.length > 0) {
      const slowest = scrapes.reduce((a, b) => (b.intervalSeconds > a.intervalSeconds ? b : a));
      return { seconds: slowest.intervalSeconds, source: `ServiceMonitor ${slowest.owner.node.path}` };
    }
    return this.prometheus.scrapeIntervalSeconds !== undefined
      ? { seconds: this.prometheus.scrapeIntervalSeconds, source: 'prometheus.scrapeIntervalSeconds' }
      : { seconds: DEFAULT_SCRAPE_INTERVAL_SECONDS, source: 'the default: no ObservabilityStack scrapes the function' };
  }

  /** What the triggers render and reason with, read at synth. */
  private get context(): TriggerContext {
    return {
      target: { name: this.target.name, namespace: this.namespace },
      prometheus: {
        address: this.prometheusAddress,
        scrapeIntervalSeconds: this.prometheus.scrapeIntervalSeconds ?? DEFAULT_SCRAPE_INTERVAL_SECONDS,
      },
      functionScrape: this.functionScrapeInterval,
      prometheusAuthentication: this.prometheusAuthentication?.name,
    };
  }

  public get flashSales(): readonly FlashSaleWindow[] {
    return this.windows;
  }

  public describeScaling(): string {
    const context = this.context;
    const parts = this.triggers.map((t) => t.describe(context));
    if (this.windows.length > 0) parts.push(`${this.windows.length} flash-sale window${this.windows.length === 1 ? '' : 's'}`);
    return parts.join(', ');
  }

  public metricsLagSeconds(): number {
    return Math.max(0, ...this.triggers.map((t) => t.metricsLagSeconds(this.context)));
  }

  protected triggerRequestsPerPod(perPod: number): number | undefined {
    for (const t of this.triggers) {
      const u = t.targetUtilization(perPod);
      if (u !== undefined) return u * perPod;
    }
    return undefined;
  }

  protected checkMode(): string[] {
    const errors: string[] = [];
    if (this.triggersGiven && this.triggers.length === 0 && this.windows.length === 0) {
      errors.push('triggers is empty and there are no flashSales: give at least one KedaTrigger (for example KedaTrigger.requestRate(...))');
    }
    const names = new Set<string>();
    const context = this.context;
    this.triggers.forEach((t, i) => {
      errors.push(...t.validate(`triggers[${i}]`, context));
      const name = t.render(context).name ?? t.type;
      if (names.has(name)) errors.push(`triggers[${i}] repeats the ${oneLine(name)} trigger: KEDA needs unique trigger names, give each kind once`);
      names.add(name);
    });
    errors.push(...checkResourceRequests(this.target, this.triggers.filter((t) => t.isResource).map((t) => t.type as 'cpu' | 'memory'), 'triggers'));
    errors.push(...this.checkScaleToZero());
    errors.push(...this.checkFallback());
    errors.push(...this.checkWindows());
    errors.push(...this.scalingBehavior.validate('behavior'));
    const address = this.prometheusAddress;
    if (this.triggers.some((t) => t.type === 'prometheus') && !/^https?:\/\/[^\s/]+(\/\S*)?$/.test(address)) {
      errors.push(`prometheus.address "${oneLine(address)}" must be an http:// or https:// URL (for example "${DEFAULT_PROMETHEUS_ADDRESS}")`);
    }
    const scrape = context.prometheus.scrapeIntervalSeconds;
    if (!Number.isInteger(scrape) || scrape < 1 || scrape > 300) {
      errors.push(`prometheus.scrapeIntervalSeconds (${scrape}) must be an integer from 1 to 300`);
    }
    const given = this.prometheus.scrapeIntervalSeconds;
    const scrapedBy = context.functionScrape;
    if (given !== undefined && this.target.scrapeAttachments.length > 0 && given !== scrapedBy.seconds
      && this.triggers.some((t) => t.type === 'prometheus' && !t.measuredOutsideFunction)) {
      errors.push(`prometheus.scrapeIntervalSeconds (${given}) is not how often the function's metrics are scraped: ${scrapedBy.source} scrapes them every ${scrapedBy.seconds} s; remove prometheus.scrapeIntervalSeconds (the stack's interval is used), or change the stack's scrapeIntervalSeconds`);
    }
    const polling = checkIntegerInRange('pollingIntervalSeconds', this.pollingIntervalSeconds, 1, 3600);
    if (polling) errors.push(polling);
    const cooldown = checkIntegerInRange('cooldownPeriodSeconds', this.cooldownPeriodSeconds, 0, 86400);
    if (cooldown) errors.push(cooldown);
    const secret = this.prometheusAuthentication ? checkDns1123Subdomain('prometheus.bearerTokenSecret.name', this.prometheusAuthentication.name) : undefined;
    if (secret) errors.push(secret);
    return errors;
  }

  private renderTriggers(): RenderedTrigger[] {
    const context = this.context;
    return [
      ...this.triggers.map((t) => t.render(context)),
      ...this.windows.map((w) => {
        const cron = w.schedule.toCron(prescaleMinutesOf(w));
        return {
          type: 'cron',
          name: `flash-sale-${w.name}`,
          // KEDA 2.15 refuses a ScaledObject with a fallback unless every trigger names
          // AverageValue (CheckFallbackValid: an empty metricType fails too).
          metricType: 'AverageValue',
          metadata: { timezone: w.timezone, start: cron.start, end: cron.end, desiredReplicas: String(w.replicas) },
        };
      }),
    ];
  }

  private defaultFallbackReplicas(): number {
    const plan = this.capacity;
    const atPeak = plan && plan.requestsPerPodPerSecond > 0
      ? this.capacitySummary().plan?.replicasAtPeak : undefined;
    const replicas = atPeak ?? Math.ceil(this.maxReplicas / 2);
    return Math.min(this.maxReplicas, Math.max(this.minReplicas, replicas));
  }

  private checkScaleToZero(): string[] {
    if (this.minReplicas !== 0) return [];
    // Only requests counted in front of the function wake it: its own metrics stop with its
    // last pod, and a flash-sale window scales it up only inside the window.
    if (this.triggers.some((t) => !t.isResource && t.measuredOutsideFunction)) return [];
    if (this.windows.length === 0 && this.triggers.every((t) => t.isResource)) {
      return ['minReplicas (0) needs a trigger that can wake the function: KEDA\'s admission webhook refuses a ScaledObject whose only triggers are cpu/memory with minReplicaCount 0; use ScaleToZeroFunctionAutoscaler (the KEDA HTTP add-on holds requests while the function wakes), or minReplicas of at least 1'];
    }
    const reasons = [
      ...(this.triggers.some((t) => !t.isResource) ? ['the function\'s own request metrics are not counted while it has no pods'] : []),
      ...(this.triggers.some((t) => t.isResource) ? ['cpu and memory are not measured while it has no pods'] : []),
      ...(this.windows.length > 0 ? ['flash-sale windows scale it up only during the window, so outside it requests find no pod and nothing wakes it'] : []),
    ];
    return [`minReplicas (0) needs a trigger that can wake the function: ${reasons.join('; ')}; use ScaleToZeroFunctionAutoscaler (the KEDA HTTP add-on holds requests while the function wakes), request metrics measured in front of the function (a gateway's RequestMetrics as the trigger's metrics), or minReplicas of at least 1`];
  }

  private checkFallback(): string[] {
    if (!this.fallback) return [];
    const errors: string[] = [];
    if (this.explicitFallback) {
      const resource = this.triggers.filter((t) => t.isResource).map((t) => t.type);
      if (resource.length > 0) {
        errors.push(`fallback is set, but KEDA supports a fallback only for AverageValue metrics and triggers include ${resource.join(' and ')}: remove the fallback or scale on request rate`);
      }
    }
    // As KEDA's own CheckFallbackValid: every trigger must be AverageValue, or the
    // ScaledObject is refused (webhook) and never reconciled (controller).
    for (const t of this.renderTriggers()) {
      if (t.type !== 'cpu' && t.type !== 'memory' && t.metricType !== 'AverageValue') {
        errors.push(`fallback is set, but trigger ${oneLine(t.name ?? t.type)} has metricType ${oneLine(String(t.metricType ?? '<none>'))}: KEDA accepts a fallback only when every trigger's metricType is AverageValue; set it, or remove the fallback`);
      }
    }
    const f = this.fallback;
    if (!Number.isInteger(f.replicas) || f.replicas < this.minReplicas || f.replicas > this.maxReplicas) {
      errors.push(`fallback.replicas (${f.replicas}) must be an integer from minReplicas (${this.minReplicas}) to maxReplicas (${this.maxReplicas})`);
    }
    const threshold = checkIntegerInRange('fallback.failureThreshold', f.failureThreshold ?? 3, 1, 100);
    if (threshold) errors.push(threshold);
    return errors;
  }

  private checkWindows(): string[] {
    const errors: string[] = [];
    const names = new Set<string>();
    this.windows.forEach((w, i) => {
      const field = `flashSales[${i}]`;
      const own = checkFlashSaleWindow(field, w);
      errors.push(...own);
      if (names.has(w.name)) errors.push(`${field}.name "${oneLine(String(w.name))}" is used by another window: give each window its own name`);
      names.add(w.name);
      if (!Number.isInteger(w.replicas) || w.replicas <= this.minReplicas || w.replicas > this.maxReplicas) {
        errors.push(`${field}.replicas (${w.replicas}) must be an integer above minReplicas (${this.minReplicas}) and at most maxReplicas (${this.maxReplicas})`);
        return;
      }
      if (own.length > 0 || !w.schedule.supportsLead) return;
      // The cron metric is read at the next HPA sync; each step then waits for the behavior's policies.
      const reach = fastestScaleUp(this.scalingBehavior.scaleUp, this.minReplicas, w.replicas);
      const podStart = this.capacity?.podStartSeconds ?? 2;
      const lead = prescaleMinutesOf(w);
      if (!reach) {
        errors.push(`${field} cannot pre-scale: behavior.scaleUp is disabled, so the window's ${w.replicas} replicas are never reached`);
      } else if (lead * 60 < reach.seconds + HPA_SYNC_PERIOD_SECONDS + podStart) {
        const needed = reach.seconds + HPA_SYNC_PERIOD_SECONDS + podStart;
        errors.push(`${field}.prescaleMinutes (${lead}) starts the scale-up ${lead * 60} s before the sale, but going from minReplicas (${this.minReplicas}) to ${w.replicas} replicas takes at least ${fmt(needed)} s (${reach.steps} steps under behavior.scaleUp = ${fmt(reach.seconds)} s, + ${HPA_SYNC_PERIOD_SECONDS} s HPA sync + ${fmt(podStart)} s pod start): set prescaleMinutes to at least ${Math.ceil(needed / 60)}`);
      }
    });
    return errors;
  }
}
