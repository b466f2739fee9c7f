import { Duration } from 'cdk8s';
import { GatewayProvider, IGatewayProvider, RateLimit } from '../../lib/gateway';
import { formatViolations, kubeValidator } from '../support/kube-schema';
import { allObjects, findOne, KubeObject, problemsOf } from '../support/synth';
import { AUTHORIZER, Features, fixture, fullFixture, GATEWAY_KINDS, gatewayYaml } from './fixtures';

type Json = Record<string, any>;
const spec = (o: KubeObject): Json => o.spec as Json;

const PROVIDERS: readonly [string, () => IGatewayProvider, Features][] = [
  ['envoy-gateway', () => GatewayProvider.envoyGateway({ globalRateLimit: true }), { authorize: true, timeouts: true, retries: true, longBurst: true, perClient: true }],
  ['traefik', () => GatewayProvider.traefik(), { authorize: false, timeouts: false, retries: true, longBurst: true, perClient: true }],
  ['kong', () => GatewayProvider.kong(), { authorize: false, timeouts: false, retries: false, longBurst: false, perClient: true }],
  ['kong-enterprise', () => GatewayProvider.kong({ enterprise: true }), { authorize: true, timeouts: false, retries: false, longBurst: false, perClient: true }],
];

describe.each(PROVIDERS)('provider %s', (_name, provider, features) => {
  test('synthesizes the full fixture to its snapshot', () => {
    // GIVEN
    const f = fullFixture(provider(), features);

    // WHEN
    const yaml = gatewayYaml(f.app);

    // THEN
    expect(problemsOf(f.app)).toEqual([]);
    expect(yaml).toMatchSnapshot();
  });

  test('every gateway object is valid against its schema, strictly', () => {
    // GIVEN
    const f = fullFixture(provider(), features);
    const validator = kubeValidator();

    // WHEN
    const objects = allObjects(f.app).filter((o) => GATEWAY_KINDS.has(o.kind));
    const report = objects.map((o) => formatViolations(o, validator.validate(o))).filter((t) => t !== '');

    // THEN
    expect(objects.length).toBeGreaterThan(3);
    expect(report).toEqual([]);
  });
});

describe('Envoy Gateway', () => {
  const features = PROVIDERS[0][2];

  test('the Gateway admits function routes on HTTPS from the route namespaces only, with TLS from the certificate Secret', () => {
    // GIVEN
    const f = fullFixture(GatewayProvider.envoyGateway({ globalRateLimit: true }), features);

    // WHEN
    const gateway = findOne(allObjects(f.app), 'Gateway');

    // THEN
    expect(gateway.metadata.namespace).toBe('gateway');
    expect(spec(gateway).listeners).toEqual([
      expect.objectContaining({ name: 'http', port: 80, protocol: 'HTTP' }),
      expect.objectContaining({
        name: 'https',
        port: 443,
        protocol: 'HTTPS',
        tls: { mode: 'Terminate', certificateRefs: [{ group: '', kind: 'Secret', name: 'shop-example-com-tls' }] },
      }),
    ]);
    expect(spec(gateway).listeners[1].allowedRoutes.namespaces).toEqual({
      from: 'Selector',
      selector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['shop', 'orders'] }] },
    });
    // The plain listener admits only the gateway namespace's redirect route.
    expect(spec(gateway).listeners[0].allowedRoutes.namespaces).toEqual({ from: 'Same' });
  });

  test('the GatewayClass is cluster-scoped and names the Envoy Gateway controller', () => {
    const f = fullFixture(GatewayProvider.envoyGateway({ globalRateLimit: true }), features);
    const gc = findOne(allObjects(f.app), 'GatewayClass');
    expect(gc.metadata.namespace).toBeUndefined();
    expect(spec(gc).controllerName).toBe('gateway.envoyproxy.io/gatewayclass-controller');
  });

  test('emits no edge Service of its own: Envoy Gateway provisions the LoadBalancer for the Gateway', () => {
    const f = fullFixture(GatewayProvider.envoyGateway({ globalRateLimit: true }), features);
    expect(allObjects(f.app).filter((o) => o.kind === 'Service' && o.metadata.namespace === 'gateway')).toEqual([]);
  });

  test('the canary route splits 90/10 between the stable and canary Services, in their namespace', () => {
    const f = fullFixture(GatewayProvider.envoyGateway({ globalRateLimit: true }), features);
    const route = findOne(allObjects(f.app), 'HTTPRoute', 'price');
    expect(route.metadata.namespace).toBe('shop');
    expect(spec(route)).toMatchObject({
      parentRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'functions', namespace: 'gateway', sectionName: 'https' }],
      hostnames: ['shop.example.com'],
      rules: [{
        // A read route: one match per method it names.
        matches: [
          { path: { type: 'PathPrefix', value: '/api/price' }, method: 'GET' },
          { path: { type: 'PathPrefix', value: '/api/price' }, method: 'HEAD' },
        ],
        backendRefs: [
          { kind: 'Service', name: 'price', port: 80, weight: 90 },
          { kind: 'Service', name: 'price-canary', port: 80, weight: 10 },
        ],
      }],
    });
  });

  test('rate limit, timeout and retries ride on a BackendTrafficPolicy targeting the route', () => {
    const f = fullFixture(GatewayProvider.envoyGateway({ globalRateLimit: true }), features);
    const policy = findOne(allObjects(f.app), 'BackendTrafficPolicy', 'price');
    expect(spec(policy)).toEqual({
      targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', name: 'price' }],
      // burst 60000 at 1000/s: a bucket of one minute's worth.
      rateLimit: { type: 'Local', local: { rules: [{ limit: { requests: 60000, unit: 'Minute' } }] } },
      retry: {
        numRetries: 2,
        retryOn: { triggers: ['connect-failure', 'refused-stream', 'retriable-status-codes'], httpStatusCodes: [503] },
        perRetry: { backOff: { baseInterval: '25ms' } },
      },
      timeout: { http: { requestTimeout: '1s' } },
    });
  });

  test('a per-client limit uses the global rate limit service, one bucket per source address', () => {
    const f = fullFixture(GatewayProvider.envoyGateway({ globalRateLimit: true }), features);
    const policy = findOne(allObjects(f.app), 'BackendTrafficPolicy', 'function');
    expect(spec(policy).rateLimit).toEqual({
      type: 'Global',
      global: { rules: [{ clientSelectors: [{ sourceCIDR: { type: 'Distinct', value: '0.0.0.0/0' } }], limit: { requests: 100, unit: 'Second' } }] },
    });
  });

  test('a per-header limit keys the global bucket on the header', () => {
    const f = fixture(GatewayProvider.envoyGateway({ globalRateLimit: true }));
    f.gateway.addRoute(f.shopRoutes, 'Cart', { public: true, function: f.fn(f.shopChart, 'cart'), rateLimit: RateLimit.perHeader('x-api-key', { averagePerSecond: 10 }) });
    const policy = findOne(allObjects(f.app), 'BackendTrafficPolicy', 'cart');
    expect(spec(policy).rateLimit.global.rules[0].clientSelectors).toEqual([{ headers: [{ name: 'x-api-key', type: 'Distinct' }] }]);
  });

  test('authorization is a fail-closed SecurityPolicy calling OPA\'s Envoy plugin over gRPC', () => {
    const f = fullFixture(GatewayProvider.envoyGateway({ globalRateLimit: true }), features);
    const policy = findOne(allObjects(f.app), 'SecurityPolicy');
    expect(policy.metadata).toMatchObject({ name: 'function', namespace: 'orders' });
    expect(spec(policy)).toEqual({
      targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', name: 'function' }],
      extAuth: {
        grpc: { backendRefs: [{ group: '', kind: 'Service', name: 'opa-envoy', namespace: 'opa', port: 9191 }] },
        failOpen: false,
      },
    });
  });

  test('routes without authorize get no SecurityPolicy', () => {
    const f = fullFixture(GatewayProvider.envoyGateway({ globalRateLimit: true }), features);
    expect(allObjects(f.app).filter((o) => o.kind === 'SecurityPolicy').map((o) => o.metadata.name)).toEqual(['function']);
  });

  test('has no request metrics: Envoy\'s default buckets have no 20 ms boundary', () => {
    expect(GatewayProvider.envoyGateway().requestMetrics).toBeUndefined();
  });

  test('refuses per-client limits without the global rate limit service', () => {
    // GIVEN
    const f = fixture(GatewayProvider.envoyGateway());
    f.gateway.addRoute(f.shopRoutes, 'Price', { public: true, function: f.fn(f.shopChart, 'price'), rateLimit: RateLimit.perClient({ averagePerSecond: 10 }) });

    // THEN
    expect(problemsOf(f.app)).toEqual([
      expect.stringMatching(/^\[ShopRoutes\/Price\] rateLimit keyed by client-ip cannot be enforced by Envoy Gateway without its global rate limit service.*set globalRateLimit/),
    ]);
  });

  test('refuses a burst its token bucket cannot hold', () => {
    const f = fixture(GatewayProvider.envoyGateway());
    f.gateway.addRoute(f.shopRoutes, 'Price', { public: true, function: f.fn(f.shopChart, 'price'), rateLimit: RateLimit.perProxyReplica({ averagePerSecond: 10, burst: 25 }) });
    expect(problemsOf(f.app)).toEqual([
      expect.stringContaining('rateLimit.burst (25) cannot be expressed by Envoy Gateway for averagePerSecond (10): its bucket holds one refill period\'s worth, so burst must be averagePerSecond times 1, 60 or 3600 (10, 600 or 36000)'),
    ]);
  });
});

describe('Traefik', () => {
  const features = PROVIDERS[1][2];

  test('the edge is the seed\'s LoadBalancer Service, 80 to Traefik\'s 8080, keeping client addresses', () => {
    const f = fullFixture(GatewayProvider.traefik(), features);
    const service = findOne(allObjects(f.app), 'Service', 'functions');
    expect(service.metadata.namespace).toBe('gateway');
    expect(spec(service)).toEqual({
      type: 'LoadBalancer',
      externalTrafficPolicy: 'Local',
      selector: { 'app.kubernetes.io/name': 'traefik' },
      ports: [
        { name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' },
        { name: 'https', port: 443, targetPort: 8443, protocol: 'TCP' },
      ],
    });
  });

  test('the static configuration sets latency buckets at 10, 20 and 50 ms and watches the route namespaces only', () => {
    const f = fullFixture(GatewayProvider.traefik(), features);
    const config = findOne(allObjects(f.app), 'ConfigMap', 'functions-traefik-static');
    const text = (config.data as Record<string, string>)['traefik.yaml'];
    const parsed = require('js-yaml').load(text) as Json;
    expect(parsed.metrics.prometheus.buckets).toEqual([0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]);
    expect(parsed.entryPoints).toEqual({
      web: { address: ':8080', http: { redirections: { entryPoint: { to: ':443', scheme: 'https', permanent: true } } } },
      websecure: { address: ':8443' },
      metrics: { address: ':9100' },
    });
    expect(parsed.providers.kubernetesCRD).toEqual({ namespaces: ['shop', 'orders'], allowCrossNamespace: false });
  });

  test('its request metrics describe those buckets and select a function by Traefik service name', () => {
    const metrics = GatewayProvider.traefik().requestMetrics;
    expect(metrics.durationBuckets).toEqual(expect.arrayContaining([0.01, 0.02, 0.05]));
    expect(metrics.durationUnit).toBe('seconds');
    expect(metrics.matchers({ name: 'price', namespace: 'shop' })).toBe('service=~"shop-price-[0-9]+@kubernetescrd"');
  });

  test('the IngressRoute matches whole path segments and splits 90/10 through the middlewares', () => {
    const f = fullFixture(GatewayProvider.traefik(), features);
    const route = findOne(allObjects(f.app), 'IngressRoute', 'price');
    expect(spec(route)).toEqual({
      entryPoints: ['websecure'],
      routes: [{
        kind: 'Rule',
        match: 'Host(`shop.example.com`) && (Path(`/api/price`) || PathPrefix(`/api/price/`)) && (Method(`GET`) || Method(`HEAD`))',
        middlewares: [{ name: 'price-ratelimit' }, { name: 'price-retry' }],
        services: [{ name: 'price', port: 80, weight: 90 }, { name: 'price-canary', port: 80, weight: 10 }],
      }],
      tls: { secretName: 'shop-example-com-tls' },
    });
  });

  test('rate limits are RateLimit middlewares: per route by host, per client by remote address', () => {
    const f = fullFixture(GatewayProvider.traefik(), features);
    const objects = allObjects(f.app);
    expect(spec(findOne(objects, 'Middleware', 'price-ratelimit')).rateLimit).toEqual({ average: 1000, period: '1s', burst: 60000, sourceCriterion: { requestHost: true } });
    expect(spec(findOne(objects, 'Middleware', 'function-ratelimit')).rateLimit).toEqual({ average: 100, period: '1s', burst: 100 });
    expect(spec(findOne(objects, 'Middleware', 'price-retry')).retry).toEqual({ attempts: 2, initialInterval: '25ms' });
  });

  test('refuses OPA authorization, per-route timeouts and per-try timeouts', () => {
    // GIVEN
    const f = fixture(GatewayProvider.traefik(), { authorizer: AUTHORIZER, referenceGrantsProvided: true });
    f.gateway.addRoute(f.shopRoutes, 'Price', {
      function: f.fn(f.shopChart, 'price'),
      authorize: true,
      requestTimeout: Duration.seconds(2),
      retry: { attempts: 1, perTryTimeout: Duration.millis(200) },
    });

    // WHEN
    const problems = problemsOf(f.app);

    // THEN
    expect(problems).toEqual([
      expect.stringMatching(/authorize cannot be enforced by Traefik: its ForwardAuth allows any 2xx answer and OPA's data API answers 200/),
      expect.stringMatching(/requestTimeout \(2s\) cannot be expressed by Traefik per route/),
      expect.stringMatching(/retry.perTryTimeout cannot be expressed by Traefik/),
    ]);
  });

  test('refuses latency buckets that cannot measure the objectives', () => {
    const f = fixture(GatewayProvider.traefik({ latencyBucketsSeconds: [0.1, 0.3, 1.2, 5] }));
    expect(problemsOf(f.app)).toEqual([
      '[Gateway/Gateway] latencyBucketsSeconds [0.1, 0.3, 1.2, 5] lacks 0.01, 0.02, 0.05: the latency objectives (10, 20 and 50 ms) need a bucket boundary each',
    ]);
  });

  test('refuses a TLS Secret in another namespace', () => {
    const f = fixture(GatewayProvider.traefik(), { tls: { secretName: 'cert', secretNamespace: 'certs' }, referenceGrantsProvided: true });
    expect(problemsOf(f.app)).toEqual([expect.stringContaining('tls.secretNamespace ("certs") cannot be expressed by Traefik')]);
  });
});

describe('Kong', () => {
  const features = PROVIDERS[2][2];

  test('plugins are attached to the HTTPRoute by annotation: prometheus with latency metrics, rate-limiting', () => {
    const f = fullFixture(GatewayProvider.kong(), features);
    const objects = allObjects(f.app);
    const route = findOne(objects, 'HTTPRoute', 'function');
    expect(route.metadata.annotations).toEqual({ 'konghq.com/plugins': 'function-prometheus,function-ratelimit' });
    expect(findOne(objects, 'KongPlugin', 'function-prometheus')).toMatchObject({
      plugin: 'prometheus',
      config: { latency_metrics: true, status_code_metrics: true },
    });
    expect(findOne(objects, 'KongPlugin', 'function-ratelimit')).toMatchObject({
      plugin: 'rate-limiting',
      config: { second: 100, limit_by: 'ip', policy: 'local' },
    });
    expect(findOne(objects, 'KongPlugin', 'price-ratelimit')).toMatchObject({ config: { second: 1000, limit_by: 'service' } });
  });

  test('the canary is a weighted HTTPRoute', () => {
    const f = fullFixture(GatewayProvider.kong(), features);
    expect(spec(findOne(allObjects(f.app), 'HTTPRoute', 'price')).rules[0].backendRefs).toEqual([
      { group: '', kind: 'Service', name: 'price', port: 80, weight: 90 },
      { group: '', kind: 'Service', name: 'price-canary', port: 80, weight: 10 },
    ]);
  });

  test('the GatewayClass runs KIC unmanaged and the edge Service forwards 80 to Kong\'s proxy port', () => {
    const f = fullFixture(GatewayProvider.kong(), features);
    const objects = allObjects(f.app);
    expect(findOne(objects, 'GatewayClass')).toMatchObject({
      metadata: { name: 'kong', annotations: { 'konghq.com/gatewayclass-unmanaged': 'true' } },
      spec: { controllerName: 'konghq.com/kic-gateway-controller' },
    });
    expect(spec(findOne(objects, 'Service', 'functions')).ports[0]).toEqual({ name: 'http', port: 80, targetPort: 8000, protocol: 'TCP' });
  });

  test('its latency histogram is in milliseconds with boundaries at 10, 20 and 50', () => {
    const metrics = GatewayProvider.kong().requestMetrics;
    expect(metrics.durationUnit).toBe('milliseconds');
    expect(metrics.durationHistogram).toBe('kong_request_latency_ms');
    expect(metrics.durationBuckets).toEqual(expect.arrayContaining([10, 20, 50]));
  });

  test('Kong Enterprise enforces OPA through its opa plugin on OPA\'s data API', () => {
    const f = fullFixture(GatewayProvider.kong({ enterprise: true }), PROVIDERS[3][2]);
    const objects = allObjects(f.app);
    expect(findOne(objects, 'KongPlugin', 'function-opa')).toMatchObject({
      plugin: 'opa',
      config: { opa_protocol: 'http', opa_host: 'opa-envoy.opa.svc', opa_port: 8181, opa_path: '/v1/data/serverless/allow' },
    });
    expect(findOne(objects, 'HTTPRoute', 'function').metadata.annotations).toEqual({
      'konghq.com/plugins': 'function-prometheus,function-ratelimit,function-opa',
    });
  });

  test('refuses OPA on Kong OSS, per-route timeouts and retries, and a burst above the average', () => {
    // GIVEN
    const f = fixture(GatewayProvider.kong(), { authorizer: AUTHORIZER, referenceGrantsProvided: true });
    f.gateway.addRoute(f.shopRoutes, 'Price', {
      function: f.fn(f.shopChart, 'price'),
      authorize: true,
      requestTimeout: Duration.millis(1500),
      retry: { attempts: 2 },
      rateLimit: RateLimit.perClient({ averagePerSecond: 10, burst: 20 }),
    });

    // WHEN
    const problems = problemsOf(f.app);

    // THEN
    expect(problems).toEqual([
      expect.stringMatching(/authorize cannot be enforced by Kong OSS: its `opa` plugin is Kong Enterprise only/),
      expect.stringMatching(/requestTimeout \(1500ms\) cannot be expressed by Kong per route/),
      expect.stringMatching(/retry \(2 attempts\) cannot be expressed by Kong per route/),
      expect.stringMatching(/rateLimit.burst \(20\) cannot be expressed by Kong: .* burst must equal averagePerSecond \(10\)/),
    ]);
  });
});

describe.each([
  ['envoy-gateway', () => GatewayProvider.envoyGateway({ globalRateLimit: true })],
  ['kong', () => GatewayProvider.kong()],
] as [string, () => IGatewayProvider][])('TLS on %s: nothing is served over plain HTTP', (_name, provider) => {
  const httpRoutes = (objects: KubeObject[]): KubeObject[] => objects.filter((o) => o.kind === 'HTTPRoute');

  test('with tls, function routes attach to the https listener only', () => {
    // GIVEN
    const f = fullFixture(provider(), PROVIDERS[2][2]);

    // WHEN
    const routes = httpRoutes(allObjects(f.app)).filter((r) => r.metadata.namespace !== 'gateway');

    // THEN
    expect(routes.map((r) => r.metadata.name).sort()).toEqual(['function', 'price']);
    for (const route of routes) {
      expect(spec(route).parentRefs).toEqual([
        { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'functions', namespace: 'gateway', sectionName: 'https' },
      ]);
    }
  });

  test('with tls, one route in the gateway namespace redirects the http listener to HTTPS with 301', () => {
    // GIVEN
    const f = fullFixture(provider(), PROVIDERS[2][2]);

    // WHEN
    const objects = allObjects(f.app);
    const redirects = httpRoutes(objects).filter((r) => r.metadata.namespace === 'gateway');
    const listeners = spec(findOne(objects, 'Gateway')).listeners as Json[];

    // THEN
    expect(redirects.map((r) => r.metadata.name)).toEqual(['functions-https-redirect']);
    expect(spec(redirects[0])).toEqual({
      parentRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'functions', namespace: 'gateway', sectionName: 'http' }],
      rules: [{
        matches: [{ path: { type: 'PathPrefix', value: '/' } }],
        filters: [{ type: 'RequestRedirect', requestRedirect: { scheme: 'https', statusCode: 301 } }],
      }],
    });
    // The http listener admits the redirect's namespace, and nothing else.
    expect(listeners.find((l) => l.name === 'http')!.allowedRoutes).toEqual({
      kinds: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute' }],
      namespaces: { from: 'Same' },
    });
  });

  test('a TLS port other than 443 is named in the redirect', () => {
    // GIVEN
    const f = fixture(provider(), { tls: { secretName: 'cert', port: 8443 } });

    // WHEN
    const redirect = findOne(allObjects(f.app), 'HTTPRoute', 'functions-https-redirect');

    // THEN
    expect(problemsOf(f.app)).toEqual([]);
    expect(spec(redirect).rules[0].filters[0].requestRedirect).toEqual({ scheme: 'https', port: 8443, statusCode: 301 });
  });

  test('without tls, routes attach to the whole Gateway and there is no redirect', () => {
    // GIVEN
    const f = fixture(provider());
    f.gateway.addRoute(f.shopRoutes, 'Price', { public: true, function: f.fn(f.shopChart, 'price') });

    // WHEN
    const objects = allObjects(f.app);
    const gateway = findOne(objects, 'Gateway');

    // THEN
    expect(httpRoutes(objects).map((r) => `${r.metadata.namespace}/${r.metadata.name}`)).toEqual(['shop/price']);
    expect(spec(findOne(objects, 'HTTPRoute', 'price')).parentRefs).toEqual([
      { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'functions', namespace: 'gateway' },
    ]);
    expect(spec(gateway).listeners).toEqual([{
      name: 'http',
      protocol: 'HTTP',
      port: 80,
      allowedRoutes: {
        kinds: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute' }],
        namespaces: { from: 'Selector', selector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['shop', 'orders'] }] } },
      },
    }]);
  });

  test('with and without tls, every gateway object is valid against its schema, strictly', () => {
    const validator = kubeValidator();
    for (const tls of [undefined, { secretName: 'cert' }, { secretName: 'cert', port: 8443 }]) {
      const f = fixture(provider(), { tls });
      f.gateway.addRoute(f.shopRoutes, 'Price', { public: true, function: f.fn(f.shopChart, 'price') });
      const objects = allObjects(f.app).filter((o) => GATEWAY_KINDS.has(o.kind));
      expect(objects.map((o) => formatViolations(o, validator.validate(o))).filter((t) => t !== '')).toEqual([]);
    }
  });
});

describe('TLS on traefik: nothing is served over plain HTTP', () => {
  const staticConfig = (f: ReturnType<typeof fixture>): Json =>
    require('js-yaml').load((findOne(allObjects(f.app), 'ConfigMap', 'functions-traefik-static').data as Record<string, string>)['traefik.yaml']) as Json;

  test('with tls, every IngressRoute is on websecure only and web redirects to HTTPS on the edge port', () => {
    // GIVEN
    const f = fixture(GatewayProvider.traefik(), { tls: { secretName: 'cert' } });
    f.gateway.addRoute(f.shopRoutes, 'Price', { public: true, function: f.fn(f.shopChart, 'price') });
    f.gateway.addRoute(f.ordersRoutes, 'Cart', { public: true, function: f.fn(f.ordersChart, 'cart') });

    // WHEN
    const routes = allObjects(f.app).filter((o) => o.kind === 'IngressRoute');

    // THEN
    expect(problemsOf(f.app)).toEqual([]);
    expect(routes.map((r) => r.metadata.name)).toEqual(['price', 'cart']);
    for (const route of routes) {
      expect(spec(route).entryPoints).toEqual(['websecure']);
      expect(spec(route).tls).toEqual({ secretName: 'cert' });
    }
    expect(staticConfig(f).entryPoints.web).toEqual({
      address: ':8080',
      http: { redirections: { entryPoint: { to: ':443', scheme: 'https', permanent: true } } },
    });
  });

  test('the redirect names a TLS port other than 443', () => {
    const f = fixture(GatewayProvider.traefik(), { tls: { secretName: 'cert', port: 8443 } });
    expect(staticConfig(f).entryPoints.web.http.redirections.entryPoint.to).toBe(':8443');
  });

  test('without tls, routes stay on web and nothing redirects', () => {
    // GIVEN
    const f = fixture(GatewayProvider.traefik());
    f.gateway.addRoute(f.shopRoutes, 'Price', { public: true, function: f.fn(f.shopChart, 'price') });

    // WHEN
    const routes = allObjects(f.app).filter((o) => o.kind === 'IngressRoute');

    // THEN
    expect(routes.map((r) => [r.metadata.name, spec(r).entryPoints, spec(r).tls])).toEqual([['price', ['web'], undefined]]);
    expect(staticConfig(f).entryPoints).toEqual({ web: { address: ':8080' }, metrics: { address: ':9100' } });
  });
});
