import { parseQuantity } from '../core/quantity';

/**
 * CPU and memory for one function container, as Kubernetes quantities.
 * Every field left out takes the seed's per-pod sizing.
 */
export interface FunctionResources {
  /**
   * CPU the scheduler reserves per pod.
   * @default "10m"
   */
  readonly cpuRequest?: string;
  /**
   * CPU ceiling per pod (CFS quota).
   * @default "100m"
   */
  readonly cpuLimit?: string;
  /**
   * Memory the scheduler reserves per pod.
   * @default "32Mi"
   */
  readonly memoryRequest?: string;
  /**
   * Memory ceiling per pod; the container is OOM-killed above it.
   * @default "64Mi"
   */
  readonly memoryLimit?: string;
}

/** The seed's sizing: a Wasm instance needs little, and thousands of pods must fit. */
export const DEFAULT_FUNCTION_RESOURCES: Required<FunctionResources> = {
  cpuRequest: '10m',
  cpuLimit: '100m',
  memoryRequest: '32Mi',
  memoryLimit: '64Mi',
};

/** Resources with every default applied, and their values in cores and bytes. */
export interface ResolvedResources extends Required<FunctionResources> {
  /** CPU request in cores, or NaN when unparseable (a validation error is reported). */
  readonly cpuRequestCores: number;
  /** CPU limit in cores, or NaN when unparseable. */
  readonly cpuLimitCores: number;
  /** Memory request in bytes, or NaN when unparseable. */
  readonly memoryRequestBytes: number;
  /** Memory limit in bytes, or NaN when unparseable. */
  readonly memoryLimitBytes: number;
}

export function resolveResources(resources: FunctionResources | undefined): ResolvedResources {
  const r = { ...DEFAULT_FUNCTION_RESOURCES, ...definedOnly(resources ?? {}) };
  return {
    ...r,
    cpuRequestCores: parseQuantity(r.cpuRequest) ?? NaN,
    cpuLimitCores: parseQuantity(r.cpuLimit) ?? NaN,
    memoryRequestBytes: parseQuantity(r.memoryRequest) ?? NaN,
    memoryLimitBytes: parseQuantity(r.memoryLimit) ?? NaN,
  };
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
