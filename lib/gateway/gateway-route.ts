import { Duration } from 'cdk8s';
import { Construct } from 'constructs';
import type { ServiceBackend } from '../core/backend';
import { LABELS, MANAGED_BY } from '../core/labels';
import { checkDns1123Label, checkHttpPath, oneLine } from '../core/names';
import { reportsOwnDuplicates } from '../synth/duplicate-objects';
import { constructsOf, oncePerSynth } from '../synth/synth-session';
import type { WasmFunction } from '../function/wasm-function';
import type { FunctionGateway, ReferenceGrantRequirement } from './function-gateway';
import { RateLimit, RateLimitOptions } from './rate-limit';
import { checkDuration, checkRetry, formatDuration, RetryPolicy } from './route-policy';

/** A traffic split between a route's function (the stable version) and a canary. */
export interface CanarySplit {
  /** The canary: a second WasmFunction (for example `price-canary`) in the stable's namespace. */
  readonly function: WasmFunction;
  /** Percent of requests to the stable function, from 0 to 100. */
  readonly stableWeight: number;
  /** Percent of requests to the canary, from 0 to 100; the two must sum to 100. */
  readonly canaryWeight: number;
}

/** HTTP methods a route can match. */
export const ROUTE_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
/** Methods that change state: a route accepting one must be authorized or say it is public. */
export const WRITE_METHODS: readonly string[] = ['POST', 'PUT', 'PATCH', 'DELETE'];

/**
 * The header the gateway copies the verified JWT's `sub` into, for a per-user rate limit.
 * Envoy's JWT filter sets it from the token it verified, replacing any copy the client sent.
 */
export const VERIFIED_SUBJECT_HEADER = 'x-verified-subject';

/**
 * The rule OPA applies to a route: requests with one of `methods` on the route's paths, by
 * a caller with one of `roles` (from the verified JWT). Added to the authorizer's one
 * request policy.
 */
export interface RouteAuthorization {
  /** Methods allowed, upper case (for example ["POST"]); anything else is denied (403). */
  readonly methods: string[];
  /** Roles allowed (the policy's role claim, for example ["user"]). */
  readonly roles: string[];
  /**
   * Paths the rule allows; an entry ending in `/*` matches every path under it.
   * @default - the route's pathPrefix and every path under it
   */
  readonly paths?: string[];
}

/** What a route does, apart from the gateway it belongs to. */
export interface GatewayRouteOptions {
  /** The function that serves the route (the stable version when there is a canary). */
  readonly function: WasmFunction;
  /**
   * Name of the route's objects.
   * @default - the function's name
   */
  readonly name?: string;
  /**
   * Host the route matches.
   * @default - the gateway's defaultHost (every host when it has none)
   */
  readonly host?: string;
  /**
   * Path prefix the route matches, segment by segment (`/api/price` matches `/api/price`
   * and `/api/price/x`, not `/api/prices`).
   * @default "/api/<function name>"
   */
  readonly pathPrefix?: string;
  /**
   * HTTP methods the route matches; other methods are not routed (404).
   * @default - every method
   */
  readonly methods?: string[];
  /**
   * States that the route serves writes to anyone, unauthenticated. A route whose methods
   * include a write (POST, PUT, PATCH or DELETE, or every method when none is named) must
   * be authorized or public; neither is a synth error, so no write path is open by omission.
   * @default false
   */
  readonly public?: boolean;
  /**
   * Rate limit of the route.
   * @default - no rate limit
   */
  readonly rateLimit?: RateLimit;
  /**
   * A rate limit per user, in addition to `rateLimit`: one bucket per verified JWT subject
   * (`sub`). The gateway verifies the token itself (the authorizer's issuer and JWKS) and
   * copies `sub` into a header before the limit, so the key cannot be forged by a client
   * and a user does not escape it by changing IP. Needs `authorize` and a provider that can
   * verify a JWT and count per header value across its replicas: Envoy Gateway with
   * `globalRateLimit`.
   * @default - no per-user limit
   */
  readonly perUserRateLimit?: RateLimitOptions;
  /**
   * States that the route's rate limit is meant to shed traffic below its function's
   * planned peak (the `capacity.peakRequestsPerSecond` of its autoscaler). Without it, a
   * per-proxy-replica limit times the proxy replicas (or a route-wide limit) below that
   * peak is a synth error: the gateway would answer 429 to traffic the function was scaled
   * to serve.
   * @default false
   */
  readonly shedsAbovePlan?: boolean;
  /**
   * Ask the gateway's OPA authorizer about every request before it reaches the function.
   * A {@link RouteAuthorization} adds the route's rule (methods, paths, roles) to the
   * authorizer's one request policy; `true` relies on the policy's own rules.
   * @default false
   */
  readonly authorize?: boolean | RouteAuthorization;
  /**
   * Weighted split between the function and a canary.
   * @default - all traffic to the function
   */
  readonly canary?: CanarySplit;
  /**
   * Time the gateway waits for the whole response, retries included; then it answers 504.
   * @default - the provider's default (Envoy: 15s)
   */
  readonly requestTimeout?: Duration;
  /**
   * Retries of requests that cannot have reached the function.
   * @default - no retries
   */
  readonly retry?: RetryPolicy;
}

/** Props for {@link GatewayRoute}. */
export interface GatewayRouteProps extends GatewayRouteOptions {
  /** The gateway the route attaches to. */
  readonly gateway: FunctionGateway;
}

/** One backend of a route with its share of the traffic. */
export interface WeightedBackend {
  /** The function behind it. */
  readonly function: WasmFunction;
  /** Where traffic goes (the function's Service, or what it is routed via). */
  readonly backend: ServiceBackend;
  /** Percent of the route's requests. */
  readonly weight: number;
}

const HOSTNAME = /^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** A host a route or listener can match: a DNS name, optionally with a leading `*.` wildcard. */
export function checkHostname(field: string, value: string): string | undefined {
  if (value.length > 253 || !HOSTNAME.test(value)) {
    return `${field} "${oneLine(value)}" is not a hostname: use a lowercase DNS name, optionally starting with "*." (for example "shop.example.com")`;
  }
  return undefined;
}

/** The key of the per-synthesis grouping of routes by namespace and name. */
const ROUTES_BY_NAME = {};

/**
 * A route from the gateway to a function: host and path prefix, optional canary split,
 * rate limit, OPA authorization, timeout and retries. Its objects live in the namespace of
 * its backend Service, which is read at synth, so a function routed via the KEDA HTTP
 * interceptor after the route was created is still routed correctly.
 */
export class GatewayRoute extends Construct {
  public readonly gateway: FunctionGateway;
  /** The (stable) function. */
  public readonly function: WasmFunction;
  /** Route name before namespacing; see {@link resourceName}. */
  public readonly name: string;
  public readonly host?: string;
  public readonly pathPrefix: string;
  public readonly rateLimit?: RateLimit;
  /** The per-user limit, keyed by {@link VERIFIED_SUBJECT_HEADER}. */
  public readonly perUserRateLimit?: RateLimit;
  /** Methods the route matches; undefined for every method. */
  public readonly methods?: readonly string[];
  /** The route serves writes unauthenticated, knowingly. */
  public readonly isPublic: boolean;
  /** The rule the route adds to the authorizer's policy, if any. */
  public readonly authorizationRule?: { readonly methods: string[]; readonly paths: string[]; readonly roles: string[] };
  /** The rate limit is meant to shed traffic below the function's planned peak. */
  public readonly shedsAbovePlan: boolean;
  public readonly authorize: boolean;
  public readonly canary?: CanarySplit;
  public readonly requestTimeout?: Duration;
  public readonly retry?: RetryPolicy;
  /** Whether the name and path prefix were given, not derived from the function's name. */
  private readonly given: { readonly name: boolean; readonly pathPrefix: boolean };

  constructor(scope: Construct, id: string, props: GatewayRouteProps) {
    super(scope, id);
    this.gateway = props.gateway;
    this.function = props.function;
    this.name = props.name ?? props.function.name;
    this.host = props.host ?? props.gateway.defaultHost;
    this.pathPrefix = props.pathPrefix ?? `/api/${props.function.name}`;
    this.rateLimit = props.rateLimit;
    this.perUserRateLimit = props.perUserRateLimit ? RateLimit.perHeader(VERIFIED_SUBJECT_HEADER, props.perUserRateLimit) : undefined;
    this.methods = props.methods;
    this.isPublic = props.public ?? false;
    this.shedsAbovePlan = props.shedsAbovePlan ?? false;
    this.authorize = props.authorize !== undefined && props.authorize !== false;
    if (typeof props.authorize === 'object') {
      this.authorizationRule = {
        methods: [...props.authorize.methods],
        paths: props.authorize.paths ? [...props.authorize.paths] : [this.pathPrefix, this.pathPrefix === '/' ? '/*' : `${this.pathPrefix}/*`],
        roles: [...props.authorize.roles],
      };
      this.gateway.authorizer?.addRouteRule?.(this.authorizationRule, this.node.path);
    }
    this.canary = props.canary;
    this.requestTimeout = props.requestTimeout;
    this.retry = props.retry;
    this.given = { name: props.name !== undefined, pathPrefix: props.pathPrefix !== undefined };

    this.gateway.registerRoute(this);
    reportsOwnDuplicates(this);
    this.node.addValidation({
      validate: () => [
        ...this.checkProps(),
        ...this.checkDuplicateName(),
        ...this.checkBackends(),
        ...this.checkWakeUp(),
        ...this.checkPlannedPeak(),
        ...this.checkAuthorization(),
        ...this.checkWrites(),
        ...this.gateway.provider.checkRoute(this),
      ],
    });
    this.gateway.provider.renderRoute(this);
  }

  /** The backends with their weights, as they are at synth. */
  public get backends(): WeightedBackend[] {
    const stable = { function: this.function, backend: this.function.ingressBackend, weight: this.canary?.stableWeight ?? 100 };
    if (!this.canary) return [stable];
    return [stable, { function: this.canary.function, backend: this.canary.function.ingressBackend, weight: this.canary.canaryWeight }];
  }

  /** Namespace of the route's objects: that of its backend Service (read at synth). */
  public get namespace(): string {
    return this.function.ingressBackend.namespace;
  }

  /**
   * Name of the route's objects: the route name, prefixed with the function's namespace
   * when the route lives elsewhere (a shared interceptor namespace holds many functions).
   */
  public get resourceName(): string {
    return this.namespace === this.function.namespace ? this.name : `${this.function.namespace}-${this.name}`;
  }

  /** The Host header the backend expects, when it is not the request's own (read at synth). */
  public get hostRewrite(): string | undefined {
    return this.function.ingressBackend.hostHeader;
  }

  /** Labels on the route's objects. */
  public get labels(): Record<string, string> {
    return {
      [LABELS.name]: this.function.name,
      [LABELS.instance]: this.name,
      [LABELS.component]: 'gateway-route',
      [LABELS.partOf]: 'wasm-functions',
      [LABELS.managedBy]: MANAGED_BY,
    };
  }

  /**
   * The planned peak of the route's function, from its autoscaler's capacity plan, and the
   * autoscaler's path. A canary's plan is a share of the same traffic, so the stable
   * function's plan is the route's.
   */
  public get plannedPeak(): { readonly requestsPerSecond: number; readonly plannedBy: string } | undefined {
    const attachment = this.function.autoscalerAttachments[0];
    const peak = attachment?.plannedPeakRequestsPerSecond;
    return peak === undefined ? undefined : { requestsPerSecond: peak, plannedBy: attachment.owner.node.path };
  }

  /**
   * What the rate limit admits in all, in requests per second, with the gateway's proxy
   * replicas; undefined without a limit or for per-client and per-header limits.
   */
  public get rateLimitCeilingPerSecond(): number | undefined {
    return this.rateLimit?.routeCeilingPerSecond(this.gateway.provider.proxyReplicas);
  }

  /** The ReferenceGrant the authorizer's namespace must hold for this route, if any. */
  public authorizerGrant(): ReferenceGrantRequirement | undefined {
    const authorizer = this.gateway.authorizer;
    if (!this.authorize || !authorizer || authorizer.namespace === this.namespace) return undefined;
    return {
      namespace: authorizer.namespace,
      fromGroup: 'gateway.envoyproxy.io',
      fromKind: 'SecurityPolicy',
      fromNamespace: this.namespace,
      toKind: 'Service',
      toName: authorizer.serviceName,
    };
  }

  private checkProps(): string[] {
    // What is derived from an invalid function name or namespace is reported by the function, once.
    const derivedFromInvalid = (given: boolean) => !given && !this.function.hasValidIdentity;
    const candidates: (string | undefined)[] = [
      derivedFromInvalid(this.given.name) ? undefined : checkDns1123Label('name', this.name),
      this.host !== undefined ? checkHostname('host', this.host) : undefined,
      derivedFromInvalid(this.given.pathPrefix) ? undefined : checkHttpPath('pathPrefix', this.pathPrefix),
      this.pathPrefix.length > 1 && this.pathPrefix.endsWith('/')
        ? `pathPrefix "${oneLine(this.pathPrefix)}" must not end with '/': prefixes match whole path segments (use "${oneLine(this.pathPrefix.replace(/\/+$/, ''))}")` : undefined,
      /[?#]/.test(this.pathPrefix) ? `pathPrefix "${oneLine(this.pathPrefix)}" must be a path without query or fragment` : undefined,
      ...(this.rateLimit?.check('rateLimit') ?? []),
      ...(this.perUserRateLimit?.check('perUserRateLimit') ?? []),
      ...(this.methods ?? []).filter((m) => !(ROUTE_METHODS as readonly string[]).includes(m))
        .map((m) => `methods entry "${oneLine(m)}" is not an HTTP method: use one of ${ROUTE_METHODS.join(', ')} (upper case)`),
      this.methods !== undefined && this.methods.length === 0 ? `methods is empty: the route would match nothing; list its methods (for example ["GET", "HEAD"]) or leave methods out for every method` : undefined,
      checkDuration('requestTimeout', this.requestTimeout),
      ...checkRetry('retry', this.retry),
      this.requestTimeout !== undefined && this.retry?.perTryTimeout !== undefined
        && this.retry.perTryTimeout.toMilliseconds({ integral: false }) > this.requestTimeout.toMilliseconds({ integral: false })
        ? `retry.perTryTimeout (${formatDuration(this.retry.perTryTimeout)}) is longer than requestTimeout (${formatDuration(this.requestTimeout)}), which bounds every attempt together: no retry could ever run; make perTryTimeout shorter than requestTimeout (for example a third of it)`
        : undefined,
    ];
    if (this.canary) {
      const { stableWeight, canaryWeight } = this.canary;
      for (const [field, w] of [['canary.stableWeight', stableWeight], ['canary.canaryWeight', canaryWeight]] as const) {
        if (!Number.isInteger(w) || w < 0 || w > 100) candidates.push(`${field} (${w}) must be an integer percentage from 0 to 100`);
      }
      if (stableWeight + canaryWeight !== 100) {
        candidates.push(`canary weights must sum to 100: stableWeight (${stableWeight}) + canaryWeight (${canaryWeight}) = ${stableWeight + canaryWeight}; for example 90 and 10`);
      }
      if (this.canary.function === this.function) {
        candidates.push(`canary.function is the route's own function "${oneLine(this.function.name)}": the canary must be a second WasmFunction (for example "${oneLine(this.function.name)}-canary")`);
      }
    }
    return candidates.filter((e): e is string => e !== undefined);
  }

  /** Two routes whose objects would have one name in one namespace: one problem, at the second. */
  private checkDuplicateName(): string[] {
    // Grouped once per synthesis: a scan of the tree per route grows with the square of the routes.
    const byName = oncePerSynth(this.node.root, ROUTES_BY_NAME, () => {
      const groups = new Map<string, GatewayRoute[]>();
      for (const c of constructsOf(this.node.root)) {
        if (!(c instanceof GatewayRoute)) continue;
        const key = `${c.namespace}/${c.resourceName}`;
        const group = groups.get(key);
        if (group) group.push(c);
        else groups.set(key, [c]);
      }
      return groups;
    });
    const same = byName.get(`${this.namespace}/${this.resourceName}`) ?? [];
    const at = same.indexOf(this);
    if (at < 1) return [];
    return [`name "${oneLine(this.resourceName)}" is already used in namespace "${oneLine(this.namespace)}" by route ${same[0].node.path}: route names must be unique per namespace; give this route another name`];
  }

  private checkBackends(): string[] {
    const errors: string[] = [];
    const allowed = this.gateway.routeNamespaces;
    const ns = this.namespace;
    if (!allowed.includes(ns) && (ns !== this.function.namespace || this.function.hasValidIdentity)) {
      const via = ns === this.function.namespace ? '' : ` (it is routed via Service ${oneLine(ns)}/${oneLine(this.function.ingressBackend.serviceName)})`;
      errors.push(`function "${oneLine(this.function.name)}" is served from namespace "${oneLine(ns)}"${via}, which gateway ${this.gateway.node.path} may not reach: routeNamespaces is [${oneLine(allowed.join(', '))}]; add "${oneLine(ns)}" to routeNamespaces or route the function elsewhere`);
    }
    if (this.canary) {
      const canary = this.canary.function.ingressBackend;
      const stable = this.function.ingressBackend;
      if (canary.namespace !== ns) {
        errors.push(`canary "${oneLine(this.canary.function.name)}" is served from namespace "${oneLine(canary.namespace)}" but the stable "${oneLine(this.function.name)}" from "${oneLine(ns)}": a route references backends in its own namespace only (there is no ReferenceGrant), so put the canary in "${oneLine(ns)}"`);
      }
      if (stable.hostHeader !== undefined || canary.hostHeader !== undefined) {
        errors.push(`canary split between "${oneLine(this.function.name)}" and "${oneLine(this.canary.function.name)}" needs both served by their own Services, but ${oneLine(stable.hostHeader !== undefined ? this.function.name : this.canary.function.name)} is routed via ${oneLine(stable.hostHeader !== undefined ? stable.serviceName : canary.serviceName)} (scale to zero): weights between two interceptor routes cannot be split at the gateway; keep canaries on their own Services`);
      } else if (canary.serviceName === stable.serviceName && canary.namespace === stable.namespace) {
        errors.push(`canary "${oneLine(this.canary.function.name)}" and stable "${oneLine(this.function.name)}" resolve to the same Service ${oneLine(ns)}/${oneLine(stable.serviceName)}: a split needs two Services`);
      }
    }
    return errors;
  }

  /**
   * A backend that wakes its function from zero holds the first request until a pod is
   * ready. Envoy's per-try timeout bounds the first attempt too, and a per-try timeout is not
   * among the retried conditions, so a shorter one answers every cold request with a 504.
   */
  private checkWakeUp(): string[] {
    const errors: string[] = [];
    for (const { function: fn, backend } of this.backends) {
      const wake = backend.wakeUpSeconds;
      if (wake === undefined) continue;
      const wakeMs = wake * 1000;
      const why = `function "${oneLine(fn.name)}" scales to zero and ${oneLine(backend.namespace)}/${oneLine(backend.serviceName)} holds its first request for up to its wake-up time (${wake} s) while a pod starts`;
      const perTry = this.retry?.perTryTimeout;
      if (perTry !== undefined && perTry.toMilliseconds({ integral: false }) < wakeMs) {
        errors.push(`retry.perTryTimeout (${formatDuration(perTry)}) is shorter than the wake-up time: ${why}, and the per-try timeout also bounds that first attempt, so every cold request would be answered 504; leave perTryTimeout out on this route (requestTimeout bounds the attempts) or make it at least ${wake}s`);
      }
      const timeout = this.requestTimeout;
      if (timeout !== undefined && timeout.toMilliseconds({ integral: false }) < wakeMs) {
        errors.push(`requestTimeout (${formatDuration(timeout)}) is shorter than the wake-up time: ${why}, so every cold request would time out; make it at least ${wake}s`);
      }
    }
    return errors;
  }

  /**
   * A rate limit below the function's planned peak refuses, at the edge, traffic the
   * autoscaler was sized to serve: an error unless the route says the shedding is intended.
   */
  private checkPlannedPeak(): string[] {
    const limit = this.rateLimit;
    const ceiling = this.rateLimitCeilingPerSecond;
    const plan = this.plannedPeak;
    if (this.shedsAbovePlan || limit === undefined || ceiling === undefined || plan === undefined) return [];
    const peak = plan.requestsPerSecond;
    if (ceiling >= peak) return [];
    const replicas = this.gateway.provider.proxyReplicas;
    const provider = this.gateway.provider.name;
    const perReplica = limit.key.kind === 'route';
    const admits = perReplica
      ? `${limit.averagePerSecond} requests/s per proxy replica × ${replicas} ${provider} replica${replicas === 1 ? '' : 's'} = ${ceiling} requests/s`
      : `${ceiling} requests/s for the whole route`;
    const fixes = perReplica
      ? `raise rateLimit.averagePerSecond to at least ${Math.ceil(peak / replicas)}, or the provider's proxyReplicas to at least ${Math.ceil(peak / limit.averagePerSecond)}`
      : `raise rateLimit.averagePerSecond to at least ${peak}`;
    return [`rateLimit admits ${admits}, below the planned peak of function "${this.function.name}" (${peak} requests/s, capacity.peakRequestsPerSecond of ${plan.plannedBy}): the gateway would answer 429 to traffic the function is scaled to serve; ${fixes}, or set shedsAbovePlan: true if shedding above the limit is intended`];
  }

  /** The write methods the route accepts: those named, or all of them when none is. */
  public get writeMethods(): string[] {
    return this.methods === undefined ? [...WRITE_METHODS] : this.methods.filter((m) => WRITE_METHODS.includes(m));
  }

  /** A write open to anyone must be said to be so; an authorized route cannot also be public. */
  private checkWrites(): string[] {
    const writes = this.writeMethods;
    if (this.isPublic && this.authorize) {
      return ['public is true but the route is also authorized: a public route is served to anyone without asking the authorizer; remove public: true, or remove authorize'];
    }
    if (this.isPublic || this.authorize || writes.length === 0) return [];
    const accepts = this.methods === undefined ? 'every method (no methods are named)' : `methods [${this.methods.map(oneLine).join(', ')}]`;
    return [`route "${oneLine(this.name)}" (${oneLine(this.pathPrefix)}) accepts writes (${writes.join(', ')}: ${accepts}) but is neither authorized nor public: anyone could change state through it; set authorize: { methods, roles } so the gateway's OPA authorizer decides each request on a verified identity, or set public: true if serving these writes to anyone is intended (or name only read methods, for example methods: ["GET", "HEAD"])`];
  }

  private checkAuthorization(): string[] {
    const errors: string[] = [];
    const rule = this.authorizationRule;
    if (rule) {
      if (rule.methods.length === 0) errors.push(`authorize.methods is empty: list the methods the rule allows (for example ["POST"])`);
      for (const m of rule.methods) {
        if (!(ROUTE_METHODS as readonly string[]).includes(m)) errors.push(`authorize.methods entry "${oneLine(m)}" is not an HTTP method: use one of ${ROUTE_METHODS.join(', ')} (upper case)`);
      }
      if (rule.roles.length === 0) errors.push('authorize.roles is empty: list the roles allowed (for example ["user"])');
      if (this.methods !== undefined) {
        const unrouted = rule.methods.filter((m) => !this.methods!.includes(m));
        if (unrouted.length > 0) errors.push(`authorize.methods [${unrouted.map(oneLine).join(', ')}] are not among the route's methods [${this.methods.map(oneLine).join(', ')}]: the rule would allow requests the route never serves; add them to methods or remove them from authorize.methods`);
      }
    }
    if (this.perUserRateLimit && !this.authorize) {
      errors.push('perUserRateLimit needs authorize: the limit is keyed by the subject of a verified JWT, and only an authorized route has one; set authorize: { methods, roles }');
    }
    if (!this.authorize) return errors;
    const authorizer = this.gateway.authorizer;
    if (!authorizer) {
      return [...errors, `authorize is set but gateway ${this.gateway.node.path} has no authorizer: pass the policy section's OPA authorizer as the gateway's authorizer`];
    }
    if (rule && authorizer.addRouteRule === undefined) {
      errors.push(`authorize names methods and roles, but the gateway's authorizer ${oneLine(authorizer.namespace)}/${oneLine(authorizer.serviceName)} takes no rules from routes: use an OpaAuthorizer, or authorize: true with a rule for ${oneLine(this.pathPrefix)} in the authorizer's own policy`);
    }
    if (errors.length > 0) return errors;
    const grant = this.authorizerGrant();
    if (grant && !this.gateway.referenceGrantsProvided && !this.gateway.authorizerGrantsReferences) {
      return [`authorize needs the authorizer Service ${oneLine(authorizer.namespace)}/${oneLine(authorizer.serviceName)} from namespace "${oneLine(this.namespace)}": Envoy Gateway follows that reference only with a ReferenceGrant in "${oneLine(authorizer.namespace)}" (from SecurityPolicy in "${oneLine(this.namespace)}" to Service ${oneLine(authorizer.serviceName)}), and the authorizer does not own that namespace, so it cannot create it; have the namespace's owner create it and set the gateway's referenceGrantsProvided, or let the OpaAuthorizer create its namespace`];
    }
    return [];
  }
}
