import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import type { IRequestAuthorizer } from '../core/authorizer';
import type { GatewayCapacity, IGatewayCapacitySource } from '../core/gateway-capacity';
import { LABELS, MANAGED_BY } from '../core/labels';
import type { EdgeMetrics, RequestMetrics } from '../core/metrics';
import { checkDns1123Label, checkDns1123Subdomain, checkIntegerInRange, checkPort, oneLine } from '../core/names';
import type { IPlatformPodsSource, PlatformPods } from '../core/platform-pods';
import { checkPodGroup, PodGroup, podGroup } from '../core/reach';
import type { WasmFunction } from '../function/wasm-function';
import type { IGatewayProvider } from './gateway-provider';
import { GatewayRoute, GatewayRouteOptions, checkHostname } from './gateway-route';
import { constructsOf } from '../synth/synth-session';

/** TLS termination at the gateway. */
export interface GatewayTls {
  /** Name of the `kubernetes.io/tls` Secret holding the certificate and key (cert-manager can keep it). */
  readonly secretName: string;
  /**
   * Namespace of the Secret.
   * @default - the gateway's namespace
   */
  readonly secretNamespace?: string;
  /**
   * Port of the HTTPS listener on the edge.
   * @default 443
   */
  readonly port?: number;
}

/** Props for {@link FunctionGateway}. */
export interface FunctionGatewayProps {
  /** The proxy implementation: `GatewayProvider.envoyGateway()`, `.traefik()` or `.kong()`. */
  readonly provider: IGatewayProvider;
  /**
   * Name of the Gateway (and of the edge Service where the provider emits one).
   * @default "functions"
   */
  readonly name?: string;
  /**
   * Namespace of the gateway's own objects, where the proxy pods run. The functions'
   * NetworkPolicies admit the provider's proxy pods in this namespace only, so the proxy must run here.
   * @default - the namespace of the enclosing chart
   */
  readonly namespace?: string;
  /**
   * The only namespaces routes may live in. A route lives in the namespace of its backend
   * Service (no cross-namespace backend references); a route whose backend is elsewhere is
   * an error.
   */
  readonly routeNamespaces: string[];
  /**
   * Host a route matches when it names none.
   * @default - every host
   */
  readonly defaultHost?: string;
  /**
   * Port of the plain-HTTP listener on the edge.
   * @default 80
   */
  readonly httpPort?: number;
  /**
   * TLS termination with a certificate Secret. With TLS no route is served over plain
   * HTTP: routes are attached to the HTTPS listener (Traefik: entry point) only, and the
   * HTTP one answers every request with a permanent redirect to HTTPS.
   * @default - plain HTTP only
   */
  readonly tls?: GatewayTls;
  /**
   * The OPA request authorizer routes with `authorize: true` call.
   * @default - no authorizer; authorizing a route is an error
   */
  readonly authorizer?: IRequestAuthorizer;
  /**
   * Declares that the Gateway API ReferenceGrants this gateway needs for references across
   * namespaces (see {@link FunctionGateway.requiredReferenceGrants}: the authorizer's
   * Service, a TLS Secret elsewhere) are created by the owners of the referenced
   * namespaces. Without it, an authorizer that owns its namespace (an `OpaAuthorizer` that
   * creates it) is asked to emit the grant for its Service; any other such reference is an error.
   * @default false
   */
  readonly referenceGrantsProvided?: boolean;
}

/** A reference across namespaces that a Gateway API ReferenceGrant must allow. */
export interface ReferenceGrantRequirement {
  /** Namespace the grant must live in (the referenced object's). */
  readonly namespace: string;
  /** API group of the referring kind ("" for core). */
  readonly fromGroup: string;
  /** Referring kind. */
  readonly fromKind: string;
  /** Namespace of the referring object. */
  readonly fromNamespace: string;
  /** Kind of the referenced object. */
  readonly toKind: string;
  /** Name of the referenced object. */
  readonly toName: string;
}

/** One route as OPA data: what the gateway enforces before and around the authorizer. */
export interface RouteTableEntry {
  readonly host?: string;
  readonly pathPrefix: string;
  readonly function: string;
  readonly namespace: string;
  readonly authorized: boolean;
  /** The methods the route matches; undefined for every method. */
  readonly methods?: readonly string[];
  /** The route serves writes to anyone, knowingly (`public: true`). */
  readonly public: boolean;
  readonly rateLimit?: { readonly key: string; readonly averagePerSecond: number; readonly burst: number };
  /** The per-user limit, keyed by the verified JWT subject. */
  readonly perUserRateLimit?: { readonly averagePerSecond: number; readonly burst: number };
}

/**
 * The edge of the function platform: one gateway (Envoy Gateway, Traefik or Kong) in front
 * of every function, its LoadBalancer entry point, TLS, and the typed routes added with
 * {@link addRoute}. Collisions between routes, and features the provider cannot enforce,
 * are synth errors.
 */
export class FunctionGateway extends Construct implements IGatewayCapacitySource, IPlatformPodsSource {
  /** Every gateway under `scope`. */
  public static all(scope: Construct): FunctionGateway[] {
    return constructsOf(scope).filter((c): c is FunctionGateway => c instanceof FunctionGateway);
  }

  public readonly provider: IGatewayProvider;
  /** Name of the Gateway / edge Service. */
  public readonly name: string;
  /** Namespace of the gateway's objects and proxy pods. */
  public readonly namespace: string;
  /** Namespaces routes may live in. */
  public readonly routeNamespaces: readonly string[];
  public readonly defaultHost?: string;
  public readonly httpPort: number;
  public readonly tls?: GatewayTls;
  public readonly authorizer?: IRequestAuthorizer;
  public readonly referenceGrantsProvided: boolean;
  /** Labels on the gateway's objects. */
  public readonly labels: Readonly<Record<string, string>>;

  /** The proxy pods: the provider's labels in the gateway's namespace. */
  public readonly proxies: PodGroup;

  private readonly registered: GatewayRoute[] = [];
  private authorizerGrantAsked = false;
  private authorizerGrants = false;

  constructor(scope: Construct, id: string, props: FunctionGatewayProps) {
    super(scope, id);
    this.provider = props.provider;
    this.name = props.name ?? 'functions';
    this.namespace = props.namespace ?? Chart.of(this).namespace ?? '';
    this.routeNamespaces = [...props.routeNamespaces];
    this.defaultHost = props.defaultHost;
    this.httpPort = props.httpPort ?? 80;
    this.tls = props.tls;
    this.authorizer = props.authorizer;
    this.referenceGrantsProvided = props.referenceGrantsProvided ?? false;
    this.labels = {
      [LABELS.name]: this.name,
      [LABELS.instance]: this.name,
      [LABELS.component]: 'gateway',
      [LABELS.partOf]: 'wasm-functions',
      [LABELS.managedBy]: MANAGED_BY,
    };

    this.proxies = podGroup(this.namespace, `${this.name}-proxies`, this.provider.proxyPodLabels(this), 'installed');

    this.node.addValidation({
      validate: () => [
        ...this.checkProps(),
        ...checkPodGroup(`provider (${this.provider.name}) proxy pod labels`, this.proxies),
        ...this.checkCollisions(),
        ...this.provider.checkGateway(this),
      ],
    });
    this.provider.renderGateway(this);
  }

  /** The routes of this gateway, in construction order. */
  public get routes(): readonly GatewayRoute[] {
    return this.registered;
  }

  /** The request metrics of the proxy, when they can measure the latency objectives. */
  public get requestMetrics(): RequestMetrics | undefined {
    return this.provider.requestMetrics;
  }

  /**
   * The proxies' per-route upstream response counters, when the provider exposes them (Envoy
   * Gateway): what an ObservabilityStack scrapes and turns into edge availability objectives.
   */
  public get edgeMetrics(): EdgeMetrics | undefined {
    return this.provider.edgeMetrics?.(this);
  }

  /** Port of the HTTPS listener, when TLS is on. */
  public get httpsPort(): number | undefined {
    return this.tls ? this.tls.port ?? 443 : undefined;
  }

  /** Adds a route to a function; the route's objects go under `scope` (a chart in the function's namespace). */
  public addRoute(scope: Construct, id: string, options: GatewayRouteOptions): GatewayRoute {
    return new GatewayRoute(scope, id, { ...options, gateway: this });
  }

  /** Called by {@link GatewayRoute}; use {@link addRoute}. */
  public registerRoute(route: GatewayRoute): void {
    this.registered.push(route);
    for (const fn of [route.function, route.canary?.function]) {
      if (fn) fn.allowIngressFrom(this.proxies, () => servesItself(fn));
    }
    if (route.authorize) {
      this.askAuthorizerForGrant();
      this.authorizer?.allowClients?.(this.proxies);
    }
  }

  /**
   * True when the authorizer itself grants this gateway's routes the reference to its
   * Service (it owns its namespace and emits the ReferenceGrant).
   */
  public get authorizerGrantsReferences(): boolean {
    return this.authorizerGrants;
  }

  /** Once, at the first authorized route: the authorizer's ReferenceGrant then lists the routes' namespaces, read at synth. */
  private askAuthorizerForGrant(): void {
    if (this.authorizerGrantAsked || this.referenceGrantsProvided || this.authorizer?.allowServiceReferences === undefined) return;
    this.authorizerGrantAsked = true;
    this.authorizerGrants = this.authorizer.allowServiceReferences({
      fromGroup: 'gateway.envoyproxy.io',
      fromKind: 'SecurityPolicy',
      fromNamespaces: () => this.registered.map((r) => r.authorizerGrant()).filter((g) => g !== undefined).map((g) => g.fromNamespace),
    });
  }

  /**
   * The ReferenceGrants the owners of other namespaces must create for this gateway to
   * work (read at synth: a route's namespace follows its backend); the authorizer's own
   * grant is not among them when it emits it ({@link authorizerGrantsReferences}).
   */
  public requiredReferenceGrants(): ReferenceGrantRequirement[] {
    const grants: ReferenceGrantRequirement[] = [];
    const add = (g: ReferenceGrantRequirement): void => {
      if (!grants.some((x) => JSON.stringify(x) === JSON.stringify(g))) grants.push(g);
    };
    if (this.tls?.secretNamespace !== undefined && this.tls.secretNamespace !== this.namespace) {
      add({ namespace: this.tls.secretNamespace, fromGroup: 'gateway.networking.k8s.io', fromKind: 'Gateway', fromNamespace: this.namespace, toKind: 'Secret', toName: this.tls.secretName });
    }
    if (this.authorizerGrants) return grants;
    for (const route of this.registered) {
      const grant = route.authorizerGrant();
      if (grant) add(grant);
    }
    return grants;
  }

  /** Its proxy pods, for the cluster capacity check, where the provider sets their count and requests. */
  public platformPods(): PlatformPods[] {
    return this.provider.proxyPods?.(this) ?? [];
  }

  /** The proxy replicas and each route's limit against its function's planned peak, for the capacity report (read at synth). */
  public gatewayCapacity(): GatewayCapacity {
    return {
      path: this.node.path,
      gateway: `${this.namespace}/${this.name}`,
      provider: this.provider.name,
      proxyReplicas: this.provider.proxyReplicas,
      routes: this.registered.map((r) => ({
        route: `${r.namespace}/${r.resourceName}`,
        functionName: r.function.name,
        limit: r.rateLimit?.describe(),
        ceilingPerSecond: r.rateLimitCeilingPerSecond,
        plannedPeakRequestsPerSecond: r.plannedPeak?.requestsPerSecond,
        shedsAbovePlan: r.shedsAbovePlan,
      })),
    };
  }

  /** The routes as data for the authorizer's policy bundle (read at synth). */
  public routeTable(): RouteTableEntry[] {
    return this.registered.map((r) => ({
      host: r.host,
      pathPrefix: r.pathPrefix,
      function: r.function.name,
      namespace: r.function.namespace,
      authorized: r.authorize,
      methods: r.methods,
      public: r.isPublic,
      rateLimit: r.rateLimit
        ? { key: r.rateLimit.key.toString(), averagePerSecond: r.rateLimit.averagePerSecond, burst: r.rateLimit.burst }
        : undefined,
      perUserRateLimit: r.perUserRateLimit
        ? { averagePerSecond: r.perUserRateLimit.averagePerSecond, burst: r.perUserRateLimit.burst }
        : undefined,
    }));
  }

  private checkProps(): string[] {
    const candidates: (string | undefined)[] = [
      checkDns1123Label('name', this.name),
      this.namespace === ''
        ? 'namespace is not set: pass namespace, or create the gateway in a chart that has a namespace'
        : checkDns1123Label('namespace', this.namespace),
      this.routeNamespaces.length === 0 ? 'routeNamespaces is empty: list the namespaces routes may live in (the functions\' namespaces)' : undefined,
      ...this.routeNamespaces.map((ns) => checkDns1123Label('routeNamespaces entry', ns)),
      this.defaultHost !== undefined ? checkHostname('defaultHost', this.defaultHost) : undefined,
      checkPort('httpPort', this.httpPort),
      checkIntegerInRange(`provider (${this.provider.name}) proxyReplicas`, this.provider.proxyReplicas, 1, 1000),
      this.tls ? checkDns1123Subdomain('tls.secretName', this.tls.secretName) : undefined,
      this.tls?.secretNamespace !== undefined ? checkDns1123Label('tls.secretNamespace', this.tls.secretNamespace) : undefined,
      this.httpsPort !== undefined ? checkPort('tls.port', this.httpsPort) : undefined,
      this.httpsPort !== undefined && this.httpsPort === this.httpPort
        ? `tls.port (${this.httpsPort}) must differ from httpPort (${this.httpPort})` : undefined,
      this.tls?.secretNamespace !== undefined && this.tls.secretNamespace !== this.namespace && !this.referenceGrantsProvided
        ? `tls.secretNamespace "${oneLine(this.tls.secretNamespace)}" is not the gateway's namespace "${oneLine(this.namespace)}": the Gateway may read it only through a ReferenceGrant in "${oneLine(this.tls.secretNamespace)}", which this library cannot create; keep the Secret in "${oneLine(this.namespace)}", or create the grant and set referenceGrantsProvided`
        : undefined,
    ];
    return candidates.filter((e): e is string => e !== undefined);
  }

  private checkCollisions(): string[] {
    const errors: string[] = [];
    const seen = new Map<string, GatewayRoute>();
    for (const route of this.registered) {
      const key = `${route.host ?? '*'} ${route.pathPrefix}`;
      const first = seen.get(key);
      if (first) {
        errors.push(`routes collide on host "${oneLine(route.host ?? '*')}" path prefix "${oneLine(route.pathPrefix)}": ${first.node.path} (function ${oneLine(first.function.namespace)}/${oneLine(first.function.name)}) and ${route.node.path} (function ${oneLine(route.function.namespace)}/${oneLine(route.function.name)}); give one of them another host or pathPrefix`);
      } else {
        seen.set(key, route);
      }
    }
    return errors;
  }
}

/**
 * True when the proxies call the function's own Service; false while something in front of
 * it (the KEDA interceptor) receives the route's traffic and calls the pods itself.
 */
function servesItself(fn: WasmFunction): boolean {
  const b = fn.ingressBackend;
  return b.serviceName === fn.serviceName && b.namespace === fn.namespace;
}
