import type { PodGroup } from './reach';

/**
 * The seam between the policy capability (which deploys the OPA request authorizer) and
 * the gateway (which calls it on chosen routes).
 */
export interface IRequestAuthorizer {
  /** Service name of the authorizer. */
  readonly serviceName: string;
  /** Name of the authorizer's Deployment, for availability alerts. */
  readonly deploymentName: string;
  /** Namespace of that Service. */
  readonly namespace: string;
  /** Port of the Envoy ext_authz gRPC API (OPA's Envoy plugin). */
  readonly grpcPort: number;
  /** Port of OPA's HTTP API (health, decisions for adapters). */
  readonly httpPort: number;
  /** Rego package path of the decision, for example "serverless". */
  readonly decisionPackage: string;
  /**
   * Lets the objects `request` names, in other namespaces, refer to the authorizer's Service
   * (a Gateway API ReferenceGrant in the authorizer's namespace), where the authorizer owns
   * that namespace. Returns false when it cannot grant it: the namespace's owner must then.
   * @default - never: the grant is the cluster owner's
   */
  allowServiceReferences?(request: ServiceReferenceRequest): boolean;
  /**
   * Admits `pods` (a gateway's proxies) to the decision ports (gRPC and HTTP).
   * @default - the authorizer's NetworkPolicy is the cluster owner's
   */
  allowClients?(pods: PodGroup): void;
  /**
   * Admits `pods` (Prometheus) to the metrics and health port.
   * @default - the authorizer's NetworkPolicy is the cluster owner's
   */
  allowScrapers?(pods: PodGroup): void;
  /**
   * Who the policy lets call a route under `pathPrefix`, for the reach report (for example
   * "role user: POST /api/function").
   * @default - the report says only that the route is authorized
   */
  describeAccess?(pathPrefix: string): string;
}

/** Objects of one kind that refer to the authorizer's Service from other namespaces. */
export interface ServiceReferenceRequest {
  /** API group of the referring kind, for example "gateway.envoyproxy.io". */
  readonly fromGroup: string;
  /** The referring kind, for example "SecurityPolicy". */
  readonly fromKind: string;
  /** Namespaces of the referring objects, read at synth (a route's namespace follows its backend). */
  readonly fromNamespaces: () => readonly string[];
}
