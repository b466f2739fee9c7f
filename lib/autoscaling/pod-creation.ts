import { checkIntegerInRange } from '../core/names';

/**
 * How fast the control plane turns a higher replica count into pods. Every new pod is one
 * create request from the ReplicaSet controller and one binding request from the scheduler,
 * and each of them sends through a client-side token bucket: the pods of every ReplicaSet
 * in the cluster share the controller's bucket, so a sale that scales every function at
 * once queues all its pods behind one rate.
 */
export interface PodCreationRate {
  /**
   * Requests per second of the kube-controller-manager's API clients (`--kube-api-qps`): the
   * ReplicaSet controller creates pods at most this fast.
   * @default 20 (the Kubernetes 1.30 default; K3s passes it through unchanged)
   */
  readonly controllerManagerQps?: number;
  /**
   * Burst of the kube-controller-manager's API clients (`--kube-api-burst`): pods created at
   * once before the rate applies.
   * @default 30 (the Kubernetes 1.30 default)
   */
  readonly controllerManagerBurst?: number;
  /**
   * Requests per second of the kube-scheduler's API client (`clientConnection.qps`): each pod's
   * binding is one request.
   * @default 50 (the Kubernetes 1.30 default)
   */
  readonly schedulerQps?: number;
  /**
   * Burst of the kube-scheduler's API client (`clientConnection.burst`).
   * @default 100 (the Kubernetes 1.30 default)
   */
  readonly schedulerBurst?: number;
}

/** A {@link PodCreationRate} with its defaults applied, and the rate that binds. */
export interface ResolvedPodCreationRate {
  readonly controllerManagerQps: number;
  readonly controllerManagerBurst: number;
  readonly schedulerQps: number;
  readonly schedulerBurst: number;
  /** Pods per second the slower of the two clients allows. */
  readonly podsPerSecond: number;
  /** Pods created at once before the rate applies: the smaller burst. */
  readonly burst: number;
  /** Which client binds: "kube-controller-manager" or "kube-scheduler". */
  readonly boundBy: string;
}

/** Kubernetes 1.30's client defaults (component-base and the scheduler's configuration defaults). */
export const DEFAULT_POD_CREATION_RATE = {
  controllerManagerQps: 20,
  controllerManagerBurst: 30,
  schedulerQps: 50,
  schedulerBurst: 100,
} as const;

/** Applies the defaults. */
export function resolvePodCreationRate(rate: PodCreationRate | undefined): ResolvedPodCreationRate {
  const r = { ...DEFAULT_POD_CREATION_RATE, ...Object.fromEntries(Object.entries(rate ?? {}).filter(([, v]) => v !== undefined)) };
  const controllerBinds = r.controllerManagerQps <= r.schedulerQps;
  return {
    ...r,
    podsPerSecond: Math.min(r.controllerManagerQps, r.schedulerQps),
    burst: Math.min(r.controllerManagerBurst, r.schedulerBurst),
    boundBy: controllerBinds ? 'kube-controller-manager' : 'kube-scheduler',
  };
}

/** Problems with the rate's own fields. */
export function checkPodCreationRate(rate: PodCreationRate | undefined): string[] {
  const r = resolvePodCreationRate(rate);
  const positive = (field: string, v: number) =>
    Number.isFinite(v) && v > 0 && v <= 100000 ? undefined : `cluster.podCreation.${field} (${v}) must be a number of requests per second above 0 and at most 100000`;
  return [
    positive('controllerManagerQps', r.controllerManagerQps),
    checkIntegerInRange('cluster.podCreation.controllerManagerBurst', r.controllerManagerBurst, 1, 100000),
    positive('schedulerQps', r.schedulerQps),
    checkIntegerInRange('cluster.podCreation.schedulerBurst', r.schedulerBurst, 1, 100000),
  ].filter((e): e is string => e !== undefined);
}

/**
 * Seconds to create `pods` pods from a full token bucket: the first `burst` at once, the rest
 * at `podsPerSecond`. The ReplicaSet controller's slow-start batches (1, 2, 4, ... pods, each
 * waiting for the one before) and its 500 pods per sync add round trips on top, not rate, and
 * are left out; so are its events and status updates, which share the bucket. A lower bound.
 */
export function podCreationSeconds(pods: number, rate: ResolvedPodCreationRate): number {
  return pods <= rate.burst ? 0 : (pods - rate.burst) / rate.podsPerSecond;
}
