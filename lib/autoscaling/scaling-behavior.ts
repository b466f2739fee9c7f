import { k8s } from 'cdk8s-plus-28';
import { ScaledObjectSpecAdvancedHorizontalPodAutoscalerConfigBehavior } from '../../imports/keda-scaledobjects-keda.sh';
import { checkOneOf } from '../core/names';

/**
 * How often the kube-controller-manager re-evaluates every HorizontalPodAutoscaler
 * (`--horizontal-pod-autoscaler-sync-period`, 15 s in Kubernetes and K3s). KEDA scales
 * through an HPA too, so the same period paces every mode of this library.
 */
export const HPA_SYNC_PERIOD_SECONDS = 15;

/** Which policy wins when several allow different changes. */
export enum SelectPolicy {
  /** The policy that allows the largest change (the Kubernetes default). */
  MAX = 'Max',
  /** The policy that allows the smallest change. */
  MIN = 'Min',
  /** Never scale in this direction. */
  DISABLED = 'Disabled',
}

/** One limit on how fast replicas may change: `value` pods or percent per `periodSeconds`. */
export class ScalingPolicy {
  /** Add or remove at most `pods` pods per `periodSeconds`. */
  public static pods(pods: number, periodSeconds: number): ScalingPolicy {
    return new ScalingPolicy('Pods', pods, periodSeconds);
  }

  /** Change the replica count by at most `percent` % of the count at the start of the period, per `periodSeconds`. */
  public static percent(percent: number, periodSeconds: number): ScalingPolicy {
    return new ScalingPolicy('Percent', percent, periodSeconds);
  }

  private constructor(
    /** `Pods` or `Percent`. */
    public readonly type: 'Pods' | 'Percent',
    /** Pods, or percent, allowed per period. */
    public readonly value: number,
    /** Length of the period the limit applies to. */
    public readonly periodSeconds: number,
  ) {}
}

/** The rules for one direction of scaling (the HPA's `HPAScalingRules`). */
export interface ScalingRules {
  /**
   * Seconds of past recommendations the controller considers: for scale-up it takes the
   * lowest, for scale-down the highest, so short spikes and dips are ignored.
   */
  readonly stabilizationWindowSeconds: number;
  /** The limits on the rate of change. */
  readonly policies: readonly ScalingPolicy[];
  /**
   * Which policy wins.
   * @default SelectPolicy.MAX
   */
  readonly selectPolicy?: SelectPolicy;
}

/** Props for {@link ScalingBehavior}. */
export interface ScalingBehaviorProps {
  /** Rules for adding pods. */
  readonly scaleUp: ScalingRules;
  /** Rules for removing pods. */
  readonly scaleDown: ScalingRules;
}

/**
 * The `behavior` of an `autoscaling/v2` HPA (or of the HPA KEDA creates): how fast the
 * replica count may rise and fall. Only the fields Kubernetes 1.30 accepts are
 * representable (no `tolerance`, which needs 1.33 and a feature gate).
 */
export class ScalingBehavior {
  /**
   * Built for flash sales: scale out at once and hard (no stabilization; each 15 s sync may
   * add 300 % of the pods or 100 pods, whichever is more), scale in slowly (the highest
   * recommendation of the last 10 minutes, then at most 10 % of the pods per minute), so a
   * sale that comes in waves does not find its pods gone between two waves.
   */
  public static flashSale(): ScalingBehavior {
    return new ScalingBehavior({
      scaleUp: {
        stabilizationWindowSeconds: 0,
        policies: [ScalingPolicy.percent(300, 15), ScalingPolicy.pods(100, 15)],
        selectPolicy: SelectPolicy.MAX,
      },
      scaleDown: {
        stabilizationWindowSeconds: 600,
        policies: [ScalingPolicy.percent(10, 60)],
        selectPolicy: SelectPolicy.MAX,
      },
    });
  }

  /**
   * What Kubernetes does when `behavior` is left out: up by 100 % or 4 pods per 15 s,
   * down to the target after a 300 s window. The KEDA HTTP add-on's HPA uses it, since
   * HTTPScaledObject has no behavior field.
   */
  public static kubernetesDefault(): ScalingBehavior {
    return new ScalingBehavior({
      scaleUp: {
        stabilizationWindowSeconds: 0,
        policies: [ScalingPolicy.percent(100, 15), ScalingPolicy.pods(4, 15)],
        selectPolicy: SelectPolicy.MAX,
      },
      scaleDown: {
        stabilizationWindowSeconds: 300,
        policies: [ScalingPolicy.percent(100, 15)],
        selectPolicy: SelectPolicy.MAX,
      },
    });
  }

  /** Rules for adding pods. */
  public readonly scaleUp: ScalingRules;
  /** Rules for removing pods. */
  public readonly scaleDown: ScalingRules;

  constructor(props: ScalingBehaviorProps) {
    this.scaleUp = props.scaleUp;
    this.scaleDown = props.scaleDown;
  }

  /** Every problem with the behavior, each naming `field` (for example "behavior"). */
  public validate(field: string): string[] {
    return [
      ...checkRules(`${field}.scaleUp`, this.scaleUp),
      ...checkRules(`${field}.scaleDown`, this.scaleDown),
    ];
  }

  /** The `autoscaling/v2` form. */
  public toHpa(): k8s.HorizontalPodAutoscalerBehaviorV2 {
    return { scaleUp: rulesToJson(this.scaleUp), scaleDown: rulesToJson(this.scaleDown) };
  }

  /** The form of a KEDA ScaledObject's `advanced.horizontalPodAutoscalerConfig.behavior`. */
  public toKeda(): ScaledObjectSpecAdvancedHorizontalPodAutoscalerConfigBehavior {
    return { scaleUp: rulesToJson(this.scaleUp), scaleDown: rulesToJson(this.scaleDown) };
  }
}

function rulesToJson(rules: ScalingRules): k8s.HpaScalingRulesV2 {
  return {
    stabilizationWindowSeconds: rules.stabilizationWindowSeconds,
    selectPolicy: rules.selectPolicy ?? SelectPolicy.MAX,
    policies: rules.policies.map((p) => ({ type: p.type, value: p.value, periodSeconds: p.periodSeconds })),
  };
}

const POLICY_TYPES: readonly string[] = ['Pods', 'Percent'];

function checkRules(field: string, rules: ScalingRules): string[] {
  const errors: string[] = [];
  const window = rules.stabilizationWindowSeconds;
  if (!Number.isInteger(window) || window < 0 || window > 3600) {
    errors.push(`${field}.stabilizationWindowSeconds (${window}) must be an integer from 0 to 3600`);
  }
  // A JavaScript caller may pass any string; the API server refuses all but the three.
  const selectError = rules.selectPolicy !== undefined ? checkOneOf(`${field}.selectPolicy`, rules.selectPolicy, Object.values(SelectPolicy)) : undefined;
  if (selectError) errors.push(`${selectError} (SelectPolicy.MAX, SelectPolicy.MIN or SelectPolicy.DISABLED; leave it out for Max)`);
  if (rules.policies.length === 0 && rules.selectPolicy !== SelectPolicy.DISABLED && !selectError) {
    errors.push(`${field}.policies is empty: give at least one ScalingPolicy, or set selectPolicy to SelectPolicy.DISABLED`);
  }
  rules.policies.forEach((p, i) => {
    const typeError = checkOneOf(`${field}.policies[${i}].type`, p.type, POLICY_TYPES);
    if (typeError) errors.push(`${typeError}: create the policy with ScalingPolicy.pods(...) or ScalingPolicy.percent(...)`);
    if (!Number.isInteger(p.value) || p.value < 1) {
      errors.push(`${field}.policies[${i}].value (${p.value}) must be a positive integer (${p.type === 'Pods' ? 'pods' : 'percent'} per period)`);
    }
    if (!Number.isInteger(p.periodSeconds) || p.periodSeconds < 1 || p.periodSeconds > 1800) {
      errors.push(`${field}.policies[${i}].periodSeconds (${p.periodSeconds}) must be an integer from 1 to 1800`);
    }
  });
  return errors;
}

/** How long the fastest possible scale-up takes; see {@link fastestScaleUp}. */
export interface ScaleUpTiming {
  /** HPA syncs that change the replica count on the way (0 when already there). */
  readonly steps: number;
  /** Seconds from the first sync that sees the load until the last step is decided (pods still have to start). */
  readonly seconds: number;
  /** Replica count after each step. */
  readonly path: readonly number[];
}

/**
 * The fastest climb from `from` to `to` replicas that `rules` allow, when the metric asks
 * for `to` (or more) from the first sync on: a replay of the HPA controller's scale-up limit
 * (for each policy, the count at the start of its period plus `value` pods or percent;
 * the largest wins under Max, the smallest under Min), evaluated once per sync. A
 * stabilization window delays the first step by its length. Returns undefined when the
 * rules never reach `to` (scale-up disabled).
 */
export function fastestScaleUp(
  rules: ScalingRules, from: number, to: number, syncPeriodSeconds: number = HPA_SYNC_PERIOD_SECONDS,
): ScaleUpTiming | undefined {
  if (to <= from) return { steps: 0, seconds: 0, path: [] };
  const select = rules.selectPolicy ?? SelectPolicy.MAX;
  if (select === SelectPolicy.DISABLED || rules.policies.length === 0) return undefined;
  // An HPA never scales a Deployment up from 0: KEDA activates 0 -> 1 itself, at once.
  let current = Math.max(from, 1);
  const path: number[] = from === 0 ? [1] : [];
  const events: { time: number; added: number }[] = [];
  const delay = rules.stabilizationWindowSeconds;
  // After KEDA's activation the HPA takes over at its next sync.
  let time = from === 0 ? syncPeriodSeconds : 0;
  for (let step = 0; step < 10000 && current < to; step++) {
    const limits = rules.policies.map((p) => {
      // Kubernetes counts the changes strictly inside the last period.
      const added = events.filter((e) => e.time > time - p.periodSeconds).reduce((s, e) => s + e.added, 0);
      const periodStart = current - added;
      return p.type === 'Pods' ? periodStart + p.value : Math.ceil(periodStart * (1 + p.value / 100));
    });
    const limit = select === SelectPolicy.MIN ? Math.min(...limits) : Math.max(...limits);
    const next = Math.min(to, Math.max(limit, current));
    if (next > current) {
      events.push({ time, added: next - current });
      path.push(next);
      current = next;
    }
    if (current < to) time += syncPeriodSeconds;
  }
  if (current < to) return undefined;
  if (path.length === 1 && from === 0) time = 0;
  return { steps: path.length, seconds: time + delay, path };
}
