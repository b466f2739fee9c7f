import { AlertUrgency, BurnRateWindow, isBurnRateObjective, ObjectiveKind, roundRatio, ServiceLevelObjective } from './objectives';
import { FunctionMonitoring, ObservabilityStack } from './observability-stack';
import { ALERT_NAMES, bucketFor, PromRule, PromRuleGroup } from './rules';

/** One expected alert of a promtool `alert_rule_test`. */
export interface PromtoolExpectedAlert {
  readonly exp_labels: Record<string, string>;
  readonly exp_annotations: Record<string, string>;
}

/** One promtool `alert_rule_test`: the alerts of one name firing at one instant. */
export interface PromtoolAlertTest {
  readonly eval_time: string;
  readonly alertname: string;
  readonly exp_alerts: readonly PromtoolExpectedAlert[];
}

/** One promtool test case: synthetic series and what must fire when. */
export interface PromtoolTestCase {
  /** Not read by promtool; says which scenario this is in failure output and reviews. */
  readonly name: string;
  readonly interval: string;
  readonly input_series: readonly { readonly series: string; readonly values: string }[];
  readonly alert_rule_test: readonly PromtoolAlertTest[];
}

/** A promtool unit-test file (`promtool test rules <file>`). */
export interface PromtoolTestFile {
  readonly rule_files: readonly string[];
  readonly evaluation_interval: string;
  readonly tests: readonly PromtoolTestCase[];
}

/** Options of {@link functionRuleTests}. */
export interface FunctionRuleTestOptions {
  /** The rule files the tests load (paths relative to the test file), holding every group of the stack and the function. */
  readonly ruleFiles: readonly string[];
  /**
   * Burn rates (multiples of the availability budget) each simulated at a steady error ratio.
   * @default [0.5, 1, 6, 14.4, 20]
   */
  readonly burnRates?: readonly number[];
  /**
   * Share of requests slower than the latency threshold in each latency scenario. The slow
   * requests land just above the lowest threshold of a burn-rate latency objective (20 ms for
   * the seed's P99), so every objective with that threshold or a lower one sees them.
   * @default - 20 x that objective's budget, and 60 % (which breaches a P50 objective)
   */
  readonly slowShares?: readonly number[];
  /**
   * Labels that put a synthetic series in the function's metrics (what the source's matchers select).
   * @default - read from the source's matchers, which must then be equality matchers
   */
  readonly seriesLabels?: Record<string, string>;
  /** Labels of the good requests' series. @default { code: "200" } */
  readonly okLabels?: Record<string, string>;
  /** Labels of the failed requests' series; must match the source's errorMatcher. @default { code: "500" } */
  readonly errorLabels?: Record<string, string>;
  /**
   * Minutes between the synthetic samples of the traffic scenarios, and between rule
   * evaluations in every scenario. promtool evaluates every rule at every step from the start
   * of the three-day baseline, and the long windows read every sample they cover at each
   * step, so the cost grows with the square of the steps: 2 minutes costs a quarter of 1
   * minute. The 5m base rate still holds three samples (rate() over a steady counter is exact
   * with two), and check times are rounded up to a whole step.
   * @default 2
   */
  readonly stepMinutes?: number;
}

/** Minutes between samples and evaluations, unless the options say otherwise. */
const DEFAULT_STEP_MINUTES = 2;
/** The timelines of the short scenarios (max replicas, scrape targets) are written in minutes. */
const MINUTE_SERIES = '1m';
/** Requests per minute of the simulated function: large enough that every error count is a whole number. */
const REQUESTS_PER_MINUTE = 1_000_000;
/** Times after the scenario starts (minutes) where the alerts are asserted, where the outcome is clear. */
const CHECK_MINUTES = [10, 20, 30, 45, 60, 90, 120, 180, 240, 360, 420, 540, 720, 1080, 1440, 1500];
/**
 * A window's ratio within this share of a threshold is too close to call: rate() extrapolation,
 * the ramp of the base window and float noise (1 - 0.9999 is not 0.0001) decide it, not the
 * workbook, so nothing is asserted for that alert name at that instant.
 */
const MARGIN = 0.1;
/** The base window's rate ramps up over its length: a window full for this long shows the steady ratio exactly. */
const SETTLE_MINUTES = 10;

/**
 * promtool unit tests of one function's alerts, built from its objectives and the stack's
 * windows: for each burn rate, synthetic traffic with a steady error ratio of that multiple of
 * the availability budget after a long window of good traffic; for each slow share, a
 * latency degradation at the threshold of the lowest burn-rate latency objective; the
 * HPA sitting at its maximum; and the scrape target vanishing or going down while pods run
 * (and a function scaled to zero staying silent). At each check time every page and ticket alert must fire
 * exactly when the multi-window rule of the SRE workbook says so (long and short window
 * both above burn rate x budget) and stay silent otherwise, with its full labels and
 * annotations; objectives whose budget is too large for a burn-rate alert must raise the
 * direct objective alert instead. The expectations come from the objectives and windows,
 * not from the rules, so a rule that drifts from the workbook fails the tests.
 */
export function functionRuleTests(stack: ObservabilityStack, fn: FunctionMonitoring, options: FunctionRuleTestOptions): PromtoolTestFile {
  const groups = [...stack.sloGroups(), ...fn.ruleGroups()];
  const windows = stack.burnRateWindows;
  const availability = fn.objectives.find((o) => o.kind === ObjectiveKind.AVAILABILITY);
  const latency = fn.objectives
    .filter((o) => o.kind === ObjectiveKind.LATENCY && isBurnRateObjective(o, windows));
  const step = options.stepMinutes ?? DEFAULT_STEP_MINUTES;
  if (!Number.isInteger(step) || step < 1 || step > 5) throw new Error(`functionRuleTests: stepMinutes ${step} must be a whole number of minutes from 1 to 5 (the base rate window is 5 minutes)`);
  const sim = new Simulation(stack, fn, groups, options, step);
  const tests: PromtoolTestCase[] = [];
  if (availability !== undefined) {
    for (const m of options.burnRates ?? [0.5, 1, 6, 14.4, 20]) {
      const ratio = roundRatio(m * availability.errorBudgetRatio);
      tests.push(sim.scenario(`${fn.fn.namespace}/${fn.fn.name}: errors at ${m}x the ${availability.name} budget`, { errorRatio: ratio, slowShare: 0, slowThresholdMs: 0 }));
    }
  }
  const lowest = [...latency].sort((a, b) => (a.thresholdMilliseconds ?? 0) - (b.thresholdMilliseconds ?? 0))[0];
  if (lowest !== undefined) {
    for (const share of options.slowShares ?? [roundRatio(20 * lowest.errorBudgetRatio), 0.6]) {
      tests.push(sim.scenario(
        `${fn.fn.namespace}/${fn.fn.name}: ${share * 100} % of requests slower than ${lowest.thresholdMilliseconds} ms`,
        { errorRatio: 0, slowShare: share, slowThresholdMs: lowest.thresholdMilliseconds ?? 0 },
      ));
    }
  }
  const maxReplicas = sim.atMaxReplicas();
  if (maxReplicas !== undefined) tests.push(maxReplicas);
  tests.push(...sim.scrapeTargetMissing());
  return { rule_files: [...options.ruleFiles], evaluation_interval: `${step}m`, tests };
}

interface Scenario {
  /** Share of requests answered with a server error. */
  readonly errorRatio: number;
  /** Share of requests slower than `slowThresholdMs` (but within the next bucket). */
  readonly slowShare: number;
  readonly slowThresholdMs: number;
}

type Outcome = 'fires' | 'silent' | 'unclear';

class Simulation {
  private readonly windows: readonly BurnRateWindow[];
  private readonly baselineMinutes: number;
  private readonly labels: Record<string, string>;

  constructor(
    private readonly stack: ObservabilityStack,
    private readonly fn: FunctionMonitoring,
    private readonly groups: readonly PromRuleGroup[],
    private readonly options: FunctionRuleTestOptions,
    private readonly step: number,
  ) {
    this.windows = stack.burnRateWindows;
    // Every window is full of good traffic when the scenario starts, as in a cluster that has
    // run for a while: otherwise a window's ratio is over the little data there is.
    this.baselineMinutes = Math.ceil(Math.max(...this.windows.map((w) => w.longWindow.toMinutes())) / step) * step;
    this.labels = options.seriesLabels ?? parseMatchers(stack.sloSource.matchers({ name: fn.fn.name, namespace: fn.fn.namespace }));
  }

  scenario(name: string, s: Scenario): PromtoolTestCase {
    const source = this.stack.sloSource;
    const checks = [...new Set(CHECK_MINUTES.map((t) => Math.ceil(t / this.step) * this.step))];
    const last = checks[checks.length - 1];
    const series: { series: string; values: string }[] = [];
    const counter = (labels: Record<string, string>, metric: string, baseline: number, during: number): void => {
      series.push({ series: `${metric}${selector(labels)}`, values: counterValues(this.step, this.baselineMinutes, baseline, last, during) });
    };
    const n = REQUESTS_PER_MINUTE;
    counter({ ...this.labels, ...(this.options.okLabels ?? { code: '200' }) }, source.requestsTotal, n, roundRatio(n * (1 - s.errorRatio)));
    counter({ ...this.labels, ...(this.options.errorLabels ?? { code: '500' }) }, source.requestsTotal, 0, roundRatio(n * s.errorRatio));
    // Good requests take 5 ms at most; the slow ones land in the bucket just above the threshold.
    const factor = source.durationUnit === 'seconds' ? 1000 : 1;
    const fastLimit = 5;
    for (const b of [...source.durationBuckets.map(String), '+Inf']) {
      const ms = b === '+Inf' ? Infinity : Number(b) * factor;
      const baseline = ms >= fastLimit ? n : 0;
      const slow = s.slowShare > 0 && ms <= s.slowThresholdMs ? roundRatio(n * s.slowShare) : 0;
      counter({ ...this.labels, le: b }, `${source.durationHistogram}_bucket`, baseline, Math.max(0, baseline - slow));
    }
    counter(this.labels, `${source.durationHistogram}_count`, n, n);

    const tests: PromtoolAlertTest[] = [];
    for (const t of checks) {
      const at = `${this.baselineMinutes + t}m`;
      const burn = this.burnAlerts(s, t);
      if (burn !== undefined) tests.push({ eval_time: at, alertname: ALERT_NAMES.errorBudgetBurn, exp_alerts: burn });
      const direct = this.directAlerts(s, t);
      if (direct !== undefined) tests.push({ eval_time: at, alertname: ALERT_NAMES.latencyObjectiveBreached, exp_alerts: direct });
    }
    return { name, interval: `${this.step}m`, input_series: series, alert_rule_test: tests };
  }

  /** The HPA at its maximum from minute 10: pending for 15 minutes, then firing. */
  atMaxReplicas(): PromtoolTestCase | undefined {
    const rule = this.rule(ALERT_NAMES.atMaxReplicas);
    const hpa = this.fn.fn.autoscalerAttachments[0];
    if (rule === undefined || hpa === undefined) return undefined;
    const labels = { namespace: this.fn.fn.namespace, horizontalpodautoscaler: hpa.hpaName };
    const start = 10;
    const max = hpa.maxReplicas;
    const current = `${Math.max(1, max - 2)}x${start - 1} ${max}x40`;
    const alert = expected(rule, { ...labels, alertname: rule.alert ?? '' }, max);
    return {
      name: `${this.fn.fn.namespace}/${this.fn.fn.name}: HPA ${hpa.hpaName} at its maximum of ${max} replicas`,
      interval: MINUTE_SERIES,
      input_series: [
        { series: `kube_horizontalpodautoscaler_status_current_replicas${selector(labels)}`, values: current },
        { series: `kube_horizontalpodautoscaler_spec_max_replicas${selector(labels)}`, values: `${max}x49` },
      ],
      alert_rule_test: [
        { eval_time: `${start - 1}m`, alertname: rule.alert ?? '', exp_alerts: [] },
        { eval_time: `${start + 14}m`, alertname: rule.alert ?? '', exp_alerts: [] },
        { eval_time: `${start + 16}m`, alertname: rule.alert ?? '', exp_alerts: [alert] },
      ],
    };
  }

  /**
   * Three pods available throughout; the scrape target vanishes (a stale `up`, as when the
   * ServiceMonitor stops selecting the Service) or goes down at minute 10: pending for
   * 5 minutes, then firing. A function scaled to zero, without pods or targets, stays silent.
   */
  scrapeTargetMissing(): PromtoolTestCase[] {
    const rule = this.rule(ALERT_NAMES.scrapeTargetMissing);
    if (rule === undefined) return [];
    const fn = this.fn.fn;
    const deployment = { namespace: fn.namespace, deployment: fn.name };
    const target = { namespace: fn.namespace, function: fn.name, job: fn.serviceName, instance: '10.42.0.7:8080' };
    const available = (pods: number) => ({ series: `kube_deployment_status_replicas_available${selector(deployment)}`, values: `${pods}x40` });
    const start = 10;
    const pods = 3;
    const alert = expected(rule, { ...deployment, alertname: rule.alert ?? '' }, pods);
    const fires = (name: string, up: string): PromtoolTestCase => ({
      name: `${fn.namespace}/${fn.name}: ${name} at minute ${start} while ${pods} pods run`,
      interval: MINUTE_SERIES,
      input_series: [available(pods), { series: `up${selector(target)}`, values: up }],
      alert_rule_test: [
        { eval_time: `${start - 1}m`, alertname: rule.alert ?? '', exp_alerts: [] },
        { eval_time: `${start + 4}m`, alertname: rule.alert ?? '', exp_alerts: [] },
        { eval_time: `${start + 6}m`, alertname: rule.alert ?? '', exp_alerts: [alert] },
      ],
    });
    return [
      fires('the scrape target vanishes', `1x${start - 1} stale`),
      fires('the scrape target goes down', `1x${start - 1} 0x30`),
      {
        name: `${fn.namespace}/${fn.name}: scaled to zero, no pod and no scrape target`,
        interval: MINUTE_SERIES,
        input_series: [available(0)],
        alert_rule_test: [
          { eval_time: `${start + 6}m`, alertname: rule.alert ?? '', exp_alerts: [] },
          { eval_time: '30m', alertname: rule.alert ?? '', exp_alerts: [] },
        ],
      },
    ];
  }

  /** The burn-rate alerts at minute `t` of the scenario, or undefined when some outcome or value is unclear. */
  private burnAlerts(s: Scenario, t: number): PromtoolExpectedAlert[] | undefined {
    const out: PromtoolExpectedAlert[] = [];
    for (const o of this.simulated.filter((x) => isBurnRateObjective(x, this.windows))) {
      const ratio = this.ratioOf(o, s);
      for (const urgency of [AlertUrgency.PAGE, AlertUrgency.TICKET]) {
        const rows = this.windows.filter((w) => w.urgency === urgency);
        if (rows.length === 0) continue;
        const outcomes = rows.map((w) => pairOutcome(ratio, t, w.longWindow.toMinutes(), w.shortWindow.toMinutes(), w.burnRate * o.errorBudgetRatio));
        const outcome: Outcome = outcomes.includes('fires') ? 'fires' : outcomes.includes('unclear') ? 'unclear' : 'silent';
        if (outcome === 'unclear') return undefined;
        if (outcome === 'silent') continue;
        // The alert's value is the long-window ratio of the first row that matches: only once
        // every row that might match is full is it the steady ratio.
        if (!valueSettled(rows, outcomes, t)) return undefined;
        const rule = this.rule(ALERT_NAMES.errorBudgetBurn, urgency);
        if (rule === undefined) throw new Error(`functionRuleTests: no ${ALERT_NAMES.errorBudgetBurn} rule with urgency ${urgency} in the stack's rules`);
        out.push(expected(rule, this.objectiveLabels(o, rule), ratio));
      }
    }
    return out;
  }

  /** The direct objective alerts (objectives too loose for a burn rate) at minute `t`. */
  private directAlerts(s: Scenario, t: number): PromtoolExpectedAlert[] | undefined {
    const direct = this.simulated.filter((x) => !isBurnRateObjective(x, this.windows));
    if (direct.length === 0) return [];
    const rule = this.rule(ALERT_NAMES.latencyObjectiveBreached);
    if (rule === undefined) throw new Error(`functionRuleTests: objectives ${direct.map((o) => o.name).join(', ')} need ${ALERT_NAMES.latencyObjectiveBreached}, which the stack's rules lack`);
    const pair = [...this.windows].sort((a, b) => a.longWindow.toSeconds() - b.longWindow.toSeconds())[0];
    const out: PromtoolExpectedAlert[] = [];
    for (const o of direct) {
      const ratio = this.ratioOf(o, s);
      const outcome = pairOutcome(ratio, t, pair.longWindow.toMinutes(), pair.shortWindow.toMinutes(), o.errorBudgetRatio);
      if (outcome === 'unclear') return undefined;
      if (outcome === 'silent') continue;
      if (t < pair.longWindow.toMinutes() + SETTLE_MINUTES) return undefined;
      out.push(expected(rule, this.objectiveLabels(o, rule), ratio));
    }
    return out;
  }

  /**
   * The objectives whose SLI the scenarios feed. An edge availability objective reads the
   * gateway's per-route counters (Envoy's `envoy_cluster_upstream_rq_xx`), not the SLO source
   * the scenarios synthesize: it gets no series, so it records nothing and can fire nothing,
   * and is left out of the expectations on purpose. Its rules are checked by `promtool check
   * rules` and the library's jest tests, not by these scenarios.
   */
  private get simulated(): ServiceLevelObjective[] {
    return this.fn.objectives.filter((o) => o.kind !== ObjectiveKind.EDGE_AVAILABILITY);
  }

  /** The steady share of requests failing objective `o`'s SLI in the scenario. */
  private ratioOf(o: ServiceLevelObjective, s: Scenario): number {
    if (o.kind === ObjectiveKind.AVAILABILITY) return s.errorRatio;
    const b = bucketFor(this.stack.sloSource, o.thresholdMilliseconds ?? NaN);
    const factor = this.stack.sloSource.durationUnit === 'seconds' ? 1000 : 1;
    return b !== undefined && s.slowShare > 0 && b * factor <= s.slowThresholdMs ? s.slowShare : 0;
  }

  /** The labels an objective's alert carries: its recorded series' and the rule's. */
  private objectiveLabels(o: ServiceLevelObjective, rule: PromRule): Record<string, string> {
    return {
      alertname: rule.alert ?? '',
      namespace: this.fn.fn.namespace,
      function: this.fn.fn.name,
      slo: o.name,
      sli: o.kind === ObjectiveKind.AVAILABILITY ? 'availability' : `latency-${o.thresholdMilliseconds}ms`,
      dashboard_uid: this.fn.dashboardUid,
    };
  }

  private rule(alert: string, urgency?: AlertUrgency): PromRule | undefined {
    return this.groups.flatMap((g) => g.rules).find((r) => r.alert === alert && (urgency === undefined || r.labels?.urgency === urgency));
  }
}

/**
 * Whether the alert's value is the steady ratio: the rows are OR-ed in order, so the value is
 * the long-window ratio of the first row that matches; every row up to the first one that
 * surely matches must have a full long window.
 */
function valueSettled(rows: readonly BurnRateWindow[], outcomes: readonly Outcome[], t: number): boolean {
  for (let i = 0; i < rows.length; i++) {
    if (outcomes[i] === 'silent') continue;
    if (t < rows[i].longWindow.toMinutes() + SETTLE_MINUTES) return false;
    if (outcomes[i] === 'fires') return true;
  }
  return true;
}

/**
 * What the SRE workbook says of one long/short window pair at minute `t` after a steady ratio
 * started (the windows full of good traffic before): a window's ratio is the steady ratio
 * times the share of the window the bad traffic covers. The base window ramps over its first
 * minutes, so the cover starts a few minutes late.
 */
function pairOutcome(ratio: number, t: number, longMinutes: number, shortMinutes: number, threshold: number): Outcome {
  const cover = (w: number): number => Math.min(1, Math.max(0, t - 2.5) / w);
  const outcomes = [longMinutes, shortMinutes].map((w): Outcome => {
    const value = ratio * cover(w);
    if (value > threshold * (1 + MARGIN)) return 'fires';
    if (value < threshold * (1 - MARGIN)) return 'silent';
    return 'unclear';
  });
  if (outcomes.includes('silent')) return 'silent';
  return outcomes.includes('unclear') ? 'unclear' : 'fires';
}

/** The expected alert of `rule` for a series with `labels` and value `value`: the rule's labels and its annotations expanded. */
function expected(rule: PromRule, labels: Record<string, string>, value: number): PromtoolExpectedAlert {
  const all = { ...labels, ...(rule.labels ?? {}) };
  const annotations: Record<string, string> = {};
  for (const [k, v] of Object.entries(rule.annotations ?? {})) annotations[k] = expand(v, all, value, rule.alert ?? '');
  return { exp_labels: all, exp_annotations: annotations };
}

/**
 * Expands the few Go template forms the library's alert annotations use; anything else is
 * an error, so a new form is added here (and checked by promtool) rather than mis-expected.
 */
function expand(template: string, labels: Record<string, string>, value: number, alert: string): string {
  return template.replace(/\{\{\s*([^}]*?)\s*\}\}/g, (whole, inner: string) => {
    const label = /^\$labels\.([a-zA-Z_][a-zA-Z0-9_]*)$/.exec(inner);
    if (label) return labels[label[1]] ?? '';
    if (inner === '$value | humanizePercentage') return `${formatG4(value * 100)}%`;
    if (inner === '$value') return String(value);
    throw new Error(`functionRuleTests: alert ${alert} uses the template ${whole}, which the test builder cannot expand`);
  });
}

/** Go's %.4g for the values the tests produce (no exponent form below 1e-4 or at 1e4 and up). */
function formatG4(v: number): string {
  if (v === 0) return '0';
  if (Math.abs(v) < 1e-4 || Math.abs(v) >= 1e4) throw new Error(`functionRuleTests: ${v} needs an exponent in %.4g, which the builder does not format`);
  return String(Number(v.toPrecision(4)));
}

/** `a="x",b="y"` into labels; the source's matchers must be equality matchers to synthesize series from them. */
export function parseMatchers(matchers: string): Record<string, string> {
  const labels: Record<string, string> = {};
  const re = /\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!=|!~|=)\s*"((?:[^"\\]|\\.)*)"\s*(,|$)/y;
  let m: RegExpExecArray | null;
  let end = 0;
  while (end < matchers.length && (m = re.exec(matchers)) !== null) {
    if (m[2] !== '=') throw new Error(`functionRuleTests: the source's matcher ${m[0].trim()} is not an equality matcher; series cannot be synthesized from it`);
    labels[m[1]] = m[3];
    end = re.lastIndex;
  }
  if (end !== matchers.length) throw new Error(`functionRuleTests: cannot read the source's matchers "${matchers}"`);
  return labels;
}

function selector(labels: Record<string, string>): string {
  return `{${Object.entries(labels).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(',')}}`;
}

/**
 * A counter increasing by `baseline` a minute for `baselineMinutes`, then by `during` a minute
 * for `minutes` more, sampled every `step` minutes (promtool's expanding notation).
 */
function counterValues(step: number, baselineMinutes: number, baseline: number, minutes: number, during: number): string {
  const atSwitch = baseline * baselineMinutes;
  const perStep = roundRatio(during * step);
  return `0+${baseline * step}x${baselineMinutes / step} ${roundRatio(atSwitch + perStep)}+${perStep}x${Math.ceil((minutes + SETTLE_MINUTES) / step)}`;
}
