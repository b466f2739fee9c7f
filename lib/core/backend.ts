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
}
