import { Duration } from 'cdk8s';
import { checkOneOf, oneLine } from '../core/names';

/** What an objective measures. */
export enum ObjectiveKind {
  /** Share of requests answered without a server error. */
  AVAILABILITY = 'availability',
  /** Share of requests answered within a latency threshold. */
  LATENCY = 'latency',
  /**
   * Share of the requests a gateway sent to the function's routes that were not answered
   * with a 5xx at the edge, as the proxies count them (the stack's `edgeMetrics`).
   */
  EDGE_AVAILABILITY = 'edge-availability',
}

/** Options for {@link ServiceLevelObjective.availability}. */
export interface AvailabilityObjectiveOptions {
  /**
   * Name of the SLO, unique per function (lowercase letters, digits and '-').
   * @default "availability"
   */
  readonly name?: string;
}

/** Options for {@link ServiceLevelObjective.edgeAvailability}. */
export interface EdgeAvailabilityObjectiveOptions {
  /**
   * Name of the SLO, unique per function (lowercase letters, digits and '-').
   * @default "edge-availability"
   */
  readonly name?: string;
}

/** Options for {@link ServiceLevelObjective.latency}. */
export interface LatencyObjectiveOptions {
  /**
   * Percentage of requests that must be faster than the threshold: 99 for a P99 objective.
   * Strictly between 0 and 100.
   */
  readonly percentile: number;
  /**
   * The latency threshold in milliseconds. It must be a bucket boundary of the request
   * duration histogram the SLOs are computed from (converted to the histogram's unit).
   */
  readonly thresholdMilliseconds: number;
  /**
   * Name of the SLO, unique per function.
   * @default - `latency-p<percentile>` with '.' spelled as '-', for example "latency-p99-9"
   */
  readonly name?: string;
}

/**
 * One service level objective of a function. Enum-like: create it with
 * {@link ServiceLevelObjective.availability} or {@link ServiceLevelObjective.latency}.
 */
export class ServiceLevelObjective {
  /** At least `targetPercent` % of requests do not fail with a server error. */
  public static availability(targetPercent: number, options: AvailabilityObjectiveOptions = {}): ServiceLevelObjective {
    return new ServiceLevelObjective(ObjectiveKind.AVAILABILITY, options.name ?? 'availability', targetPercent);
  }

  /**
   * At least `targetPercent` % of the requests the gateway sends to the function's routes are
   * not answered with a 5xx at the edge: the function's own 5xx and those the proxy makes up
   * when the function cannot answer (reset, refused, timeout, no endpoint). A separate SLI from
   * {@link availability}, so nothing is counted twice within one objective.
   */
  public static edgeAvailability(targetPercent: number, options: EdgeAvailabilityObjectiveOptions = {}): ServiceLevelObjective {
    return new ServiceLevelObjective(ObjectiveKind.EDGE_AVAILABILITY, options.name ?? 'edge-availability', targetPercent);
  }

  /** At least `percentile` % of requests finish within `thresholdMilliseconds`. */
  public static latency(options: LatencyObjectiveOptions): ServiceLevelObjective {
    const name = options.name ?? `latency-p${String(options.percentile).replace('.', '-')}`;
    return new ServiceLevelObjective(ObjectiveKind.LATENCY, name, options.percentile, options.thresholdMilliseconds);
  }

  private constructor(
    /** What the objective measures. */
    public readonly kind: ObjectiveKind,
    /** Name, unique per function; part of alert names and rule labels. */
    public readonly name: string,
    /** Target share of good requests, in percent. */
    public readonly targetPercent: number,
    /** Latency threshold in milliseconds (latency objectives only). */
    public readonly thresholdMilliseconds?: number,
  ) {}

  /** The error budget as a ratio: 1 - target. */
  public get errorBudgetRatio(): number {
    return roundRatio(1 - this.targetPercent / 100);
  }

  /** The target as a ratio. */
  public get targetRatio(): number {
    return roundRatio(this.targetPercent / 100);
  }

  /** A short description for alerts and dashboards, for example "P99 < 20 ms". */
  public describe(): string {
    if (this.kind === ObjectiveKind.AVAILABILITY) return `availability ${this.targetPercent} %`;
    if (this.kind === ObjectiveKind.EDGE_AVAILABILITY) return `edge availability ${this.targetPercent} %`;
    return `P${this.targetPercent} < ${this.thresholdMilliseconds} ms`;
  }
}

/** Removes binary floating point noise (1 - 0.9999 = 0.00009999999999998899). */
export function roundRatio(value: number): number {
  return Number(value.toPrecision(12));
}

/**
 * The seed's objectives: P50 < 10 ms, P99 < 20 ms, P99.9 < 50 ms, availability 99.99 %.
 */
export const SEED_OBJECTIVES: readonly ServiceLevelObjective[] = [
  ServiceLevelObjective.latency({ percentile: 50, thresholdMilliseconds: 10 }),
  ServiceLevelObjective.latency({ percentile: 99, thresholdMilliseconds: 20 }),
  ServiceLevelObjective.latency({ percentile: 99.9, thresholdMilliseconds: 50 }),
  ServiceLevelObjective.availability(99.99),
];

/** How urgent an alert is: a page wakes someone, a ticket waits for working hours. */
export enum AlertUrgency {
  PAGE = 'page',
  TICKET = 'ticket',
}

/**
 * One row of a multi-window, multi-burn-rate alert: fire when the error budget burns
 * faster than `burnRate` over both the long and the short window.
 */
export interface BurnRateWindow {
  /** Long window: how much budget must have burnt before the alert fires. */
  readonly longWindow: Duration;
  /** Short window: makes the alert stop soon after the burn stops (usually 1/12 of the long one). */
  readonly shortWindow: Duration;
  /** Burn-rate factor: 1 spends the whole budget in exactly the SLO period. */
  readonly burnRate: number;
  /** Page or ticket. */
  readonly urgency: AlertUrgency;
}

/**
 * The Google SRE workbook's table for a 30-day SLO period: 2 % of the budget in 1 h and
 * 5 % in 6 h page; 10 % in 1 d and 10 % in 3 d open a ticket.
 */
export const SRE_WORKBOOK_WINDOWS: readonly BurnRateWindow[] = [
  { longWindow: Duration.hours(1), shortWindow: Duration.minutes(5), burnRate: 14.4, urgency: AlertUrgency.PAGE },
  { longWindow: Duration.hours(6), shortWindow: Duration.minutes(30), burnRate: 6, urgency: AlertUrgency.PAGE },
  { longWindow: Duration.days(1), shortWindow: Duration.hours(2), burnRate: 3, urgency: AlertUrgency.TICKET },
  { longWindow: Duration.days(3), shortWindow: Duration.hours(6), burnRate: 1, urgency: AlertUrgency.TICKET },
];

/**
 * True when a multi-window burn-rate alert can fire for this objective: every window's
 * burn-rate threshold must stay below an error ratio of 100 %. A P50 objective has a
 * 50 % budget, so 14.4 × 50 % = 720 % could never be reached.
 */
export function isBurnRateObjective(objective: ServiceLevelObjective, windows: readonly BurnRateWindow[]): boolean {
  return windows.every((w) => w.burnRate * objective.errorBudgetRatio < 1);
}

/** Prometheus duration text of a whole number of seconds: 300 -> "5m", 86400 -> "1d". */
export function promDuration(d: Duration): string {
  return promDurationSeconds(d.toSeconds());
}

/** Prometheus duration text of a number of seconds. */
export function promDurationSeconds(seconds: number): string {
  for (const [unit, size] of [['d', 86400], ['h', 3600], ['m', 60]] as const) {
    if (seconds >= size && seconds % size === 0) return `${seconds / size}${unit}`;
  }
  return `${seconds}s`;
}

/** Validation of one function's objectives; messages name the field, value and what is allowed. */
export function checkObjectives(
  field: string, objectives: readonly ServiceLevelObjective[], bucketsMs: readonly number[] | undefined, sourceName: string,
): string[] {
  const errors: string[] = [];
  const seen = new Map<string, number>();
  objectives.forEach((o, i) => {
    const at = `${field}[${i}]`;
    seen.set(o.name, (seen.get(o.name) ?? 0) + 1);
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(o.name) || o.name.length > 40) {
      errors.push(`${at}.name "${oneLine(o.name)}" must be 1-40 lowercase letters, digits or '-', starting and ending with a letter or digit`);
    }
    if (!Number.isFinite(o.targetPercent) || o.targetPercent <= 0 || o.targetPercent >= 100) {
      const what = o.kind === ObjectiveKind.LATENCY ? 'percentile' : 'targetPercent';
      errors.push(`${at} (${oneLine(o.name)}) ${what} (${o.targetPercent}) must be strictly between 0 and 100 % (for example 99.9)`);
    }
    // No buckets when the source's unit is unknown: that is reported once, on its own.
    if (o.kind === ObjectiveKind.LATENCY && bucketsMs !== undefined) {
      const t = o.thresholdMilliseconds ?? NaN;
      if (!bucketsMs.some((b) => sameBoundary(b, t))) {
        errors.push(`${at} (${oneLine(o.name)}) thresholdMilliseconds (${t}) is not a bucket boundary of the ${sourceName} request duration histogram: use one of ${bucketsMs.map((b) => `${b} ms`).join(', ')}, or add the bucket to the histogram`);
      }
    }
  });
  for (const [name, count] of seen) {
    if (count > 1) {
      errors.push(`${field} has ${count} objectives named "${oneLine(name)}": SLO names must be unique per function (pass a distinct name)`);
    }
  }
  return errors;
}

/** Bucket boundaries compared after unit conversion, tolerant of float noise (0.02 s × 1000). */
export function sameBoundary(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
}

/** Validation of burn-rate windows against the scrape interval and the SLO period. */
export function checkWindows(
  windows: readonly BurnRateWindow[], scrapeIntervalSeconds: number, evaluationIntervalSeconds: number, periodDays: number,
): string[] {
  const errors: string[] = [];
  if (windows.length === 0) {
    errors.push('burnRateWindows is empty: give at least one window (for example SRE_WORKBOOK_WINDOWS)');
  }
  // rate() needs at least two samples in its window and is only stable with about four;
  // Prometheus' own guidance is a range of at least 4x the scrape interval.
  const minimum = 4 * Math.max(scrapeIntervalSeconds, evaluationIntervalSeconds);
  windows.forEach((w, i) => {
    const at = `burnRateWindows[${i}]`;
    const shortS = w.shortWindow.toSeconds();
    const longS = w.longWindow.toSeconds();
    if (!Number.isInteger(shortS) || !Number.isInteger(longS)) {
      errors.push(`${at} windows (${w.shortWindow.toSeconds()}s, ${w.longWindow.toSeconds()}s) must be whole seconds`);
    }
    if (shortS < minimum) {
      errors.push(`${at}.shortWindow (${promDuration(w.shortWindow)}) does not fit the scrape interval (${scrapeIntervalSeconds}s) and rule evaluation interval (${evaluationIntervalSeconds}s): use at least ${minimum}s (4 samples), or scrape more often`);
    }
    if (longS <= shortS) {
      errors.push(`${at}.longWindow (${promDuration(w.longWindow)}) must be longer than shortWindow (${promDuration(w.shortWindow)})`);
    }
    if (longS > periodDays * 86400) {
      errors.push(`${at}.longWindow (${promDuration(w.longWindow)}) must not exceed the SLO period (${periodDays}d)`);
    }
    if (!Number.isFinite(w.burnRate) || w.burnRate <= 0) {
      errors.push(`${at}.burnRate (${w.burnRate}) must be a positive number (for example 14.4)`);
    }
    // An urgency outside the enum (a JavaScript string) matches neither alert rule, so the window would be dropped silently.
    const urgencyError = checkOneOf(`${at}.urgency`, w.urgency, Object.values(AlertUrgency));
    if (urgencyError) errors.push(`${urgencyError} (AlertUrgency.PAGE or AlertUrgency.TICKET)`);
  });
  return errors;
}
