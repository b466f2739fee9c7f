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

  test('OPA authorizes /api/function and nothing else', () => {
    const { objects } = build();
    const policies = objects.filter((o) => o.kind === 'SecurityPolicy');
    expect(policies).toHaveLength(1);
    expect(policies[0].metadata).toMatchObject({ name: 'function', namespace: NAMESPACES.orders });
    expect(spec(policies[0]).extAuth).toEqual({
      grpc: { backendRefs: [{ group: '', kind: 'Service', name: 'opa', namespace: 'opa', port: 9191 }] },
      failOpen: false,
    });
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
    const limitOf = (name: string): number => spec(findOne(objects, 'BackendTrafficPolicy', name)).rateLimit.local.rules[0].limit.requests;
    // Reviews is routed through the KEDA interceptor: its objects carry its namespace as a prefix.
    const routeName = (fn: string): string => routes[fn].resourceName;

    // THEN: no route sheds what its function was scaled for (the old 200/s and 2,000/s on one replica did)
    expect(problemsOf(app)).toEqual([]);
    expect(replicas).toBe(12);
    for (const entry of CATALOG) {
      expect(limitOf(routeName(entry.name)) * replicas).toBeGreaterThanOrEqual(autoscalers[entry.name].capacity!.peakRequestsPerSecond);
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
