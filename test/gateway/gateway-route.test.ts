import { Duration } from 'cdk8s';
import { renderApp } from '../../lib';
import { GatewayProvider, RateLimit } from '../../lib/gateway';
import { formatViolations, kubeValidator } from '../support/kube-schema';
import { allObjects, findOne, KubeObject, problemsOf } from '../support/synth';
import { ApiObject, App, Chart } from 'cdk8s';
import { HorizontalFunctionAutoscaler, OpaAuthorizer, OpaAuthorizerProps, RequestAuthorizationPolicy, RequestIdentity } from '../../lib';
import { FunctionGateway } from '../../lib/gateway';
import { AUTHORIZER, fixture, GATEWAY_KINDS } from './fixtures';

/** An OpaAuthorizer in its own chart (namespace opa) of `app`. */
function opaIn(app: App, props: Partial<OpaAuthorizerProps> = {}): OpaAuthorizer {
  const chart = new Chart(app, `Authorization${app.node.children.length}`, { namespace: 'opa' });
  const identity = RequestIdentity.jwt({ issuer: 'https://auth.example.com/', audience: 'api', jwksUrl: 'https://auth.example.com/jwks.json' });
  return new OpaAuthorizer(chart, 'Opa', { policy: RequestAuthorizationPolicy.seed(identity), allowMutableTag: true, ...props });
}


type Json = Record<string, any>;
const spec = (o: KubeObject): Json => o.spec as Json;
const INTERCEPTOR = { serviceName: 'keda-add-ons-http-interceptor-proxy', namespace: 'keda', port: 8080 };

describe('GatewayRoute', () => {
  test('defaults: /api/<function>, the gateway\'s default host, the function\'s Service on port 80', () => {
    // GIVEN
    const f = fixture(GatewayProvider.envoyGateway());

    // WHEN
    const route = f.gateway.addRoute(f.shopRoutes, 'Price', { public: true, function: f.fn(f.shopChart, 'price') });

    // THEN
    expect(route.pathPrefix).toBe('/api/price');
    expect(route.host).toBe('shop.example.com');
    expect(spec(findOne(allObjects(f.app), 'HTTPRoute', 'price')).rules).toEqual([{
      matches: [{ path: { type: 'PathPrefix', value: '/api/price' } }],
      backendRefs: [{ group: '', kind: 'Service', name: 'price', port: 80 }],
    }]);
    // No policies when nothing asks for them.
    expect(allObjects(f.app).filter((o) => o.kind === 'BackendTrafficPolicy' || o.kind === 'SecurityPolicy')).toEqual([]);
  });

  test('a function routed via the KEDA interceptor after the route was built goes to the interceptor, with its Host header, in its namespace', () => {
    // GIVEN
    const f = fixture(GatewayProvider.envoyGateway(), { routeNamespaces: ['shop', 'orders', 'keda'] });
    const cart = f.fn(f.shopChart, 'cart');
    f.gateway.addRoute(f.shopRoutes, 'Cart', { public: true, function: cart, rateLimit: RateLimit.perProxyReplica({ averagePerSecond: 50 }) });

    // WHEN
    cart.routeVia({ ...INTERCEPTOR, hostHeader: 'cart.shop.svc' });

    // THEN
    const objects = allObjects(f.app);
    const route = findOne(objects, 'HTTPRoute');
    expect(route.metadata).toMatchObject({ name: 'shop-cart', namespace: 'keda' });
    expect(spec(route).rules[0]).toEqual({
      matches: [{ path: { type: 'PathPrefix', value: '/api/cart' } }],
      filters: [{ type: 'URLRewrite', urlRewrite: { hostname: 'cart.shop.svc' } }],
      backendRefs: [{ group: '', kind: 'Service', name: 'keda-add-ons-http-interceptor-proxy', port: 8080 }],
    });
    const policy = findOne(objects, 'BackendTrafficPolicy');
    expect(policy.metadata).toMatchObject({ name: 'shop-cart', namespace: 'keda' });
    expect(spec(policy).targetRefs).toEqual([{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', name: 'shop-cart' }]);
    const validator = kubeValidator();
    expect(objects.filter((o) => GATEWAY_KINDS.has(o.kind)).map((o) => formatViolations(o, validator.validate(o))).filter((t) => t)).toEqual([]);
  });

  test('Kong reads the interceptor backend lazily too, plugins included', () => {
    const f = fixture(GatewayProvider.kong(), { routeNamespaces: ['shop', 'keda'] });
    const cart = f.fn(f.shopChart, 'cart');
    f.gateway.addRoute(f.shopRoutes, 'Cart', { public: true, function: cart });
    cart.routeVia({ ...INTERCEPTOR, hostHeader: 'cart.shop.svc' });
    const route = findOne(allObjects(f.app), 'HTTPRoute');
    expect(route.metadata).toMatchObject({ name: 'shop-cart', namespace: 'keda', annotations: { 'konghq.com/plugins': 'shop-cart-prometheus' } });
    expect(findOne(allObjects(f.app), 'KongPlugin').metadata).toMatchObject({ name: 'shop-cart-prometheus', namespace: 'keda' });
  });

  test('Traefik sets the interceptor\'s Host header with a Headers middleware', () => {
    const f = fixture(GatewayProvider.traefik(), { routeNamespaces: ['shop', 'keda'] });
    const cart = f.fn(f.shopChart, 'cart');
    cart.routeVia({ ...INTERCEPTOR, hostHeader: 'cart.shop.svc' });
    f.gateway.addRoute(f.shopRoutes, 'Cart', { public: true, function: cart });
    const objects = allObjects(f.app);
    expect(findOne(objects, 'Middleware', 'shop-cart-host')).toMatchObject({
      metadata: { namespace: 'keda' },
      spec: { headers: { customRequestHeaders: { Host: 'cart.shop.svc' } } },
    });
    expect(spec(findOne(objects, 'IngressRoute', 'shop-cart')).routes[0]).toMatchObject({
      middlewares: [{ name: 'shop-cart-host' }],
      services: [{ name: 'keda-add-ons-http-interceptor-proxy', port: 8080 }],
    });
  });

  test('Traefik refuses a routeVia made after its route was built', () => {
    const f = fixture(GatewayProvider.traefik(), { routeNamespaces: ['shop', 'keda'] });
    const cart = f.fn(f.shopChart, 'cart');
    f.gateway.addRoute(f.shopRoutes, 'Cart', { public: true, function: cart });
    cart.routeVia({ ...INTERCEPTOR, hostHeader: 'cart.shop.svc' });
    expect(problemsOf(f.app)).toEqual([
      expect.stringMatching(/^\[ShopRoutes\/Cart\] function "cart" was routed via keda\/keda-add-ons-http-interceptor-proxy after its Traefik route was created.*call routeVia before creating the route$/),
    ]);
  });

  test('routeTable describes what the gateway enforces around the authorizer', () => {
    const f = fixture(GatewayProvider.envoyGateway(), { authorizer: AUTHORIZER, referenceGrantsProvided: true });
    f.gateway.addRoute(f.ordersRoutes, 'Checkout', {
      function: f.fn(f.ordersChart, 'checkout'), pathPrefix: '/api/function', authorize: true,
      rateLimit: RateLimit.perProxyReplica({ averagePerSecond: 200 }),
    });
    expect(f.gateway.routeTable()).toEqual([{
      host: 'shop.example.com', pathPrefix: '/api/function', function: 'checkout', namespace: 'orders', authorized: true,
      methods: undefined, public: false, perUserRateLimit: undefined,
      rateLimit: { key: 'route', averagePerSecond: 200, burst: 200 },
    }]);
  });

  test('requiredReferenceGrants lists the grant the authorizer\'s namespace must hold', () => {
    const f = fixture(GatewayProvider.envoyGateway(), { authorizer: AUTHORIZER, referenceGrantsProvided: true });
    f.gateway.addRoute(f.ordersRoutes, 'Checkout', { function: f.fn(f.ordersChart, 'checkout'), authorize: true });
    f.gateway.addRoute(f.ordersRoutes, 'Cart', { function: f.fn(f.ordersChart, 'cart'), authorize: true });
    expect(f.gateway.requiredReferenceGrants()).toEqual([{
      namespace: 'opa', fromGroup: 'gateway.envoyproxy.io', fromKind: 'SecurityPolicy', fromNamespace: 'orders', toKind: 'Service', toName: 'opa-envoy',
    }]);
  });
});

describe('rules', () => {
  test('two functions on the same host and path prefix are an error naming both', () => {
    // GIVEN
    const f = fixture(GatewayProvider.envoyGateway());
    f.gateway.addRoute(f.shopRoutes, 'Price', { public: true, function: f.fn(f.shopChart, 'price'), pathPrefix: '/api/money' });
    f.gateway.addRoute(f.ordersRoutes, 'Checkout', { public: true, function: f.fn(f.ordersChart, 'checkout'), pathPrefix: '/api/money' });

    // THEN
    expect(problemsOf(f.app)).toEqual([
      '[Gateway/Gateway] routes collide on host "shop.example.com" path prefix "/api/money": ShopRoutes/Price (function shop/price) and OrdersRoutes/Checkout (function orders/checkout); give one of them another host or pathPrefix',
    ]);
    expect(() => renderApp(f.app)).toThrow(/routes collide/);
  });

  test('the same path on different hosts is not a collision', () => {
    const f = fixture(GatewayProvider.envoyGateway());
    f.gateway.addRoute(f.shopRoutes, 'Price', { public: true, function: f.fn(f.shopChart, 'price'), pathPrefix: '/api/x', host: 'a.example.com' });
    f.gateway.addRoute(f.ordersRoutes, 'Checkout', { public: true, function: f.fn(f.ordersChart, 'checkout'), pathPrefix: '/api/x', host: 'b.example.com' });
    expect(problemsOf(f.app)).toEqual([]);
  });

  test('canary weights must sum to 100', () => {
    const f = fixture(GatewayProvider.envoyGateway());
    f.gateway.addRoute(f.shopRoutes, 'Price', {
      public: true,
      function: f.fn(f.shopChart, 'price'),
      canary: { function: f.fn(f.shopChart, 'price-canary'), stableWeight: 90, canaryWeight: 20 },
    });
    expect(problemsOf(f.app)).toEqual([
      '[ShopRoutes/Price] canary weights must sum to 100: stableWeight (90) + canaryWeight (20) = 110; for example 90 and 10',
    ]);
  });

  test('canary weights must be percentages', () => {
    const f = fixture(GatewayProvider.envoyGateway());
    f.gateway.addRoute(f.shopRoutes, 'Price', {
      public: true,
      function: f.fn(f.shopChart, 'price'),
      canary: { function: f.fn(f.shopChart, 'price-canary'), stableWeight: 110, canaryWeight: -10 },
    });
    expect(problemsOf(f.app)).toEqual([
      '[ShopRoutes/Price] canary.stableWeight (110) must be an integer percentage from 0 to 100',
      '[ShopRoutes/Price] canary.canaryWeight (-10) must be an integer percentage from 0 to 100',
    ]);
  });

  test('a canary in another namespace is refused: routes reference their own namespace only', () => {
    const f = fixture(GatewayProvider.envoyGateway());
    f.gateway.addRoute(f.shopRoutes, 'Price', {
      public: true,
      function: f.fn(f.shopChart, 'price'),
      canary: { function: f.fn(f.ordersChart, 'price-canary'), stableWeight: 90, canaryWeight: 10 },
    });
    expect(problemsOf(f.app)).toEqual([
      expect.stringContaining('canary "price-canary" is served from namespace "orders" but the stable "price" from "shop": a route references backends in its own namespace only'),
    ]);
  });

  test('a canary split through the scale-to-zero interceptor is refused', () => {
    const f = fixture(GatewayProvider.envoyGateway(), { routeNamespaces: ['shop', 'keda'] });
    const price = f.fn(f.shopChart, 'price');
    const canary = f.fn(f.shopChart, 'price-canary');
    f.gateway.addRoute(f.shopRoutes, 'Price', { public: true, function: price, canary: { function: canary, stableWeight: 50, canaryWeight: 50 } });
    price.routeVia({ ...INTERCEPTOR, hostHeader: 'price.shop.svc' });
    expect(problemsOf(f.app)).toEqual([
      expect.stringContaining('canary "price-canary" is served from namespace "shop" but the stable "price" from "keda"'),
      expect.stringContaining('canary split between "price" and "price-canary" needs both served by their own Services, but price is routed via keda-add-ons-http-interceptor-proxy'),
    ]);
  });

  test('the canary must be a second function', () => {
    const f = fixture(GatewayProvider.envoyGateway());
    const price = f.fn(f.shopChart, 'price');
    f.gateway.addRoute(f.shopRoutes, 'Price', { public: true, function: price, canary: { function: price, stableWeight: 90, canaryWeight: 10 } });
    expect(problemsOf(f.app)).toEqual([
      expect.stringContaining('canary.function is the route\'s own function "price"'),
      expect.stringContaining('resolve to the same Service shop/price'),
    ]);
  });

  test('a function in a namespace the gateway may not reach is an error', () => {
    // GIVEN
    const f = fixture(GatewayProvider.envoyGateway(), { routeNamespaces: ['shop'] });
    f.gateway.addRoute(f.ordersRoutes, 'Checkout', { public: true, function: f.fn(f.ordersChart, 'checkout') });

    // THEN
    expect(problemsOf(f.app)).toEqual([
      '[OrdersRoutes/Checkout] function "checkout" is served from namespace "orders", which gateway Gateway/Gateway may not reach: routeNamespaces is [shop]; add "orders" to routeNamespaces or route the function elsewhere',
    ]);
  });

  test('a function routed via a namespace the gateway may not reach names the Service', () => {
    const f = fixture(GatewayProvider.envoyGateway());
    const cart = f.fn(f.shopChart, 'cart');
    cart.routeVia({ ...INTERCEPTOR, hostHeader: 'cart.shop.svc' });
    f.gateway.addRoute(f.shopRoutes, 'Cart', { public: true, function: cart });
    expect(problemsOf(f.app)).toEqual([
      expect.stringContaining('function "cart" is served from namespace "keda" (it is routed via Service keda/keda-add-ons-http-interceptor-proxy), which gateway Gateway/Gateway may not reach'),
    ]);
  });

  test('a per-try or request timeout shorter than a scale-to-zero function\'s wake-up is an error', () => {
    // GIVEN a function the KEDA interceptor wakes from zero in 5 s
    const f = fixture(GatewayProvider.envoyGateway(), { routeNamespaces: ['shop', 'keda'] });
    const reviews = f.fn(f.shopChart, 'reviews');
    reviews.routeVia({ ...INTERCEPTOR, hostHeader: 'reviews.shop.svc', wakeUpSeconds: 5 });

    // WHEN its route keeps the reads' 300 ms per-try timeout and a 2 s request timeout
    f.gateway.addRoute(f.shopRoutes, 'Reviews', {
      public: true,
      function: reviews,
      requestTimeout: Duration.seconds(2),
      retry: { attempts: 2, perTryTimeout: Duration.millis(300) },
    });

    // THEN both are refused: Envoy would answer 504 while the interceptor still holds the request
    expect(problemsOf(f.app)).toEqual([
      '[ShopRoutes/Reviews] retry.perTryTimeout (300ms) is shorter than the wake-up time: function "reviews" scales to zero and keda/keda-add-ons-http-interceptor-proxy holds its first request for up to its wake-up time (5 s) while a pod starts, and the per-try timeout also bounds that first attempt, so every cold request would be answered 504; leave perTryTimeout out on this route (requestTimeout bounds the attempts) or make it at least 5s',
      '[ShopRoutes/Reviews] requestTimeout (2s) is shorter than the wake-up time: function "reviews" scales to zero and keda/keda-add-ons-http-interceptor-proxy holds its first request for up to its wake-up time (5 s) while a pod starts, so every cold request would time out; make it at least 5s',
    ]);
  });

  test('retries without a per-try timeout, or with one covering the wake-up, are fine on a route that wakes from zero', () => {
    const f = fixture(GatewayProvider.envoyGateway(), { routeNamespaces: ['shop', 'keda'] });
    const reviews = f.fn(f.shopChart, 'reviews');
    const search = f.fn(f.shopChart, 'search');
    reviews.routeVia({ ...INTERCEPTOR, hostHeader: 'reviews.shop.svc', wakeUpSeconds: 5 });
    search.routeVia({ ...INTERCEPTOR, hostHeader: 'search.shop.svc', wakeUpSeconds: 5 });
    f.gateway.addRoute(f.shopRoutes, 'Reviews', { public: true, function: reviews, requestTimeout: Duration.seconds(10), retry: { attempts: 2 } });
    f.gateway.addRoute(f.shopRoutes, 'Search', { public: true, function: search, retry: { attempts: 1, perTryTimeout: Duration.seconds(5) } });
    expect(problemsOf(f.app)).toEqual([]);
  });

  test.each([
    ['zero average', RateLimit.perProxyReplica({ averagePerSecond: 0 }), 'rateLimit.averagePerSecond (0) must be a positive integer number of requests per second'],
    ['negative average', RateLimit.perClient({ averagePerSecond: -5 }), 'rateLimit.averagePerSecond (-5) must be a positive integer number of requests per second'],
    ['zero burst', RateLimit.perProxyReplica({ averagePerSecond: 10, burst: 0 }), 'rateLimit.burst (0) must be a positive integer number of requests'],
    ['bad header', RateLimit.perHeader('x api key', { averagePerSecond: 10 }), 'rateLimit header name "x api key" is not a valid HTTP header name'],
  ])('a rate limit with %s is an error', (_case, rateLimit, message) => {
    const f = fixture(GatewayProvider.traefik());
    f.gateway.addRoute(f.shopRoutes, 'Price', { public: true, function: f.fn(f.shopChart, 'price'), rateLimit });
    expect(problemsOf(f.app)).toEqual(expect.arrayContaining([expect.stringContaining(message)]));
  });

  test('authorize without an authorizer is an error', () => {
    const f = fixture(GatewayProvider.envoyGateway());
    f.gateway.addRoute(f.ordersRoutes, 'Checkout', { function: f.fn(f.ordersChart, 'checkout'), authorize: true });
    expect(problemsOf(f.app)).toEqual([
      '[OrdersRoutes/Checkout] authorize is set but gateway Gateway/Gateway has no authorizer: pass the policy section\'s OPA authorizer as the gateway\'s authorizer',
    ]);
  });

  test('an authorizer in another namespace it does not own needs a ReferenceGrant the library cannot create', () => {
    const f = fixture(GatewayProvider.envoyGateway(), { authorizer: AUTHORIZER });
    f.gateway.addRoute(f.ordersRoutes, 'Checkout', { function: f.fn(f.ordersChart, 'checkout'), authorize: true });
    expect(problemsOf(f.app)).toEqual([
      expect.stringMatching(/^\[OrdersRoutes\/Checkout\] authorize needs the authorizer Service opa\/opa-envoy from namespace "orders": Envoy Gateway follows that reference only with a ReferenceGrant in "opa".*and the authorizer does not own that namespace.*set the gateway's referenceGrantsProvided, or let the OpaAuthorizer create its namespace$/),
    ]);
    // An OpaAuthorizer that leaves its namespace to someone else cannot grant it either.
    const g = fixture(GatewayProvider.envoyGateway());
    const gateway = new FunctionGateway(g.gatewayChart, 'Authorized', {
      provider: GatewayProvider.envoyGateway({ gatewayClassName: 'authorized' }), name: 'authorized', routeNamespaces: ['orders'], authorizer: opaIn(g.app, { createNamespace: false }),
    });
    gateway.addRoute(g.ordersRoutes, 'Checkout', { function: g.fn(g.ordersChart, 'checkout'), authorize: true });
    expect(problemsOf(g.app)).toEqual([expect.stringContaining('and the authorizer does not own that namespace')]);
    expect(gateway.authorizerGrantsReferences).toBe(false);
    expect(g.app.node.findAll().some((c) => c instanceof ApiObject && c.kind === 'ReferenceGrant')).toBe(false);
  });

  test('an OpaAuthorizer that creates its namespace emits the ReferenceGrant for its Service, from every authorized route\'s namespace', () => {
    // GIVEN an OpaAuthorizer in namespace opa that creates it, and authorized routes in two namespaces
    const f = fixture(GatewayProvider.envoyGateway());
    const opa = opaIn(f.app);
    const gateway = new FunctionGateway(f.gatewayChart, 'Authorized', {
      provider: GatewayProvider.envoyGateway({ gatewayClassName: 'authorized' }), name: 'authorized', routeNamespaces: ['shop', 'orders'], authorizer: opa,
    });

    // WHEN
    gateway.addRoute(f.ordersRoutes, 'Checkout', { function: f.fn(f.ordersChart, 'checkout'), authorize: true });
    gateway.addRoute(f.ordersRoutes, 'Cart', { function: f.fn(f.ordersChart, 'cart'), authorize: true });
    gateway.addRoute(f.shopRoutes, 'Price', { function: f.fn(f.shopChart, 'price'), authorize: true });
    gateway.addRoute(f.shopRoutes, 'Search', { public: true, function: f.fn(f.shopChart, 'search') });

    // THEN one grant in opa, from SecurityPolicies in orders and shop, to the OPA Service only
    const objects = allObjects(f.app);
    const grants = objects.filter((o) => o.kind === 'ReferenceGrant');
    expect(grants).toHaveLength(1);
    expect(grants[0]).toMatchObject({
      apiVersion: 'gateway.networking.k8s.io/v1beta1',
      metadata: { name: 'opa-service-references', namespace: 'opa' },
      spec: {
        from: [
          { group: 'gateway.envoyproxy.io', kind: 'SecurityPolicy', namespace: 'orders' },
          { group: 'gateway.envoyproxy.io', kind: 'SecurityPolicy', namespace: 'shop' },
        ],
        to: [{ group: '', kind: 'Service', name: 'opa' }],
      },
    });
    expect(problemsOf(f.app)).toEqual([]);
    expect(gateway.authorizerGrantsReferences).toBe(true);
    expect(gateway.requiredReferenceGrants()).toEqual([]);
    expect(formatViolations(grants[0], kubeValidator().validate(grants[0]))).toBe('');
  });

  test('a TLS Secret in another namespace needs a ReferenceGrant too', () => {
    const f = fixture(GatewayProvider.envoyGateway(), { tls: { secretName: 'cert', secretNamespace: 'certs' } });
    expect(problemsOf(f.app)).toEqual([expect.stringContaining('tls.secretNamespace "certs" is not the gateway\'s namespace "gateway"')]);
  });

  test('bad paths, hosts, timeouts and retries are reported, all at once', () => {
    // GIVEN
    const f = fixture(GatewayProvider.envoyGateway());
    f.gateway.addRoute(f.shopRoutes, 'Price', {
      public: true,
      function: f.fn(f.shopChart, 'price'),
      pathPrefix: 'api/price/',
      host: 'Shop_Example',
      requestTimeout: Duration.millis(0.5),
      retry: { attempts: 11 },
    });

    // WHEN
    const problems = problemsOf(f.app);

    // THEN
    expect(problems).toEqual([
      expect.stringContaining('host "Shop_Example" is not a hostname'),
      expect.stringContaining('pathPrefix "api/price/" must be an absolute HTTP path'),
      expect.stringContaining('pathPrefix "api/price/" must not end with \'/\''),
      expect.stringContaining('requestTimeout (0.5ms) must be a whole number of milliseconds from 1ms to 99999s'),
      expect.stringContaining('retry.attempts (11) must be an integer from 1 to 10'),
    ]);
  });

  test('gateway props are checked', () => {
    const f = fixture(GatewayProvider.envoyGateway(), { name: 'Functions', routeNamespaces: [], httpPort: 0, tls: { secretName: 'cert', port: 0 } });
    expect(problemsOf(f.app)).toEqual([
      expect.stringContaining('name "Functions" is not a DNS-1123 label'),
      expect.stringContaining('routeNamespaces is empty'),
      expect.stringContaining('httpPort (0) must be an integer port number'),
      expect.stringContaining('tls.port (0) must be an integer port number'),
      expect.stringContaining('tls.port (0) must differ from httpPort (0)'),
    ]);
  });

  test('two routes whose objects would have one name in one namespace are one problem, at the second', () => {
    const f = fixture(GatewayProvider.envoyGateway());
    const price = f.fn(f.shopChart, 'price');
    f.gateway.addRoute(f.shopRoutes, 'Price', { public: true, function: price });
    f.gateway.addRoute(f.shopRoutes, 'PriceV2', { public: true, function: price, pathPrefix: '/api/v2/price' });
    f.gateway.addRoute(f.ordersRoutes, 'Price', { public: true, function: f.fn(f.ordersChart, 'price'), pathPrefix: '/api/orders/price' });
    expect(problemsOf(f.app)).toEqual([
      '[ShopRoutes/PriceV2] name "price" is already used in namespace "shop" by route ShopRoutes/Price: route names must be unique per namespace; give this route another name',
    ]);
  });

  test('a per-try timeout longer than the request timeout contradicts it', () => {
    const f = fixture(GatewayProvider.envoyGateway());
    f.gateway.addRoute(f.shopRoutes, 'Price', {
      public: true,
      function: f.fn(f.shopChart, 'price'),
      requestTimeout: Duration.seconds(1),
      retry: { attempts: 2, perTryTimeout: Duration.millis(1500) },
    });
    expect(problemsOf(f.app)).toEqual([
      '[ShopRoutes/Price] retry.perTryTimeout (1500ms) is longer than requestTimeout (1s), which bounds every attempt together: no retry could ever run; make perTryTimeout shorter than requestTimeout (for example a third of it)',
    ]);
    const ok = fixture(GatewayProvider.envoyGateway());
    ok.gateway.addRoute(ok.shopRoutes, 'Price', {
      public: true,
      function: ok.fn(ok.shopChart, 'price'), requestTimeout: Duration.seconds(1), retry: { attempts: 2, perTryTimeout: Duration.millis(300) },
    });
    expect(problemsOf(ok.app)).toEqual([]);
  });

  test('a host with a newline or quote is printed on one line', () => {
    const f = fixture(GatewayProvider.envoyGateway());
    f.gateway.addRoute(f.shopRoutes, 'Price', { public: true, function: f.fn(f.shopChart, 'price'), host: 'shop.example.com"\n' });
    expect(problemsOf(f.app)).toEqual([
      '[ShopRoutes/Price] host "shop.example.com\\"\\n" is not a hostname: use a lowercase DNS name, optionally starting with "*." (for example "shop.example.com")',
    ]);
  });
});

describe('user values in messages', () => {
  // A quote and a newline in a value: printed raw, the newline would start a line that looks
  // like another problem in a CI log, and the quote would end the quoted value early.
  test.each<[string, (f: ReturnType<typeof fixture>) => void, string]>([
    ['a rate limit header name', (f) => f.gateway.addRoute(f.shopRoutes, 'Price', {
      public: true,
      function: f.fn(f.shopChart, 'price'), rateLimit: RateLimit.perHeader('x"\nkey', { averagePerSecond: 10 }),
    }), '[ShopRoutes/Price] rateLimit header name "x\\"\\nkey" is not a valid HTTP header name'],
    ['a pathPrefix ending in /', (f) => f.gateway.addRoute(f.shopRoutes, 'Price', { public: true, function: f.fn(f.shopChart, 'price'), pathPrefix: '/a"\nb/' }),
      '[ShopRoutes/Price] pathPrefix "/a\\"\\nb/" must not end with \'/\': prefixes match whole path segments (use "/a\\"\\nb")'],
    ['a pathPrefix with a query', (f) => f.gateway.addRoute(f.shopRoutes, 'Price', { public: true, function: f.fn(f.shopChart, 'price'), pathPrefix: '/a"\n?b' }),
      '[ShopRoutes/Price] pathPrefix "/a\\"\\n?b" must be a path without query or fragment'],
    ['colliding routes', (f) => {
      f.gateway.addRoute(f.shopRoutes, 'Price', { public: true, function: f.fn(f.shopChart, 'price'), pathPrefix: '/a"\nb' });
      f.gateway.addRoute(f.ordersRoutes, 'Checkout', { public: true, function: f.fn(f.ordersChart, 'checkout'), pathPrefix: '/a"\nb' });
    }, '[Gateway/Gateway] routes collide on host "shop.example.com" path prefix "/a\\"\\nb": ShopRoutes/Price'],
  ])('%s is printed on one line, its quotes escaped', (_case, build, expected) => {
    const f = fixture(GatewayProvider.envoyGateway());
    build(f);
    const problems = problemsOf(f.app);
    expect(problems).toEqual(expect.arrayContaining([expect.stringContaining(expected)]));
    expect(problems.every((p) => !p.includes('\n'))).toBe(true);
  });

  test('a TLS Secret namespace is printed on one line, its quotes escaped', () => {
    const f = fixture(GatewayProvider.envoyGateway(), { tls: { secretName: 'cert', secretNamespace: 'certs"\nx' } });
    expect(problemsOf(f.app)).toEqual(expect.arrayContaining([
      expect.stringContaining('tls.secretNamespace "certs\\"\\nx" is not the gateway\'s namespace "gateway": the Gateway may read it only through a ReferenceGrant in "certs\\"\\nx"'),
    ]));
  });
});

describe('GatewayRoute: rate limit against the planned peak', () => {
  /** A checkout function whose autoscaler plans a 20,000 requests/s peak. */
  function planned(provider: Parameters<typeof fixture>[0]) {
    const f = fixture(provider);
    const checkout = f.fn(f.ordersChart, 'checkout');
    new HorizontalFunctionAutoscaler(f.ordersChart, 'CheckoutScaling', {
      target: checkout, minReplicas: 10, maxReplicas: 300,
      capacity: { peakRequestsPerSecond: 20000, requestsPerPodPerSecond: 120 },
    });
    return { ...f, checkout };
  }

  test('a per-replica limit times the proxy replicas below the planned peak is an error naming both numbers and the fixes', () => {
    // GIVEN: the old reference checkout limit, 200/s per replica, on Envoy Gateway's default 2 replicas
    const f = planned(GatewayProvider.envoyGateway());

    // WHEN
    f.gateway.addRoute(f.ordersRoutes, 'Checkout', { public: true, function: f.checkout, rateLimit: RateLimit.perProxyReplica({ averagePerSecond: 200 }) });

    // THEN
    expect(problemsOf(f.app)).toEqual([
      '[OrdersRoutes/Checkout] rateLimit admits 200 requests/s per proxy replica × 2 envoy-gateway replicas = 400 requests/s, below the planned peak of function "checkout" (20000 requests/s, capacity.peakRequestsPerSecond of OrdersFunctions/CheckoutScaling): the gateway would answer 429 to traffic the function is scaled to serve; raise rateLimit.averagePerSecond to at least 10000, or the provider\'s proxyReplicas to at least 100, or set shedsAbovePlan: true if shedding above the limit is intended',
    ]);
  });

  test('the deprecated RateLimit.global() is the same per-replica limit and is checked the same way', () => {
    const f = planned(GatewayProvider.envoyGateway());
    f.gateway.addRoute(f.ordersRoutes, 'Checkout', { public: true, function: f.checkout, rateLimit: RateLimit.global({ averagePerSecond: 200 }) });
    expect(problemsOf(f.app)).toEqual([expect.stringContaining('rateLimit admits 200 requests/s per proxy replica × 2 envoy-gateway replicas = 400 requests/s')]);
  });

  test('enough proxy replicas carry the peak: the limit is multiplied by them', () => {
    const f = planned(GatewayProvider.envoyGateway({ proxyReplicas: 100 }));
    const route = f.gateway.addRoute(f.ordersRoutes, 'Checkout', { public: true, function: f.checkout, rateLimit: RateLimit.perProxyReplica({ averagePerSecond: 200 }) });
    expect(problemsOf(f.app)).toEqual([]);
    expect(route.rateLimitCeilingPerSecond).toBe(20000);
    expect(route.plannedPeak).toEqual({ requestsPerSecond: 20000, plannedBy: 'OrdersFunctions/CheckoutScaling' });
  });

  test('shedsAbovePlan states the shedding is intended', () => {
    const f = planned(GatewayProvider.envoyGateway());
    f.gateway.addRoute(f.ordersRoutes, 'Checkout', {
      public: true,
      function: f.checkout, rateLimit: RateLimit.perProxyReplica({ averagePerSecond: 200 }), shedsAbovePlan: true,
    });
    expect(problemsOf(f.app)).toEqual([]);
  });

  test('a route-wide limit is not multiplied by the replicas', () => {
    const f = planned(GatewayProvider.envoyGateway({ globalRateLimit: true, proxyReplicas: 12 }));
    f.gateway.addRoute(f.ordersRoutes, 'Checkout', { public: true, function: f.checkout, rateLimit: RateLimit.routeWide({ averagePerSecond: 15000 }) });
    expect(problemsOf(f.app)).toEqual([
      expect.stringContaining('rateLimit admits 15000 requests/s for the whole route, below the planned peak of function "checkout" (20000 requests/s, capacity.peakRequestsPerSecond of OrdersFunctions/CheckoutScaling): the gateway would answer 429 to traffic the function is scaled to serve; raise rateLimit.averagePerSecond to at least 20000, or set shedsAbovePlan'),
    ]);
  });

  test('Traefik\'s and Kong\'s replicas count too', () => {
    for (const provider of [GatewayProvider.traefik({ proxyReplicas: 4 }), GatewayProvider.kong({ proxyReplicas: 4 })]) {
      const f = planned(provider);
      f.gateway.addRoute(f.ordersRoutes, 'Checkout', { public: true, function: f.checkout, rateLimit: RateLimit.perProxyReplica({ averagePerSecond: 4000 }) });
      expect(problemsOf(f.app)).toEqual([
        expect.stringContaining(`rateLimit admits 4000 requests/s per proxy replica × 4 ${provider.name} replicas = 16000 requests/s, below the planned peak`),
      ]);
    }
  });

  test('per-client limits, and functions without a plan, are not held against a peak', () => {
    const f = planned(GatewayProvider.traefik());
    f.gateway.addRoute(f.ordersRoutes, 'Checkout', { public: true, function: f.checkout, rateLimit: RateLimit.perClient({ averagePerSecond: 10 }) });
    f.gateway.addRoute(f.shopRoutes, 'Price', { public: true, function: f.fn(f.shopChart, 'price'), rateLimit: RateLimit.perProxyReplica({ averagePerSecond: 1 }) });
    expect(problemsOf(f.app)).toEqual([]);
  });

  test('proxyReplicas must be a positive integer', () => {
    const f = fixture(GatewayProvider.kong({ proxyReplicas: 0 }));
    expect(problemsOf(f.app)).toEqual(['[Gateway/Gateway] provider (kong) proxyReplicas (0) must be an integer from 1 to 1000']);
  });
});

describe('GatewayRoute: writes are authorized or explicitly public', () => {
  test('a route taking every method (none named) that is neither authorized nor public is an error naming both fixes', () => {
    const f = fixture(GatewayProvider.envoyGateway());
    f.gateway.addRoute(f.ordersRoutes, 'Cart', { function: f.fn(f.ordersChart, 'cart') });
    const problems = problemsOf(f.app);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^\[OrdersRoutes\/Cart\] route "cart" \(\/api\/cart\) accepts writes \(POST, PUT, PATCH, DELETE: every method/);
    expect(problems[0]).toMatch(/set authorize: \{ methods, roles \}.*or set public: true/);
  });

  test('a named write method needs it too; read methods alone, public: true or authorize do not', () => {
    const f = fixture(GatewayProvider.envoyGateway());
    f.gateway.addRoute(f.ordersRoutes, 'Order', { function: f.fn(f.ordersChart, 'order'), methods: ['GET', 'DELETE'] });
    f.gateway.addRoute(f.ordersRoutes, 'Read', { function: f.fn(f.ordersChart, 'read'), methods: ['GET', 'HEAD'] });
    f.gateway.addRoute(f.ordersRoutes, 'Open', { function: f.fn(f.ordersChart, 'open'), public: true });
    expect(problemsOf(f.app)).toEqual([
      expect.stringMatching(/^\[OrdersRoutes\/Order\] route "order" \(\/api\/order\) accepts writes \(DELETE: methods \[GET, DELETE\]\)/),
    ]);
  });

  test('public and authorized at once, and a method that is not one, are errors', () => {
    const f = fixture(GatewayProvider.envoyGateway());
    f.gateway.addRoute(f.ordersRoutes, 'Both', { function: f.fn(f.ordersChart, 'both'), public: true, authorize: true });
    f.gateway.addRoute(f.ordersRoutes, 'Bad', { function: f.fn(f.ordersChart, 'bad'), methods: ['get'] });
    const problems = problemsOf(f.app);
    expect(problems).toContainEqual(expect.stringMatching(/\[OrdersRoutes\/Both\] public is true but the route is also authorized/));
    expect(problems).toContainEqual(expect.stringMatching(/\[OrdersRoutes\/Bad\] methods entry "get" is not an HTTP method/));
  });

  test('authorize with methods and roles adds the route\'s rule to the OpaAuthorizer\'s one policy, once, after the seed\'s', () => {
    const app = new App();
    const chart = new Chart(app, 'Opa', { namespace: 'opa' });
    const authorizer = new OpaAuthorizer(chart, 'Opa', {
      policy: RequestAuthorizationPolicy.seed(RequestIdentity.jwt({ issuer: 'https://issuer.example.com/', jwksUrl: 'https://issuer.example.com/jwks' })),
      allowMutableTag: true,
    });
    const routes = new Chart(app, 'Routes', { namespace: 'orders' });
    const fns = new Chart(app, 'Fns', { namespace: 'orders' });
    const gateway = new FunctionGateway(new Chart(app, 'Gw', { namespace: 'gateway' }), 'Gateway', {
      provider: GatewayProvider.envoyGateway(), routeNamespaces: ['orders'], authorizer,
    });
    const fn = (name: string) => new (require('../../lib').WasmFunction)(fns, name, { name, image: `registry.example.com/${name}@sha256:${'a'.repeat(64)}` });
    gateway.addRoute(routes, 'Checkout', { function: fn('checkout'), pathPrefix: '/api/function', authorize: { methods: ['POST'], roles: ['user'], paths: ['/api/function'] } });
    gateway.addRoute(routes, 'Cart', { function: fn('cart'), authorize: { methods: ['POST', 'DELETE'], roles: ['user', 'admin'] } });
    expect(problemsOf(app)).toEqual([]);
    expect(authorizer.policy.rules).toEqual([
      { methods: ['POST'], paths: ['/api/function'], roles: ['user'] },
      { methods: ['POST', 'DELETE'], paths: ['/api/cart', '/api/cart/*'], roles: ['user', 'admin'] },
    ]);
    const rego = (findOne(allObjects(app), 'ConfigMap', 'opa-policy').data as Record<string, string>)['policy.rego'];
    expect(rego).toContain('{"methods": ["POST", "DELETE"], "paths": ["/api/cart"], "pathPrefixes": ["/api/cart/"], "roles": ["user", "admin"]}');
  });
});

describe('GatewayRoute: per-user rate limit on the verified subject', () => {
  const jwtAuthorizer = (app: App): OpaAuthorizer => new OpaAuthorizer(new Chart(app, 'Opa', { namespace: 'opa' }), 'Opa', {
    policy: RequestAuthorizationPolicy.seed(RequestIdentity.jwt({ issuer: 'https://issuer.example.com/', jwksUrl: 'https://issuer.example.com/jwks' })),
    allowMutableTag: true,
  });

  test('Traefik and Kong refuse it, naming Envoy Gateway', () => {
    for (const provider of [GatewayProvider.traefik(), GatewayProvider.kong({ enterprise: true })]) {
      const f = fixture(provider);
      f.gateway.addRoute(f.ordersRoutes, 'Sale', { function: f.fn(f.ordersChart, 'sale'), public: true, perUserRateLimit: { averagePerSecond: 2 } });
      expect(problemsOf(f.app)).toContainEqual(expect.stringMatching(/perUserRateLimit cannot be enforced .*GatewayProvider\.envoyGateway\(\{ globalRateLimit: true \}\)/));
    }
  });

  test('Envoy Gateway needs authorize, its global rate limit service and no per-replica limit beside it', () => {
    const f = fixture(GatewayProvider.envoyGateway());
    f.gateway.addRoute(f.ordersRoutes, 'Sale', {
      function: f.fn(f.ordersChart, 'sale'), public: true,
      rateLimit: RateLimit.perProxyReplica({ averagePerSecond: 100 }), perUserRateLimit: { averagePerSecond: 2 },
    });
    const problems = problemsOf(f.app);
    expect(problems).toContainEqual(expect.stringMatching(/perUserRateLimit needs authorize/));
    expect(problems).toContainEqual(expect.stringMatching(/without its global rate limit service/));
    expect(problems).toContainEqual(expect.stringMatching(/make rateLimit RateLimit.routeWide\(\)/));
  });

  test('an authorizer without a verified JWT to check at the gateway is an error: an unverified subject is forgeable', () => {
    // AUTHORIZER names no JWT (an authorizer whose policy trusts a header, say).
    const f = fixture(GatewayProvider.envoyGateway({ globalRateLimit: true }), { authorizer: AUTHORIZER, referenceGrantsProvided: true });
    f.gateway.addRoute(f.ordersRoutes, 'Sale', { function: f.fn(f.ordersChart, 'sale'), authorize: true, perUserRateLimit: { averagePerSecond: 2 } });
    expect(problemsOf(f.app)).toContainEqual(expect.stringMatching(/perUserRateLimit needs the gateway to verify the caller's JWT/));
  });

  test('with a JWT authorizer, the SecurityPolicy verifies the token and copies sub; the limit is a Distinct match on that header', () => {
    const app = new App();
    const authorizer = jwtAuthorizer(app);
    const gateway = new FunctionGateway(new Chart(app, 'Gw', { namespace: 'gateway' }), 'Gateway', {
      provider: GatewayProvider.envoyGateway({ globalRateLimit: true }), routeNamespaces: ['orders'], authorizer,
    });
    const fns = new Chart(app, 'Fns', { namespace: 'orders' });
    const fn = new (require('../../lib').WasmFunction)(fns, 'sale', { name: 'sale', image: `registry.example.com/sale@sha256:${'a'.repeat(64)}` });
    gateway.addRoute(new Chart(app, 'Routes', { namespace: 'orders' }), 'Sale', {
      function: fn, authorize: { methods: ['POST'], roles: ['user'] }, perUserRateLimit: { averagePerSecond: 2 },
    });
    expect(problemsOf(app)).toEqual([]);
    const objects = allObjects(app);
    expect((findOne(objects, 'SecurityPolicy', 'sale').spec as any).jwt.providers[0]).toMatchObject({
      issuer: 'https://issuer.example.com/', remoteJWKS: { uri: 'https://issuer.example.com/jwks' }, claimToHeaders: [{ claim: 'sub', header: 'x-verified-subject' }],
    });
    expect((findOne(objects, 'BackendTrafficPolicy', 'sale').spec as any).rateLimit).toEqual({
      type: 'Global',
      global: { rules: [{ clientSelectors: [{ headers: [{ name: 'x-verified-subject', type: 'Distinct' }] }], limit: { requests: 2, unit: 'Second' } }] },
    });
  });
});
