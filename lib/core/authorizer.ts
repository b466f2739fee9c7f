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
  /**
   * Adds one route's allow rule to the authorizer's one request policy; `from` names the
   * route, for messages.
   * @default - the authorizer takes no rules from routes: only its own policy's rules decide
   */
  addRouteRule?(rule: RouteRequestRule, from: string): void;
  /**
   * The JWT the authorizer's policy verifies, for a gateway that must verify the same token
   * itself (to key a per-user rate limit by a claim it checked).
   * @default - the policy verifies no JWT from a JWKS URL
   */
  readonly verifiedJwt?: VerifiedJwt;
}

/** One allow rule a route contributes: requests with one of `methods` on one of `paths` by one of `roles`. */
export interface RouteRequestRule {
  /** HTTP methods, upper case. */
  readonly methods: readonly string[];
  /** Paths; an entry ending in `/*` matches every path under it. */
  readonly paths: readonly string[];
  /** Roles allowed. */
  readonly roles: readonly string[];
}

/** The issuer and keys of a JWT an authorizer verifies. */
export interface VerifiedJwt {
  /** The `iss` the token must carry. */
  readonly issuer: string;
  /** The `aud` the token must contain, when the policy checks one. */
  readonly audience?: string;
  /** HTTPS URL of the issuer's JWKS. */
  readonly jwksUrl: string;
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
