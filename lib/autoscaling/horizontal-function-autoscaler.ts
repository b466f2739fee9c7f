import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { oneLine } from '../core/names';
import { WasmFunction } from '../function/wasm-function';
import { FunctionAutoscaler, FunctionAutoscalerProps } from './function-autoscaler';
import { RESOURCE_METRICS_LAG_SECONDS } from './keda-trigger';
import { ScalingBehavior } from './scaling-behavior';
import * as plain from '../synth/plain-bindings';

/**
 * A resource metric an `autoscaling/v2` HPA scales on: average utilization of the pods'
 * requests. Needs a shim that reports usage to the kubelet (see the README's CPU caveat).
 */
export class ResourceMetric {
  /** Average CPU utilization, in percent of the CPU request. */
  public static cpu(utilizationPercent: number): ResourceMetric {
    return new ResourceMetric('cpu', utilizationPercent);
  }

  /** Average memory utilization, in percent of the memory request. */
  public static memory(utilizationPercent: number): ResourceMetric {
    return new ResourceMetric('memory', utilizationPercent);
  }

  private constructor(
    /** `cpu` or `memory`. */
    public readonly resource: 'cpu' | 'memory',
    /** Target average utilization, in percent of the request. */
    public readonly utilizationPercent: number,
  ) {}
}

/** Props for {@link HorizontalFunctionAutoscaler}. */
export interface HorizontalFunctionAutoscalerProps extends FunctionAutoscalerProps {
  /**
   * Lowest replica count (at least 1: a plain HPA cannot scale to zero).
   * @default 10 (the seed's)
   */
  readonly minReplicas?: number;
  /**
   * What to scale on.
   * @default [ResourceMetric.cpu(70)] (the seed's)
   */
  readonly metrics?: ResourceMetric[];
  /**
   * How fast to scale out and in.
   * @default ScalingBehavior.flashSale()
   */
  readonly behavior?: ScalingBehavior;
  /**
   * Name of the HorizontalPodAutoscaler.
   * @default - the function's name
   */
  readonly name?: string;
}

/**
 * An `autoscaling/v2` HorizontalPodAutoscaler on a function's CPU and/or memory
 * utilization, with a behavior built for flash sales. Only for shims that report CPU usage:
 * on older runwasi shims Wasm pods report none and the HPA never scales out; prefer
 * {@link KedaFunctionAutoscaler} with a request-rate trigger.
 */
export class HorizontalFunctionAutoscaler extends FunctionAutoscaler {
  /** The seed's autoscaler: CPU 70 %, 10 to 5,000 replicas. Fails the capacity check of a 10-node cluster at 110 pods per node. */
  public static seed(scope: Construct, id: string, target: WasmFunction): HorizontalFunctionAutoscaler {
    return new HorizontalFunctionAutoscaler(scope, id, {
      target, minReplicas: 10, maxReplicas: 5000, metrics: [ResourceMetric.cpu(70)],
    });
  }

  /** The HorizontalPodAutoscaler. */
  public readonly resource: k8s.KubeHorizontalPodAutoscalerV2;
  /** The metrics it scales on. */
  public readonly metrics: readonly ResourceMetric[];
  private readonly scalingBehavior: ScalingBehavior;

  constructor(scope: Construct, id: string, props: HorizontalFunctionAutoscalerProps) {
    const name = props.name ?? props.target.name;
    super(scope, id, props, {
      kind: 'HorizontalPodAutoscaler',
      objectName: name,
      hpaName: name,
      minReplicas: props.minReplicas ?? 10,
      minReplicasFloor: 1,
    });
    this.metrics = props.metrics ?? [ResourceMetric.cpu(70)];
    this.scalingBehavior = props.behavior ?? ScalingBehavior.flashSale();

    this.resource = new plain.KubeHorizontalPodAutoscalerV2(this, 'Resource', {
      metadata: { name, namespace: this.namespace || undefined, labels: this.objectLabels() },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: this.target.name },
        minReplicas: this.minReplicas,
        maxReplicas: this.maxReplicas,
        metrics: this.metrics.map((m) => ({
          type: 'Resource',
          resource: { name: m.resource, target: { type: 'Utilization', averageUtilization: m.utilizationPercent } },
        })),
        behavior: this.scalingBehavior.toHpa(),
      },
    });
    this.node.defaultChild = this.resource;
  }

  public get behavior(): ScalingBehavior {
    return this.scalingBehavior;
  }

  public describeScaling(): string {
    return this.metrics.map((m) => `${m.resource} ${m.utilizationPercent} %`).join(', ');
  }

  public metricsLagSeconds(): number {
    return RESOURCE_METRICS_LAG_SECONDS;
  }

  protected checkMode(): string[] {
    const errors: string[] = [];
    if (this.metrics.length === 0) {
      errors.push('metrics is empty: give at least one ResourceMetric (for example ResourceMetric.cpu(70))');
    }
    const seen = new Set<string>();
    this.metrics.forEach((m, i) => {
      const v = m.utilizationPercent;
      if (!Number.isInteger(v) || v < 1 || v > 100) {
        errors.push(`metrics[${i}] ${m.resource} utilization (${v}) must be an integer percentage from 1 to 100`);
      }
      if (seen.has(m.resource)) errors.push(`metrics[${i}] repeats ${m.resource}: give each resource once`);
      seen.add(m.resource);
    });
    errors.push(...checkResourceRequests(this.target, this.metrics.map((m) => m.resource), 'metrics'));
    errors.push(...this.scalingBehavior.validate('behavior'));
    return errors;
  }
}

/** Utilization is a share of the request: without one there is nothing to divide by, and KEDA's webhook refuses it. */
export function checkResourceRequests(target: WasmFunction, resources: readonly ('cpu' | 'memory')[], field: string): string[] {
  const r = target.resources;
  const errors: string[] = [];
  if (resources.includes('cpu') && !(r.cpuRequestCores > 0)) {
    errors.push(`${field} scale on cpu, but the function's resources.cpuRequest is "${oneLine(r.cpuRequest)}": set a CPU request above 0 (utilization is a share of it), or scale on request rate`);
  }
  if (resources.includes('memory') && !(r.memoryRequestBytes > 0)) {
    errors.push(`${field} scale on memory, but the function's resources.memoryRequest is "${oneLine(r.memoryRequest)}": set a memory request above 0 (utilization is a share of it), or scale on request rate`);
  }
  return errors;
}
