import { HPA_SYNC_PERIOD_SECONDS } from './scaling-behavior';

/** A pod's start when the plan names none: image cached, Wasm shim start, readiness probe. */
export const DEFAULT_POD_START_SECONDS = 2;

/**
 * What a function must serve, as its owners measured it. With it the autoscaler checks at
 * synth that its replica range can carry the peak and that its floor absorbs a burst.
 */
export interface CapacityPlan {
  /** Highest request rate expected, in requests per second (for example the flash-sale peak). */
  readonly peakRequestsPerSecond: number;
  /** Requests per second one pod serves at its CPU limit within the latency objective (from a load test). */
  readonly requestsPerPodPerSecond: number;
  /**
   * Share of `requestsPerPodPerSecond` pods run at once scaled, in percent: the rest is
   * headroom for the next reaction time.
   * @default - the request-rate trigger's target divided by `requestsPerPodPerSecond`; 70 when the autoscaler scales on another metric
   */
  readonly targetUtilizationPercent?: number;
  /**
   * The rise in request rate that can arrive within one reaction time (HPA sync + metrics
   * lag + pod start), which the floor replicas must absorb before new pods serve.
   * @default - no burst check
   */
  readonly burstRequestsPerSecond?: number;
  /**
   * Seconds from a pod's creation to its first served request: image cached (pinned by
   * digest, pulled IfNotPresent), Wasm shim start, readiness probe.
   * @default 2
   */
  readonly podStartSeconds?: number;
}

/** How long a function takes to add serving pods after load rises. */
export interface ReactionTime {
  /** One HPA sync period (the worst case between the load change and the next evaluation). */
  readonly syncSeconds: number;
  /** From the load change to the metric showing it. */
  readonly metricsLagSeconds: number;
  /** From pod creation to ready. */
  readonly podStartSeconds: number;
  /** The sum. */
  readonly totalSeconds: number;
}

/** A capacity plan worked out against an autoscaler's replica range. */
export interface PlanEvaluation {
  readonly peakRequestsPerSecond: number;
  readonly requestsPerPodPerSecond: number;
  /** Requests per second one pod carries once scaled (`perPod × target utilization`). */
  readonly targetRequestsPerPod: number;
  /** `targetRequestsPerPod / requestsPerPodPerSecond`. */
  readonly targetUtilization: number;
  /** `ceil(peak / targetRequestsPerPod)`: the replicas the peak needs. */
  readonly replicasAtPeak: number;
  /** What `maxReplicas` carries at the target utilization. */
  readonly requestsPerSecondAtMax: number;
  /** What `minReplicas` serve at full per-pod throughput, before any scale-out. */
  readonly floorRequestsPerSecond: number;
  readonly reaction: ReactionTime;
  /** The declared burst, if any. */
  readonly burstRequestsPerSecond?: number;
  /** `floor - burst`: negative when the floor cannot absorb the burst. */
  readonly burstHeadroomRequestsPerSecond?: number;
  /** `ceil(burst / perPod)`: the floor the burst needs. */
  readonly minReplicasForBurst?: number;
}

/** `Math.ceil` that ignores floating-point noise (70000 / 70 must be 1000, not 1001). */
export function ceilSafe(value: number): number {
  return Math.ceil(value - 1e-9);
}

/** Works a plan out against a replica range; pure arithmetic, documented in the README. */
export function evaluatePlan(plan: CapacityPlan, range: {
  readonly minReplicas: number;
  readonly maxReplicas: number;
  /** Requests per pod the autoscaler's own trigger aims at, when it scales on request rate. */
  readonly triggerRequestsPerPod?: number;
  readonly metricsLagSeconds: number;
}): PlanEvaluation {
  const perPod = plan.requestsPerPodPerSecond;
  const targetRequestsPerPod = plan.targetUtilizationPercent !== undefined
    ? perPod * plan.targetUtilizationPercent / 100
    : range.triggerRequestsPerPod ?? perPod * 0.7;
  const podStartSeconds = plan.podStartSeconds ?? DEFAULT_POD_START_SECONDS;
  const reaction: ReactionTime = {
    syncSeconds: HPA_SYNC_PERIOD_SECONDS,
    metricsLagSeconds: range.metricsLagSeconds,
    podStartSeconds,
    totalSeconds: HPA_SYNC_PERIOD_SECONDS + range.metricsLagSeconds + podStartSeconds,
  };
  const floor = range.minReplicas * perPod;
  const burst = plan.burstRequestsPerSecond;
  return {
    peakRequestsPerSecond: plan.peakRequestsPerSecond,
    requestsPerPodPerSecond: perPod,
    targetRequestsPerPod,
    targetUtilization: targetRequestsPerPod / perPod,
    replicasAtPeak: ceilSafe(plan.peakRequestsPerSecond / targetRequestsPerPod),
    requestsPerSecondAtMax: range.maxReplicas * targetRequestsPerPod,
    floorRequestsPerSecond: floor,
    reaction,
    ...(burst !== undefined ? {
      burstRequestsPerSecond: burst,
      burstHeadroomRequestsPerSecond: floor - burst,
      minReplicasForBurst: ceilSafe(burst / perPod),
    } : {}),
  };
}

/** Problems with the plan's own numbers, naming `field`. */
export function checkPlanInputs(field: string, plan: CapacityPlan): string[] {
  const errors: string[] = [];
  const positive = (name: string, v: number | undefined) => {
    if (v !== undefined && !(Number.isFinite(v) && v > 0)) errors.push(`${field}.${name} (${v}) must be a positive number`);
  };
  positive('peakRequestsPerSecond', plan.peakRequestsPerSecond);
  positive('requestsPerPodPerSecond', plan.requestsPerPodPerSecond);
  positive('burstRequestsPerSecond', plan.burstRequestsPerSecond);
  const u = plan.targetUtilizationPercent;
  if (u !== undefined && !(Number.isFinite(u) && u > 0 && u <= 100)) {
    errors.push(`${field}.targetUtilizationPercent (${u}) must be above 0 and at most 100`);
  }
  const s = plan.podStartSeconds;
  if (s !== undefined && !(Number.isFinite(s) && s >= 0 && s <= 600)) {
    errors.push(`${field}.podStartSeconds (${s}) must be from 0 to 600`);
  }
  return errors;
}

/** The two per-function capacity rules, as messages naming the numbers. */
export function checkPlan(field: string, e: PlanEvaluation, minReplicas: number, maxReplicas: number): string[] {
  const errors: string[] = [];
  if (e.replicasAtPeak > maxReplicas) {
    errors.push(`${field}.peakRequestsPerSecond (${fmt(e.peakRequestsPerSecond)}) needs ${e.replicasAtPeak} replicas at ${fmt(e.targetRequestsPerPod)} requests/s per pod (${fmt(e.requestsPerPodPerSecond)} × ${pct(e.targetUtilization)} target utilization), above maxReplicas (${maxReplicas}): raise maxReplicas to at least ${e.replicasAtPeak}, or make each pod serve more`);
  }
  if (e.burstHeadroomRequestsPerSecond !== undefined && e.burstHeadroomRequestsPerSecond < 0) {
    errors.push(`${field}.burstRequestsPerSecond (${fmt(e.burstRequestsPerSecond!)}) exceeds what minReplicas (${minReplicas}) × ${fmt(e.requestsPerPodPerSecond)} requests/s per pod = ${fmt(e.floorRequestsPerSecond)} requests/s absorb during one reaction time of ${fmt(e.reaction.totalSeconds)} s (${e.reaction.syncSeconds} s HPA sync + ${fmt(e.reaction.metricsLagSeconds)} s metrics lag + ${fmt(e.reaction.podStartSeconds)} s pod start): raise minReplicas to at least ${e.minReplicasForBurst}, or pre-scale with a flash-sale window`);
  }
  return errors;
}

/** A number for messages and reports: integers as they are, others to two decimals. */
export function fmt(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(2).replace(/\.?0+$/, '');
}

function pct(fraction: number): string {
  return `${fmt(fraction * 100)} %`;
}
