/** A Service that a route sends a function's traffic to. */
export interface ServiceBackend {
  /** Service name. */
  readonly serviceName: string;
  /** Service namespace. */
  readonly namespace: string;
  /** Service port. */
  readonly port: number;
  /**
   * Host header the backend expects (the KEDA HTTP add-on's interceptor routes by host).
   * @default - the request's own host
   */
  readonly hostHeader?: string;
  /**
   * Seconds the backend may hold a request before the function answers it, because it wakes
   * the function from zero replicas first (the KEDA HTTP add-on's interceptor). A route's
   * per-try and request timeouts must cover it, or every cold request times out.
   * @default - the function has running pods: no wake-up
   */
  readonly wakeUpSeconds?: number;
}
