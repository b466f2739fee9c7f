import { Chart, Duration } from 'cdk8s';
import {
  FunctionGateway, GatewayProvider, GatewayRoute, IRequestAuthorizer, RateLimit, RateLimitOptions, RequestMetrics, RetryPolicy,
  RouteAuthorization, WasmFunction,
} from '../lib';
import { CATALOG } from './catalog';
import { PlatformCore, pascalCase } from './core';
import { NAMESPACES } from './namespaces';

/** What the gateway section needs from the sections before it. */
export interface GatewayInputs {
  /** The OPA request authorizer from the policy section. */
  readonly authorizer: IRequestAuthorizer;
  /**
   * The public hostname the gateway serves (its certificate is `<host with dashes>-tls`).
   * @default "shop.example.com"
   */
  readonly host?: string;
}

/** What the gateway section of the reference platform created. */
export interface GatewaySection {
  /**
   * The request metrics the gateway exports, for SLOs and dashboards. Undefined: Envoy's
   * default histogram has no 20 ms boundary (see the Gateway section of the README), so the SLOs use
   * the functions' own metrics.
   */
  readonly requestMetrics?: RequestMetrics;
  /** The gateway. */
  readonly gateway: FunctionGateway;
  /** Every route, by function name (checkout's is its `/api/function` route). */
  readonly routes: Readonly<Record<string, GatewayRoute>>;
  /** Canary functions created by this section, by the name of their stable function. */
  readonly canaries: Readonly<Record<string, WasmFunction>>;
}

/** The seed's authorized route, served by checkout (and only there, so OPA cannot be bypassed). */
const AUTHORIZED_PATH = '/api/function';
const AUTHORIZED_FUNCTION = 'checkout';

/**
 * The routes that change state, each authorized by OPA on a verified JWT with its own rule in
 * the one request policy. Checkout's is the seed's (POST /api/function, role user), exactly;
 * the others cover their route's prefix and every path under it. Every other route is a read
 * and serves GET and HEAD only, to anyone.
 */
const AUTHORIZATIONS: Readonly<Record<string, RouteAuthorization>> = {
  // Reading the cart is personal too: every method of the route needs a signed-in user.
  'cart': { methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'], roles: ['user'] },
  'checkout': { methods: ['POST'], roles: ['user'], paths: [AUTHORIZED_PATH] },
  // Asking for admission (POST) and polling one's place in the queue (GET).
  'flash-sale': { methods: ['GET', 'POST'], roles: ['user'] },
};
const READ_METHODS = ['GET', 'HEAD'];

/**
 * Per-user limits, keyed by the verified JWT subject at the gateway: a bot with one account
 * gets what a person clicking fast gets, whatever its IP addresses; Envoy Gateway's
 * rate-limit service counts across all replicas.
 */
const PER_USER_RATE_LIMITS: Readonly<Record<string, RateLimitOptions>> = {
  'flash-sale': { averagePerSecond: 2 },
};

/**
 * Retries for reads: only where the function cannot have done the work (connect failure,
 * refused stream) or answered 503. A 503 can follow work already done, so the retry on 503
 * is safe only for routes that change nothing: see {@link NO_RETRY}.
 */
const READ_RETRY: RetryPolicy = { attempts: 2, perTryTimeout: Duration.millis(300), backoff: Duration.millis(25) };

/**
 * Retries for a read that wakes from zero: no per-try timeout. The KEDA interceptor holds the
 * first attempt until a pod is ready (the function's wake-up), and a per-try timeout would
 * cut it off with a 504 (it is not among the retried conditions); the route's request
 * timeout bounds the attempts instead.
 */
const WAKING_READ_RETRY: RetryPolicy = { attempts: 2, backoff: Duration.millis(25) };

/**
 * Envoy replicas, set through the EnvoyProxy the GatewayClass names. The edge carries the sum
 * of the functions' planned peaks (about 240,000 requests/s, flash-sale's 100,000 among them)
 * on 12 replicas of 2 CPU: in the order of 10,000 requests/s per core that Envoy proxies
 * plain HTTP at, with room for TLS and the ext_authz call on checkout. Load-test before a
 * sale; raising the replicas raises every per-replica limit's total with them.
 */
const PROXY_REPLICAS = 12;
const PROXY_RESOURCES = { cpuRequest: '2', memoryRequest: '1Gi', memoryLimit: '2Gi' };

/**
 * Per-route limits, per Envoy replica: Envoy's local rate limit keeps one bucket per route
 * and replica, so each route admits this times PROXY_REPLICAS in all, which must carry the
 * function's planned peak (a synth error otherwise). Flash-sale's per-user limit needs Envoy
 * Gateway's global rate limit service (Redis), which the reference install runs, and shares
 * one Global policy with the route's own limit, which is therefore route-wide there.
 */
const RATE_LIMITS: Readonly<Record<string, RateLimit>> = {
  // Payment signing is the heaviest path: the tightest limit, 24,000/s in all, a fifth above
  // the plan's 20,000/s peak, well below the 67,200/s its 800 replicas serve at target.
  checkout: RateLimit.perProxyReplica({ averagePerSecond: 2000 }),
  // Admission is token-based in the function (ADMISSION_TOKENS_PER_SECOND 20000 in total);
  // the gateway keeps bot floods above the sale's planned 100,000/s peak from reaching it:
  // 108,000/s in all, counted once across the replicas.
  'flash-sale': RateLimit.routeWide({ averagePerSecond: 108000 }),
};
/** 60,000/s in all: above every other planned peak (30,000/s at most). */
const DEFAULT_RATE_LIMIT = RateLimit.perProxyReplica({ averagePerSecond: 5000 });

/** Request timeouts: far above the latency objectives, below where a shopper gives up. */
const TIMEOUTS: Readonly<Record<string, Duration>> = {
  // PAYMENT_TIMEOUT_MS 800 plus signing, with room for one slow payment provider answer.
  'checkout': Duration.seconds(3),
  // QUEUE_MAX_WAIT_MS 2000 plus the admission decision.
  'flash-sale': Duration.millis(2500),
  // Scaled to zero: the first request after idling waits in the KEDA interceptor while a
  // pod starts (about 1-2 s with the Wasm shim, plus scheduling).
  'reviews': Duration.seconds(10),
};
const DEFAULT_TIMEOUT = Duration.seconds(1);

/**
 * Writes get no retries: a 503 (or a timeout) can come after the function did the work, so a
 * retry could apply it twice (a second cart line, a second payment, a second admission).
 */
const NO_RETRY = new Set(['cart', 'checkout', 'flash-sale']);

/**
 * Adds the gateway section: Envoy Gateway (it alone really enforces OPA's decision) in the
 * `gateway` namespace, with TLS for shop.example.com, and one route per function under
 * `/api/<function>` in a route chart per functions namespace; checkout is served at the
 * seed's `/api/function` behind OPA, and price gets a 90/10 canary.
 */
export function addGateway(core: PlatformCore, inputs: GatewayInputs): GatewaySection {
  const chart = new Chart(core.app, 'Gateway', { namespace: NAMESPACES.gateway });
  const host = inputs.host ?? 'shop.example.com';
  const routeCharts = {
    catalog: new Chart(core.app, 'CatalogRoutes', { namespace: NAMESPACES.catalog }),
    orders: new Chart(core.app, 'OrdersRoutes', { namespace: NAMESPACES.orders }),
  };

  // Routes live where their backends are: the function namespaces, and wherever the
  // autoscaling section (which runs first) routed a function via (the KEDA interceptor).
  const routeNamespaces = [...new Set<string>([
    NAMESPACES.catalog,
    NAMESPACES.orders,
    ...Object.values(core.functions).map((f) => f.ingressBackend.namespace),
  ])];

  const gateway = new FunctionGateway(chart, 'Gateway', {
    // globalRateLimit: the install runs Envoy Gateway's rate-limit service with Redis (its
    // EnvoyGateway config's rateLimit.backend), for flash-sale's per-user limit.
    provider: GatewayProvider.envoyGateway({ proxyReplicas: PROXY_REPLICAS, proxyResources: PROXY_RESOURCES, globalRateLimit: true }),
    name: 'functions',
    routeNamespaces,
    defaultHost: host,
    // Kept by cert-manager in the gateway namespace.
    tls: { secretName: `${host.replace(/\./g, '-')}-tls` },
    // The OPA Service lives in `opa`, which the policy section's OpaAuthorizer creates: it
    // emits the ReferenceGrant that lets the authorized routes' SecurityPolicies reach it,
    // and holds their rules in its one request policy.
    authorizer: inputs.authorizer,
  });

  const routes: Record<string, GatewayRoute> = {};
  for (const entry of CATALOG) {
    const fn = core.functions[entry.name];
    const canary = core.canaries[entry.name];
    const seed = entry.name === AUTHORIZED_FUNCTION;
    const authorization = AUTHORIZATIONS[entry.name];
    routes[entry.name] = gateway.addRoute(routeCharts[entry.domain], pascalCase(entry.name), {
      function: fn,
      name: seed ? 'function' : undefined,
      pathPrefix: seed ? AUTHORIZED_PATH : undefined,
      methods: authorization ? undefined : READ_METHODS,
      authorize: authorization,
      rateLimit: RATE_LIMITS[entry.name] ?? DEFAULT_RATE_LIMIT,
      perUserRateLimit: PER_USER_RATE_LIMITS[entry.name],
      requestTimeout: TIMEOUTS[entry.name] ?? DEFAULT_TIMEOUT,
      retry: NO_RETRY.has(entry.name) ? undefined
        : fn.ingressBackend.wakeUpSeconds !== undefined ? WAKING_READ_RETRY : READ_RETRY,
      canary: canary ? { function: canary, stableWeight: 90, canaryWeight: 10 } : undefined,
    });
  }

  return { requestMetrics: gateway.requestMetrics, gateway, routes, canaries: core.canaries };
}
