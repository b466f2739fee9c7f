import { IConstruct } from 'constructs';
import { ceilSafe } from '../autoscaling/capacity-plan';
import { FunctionAutoscaler, podCostsOf } from '../autoscaling/function-autoscaler';
import { WasmFunction } from '../function/wasm-function';

const MI = 2 ** 20;

/** One function's share of its namespace's quota, at its peak. */
export interface FunctionDemand {
  /** namespace/name. */
  readonly function: string;
  /** Construct path of the function. */
  readonly path: string;
  /** maxReplicas of its autoscaler, or its fixed replicas. */
  readonly replicas: number;
  /** Pods a rollout at `replicas` adds (the Deployment's maxSurge). */
  readonly surgePods: number;
  /** `replicas + surgePods`. */
  readonly pods: number;
  /** CPU requests of those pods with the RuntimeClass overhead, in millicores. */
  readonly cpuRequestMillis: number;
  /** CPU limits of those pods with the RuntimeClass overhead, in millicores. */
  readonly cpuLimitMillis: number;
  /** Memory requests of those pods with the RuntimeClass overhead, in bytes. */
  readonly memoryRequestBytes: number;
  /** Memory limits of those pods with the RuntimeClass overhead, in bytes. */
  readonly memoryLimitBytes: number;
}

/** What a quota holds, in whole units: pods, millicores and bytes. */
export interface QuotaAmounts {
  readonly pods: number;
  readonly cpuRequestMillis: number;
  readonly cpuLimitMillis: number;
  readonly memoryRequestBytes: number;
  readonly memoryLimitBytes: number;
}

/** Every function of a namespace at its peak, and their sum. */
export interface NamespaceDemand {
  readonly namespace: string;
  readonly functions: readonly FunctionDemand[];
  /** The sum over `functions`: what the functions need, before headroom. */
  readonly total: QuotaAmounts;
}

/**
 * The pods, CPU and memory the functions of `namespace` hold at their peak, as a
 * ResourceQuota counts them. Per function the same figures the cluster capacity check uses
 * (maxReplicas from its autoscaler, or its fixed replicas; the rollout surge and the
 * RuntimeClass overhead from `podCostsOf`), with two differences: limits count as well as
 * requests (the quota caps both), and every function's surge counts, not only the largest
 * ones: a quota is a ceiling, not a reservation, and Argo CD syncs a change to every
 * Deployment of a namespace at once (a library upgrade rolls them all). The quota counts
 * the RuntimeClass overhead in requests and limits alike, as the API server does.
 */
export function namespaceDemand(root: IConstruct, namespace: string): NamespaceDemand {
  const peakReplicas = new Map<WasmFunction, number>();
  for (const a of FunctionAutoscaler.all(root)) {
    if (a.target.namespace !== namespace) continue;
    // Two autoscalers on one function are an error of their own; count the larger.
    peakReplicas.set(a.target, Math.max(peakReplicas.get(a.target) ?? 0, a.maxReplicas));
  }
  for (const fn of WasmFunction.all(root)) {
    if (fn.namespace === namespace && !fn.isAutoscaled) peakReplicas.set(fn, fn.replicas ?? 0);
  }
  const functions = [...peakReplicas].map(([fn, replicas]) => functionDemand(fn, replicas));
  const sum = (f: (d: FunctionDemand) => number) => functions.reduce((s, d) => s + f(d), 0);
  return {
    namespace,
    functions,
    total: {
      pods: sum((d) => d.pods),
      cpuRequestMillis: sum((d) => d.cpuRequestMillis),
      cpuLimitMillis: sum((d) => d.cpuLimitMillis),
      memoryRequestBytes: sum((d) => d.memoryRequestBytes),
      memoryLimitBytes: sum((d) => d.memoryLimitBytes),
    },
  };
}

/** One function at `replicas`, its surge and its RuntimeClass overhead included. */
export function functionDemand(fn: WasmFunction, replicas: number): FunctionDemand {
  const costs = podCostsOf(fn, replicas);
  const surgePods = costs.surgePodsAtMax ?? 0;
  const pods = replicas + surgePods;
  const overheadCpu = costs.podOverheadCpuCores ?? 0;
  const overheadMemory = costs.podOverheadMemoryBytes ?? 0;
  const r = fn.resources;
  // Unparseable resources are reported by the function; they add nothing here.
  const known = (v: number) => (Number.isFinite(v) ? v : 0);
  return {
    function: `${fn.namespace}/${fn.name}`,
    path: fn.node.path,
    replicas,
    surgePods,
    pods,
    cpuRequestMillis: millis(pods * (known(r.cpuRequestCores) + overheadCpu)),
    cpuLimitMillis: millis(pods * (known(r.cpuLimitCores) + overheadCpu)),
    memoryRequestBytes: pods * (known(r.memoryRequestBytes) + overheadMemory),
    memoryLimitBytes: pods * (known(r.memoryLimitBytes) + overheadMemory),
  };
}

/**
 * The quota for `need` with `headroomPercent` on top: pods rounded up to a pod, CPU to a
 * millicore, memory to a mebibyte, so the quantities read as people write them.
 */
export function withHeadroom(need: QuotaAmounts, headroomPercent: number): QuotaAmounts {
  const up = (v: number) => v * (100 + headroomPercent) / 100;
  return {
    pods: ceilSafe(up(need.pods)),
    cpuRequestMillis: ceilSafe(up(need.cpuRequestMillis)),
    cpuLimitMillis: ceilSafe(up(need.cpuLimitMillis)),
    memoryRequestBytes: ceilSafe(up(need.memoryRequestBytes) / MI) * MI,
    memoryLimitBytes: ceilSafe(up(need.memoryLimitBytes) / MI) * MI,
  };
}

/** Millicores of `cores`, rounded up past floating-point noise (0.01 × 3 is 30m, not 31m). */
function millis(cores: number): number {
  return ceilSafe(cores * 1000);
}

/** A millicore count as a Kubernetes quantity ("1500m" as "1500m", 2000m as "2"). */
export function cpuQuantity(m: number): string {
  return m % 1000 === 0 ? `${m / 1000}` : `${m}m`;
}

/** A byte count as a Kubernetes quantity in the largest binary unit that divides it. */
export function memoryQuantity(bytes: number): string {
  for (const [suffix, size] of [['Gi', 2 ** 30], ['Mi', MI], ['Ki', 2 ** 10]] as const) {
    if (bytes % size === 0 && bytes >= size) return `${bytes / size}${suffix}`;
  }
  return `${bytes}`;
}
