import { renderApp } from '../../lib';
import { buildCore } from '../../platform/core';
import { addAutoscaling } from '../../platform/autoscaling';
import { addGateway } from '../../platform/gateway';
import { addPolicy } from '../../platform/policy';
import { CATALOG, NAMESPACES } from '../../platform';
import { formatViolations, kubeValidator } from '../support/kube-schema';
import { allObjects, findOne, KubeObject, problemsOf, testApp } from '../support/synth';
import { GATEWAY_KINDS } from './fixtures';

type Json = Record<string, any>;
const spec = (o: KubeObject): Json => o.spec as Json;

function build() {
  const app = testApp();
  const core = buildCore(app);
  // The policy section's authorizer, as the reference platform wires it: it owns its
  // namespace, so it grants the routes' SecurityPolicies the reference to its Service.
  const section = addGateway(core, { authorizer: addPolicy(core).authorizer });
  return { app, core, section, objects: allObjects(app) };
}

describe('reference platform: gateway section', () => {
  test('synthesizes without problems to its snapshot', () => {
    // GIVEN
    const { app } = build();

    // WHEN
    const files = renderApp(app).filter((f) => /^(gateway|catalog-routes|orders-routes)\//.test(f.path));

    // THEN
    expect(problemsOf(app)).toEqual([]);
    expect(files.map((f) => f.path)).toEqual(['gateway/gateway.k8s.yaml', 'catalog-routes/catalog-routes.k8s.yaml', 'orders-routes/orders-routes.k8s.yaml']);
    for (const file of files) {
      expect(file.content).toMatchSnapshot(file.path);
    }
  });

  test('every gateway object, and the canary function, is valid against its schema, strictly', () => {
    const { objects } = build();
    const validator = kubeValidator();
    const checked = objects.filter((o) => GATEWAY_KINDS.has(o.kind) || o.metadata.name === 'price-canary');
    expect(checked.map((o) => formatViolations(o, validator.validate(o))).filter((t) => t !== '')).toEqual([]);
  });

  test('Envoy Gateway in the gateway namespace, with TLS', () => {
    const { objects, section } = build();
    const gateway = findOne(objects, 'Gateway');
    expect(gateway.metadata).toMatchObject({ name: 'functions', namespace: NAMESPACES.gateway });
    expect(spec(gateway).gatewayClassName).toBe('envoy-gateway');
    expect(spec(gateway).listeners.map((l: Json) => `${l.name}:${l.port}`)).toEqual(['http:80', 'https:443']);
    expect(section.gateway.provider.name).toBe('envoy-gateway');
  });

  test('every function is routed, under /api/<function>, checkout at the seed\'s /api/function only', () => {
    const { objects } = build();
    const routes = objects.filter((o) => o.kind === 'HTTPRoute' && o.metadata.namespace !== NAMESPACES.gateway);
    const byBackend = Object.fromEntries(routes.map((r) => [spec(r).rules[0].backendRefs[0].name, spec(r).rules[0].matches[0].path.value]));
    const expected = Object.fromEntries(CATALOG.map((e) => [e.name, e.name === 'checkout' ? '/api/function' : `/api/${e.name}`]));
    expect(byBackend).toEqual(expected);
    expect(routes.map((r) => spec(r).rules[0].matches[0].path.value)).not.toContain('/api/checkout');
  });

  test('routes live in their functions\' namespaces, attached to the Gateway\'s HTTPS listener only', () => {
    const { objects } = build();
    const routes = objects.filter((o) => o.kind === 'HTTPRoute' && o.metadata.namespace !== NAMESPACES.gateway);
    expect(routes).toHaveLength(CATALOG.length);
    for (const route of routes) {
      const backend = spec(route).rules[0].backendRefs[0].name;
      const domain = CATALOG.find((e) => e.name === backend)!.domain;
      expect(route.metadata.namespace).toBe(NAMESPACES[domain]);
      expect(spec(route).parentRefs).toEqual([{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'functions', namespace: 'gateway', sectionName: 'https' }]);
    }
  });

  test('plain HTTP serves nothing but a 301 to HTTPS, /api/function included', () => {
    const { objects } = build();
    const redirects = objects.filter((o) => o.kind === 'HTTPRoute' && o.metadata.namespace === NAMESPACES.gateway);
    expect(redirects.map((r) => r.metadata.name)).toEqual(['functions-https-redirect']);
    expect(spec(redirects[0]).parentRefs).toEqual([{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'functions', namespace: 'gateway', sectionName: 'http' }]);
    expect(spec(redirects[0]).rules).toEqual([{
      matches: [{ path: { type: 'PathPrefix', value: '/' } }],
      filters: [{ type: 'RequestRedirect', requestRedirect: { scheme: 'https', statusCode: 301 } }],
    }]);
    const http = spec(findOne(objects, 'Gateway')).listeners.find((l: Json) => l.name === 'http');
    expect(http.allowedRoutes.namespaces).toEqual({ from: 'Same' });
  });

  test('OPA authorizes the writes (cart, checkout at /api/function, flash-sale) and nothing else', () => {
    const { objects } = build();
    const policies = objects.filter((o) => o.kind === 'SecurityPolicy');
    expect(policies.map((p) => p.metadata.name).sort()).toEqual(['cart', 'flash-sale', 'function']);
    for (const p of policies) {
      expect(p.metadata.namespace).toBe(NAMESPACES.orders);
      expect(spec(p).extAuth).toEqual({
        grpc: { backendRefs: [{ group: '', kind: 'Service', name: 'opa', namespace: 'opa', port: 9191 }] },
        failOpen: false,
      });
    }
  });

  test('the reads are public and match GET and HEAD only; the writes match every method behind OPA', () => {
    const { objects } = build();
    const methodsOf = (name: string): unknown[] => spec(findOne(objects, 'HTTPRoute', name)).rules[0].matches.map((m: { method?: string }) => m.method);
    expect(methodsOf('price')).toEqual(['GET', 'HEAD']);
    expect(methodsOf('product-detail')).toEqual(['GET', 'HEAD']);
    expect(methodsOf('cart')).toEqual([undefined]);
  });

  test('the one request policy holds the seed\'s rule first, then cart\'s and flash-sale\'s', () => {
    const app = testApp();
    const core = buildCore(app);
    const policy = addPolicy(core);
    addGateway(core, { authorizer: policy.authorizer });
    expect(policy.authorizer.policy.rules).toEqual([
      { methods: ['POST'], paths: ['/api/function'], roles: ['user'] },
      { methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'], paths: ['/api/cart', '/api/cart/*'], roles: ['user'] },
      { methods: ['GET', 'POST'], paths: ['/api/flash-sale', '/api/flash-sale/*'], roles: ['user'] },
    ]);
  });

  test('flash-sale admission is limited per verified user: the gateway verifies the JWT and keys the limit by its sub', () => {
    const { objects } = build();
    const security = spec(findOne(objects, 'SecurityPolicy', 'flash-sale'));
    expect(security.jwt.providers).toEqual([{
      name: 'verified-user',
      issuer: 'https://auth.shop.example.com/',
      audiences: ['api.shop.example.com'],
      remoteJWKS: { uri: 'https://auth.shop.example.com/.well-known/jwks.json' },
      claimToHeaders: [{ claim: 'sub', header: 'x-verified-subject' }],
    }]);
    expect(spec(findOne(objects, 'BackendTrafficPolicy', 'flash-sale')).rateLimit).toEqual({
      type: 'Global',
      global: {
        rules: [
          { limit: { requests: 108000, unit: 'Second' } },
          { clientSelectors: [{ headers: [{ name: 'x-verified-subject', type: 'Distinct' }] }], limit: { requests: 2, unit: 'Second' } },
        ],
      },
    });
    // Only where a per-user limit needs the verified subject.
    expect(spec(findOne(objects, 'SecurityPolicy', 'cart')).jwt).toBeUndefined();
  });

  test('price splits 90/10 with a price-canary function beside it', () => {
    const { objects, section } = build();
    expect(spec(findOne(objects, 'HTTPRoute', 'price')).rules[0].backendRefs).toEqual([
      { group: '', kind: 'Service', name: 'price', port: 80, weight: 90 },
      { group: '', kind: 'Service', name: 'price-canary', port: 80, weight: 10 },
    ]);
    const canary = findOne(objects, 'Deployment', 'price-canary');
    const stable = findOne(objects, 'Deployment', 'price');
    expect(canary.metadata.namespace).toBe(NAMESPACES.catalog);
    expect(spec(canary).template.spec.containers[0].image).toBe(spec(stable).template.spec.containers[0].image);
    expect(section.canaries.price.name).toBe('price-canary');
  });

  test('every route admits its function\'s planned peak across the Envoy replicas, and checkout has the tightest limit', () => {
    // GIVEN: the autoscaling section, whose capacity plans hold the peaks
    const app = testApp();
    const core = buildCore(app);
    const { autoscalers } = addAutoscaling(core);
    const { routes } = addGateway(core, { authorizer: addPolicy(core).authorizer });

    // WHEN
    const objects = allObjects(app);
    const replicas: number = spec(findOne(objects, 'EnvoyProxy')).provider.kubernetes.envoyDeployment.replicas;
    // In all: a local limit counts per replica, flash-sale's Global route-wide rule once.
    const limitOf = (name: string): number => {
      const rateLimit = spec(findOne(objects, 'BackendTrafficPolicy', name)).rateLimit;
      return rateLimit.local ? rateLimit.local.rules[0].limit.requests * replicas : rateLimit.global.rules[0].limit.requests;
    };
    // Reviews is routed through the KEDA interceptor: its objects carry its namespace as a prefix.
    const routeName = (fn: string): string => routes[fn].resourceName;

    // THEN: no route sheds what its function was scaled for (the old 200/s and 2,000/s on one replica did)
    expect(problemsOf(app)).toEqual([]);
    expect(replicas).toBe(12);
    for (const entry of CATALOG) {
      expect(limitOf(routeName(entry.name))).toBeGreaterThanOrEqual(autoscalers[entry.name].capacity!.peakRequestsPerSecond);
    }
    const others = CATALOG.filter((e) => e.name !== 'checkout').map((e) => limitOf(routeName(e.name)));
    expect(limitOf('function')).toBeLessThan(Math.min(...others));
  });

  test('writes are never retried; reads retry only where the function cannot have done the work', () => {
    const { objects } = build();
    const retried = (name: string): boolean => spec(findOne(objects, 'BackendTrafficPolicy', name)).retry !== undefined;
    // A 503 can come after the work is done: cart, checkout (/api/function) and flash-sale write.
    expect(['cart', 'function', 'flash-sale'].filter(retried)).toEqual([]);
    expect(['product-detail', 'price', 'inventory', 'search', 'recommend', 'reviews'].filter(retried))
      .toEqual(['product-detail', 'price', 'inventory', 'search', 'recommend', 'reviews']);
    expect(spec(findOne(objects, 'BackendTrafficPolicy', 'search')).retry.retryOn.triggers).toEqual(['connect-failure', 'refused-stream', 'retriable-status-codes']);
  });

  test('requestMetrics stays unset: Envoy\'s default buckets cannot measure 20 ms', () => {
    const { section } = build();
    expect(section.requestMetrics).toBeUndefined();
  });

});
