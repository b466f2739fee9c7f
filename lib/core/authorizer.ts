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
}
