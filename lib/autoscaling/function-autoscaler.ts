import { Construct, IConstruct } from 'constructs';
import { LABELS } from '../core/labels';
import { checkDns1123Subdomain, checkIntegerInRange, oneLine } from '../core/names';
import { parseQuantity } from '../core/quantity';
import { WasmFunction } from '../function/wasm-function';
import { constructsOf } from '../synth/synth-session';
import { CapacityPlan, checkPlan, checkPlanInputs, evaluatePlan, PlanEvaluation } from './capacity-plan';
import { FlashSaleWindow, prescaleMinutesOf } from './flash-sale';
import { fastestScaleUp, ScaleUpTiming, ScalingBehavior } from './scaling-behavior';

/**
 * The most replicas one autoscaler may set. The same bound as `WasmFunction.replicas`: the
 * seed's peak of 5,000 pods for one function; beyond that, split the function.
 */
export const MAX_REPLICAS_LIMIT = 5000;

/** Props every function autoscaler takes. */
export interface FunctionAutoscalerProps {
  /** The function whose Deployment is scaled; it then carries no `replicas`. */
  readonly target: WasmFunction;
  /** Most replicas the autoscaler may set (at most 5,000). Checked against the cluster by {@link ClusterCapacity}. */
  readonly maxReplicas: number;
  /**
   * What the function must serve; with it the peak and burst are checked at synth and
   * reported by {@link ClusterCapacity}.
   * @default - no per-function capacity check
   */
  readonly capacity?: CapacityPlan;
}

/** What a subclass tells the base about the objects it emits. */
export interface AutoscalerIdentity {
  /** Kind of the object that owns the replica count (for messages). */
  readonly kind: string;
  /** Name of that object. */
  readonly objectName: string;
  /** Name of the HorizontalPodAutoscaler that exists in the cluster for it. */
  readonly hpaName: string;
  /** Resolved lowest replica count. */
  readonly minReplicas: number;
  /** Lowest `minReplicas` the mode allows (0 for KEDA, 1 for a plain HPA). */
  readonly minReplicasFloor: number;
}

/** One flash-sale window as the capacity report shows it. */
export interface FlashSaleCapacity {
  readonly name: string;
  readonly schedule: string;
  readonly timezone: string;
  readonly replicas: number;
  readonly prescaleMinutes: number;
  /** Fastest climb from minReplicas to the window's replicas. */
  readonly reach?: ScaleUpTiming;
}

/** The mode of a function without an autoscaler, in {@link FunctionCapacity.kind} and the capacity report. */
export const FIXED_REPLICAS_MODE = 'fixed replicas';

/** One function, as the capacity check and report see it. */
export interface FunctionCapacity {
  /** Construct path of the autoscaler (of the function when it has fixed replicas). */
  readonly path: string;
  readonly functionName: string;
  readonly namespace: string;
  /** Kind of the scaling object, or FIXED_REPLICAS_MODE. */
  readonly kind: string;
  /** The metrics it scales on, for people. */
  readonly scaling: string;
  readonly minReplicas: number;
  readonly maxReplicas: number;
  /** CPU request per pod, in cores (NaN when unparseable; the function reports that). */
  readonly cpuRequestCores: number;
  /** Memory request per pod, in bytes. */
  readonly memoryRequestBytes: number;
  /**
   * Pods a rollout at maxReplicas adds above them (the Deployment's `maxSurge`).
   * @default 0
   */
  readonly surgePodsAtMax?: number;
  /**
   * CPU the RuntimeClass adds to each pod (`overhead.podFixed.cpu`), in cores.
   * @default 0
   */
  readonly podOverheadCpuCores?: number;
  /**
   * Memory the RuntimeClass adds to each pod (`overhead.podFixed.memory`), in bytes.
   * @default 0
   */
  readonly podOverheadMemoryBytes?: number;
  /** Fastest climb from min to max under the behavior (undefined when scale-up is disabled). */
  readonly minToMax?: ScaleUpTiming;
  readonly plan?: PlanEvaluation;
  readonly flashSales: readonly FlashSaleCapacity[];
}

/**
 * What every function autoscaler shares: it claims the function's replica count (the
 * Deployment then omits `replicas`), checks its replica range, refuses a second scaler on
 * the same Deployment, checks its capacity plan, and describes itself to
 * {@link ClusterCapacity}. Use {@link KedaFunctionAutoscaler} with a request-rate trigger
 * by default; {@link HorizontalFunctionAutoscaler} for CPU/memory where the shim reports
 * them; {@link ScaleToZeroFunctionAutoscaler} for rarely used functions.
 */
export abstract class FunctionAutoscaler extends Construct {
  /** Every function autoscaler under `scope`, in construction order. */
  public static all(scope: IConstruct): FunctionAutoscaler[] {
    return constructsOf(scope).filter((c): c is FunctionAutoscaler => c instanceof FunctionAutoscaler);
  }

  /** The scaled function. */
  public readonly target: WasmFunction;
  /** Lowest replica count. */
  public readonly minReplicas: number;
  /** Highest replica count. */
  public readonly maxReplicas: number;
  /** The declared capacity plan. */
  public readonly capacity?: CapacityPlan;
  /** Kind of the scaling object. */
  public readonly kind: string;
  /** Name of the scaling object (in the function's namespace). */
  public readonly objectName: string;
  /** Name of the HorizontalPodAutoscaler in the cluster (KEDA's `keda-hpa-<name>` for KEDA modes). */
  public readonly hpaName: string;
  /** Namespace of the scaling objects: always the function's, as `scaleTargetRef` requires. */
  public readonly namespace: string;

  private readonly minReplicasFloor: number;

  protected constructor(scope: Construct, id: string, props: FunctionAutoscalerProps, identity: AutoscalerIdentity) {
    super(scope, id);
    this.target = props.target;
    this.minReplicas = identity.minReplicas;
    this.maxReplicas = props.maxReplicas;
    this.capacity = props.capacity;
    this.kind = identity.kind;
    this.objectName = identity.objectName;
    this.hpaName = identity.hpaName;
    this.namespace = props.target.namespace;
    this.minReplicasFloor = identity.minReplicasFloor;

    this.target.attachAutoscaler({
      owner: this,
      kind: this.kind,
      minReplicas: this.minReplicas,
      maxReplicas: this.maxReplicas,
      hpaName: this.hpaName,
      // The message here can name the HPA KEDA creates for this autoscaler.
      reportsForeignScalers: true,
      plannedPeakRequestsPerSecond: props.capacity?.peakRequestsPerSecond,
    });
    this.node.addValidation({
      validate: () => [...this.checkRange(), ...this.checkForeignScalers(), ...this.checkMode(), ...this.checkCapacity()],
    });
  }

  /** The behavior that paces the HPA behind this autoscaler. */
  public abstract get behavior(): ScalingBehavior;

  /** Flash-sale windows that pre-scale the function. */
  public get flashSales(): readonly FlashSaleWindow[] {
    return [];
  }

  /** The metrics the autoscaler scales on, for people. */
  public abstract describeScaling(): string;

  /** Seconds between a load change and the scaling metric showing it (the slowest trigger's). */
  public abstract metricsLagSeconds(): number;

  /** How the function looks to the capacity check and report. */
  public capacitySummary(): FunctionCapacity {
    return {
      path: this.node.path,
      functionName: this.target.name,
      namespace: this.namespace,
      kind: this.kind,
      scaling: this.describeScaling(),
      minReplicas: this.minReplicas,
      maxReplicas: this.maxReplicas,
      cpuRequestCores: this.target.resources.cpuRequestCores,
      memoryRequestBytes: this.target.resources.memoryRequestBytes,
      ...podCostsOf(this.target, this.maxReplicas),
      minToMax: fastestScaleUp(this.behavior.scaleUp, this.minReplicas, this.maxReplicas),
      plan: this.capacity ? this.evaluateCapacity(this.capacity) : undefined,
      flashSales: this.flashSales.map((w) => ({
        name: w.name,
        schedule: w.schedule.describe(),
        timezone: w.timezone,
        replicas: w.replicas,
        prescaleMinutes: prescaleMinutesOf(w),
        reach: fastestScaleUp(this.behavior.scaleUp, this.minReplicas, w.replicas),
      })),
    };
  }

  /** Requests per pod the autoscaler's trigger aims at, when it scales on request rate. */
  protected triggerRequestsPerPod(_requestsPerPodPerSecond: number): number | undefined {
    return undefined;
  }

  /** Problems specific to the mode. */
  protected abstract checkMode(): string[];

  /** Labels of the scaling objects: the function's, with the component changed. */
  protected objectLabels(): Record<string, string> {
    return { ...this.target.labels, [LABELS.component]: 'autoscaler' };
  }

  private evaluateCapacity(plan: CapacityPlan): PlanEvaluation {
    return evaluatePlan(plan, {
      minReplicas: this.minReplicas,
      maxReplicas: this.maxReplicas,
      triggerRequestsPerPod: this.triggerRequestsPerPod(plan.requestsPerPodPerSecond),
      metricsLagSeconds: this.metricsLagSeconds(),
    });
  }

  private checkRange(): string[] {
    const min = this.minReplicasFloor === 1 && this.minReplicas === 0
      ? `minReplicas (0) must be at least 1 for a ${this.kind} (scale to zero needs the HPAScaleToZero alpha gate): use ScaleToZeroFunctionAutoscaler or KedaFunctionAutoscaler to scale to zero`
      : checkIntegerInRange('minReplicas', this.minReplicas, this.minReplicasFloor, MAX_REPLICAS_LIMIT);
    const errors = [
      min,
      checkIntegerInRange('maxReplicas', this.maxReplicas, 1, MAX_REPLICAS_LIMIT),
      // A name taken from an invalid function name is reported by the function.
      this.objectName === this.target.name && !this.target.hasValidIdentity ? undefined : checkDns1123Subdomain('name', this.objectName),
    ].filter((e): e is string => e !== undefined);
    if (this.minReplicas > this.maxReplicas) {
      errors.push(`maxReplicas (${this.maxReplicas}) must be at least minReplicas (${this.minReplicas})`);
    }
    return errors;
  }

  private checkCapacity(): string[] {
    if (!this.capacity) return [];
    const inputErrors = checkPlanInputs('capacity', this.capacity);
    if (inputErrors.length > 0) return inputErrors;
    return checkPlan('capacity', this.evaluateCapacity(this.capacity), this.minReplicas, this.maxReplicas);
  }

  /**
   * Scaling objects that target the same Deployment without going through an autoscaler of
   * this library; the function's index of scalers is built once per synthesis.
   */
  private checkForeignScalers(): string[] {
    const kedaNote = this.kind === 'HorizontalPodAutoscaler' ? ''
      : ` KEDA creates its own HorizontalPodAutoscaler ${this.hpaName} for this ${this.kind};`;
    return this.target.foreignScalers().map(({ object, name }) =>
      `${object.kind} "${oneLine(name)}" (${object.node.path}) also scales Deployment ${oneLine(this.namespace)}/${oneLine(this.target.name)}:${kedaNote} two autoscalers on one Deployment fight over its replica count: remove one`);
  }
}

/** What a function's pods cost beyond their requests at `replicas`: a rollout's surge and the RuntimeClass overhead. */
export function podCostsOf(fn: WasmFunction, replicas: number): Pick<FunctionCapacity, 'surgePodsAtMax' | 'podOverheadCpuCores' | 'podOverheadMemoryBytes'> {
  const overhead = fn.runtime.podOverhead;
  return {
    surgePodsAtMax: fn.surgePods(replicas),
    podOverheadCpuCores: overhead ? parseQuantity(overhead.cpu) ?? 0 : 0,
    podOverheadMemoryBytes: overhead ? parseQuantity(overhead.memory) ?? 0 : 0,
  };
}
