import { EdgeMetrics, RequestMetrics } from '../core/metrics';
import {
  AlertUrgency, BurnRateWindow, isBurnRateObjective, ObjectiveKind, promDuration, promDurationSeconds, roundRatio, sameBoundary,
  ServiceLevelObjective,
} from './objectives';
import { leMatcher, quote } from './promql';

/** One Prometheus rule, before it becomes part of a PrometheusRule object. */
export interface PromRule {
  /** Name of the recorded series (recording rules). */
  readonly record?: string;
  /** Name of the alert (alerting rules). */
  readonly alert?: string;
  /** PromQL expression. */
  readonly expr: string;
  /** How long the condition must hold before the alert fires. */
  readonly for?: string;
  /** Labels added to the result. */
  readonly labels?: Record<string, string>;
  /** Alert annotations. */
  readonly annotations?: Record<string, string>;
}

/** A group of rules evaluated together. */
export interface PromRuleGroup {
  readonly name: string;
  /** Evaluation interval, when it differs from Prometheus' global one. */
  readonly interval?: string;
  readonly rules: readonly PromRule[];
}

/**
 * Names of the recorded series. The `slo:*` names are Sloth's (the labels are this
 * library's: namespace, function, slo, sli, window); the `namespace_function_sli:*` rates
 * are what each function contributes to them.
 */
export const SLO_RECORDS = {
  errorRatio: (window: string) => `slo:sli_error:ratio_rate${window}`,
  objective: 'slo:objective:ratio',
  errorBudget: 'slo:error_budget:ratio',
  periodDays: 'slo:time_period:days',
  currentBurnRate: 'slo:current_burn_rate:ratio',
  periodBurnRate: 'slo:period_burn_rate:ratio',
  budgetRemaining: 'slo:period_error_budget_remaining:ratio',
  /** Requests per second of one function over the shortest window, for the dashboards. */
  requestRate: 'namespace_function:requests:rate5m',
  /** Per function and SLI: requests the SLI counts, per second over the base window. */
  sliRequests: (window: string) => `namespace_function_sli:requests:rate${window}`,
  /** Per function and SLI: requests that failed the SLI, per second over the base window. */
  sliBadRequests: (window: string) => `namespace_function_sli:bad_requests:rate${window}`,
} as const;

/** Names of the alerts this library emits; each has a runbook page of the same name. */
export const ALERT_NAMES = {
  errorBudgetBurn: 'WasmFunctionErrorBudgetBurn',
  latencyObjectiveBreached: 'WasmFunctionLatencyObjectiveBreached',
  atMaxReplicas: 'WasmFunctionAtMaxReplicas',
  scrapeTargetMissing: 'WasmFunctionScrapeTargetMissing',
  podsUnschedulable: 'WasmFunctionPodsUnschedulable',
  authorizerUnavailable: 'OpaAuthorizerUnavailable',
  gatekeeperViolationsRising: 'GatekeeperViolationsRising',
  errorLogBurst: 'WasmFunctionErrorLogBurst',
} as const;

/**
 * The SLI an objective is measured by, shared by every objective with the same threshold:
 * `availability`, or `latency-<threshold>ms`. The `sli` label of the recorded series.
 */
export function sliOf(o: ServiceLevelObjective): string {
  if (o.kind === ObjectiveKind.LATENCY) return `latency-${o.thresholdMilliseconds}ms`;
  return o.kind;
}

/** Everything the rules of one function depend on. */
export interface FunctionRuleContext {
  readonly name: string;
  readonly namespace: string;
  readonly objectives: readonly ServiceLevelObjective[];
  readonly source: RequestMetrics;
  readonly windows: readonly BurnRateWindow[];
  /**
   * `recordedWindows(windows)[0]`, when the caller has it already (the same for every function).
   * @default - computed from windows
   * @internal
   */
  readonly baseWindow?: string;
  readonly severities: Readonly<Record<AlertUrgency, string>>;
  /** UID of the function's dashboard, carried by its SLO series so alerts can link it. */
  readonly dashboardUid: string;
  /** Builds an alert's annotations (summary, description, runbook and dashboard links). */
  readonly annotate: (alert: string, summary: string, description: string) => Record<string, string>;
  /** The HPA that scales the function, when one does. */
  readonly hpa?: { readonly name: string; readonly maxReplicas: number };
  /** The ServiceMonitor that scrapes the function's pods, `<namespace>/<name>`, for the missing-target alert. */
  readonly serviceMonitor?: string;
  /** The gateway's per-route counters and the matchers of this function's routes, for edge availability objectives. */
  readonly edge?: { readonly metrics: EdgeMetrics; readonly matchers: string };
}

/** How long a function's pods may run without one scrape target up before it alerts. */
export const SCRAPE_TARGET_MISSING_FOR = '5m';

/** The label selector of one SLO's recorded series. */
export function sloSelector(ctx: { name: string; namespace: string }, slo?: string): string {
  const parts = [`namespace=${quote(ctx.namespace)}`, `function=${quote(ctx.name)}`];
  if (slo !== undefined) parts.push(`slo=${quote(slo)}`);
  return `{${parts.join(',')}}`;
}

/** The histogram boundary (in the histogram's unit) of a threshold in milliseconds. */
export function bucketFor(source: RequestMetrics, thresholdMilliseconds: number): number | undefined {
  const factor = source.durationUnit === 'seconds' ? 1000 : 1;
  return source.durationBuckets.find((b) => sameBoundary(b * factor, thresholdMilliseconds));
}

/** The source's buckets in milliseconds, for messages and checks. */
export function bucketsInMilliseconds(source: RequestMetrics): number[] {
  const factor = source.durationUnit === 'seconds' ? 1000 : 1;
  return source.durationBuckets.map((b) => roundRatio(b * factor));
}

/**
 * Requests one objective's SLI counts, and those that failed it, per second over `window`,
 * straight from the source metrics of one function.
 */
export function sliRateExprs(
  source: RequestMetrics, target: { name: string; namespace: string }, o: ServiceLevelObjective, window: string,
  edge?: { readonly metrics: EdgeMetrics; readonly matchers: string },
): { requests: string; bad: string } {
  if (o.kind === ObjectiveKind.EDGE_AVAILABILITY) {
    // Callers only pass an edge objective with the edge (the stack reports it otherwise); the
    // placeholder keeps the expression parseable.
    const counter = edge?.metrics.responsesTotal ?? 'edge_metrics_missing';
    const m = edge?.matchers ?? `namespace=${quote(target.namespace)}`;
    const all = `sum(rate(${counter}{${m}}[${window}]))`;
    // Every response class of the route's clusters: each request that reached them is
    // charged exactly once with its final code, so bad is a part of this total.
    return { requests: all, bad: `sum(rate(${counter}{${m},${edge?.metrics.errorMatcher ?? 'code="5"'}}[${window}])) or 0 * ${all}` };
  }
  const m = source.matchers(target);
  if (o.kind === ObjectiveKind.AVAILABILITY) {
    return {
      requests: `sum(rate(${source.requestsTotal}{${m}}[${window}]))`,
      // With no failed request there is no error series at all: count 0 then, but only while
      // there are requests, so that bad and requests are recorded at the same instants and
      // the window ratios below compare like with like.
      bad: `sum(rate(${source.requestsTotal}{${m},${source.errorMatcher}}[${window}])) or 0 * sum(rate(${source.requestsTotal}{${m}}[${window}]))`,
    };
  }
  const le = bucketFor(source, o.thresholdMilliseconds ?? NaN) ?? NaN;
  const count = `sum(rate(${source.durationHistogram}_count{${m}}[${window}]))`;
  return { requests: count, bad: `${count} - sum(rate(${source.durationHistogram}_bucket{${m},${leMatcher(le)}}[${window}]))` };
}

/** Every window the alerts read, shortest first. The shortest is the base window the others are summed from. */
export function recordedWindows(windows: readonly BurnRateWindow[]): string[] {
  const seconds = new Set<number>();
  for (const w of windows) {
    seconds.add(w.shortWindow.toSeconds());
    seconds.add(w.longWindow.toSeconds());
  }
  return [...seconds].sort((a, b) => a - b).map(promDurationSeconds);
}

/**
 * The rules of one function: what only it can say. Its SLI rates over the base (shortest)
 * window, straight from its metrics, once per distinct SLI; one `slo:objective:ratio` series
 * per objective, which enrols the objective in the fleet-wide rules of
 * {@link sharedSloRuleGroups}; and the at-max-replicas alert on its HPA.
 */
export function functionRuleGroups(ctx: FunctionRuleContext): PromRuleGroup[] {
  const base = ctx.baseWindow ?? recordedWindows(ctx.windows)[0];
  const id = `${ctx.namespace}/${ctx.name}`;
  const fn = { namespace: ctx.namespace, function: ctx.name };
  const records: PromRule[] = [{
    record: SLO_RECORDS.requestRate,
    expr: `sum(rate(${ctx.source.requestsTotal}{${ctx.source.matchers(ctx)}}[5m]))`,
    labels: fn,
  }];
  const slis = new Set<string>();
  for (const o of ctx.objectives) {
    const sli = sliOf(o);
    if (slis.has(sli)) continue;
    slis.add(sli);
    const rates = sliRateExprs(ctx.source, ctx, o, base, ctx.edge);
    // Written out rather than spread from fn: V8 spreads into a new literal many times slower.
    records.push(
      { record: SLO_RECORDS.sliRequests(base), expr: rates.requests, labels: { namespace: ctx.namespace, function: ctx.name, sli } },
      { record: SLO_RECORDS.sliBadRequests(base), expr: rates.bad, labels: { namespace: ctx.namespace, function: ctx.name, sli } },
    );
  }
  for (const o of ctx.objectives) {
    records.push({
      record: SLO_RECORDS.objective,
      expr: `vector(${o.targetRatio})`,
      labels: { namespace: ctx.namespace, function: ctx.name, slo: o.name, sli: sliOf(o), dashboard_uid: ctx.dashboardUid },
    });
  }

  const alerts: PromRule[] = [];
  if (ctx.hpa !== undefined) {
    const hpaSel = `{namespace=${quote(ctx.namespace)},horizontalpodautoscaler=${quote(ctx.hpa.name)}}`;
    alerts.push({
      alert: ALERT_NAMES.atMaxReplicas,
      expr: `kube_horizontalpodautoscaler_status_current_replicas${hpaSel} >= on (namespace, horizontalpodautoscaler) kube_horizontalpodautoscaler_spec_max_replicas${hpaSel}`,
      // A burst may touch the ceiling briefly; staying there means the next one is not absorbed.
      for: '15m',
      labels: { severity: ctx.severities[AlertUrgency.TICKET], urgency: AlertUrgency.TICKET, function: ctx.name },
      annotations: ctx.annotate(
        ALERT_NAMES.atMaxReplicas,
        `${id} has run at its autoscaler's maximum (${ctx.hpa.maxReplicas} replicas) for 15 minutes`,
        `HPA ${ctx.hpa.name} cannot add replicas to ${id}: raise maxReplicas or the per-pod capacity before the next traffic peak.`,
      ),
    });
  }

  if (ctx.serviceMonitor !== undefined) {
    // Only while pods are available: a function scaled to zero has no target, rightly. Absent
    // `up` series (the ServiceMonitor selects no Service, or Prometheus does not select the
    // ServiceMonitor) and targets that are down both count as missing.
    const deployment = `{namespace=${quote(ctx.namespace)},deployment=${quote(ctx.name)}}`;
    alerts.push({
      alert: ALERT_NAMES.scrapeTargetMissing,
      expr: `sum by (namespace, deployment) (kube_deployment_status_replicas_available${deployment}) > 0 unless on (namespace) sum by (namespace) (up{namespace=${quote(ctx.namespace)},function=${quote(ctx.name)}} == 1)`,
      // Longer than a first scrape after a rollout or a scale from zero.
      for: SCRAPE_TARGET_MISSING_FOR,
      labels: { severity: ctx.severities[AlertUrgency.PAGE], urgency: AlertUrgency.PAGE, function: ctx.name },
      annotations: ctx.annotate(
        ALERT_NAMES.scrapeTargetMissing,
        `${id} has running pods, but Prometheus scrapes none of them`,
        `{{ $value }} pods of ${id} are available, but for ${SCRAPE_TARGET_MISSING_FOR} no target of ServiceMonitor ${ctx.serviceMonitor} has been up: the function's SLOs and dashboards are blind, and so is any autoscaling on its own request metrics (a KEDA ScaledObject holds its fallback replicas). Check that the ServiceMonitor selects the function's Service (labels app.kubernetes.io/name and app.kubernetes.io/component), that Prometheus selects the ServiceMonitor, and the target's error on Prometheus' targets page.`,
      ),
    });
  }

  const group = `wasm-function.${ctx.namespace}.${ctx.name}`;
  return [
    { name: `${group}.slo`, rules: records },
    { name: `${group}.alerts`, rules: alerts },
  ].filter((g) => g.rules.length > 0);
}

/** What the fleet-wide SLO rules depend on. */
export interface SharedSloRuleContext {
  /** Namespaces of the functions watched: every shared rule reads only their series. */
  readonly functionNamespaces: readonly string[];
  readonly windows: readonly BurnRateWindow[];
  readonly periodDays: number;
  readonly severities: Readonly<Record<AlertUrgency, string>>;
  /** Whether some objective's budget is too large for a burn-rate alert (see {@link isBurnRateObjective}). */
  readonly directObjectives: boolean;
  /** Builds an alert's annotations; the dashboard link is a template over the alert's labels. */
  readonly annotate: (alert: string, summary: string, description: string) => Record<string, string>;
}

/**
 * The SLO rules every function shares: the error ratio of each objective over every window
 * and the period, budgets and burn rates (Sloth's series), and the multi-window
 * multi-burn-rate alerts of the SRE workbook, written once for the whole fleet instead of
 * once per function. Each reads the per-function series of {@link functionRuleGroups}:
 * an objective joins its function's SLI rates on (namespace, function, sli), so the result
 * carries the objective's labels. Windows longer than the base sum the base rates
 * (numerator and denominator apart, so the ratio is that of the whole window), which keeps
 * every long-window query on recorded series instead of raw per-pod histograms.
 */
export function sharedSloRuleGroups(ctx: SharedSloRuleContext): PromRuleGroup[] {
  if (ctx.functionNamespaces.length === 0) return [];
  const sel = `{namespace=~${quote(ctx.functionNamespaces.map(escapeRegex).join('|'))}}`;
  const windows = recordedWindows(ctx.windows);
  const base = windows[0];
  const period = `${ctx.periodDays}d`;
  const requests = `${SLO_RECORDS.sliRequests(base)}${sel}`;
  const bad = `${SLO_RECORDS.sliBadRequests(base)}${sel}`;
  const objective = `${SLO_RECORDS.objective}${sel}`;
  const budget = `${SLO_RECORDS.errorBudget}${sel}`;
  const ratio = (w: string): string => `max without (window) (${SLO_RECORDS.errorRatio(w)}${sel})`;

  const records: PromRule[] = [
    { record: SLO_RECORDS.errorBudget, expr: `1 - ${objective}` },
    { record: SLO_RECORDS.periodDays, expr: `0 * ${objective} + ${ctx.periodDays}` },
  ];
  // Windows of a day or more read up to a period of samples per series: evaluated every
  // 30 s with the rest they would hold up the page windows' group. Their own group runs
  // less often (still well inside Prometheus' 5-minute lookback, so they never go stale).
  const slow: PromRule[] = [];
  const secondsOf = new Map<string, number>([[period, ctx.periodDays * 86400]]);
  for (const w of ctx.windows) {
    for (const d of [w.shortWindow, w.longWindow]) secondsOf.set(promDuration(d), d.toSeconds());
  }
  for (const w of [...windows, ...(windows.includes(period) ? [] : [period])]) {
    // sum_over_time, not avg_over_time: the ratio of the window's totals even where a
    // series has gaps.
    const sli = w === base ? `${bad} / ${requests}` : `sum_over_time(${bad}[${w}]) / sum_over_time(${requests}[${w}])`;
    (secondsOf.get(w)! >= LONG_WINDOW_SECONDS ? slow : records).push({
      record: SLO_RECORDS.errorRatio(w),
      // 0 * objective + SLI: the value of the SLI, the labels of the objective.
      expr: `0 * ${objective} + on (namespace, function, sli) group_left () (${sli})`,
      labels: { window: w },
    });
  }
  records.push({ record: SLO_RECORDS.currentBurnRate, expr: `${ratio(base)} / ${budget}` });
  slow.push(
    { record: SLO_RECORDS.periodBurnRate, expr: `${ratio(period)} / ${budget}` },
    { record: SLO_RECORDS.budgetRemaining, expr: `1 - ${SLO_RECORDS.periodBurnRate}${sel}` },
  );

  // A burn-rate alert cannot fire when burnRate x budget >= 100 % (P50: 14.4 x 50 %):
  // such objectives are left to the direct alert below.
  const maxBurnRate = Math.max(...ctx.windows.map((w) => w.burnRate));
  const burnRateCapable = `${budget} * ${maxBurnRate} < 1`;
  const who = '{{ $labels.namespace }}/{{ $labels.function }}';
  const alerts: PromRule[] = [];
  for (const urgency of [AlertUrgency.PAGE, AlertUrgency.TICKET]) {
    const rows = ctx.windows.filter((w) => w.urgency === urgency);
    if (rows.length === 0) continue;
    const fast = rows.map((w) => {
      const threshold = `${w.burnRate} * ${budget}`;
      return `(${ratio(promDuration(w.longWindow))} > ${threshold} and ${ratio(promDuration(w.shortWindow))} > ${threshold})`;
    }).join(' or ');
    const table = rows.map((w) => `${w.burnRate}x over ${promDuration(w.longWindow)} and ${promDuration(w.shortWindow)}`).join(', or ');
    alerts.push({
      alert: ALERT_NAMES.errorBudgetBurn,
      expr: `(${fast}) and (${burnRateCapable})`,
      labels: { severity: ctx.severities[urgency], urgency },
      annotations: ctx.annotate(
        ALERT_NAMES.errorBudgetBurn,
        `${who}: SLO {{ $labels.slo }} is burning its error budget too fast (${urgency})`,
        `The error ratio of ${who} against SLO {{ $labels.slo }} (SLI {{ $labels.sli }}) is {{ $value | humanizePercentage }}: it spends the error budget of ${period} faster than ${table}.`,
      ),
    });
  }
  if (ctx.directObjectives) {
    // The objective is watched directly instead: the share of requests that failed the SLI
    // exceeded the budget over the shortest page pair's long window and still does now.
    const pair = [...ctx.windows].sort((a, b) => a.longWindow.toSeconds() - b.longWindow.toSeconds())[0];
    const long = promDuration(pair.longWindow);
    const short = promDuration(pair.shortWindow);
    alerts.push({
      alert: ALERT_NAMES.latencyObjectiveBreached,
      expr: `(${ratio(long)} > ${budget} and ${ratio(short)} > ${budget}) unless (${burnRateCapable})`,
      labels: { severity: ctx.severities[AlertUrgency.TICKET], urgency: AlertUrgency.TICKET },
      annotations: ctx.annotate(
        ALERT_NAMES.latencyObjectiveBreached,
        `${who}: SLO {{ $labels.slo }} is not met`,
        `{{ $value | humanizePercentage }} of the requests of ${who} failed SLI {{ $labels.sli }} over ${long} and ${short}, more than SLO {{ $labels.slo }} allows. A budget this large cannot drive a burn-rate alert, so the objective is checked directly.`,
      ),
    });
  }
  return [
    { name: 'wasm-functions.slo', rules: records },
    { name: 'wasm-functions.slo-long-windows', interval: LONG_WINDOW_INTERVAL, rules: slow },
    { name: 'wasm-functions.slo-alerts', rules: alerts },
  ].filter((g) => g.rules.length > 0);
}

/** Windows from a day up are recorded by a group evaluated every {@link LONG_WINDOW_INTERVAL}. */
const LONG_WINDOW_SECONDS = 86400;
/** How often the long windows are evaluated: under Prometheus' default 5-minute lookback. */
export const LONG_WINDOW_INTERVAL = '2m';

/** What the platform alerts watch. */
export interface PlatformAlertContext {
  readonly functionNamespaces: readonly string[];
  readonly severities: Readonly<Record<AlertUrgency, string>>;
  readonly annotate: (alert: string, summary: string, description: string) => Record<string, string>;
  readonly authorizer?: { readonly namespace: string; readonly deployment: string };
  readonly gatekeeper: boolean;
}

/** Alerts about the platform itself rather than one function. */
export function platformRuleGroups(ctx: PlatformAlertContext): PromRuleGroup[] {
  const rules: PromRule[] = [];
  if (ctx.functionNamespaces.length > 0) {
    const ns = `namespace=~${quote(ctx.functionNamespaces.map(escapeRegex).join('|'))}`;
    rules.push({
      alert: ALERT_NAMES.podsUnschedulable,
      expr: `sum by (namespace) (kube_pod_status_unschedulable{${ns}}) > 0`,
      // Scale-out waits for capacity for a moment by design; ten minutes is a real shortage.
      for: '10m',
      labels: { severity: ctx.severities[AlertUrgency.PAGE], urgency: AlertUrgency.PAGE },
      annotations: ctx.annotate(
        ALERT_NAMES.podsUnschedulable,
        'Function pods cannot be scheduled in {{ $labels.namespace }}',
        '{{ $value }} function pods in {{ $labels.namespace }} have been unschedulable for 10 minutes: the cluster lacks CPU, memory or pod slots (max-pods) for the autoscalers\' demand. Add nodes or raise max-pods.',
      ),
    });
  }
  if (ctx.authorizer !== undefined) {
    const sel = `{namespace=${quote(ctx.authorizer.namespace)},deployment=${quote(ctx.authorizer.deployment)}}`;
    rules.push({
      alert: ALERT_NAMES.authorizerUnavailable,
      expr: `(kube_deployment_status_replicas_available${sel} < 1) or absent(kube_deployment_status_replicas_available${sel})`,
      for: '2m',
      labels: { severity: ctx.severities[AlertUrgency.PAGE], urgency: AlertUrgency.PAGE },
      annotations: ctx.annotate(
        ALERT_NAMES.authorizerUnavailable,
        `The OPA request authorizer ${ctx.authorizer.namespace}/${ctx.authorizer.deployment} has no available replica`,
        'The gateway fails closed without its authorizer: every authorized route answers with an error until OPA is back.',
      ),
    });
  }
  if (ctx.gatekeeper) {
    rules.push({
      alert: ALERT_NAMES.gatekeeperViolationsRising,
      expr: 'sum by (enforcement_action) (delta(gatekeeper_violations[1h])) > 0',
      for: '30m',
      labels: { severity: ctx.severities[AlertUrgency.TICKET], urgency: AlertUrgency.TICKET },
      annotations: ctx.annotate(
        ALERT_NAMES.gatekeeperViolationsRising,
        'Gatekeeper audit violations ({{ $labels.enforcement_action }}) are rising',
        'The number of objects violating admission policies grew by {{ $value }} over the last hour: something is being applied around the policies (or a policy changed).',
      ),
    });
  }
  return rules.length > 0 ? [{ name: 'wasm-platform.alerts', rules }] : [];
}

/** Escapes a literal for a PromQL (RE2) regular expression. */
export function escapeRegex(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
