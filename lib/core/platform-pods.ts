import { IConstruct } from 'constructs';

/**
 * Pods the platform itself runs beside the functions (an authorizer, a proxy, an
 * interceptor), at the most replicas they reach during a sale, as the cluster capacity
 * check counts them.
 */
export interface PlatformPods {
  /** What runs, for people: "OPA authorizer", "KEDA HTTP interceptor". */
  readonly component: string;
  /**
   * Namespace and name of its Deployment. Two constructs that describe the same workload (every
   * scale-to-zero function names the one KEDA interceptor) give the same key, and it counts once.
   */
  readonly key: string;
  /** Pods at the most it runs. */
  readonly pods: number;
  /** CPU request per pod, in cores. */
  readonly cpuRequestCores: number;
  /** Memory request per pod, in bytes. */
  readonly memoryRequestBytes: number;
  /** Where the figures come from, for the capacity report: "replicas", "the chart's default". */
  readonly source: string;
}

/** A construct that creates or describes platform pods the capacity check must count. */
export interface IPlatformPodsSource extends IConstruct {
  /** The platform pods this construct creates or describes. */
  platformPods(): PlatformPods[];
}

/** True when `c` reports platform pods. */
export function isPlatformPodsSource(c: IConstruct): c is IPlatformPodsSource {
  return typeof (c as Partial<IPlatformPodsSource>).platformPods === 'function';
}
