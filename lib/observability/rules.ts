import { RequestMetrics } from '../core/metrics';
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

/** Names of the recorded series, in the shape Sloth generates, so its dashboards also work. */
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
} as const;

/** Names of the alerts this library emits; each has a runbook page of the same name. */
export const ALERT_NAMES = {
  errorBudgetBurn: 'WasmFunctionErrorBudgetBurn',
  latencyObjectiveBreached: 'WasmFunctionLatencyObjectiveBreached',
  atMaxReplicas: 'WasmFunctionAtMaxReplicas',
  podsUnschedulable: 'WasmFunctionPodsUnschedulable',
  authorizerUnavailable: 'OpaAuthorizerUnavailable',
  gatekeeperViolationsRising: 'GatekeeperViolationsRising',
  errorLogBurst: 'WasmFunctionErrorLogBurst',
} as const;

/** Everything the rules of one function depend on. */
export interface FunctionRuleContext {
  readonly name: string;
  readonly namespace: string;
  readonly objectives: readonly ServiceLevelObjective[];
  readonly source: RequestMetrics;
  readonly windows: readonly BurnRateWindow[];
  readonly periodDays: number;
  readonly severities: Readonly<Record<AlertUrgency, string>>;
  /** Builds an alert's annotations (summary, description, runbook and dashboard links). */
  readonly annotate: (alert: string, summary: string, description: string) => Record<string, string>;
  /** The HPA that scales the function, when one does. */
  readonly hpa?: { readonly name: string; readonly maxReplicas: number };
}

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

/** The ratio of bad requests over `window` for one objective, straight from the source metrics. */
export function errorRatioExpr(source: RequestMetrics, target: { name: string; namespace: string }, o: ServiceLevelObjective, window: string): string {
  const m = source.matchers(target);
  if (o.kind === ObjectiveKind.AVAILABILITY) {
    // `or vector(0)`: with no failed request there is no error series at all, and the
    // ratio would be absent instead of 0.
    return `(sum(rate(${source.requestsTotal}{${m},${source.errorMatcher}}[${window}])) or vector(0)) / sum(rate(${source.requestsTotal}{${m}}[${window}]))`;
  }
  const le = bucketFor(source, o.thresholdMilliseconds ?? NaN) ?? NaN;
  const count = `sum(rate(${source.durationHistogram}_count{${m}}[${window}]))`;
  const good = `sum(rate(${source.durationHistogram}_bucket{${m},${leMatcher(le)}}[${window}]))`;
  return `(${count} - ${good}) / ${count}`;
}

/** Every window a function's alerts read, shortest first. */
export function recordedWindows(windows: readonly BurnRateWindow[]): string[] {
  const seconds = new Set<number>();
  for (const w of windows) {
    seconds.add(w.shortWindow.toSeconds());
    seconds.add(w.longWindow.toSeconds());
  }
  return [...seconds].sort((a, b) => a - b).map(promDurationSeconds);
}

/** The rule groups of one function: SLIs, SLO metadata, and alerts. */
export function functionRuleGroups(ctx: FunctionRuleContext): PromRuleGroup[] {
  const windows = recordedWindows(ctx.windows);
  const shortest = windows[0];
  const period = `${ctx.periodDays}d`;
  const id = `${ctx.namespace}/${ctx.name}`;
  const sli: PromRule[] = [];
  const meta: PromRule[] = [];
  const alerts: PromRule[] = [];

  sli.push({
    record: SLO_RECORDS.requestRate,
    expr: `sum(rate(${ctx.source.requestsTotal}{${ctx.source.matchers(ctx)}}[5m]))`,
    labels: { namespace: ctx.namespace, function: ctx.name },
  });
  for (const o of ctx.objectives) {
    const labels = { namespace: ctx.namespace, function: ctx.name, slo: o.name };
    const sel = sloSelector(ctx, o.name);
    for (const w of windows) {
      sli.push({ record: SLO_RECORDS.errorRatio(w), expr: errorRatioExpr(ctx.source, ctx, o, w), labels: { ...labels, window: w } });
    }
    // Sloth's shape: the period's ratio is the mean of the shortest window's ratio, which
    // is cheap (one recorded series) where a 30-day rate() over raw per-pod series is not.
    meta.push(
      {
        record: SLO_RECORDS.errorRatio(period),
        expr: `sum_over_time(${SLO_RECORDS.errorRatio(shortest)}${sel}[${period}]) / count_over_time(${SLO_RECORDS.errorRatio(shortest)}${sel}[${period}])`,
        labels: { ...labels, window: period },
      },
      { record: SLO_RECORDS.objective, expr: `vector(${o.targetRatio})`, labels },
      { record: SLO_RECORDS.errorBudget, expr: `vector(${o.errorBudgetRatio})`, labels },
      { record: SLO_RECORDS.periodDays, expr: `vector(${ctx.periodDays})`, labels },
      {
        record: SLO_RECORDS.currentBurnRate,
        expr: `max without (window) (${SLO_RECORDS.errorRatio(shortest)}${sel}) / on (namespace, function, slo) group_left ${SLO_RECORDS.errorBudget}${sel}`,
        labels,
      },
      {
        record: SLO_RECORDS.periodBurnRate,
        expr: `max without (window) (${SLO_RECORDS.errorRatio(period)}${sel}) / on (namespace, function, slo) group_left ${SLO_RECORDS.errorBudget}${sel}`,
        labels,
      },
      { record: SLO_RECORDS.budgetRemaining, expr: `1 - ${SLO_RECORDS.periodBurnRate}${sel}`, labels },
    );

    if (isBurnRateObjective(o, ctx.windows)) {
      for (const urgency of [AlertUrgency.PAGE, AlertUrgency.TICKET]) {
        const rows = ctx.windows.filter((w) => w.urgency === urgency);
        if (rows.length === 0) continue;
        const expr = rows.map((w) => {
          const threshold = `(${w.burnRate} * ${o.errorBudgetRatio})`;
          const short = `max without (window) (${SLO_RECORDS.errorRatio(promDuration(w.shortWindow))}${sel} > ${threshold})`;
          const long = `max without (window) (${SLO_RECORDS.errorRatio(promDuration(w.longWindow))}${sel} > ${threshold})`;
          return `(${long} and ${short})`;
        }).join(' or ');
        const table = rows.map((w) => `${w.burnRate}x over ${promDuration(w.longWindow)} and ${promDuration(w.shortWindow)}`).join(', or ');
        alerts.push({
          alert: ALERT_NAMES.errorBudgetBurn,
          expr,
          labels: { severity: ctx.severities[urgency], urgency, slo: o.name },
          annotations: ctx.annotate(
            ALERT_NAMES.errorBudgetBurn,
            `${id}: ${o.describe()} is burning its error budget too fast (${urgency})`,
            `The error ratio of ${id} against ${o.describe()} is {{ $value | humanizePercentage }}: it spends the budget of ${roundRatio(o.errorBudgetRatio * 100)} % over ${period} faster than ${table}.`,
          ),
        });
      }
    } else {
      // A burn-rate alert cannot fire when burnRate x budget >= 100 % (P50: 14.4 x 50 %).
      // The objective is watched directly instead: the share of requests slower than the
      // threshold exceeded the budget over the longest page window and still does now.
      const pair = [...ctx.windows].sort((a, b) => a.longWindow.toSeconds() - b.longWindow.toSeconds())[0];
      const long = promDuration(pair.longWindow);
      const short = promDuration(pair.shortWindow);
      alerts.push({
        alert: ALERT_NAMES.latencyObjectiveBreached,
        expr: `(max without (window) (${SLO_RECORDS.errorRatio(long)}${sel} > ${o.errorBudgetRatio}) and max without (window) (${SLO_RECORDS.errorRatio(short)}${sel} > ${o.errorBudgetRatio}))`,
        labels: { severity: ctx.severities[AlertUrgency.TICKET], urgency: AlertUrgency.TICKET, slo: o.name },
        annotations: ctx.annotate(
          ALERT_NAMES.latencyObjectiveBreached,
          `${id}: ${o.describe()} is not met`,
          `{{ $value | humanizePercentage }} of the requests of ${id} took longer than ${o.thresholdMilliseconds} ms over ${long} and ${short} (allowed: ${roundRatio(o.errorBudgetRatio * 100)} %). A budget this large cannot drive a burn-rate alert, so the objective is checked directly.`,
        ),
      });
    }
  }

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

  const base = `wasm-function.${ctx.namespace}.${ctx.name}`;
  return [
    { name: `${base}.sli`, rules: sli },
    { name: `${base}.slo-meta`, rules: meta },
    { name: `${base}.alerts`, rules: alerts },
  ].filter((g) => g.rules.length > 0);
}

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
