import { GatewayProvider, RateLimit } from '../../lib/gateway';
import { formatViolations, kubeValidator } from '../support/kube-schema';
import { allObjects, findOne, KubeObject, problemsOf } from '../support/synth';
import { fixture } from './fixtures';

type Json = Record<string, any>;
const spec = (o: KubeObject): Json => o.spec as Json;

describe('Envoy Gateway proxies: the EnvoyProxy the GatewayClass names', () => {
  test('defaults: 2 replicas, 1 CPU and 512Mi requested, a 1Gi memory limit and no CPU limit, in the gateway namespace', () => {
    // GIVEN
    const f = fixture(GatewayProvider.envoyGateway());

    // WHEN
    const objects = allObjects(f.app);
    const proxy = findOne(objects, 'EnvoyProxy');

    // THEN
    expect(problemsOf(f.app)).toEqual([]);
    expect(proxy).toMatchObject({ apiVersion: 'gateway.envoyproxy.io/v1alpha1', metadata: { name: 'envoy-gateway-proxy', namespace: 'gateway' } });
    expect(spec(proxy)).toEqual({
      provider: {
        type: 'Kubernetes',
        kubernetes: {
          envoyDeployment: {
            replicas: 2,
            container: { resources: { requests: { cpu: '1', memory: '512Mi' }, limits: { memory: '1Gi' } } },
          },
        },
      },
    });
    expect(formatViolations(proxy, kubeValidator().validate(proxy))).toBe('');
  });

  test('the GatewayClass names the EnvoyProxy in parametersRef, so its replica count reaches the Envoy Deployment', () => {
    const f = fixture(GatewayProvider.envoyGateway({ gatewayClassName: 'edge', proxyReplicas: 12 }));
    const objects = allObjects(f.app);
    const gatewayClass = findOne(objects, 'GatewayClass', 'edge');
    const proxy = findOne(objects, 'EnvoyProxy', 'edge-proxy');
    expect(spec(gatewayClass).parametersRef).toEqual({ group: 'gateway.envoyproxy.io', kind: 'EnvoyProxy', name: 'edge-proxy', namespace: 'gateway' });
    expect(spec(proxy).provider.kubernetes.envoyDeployment.replicas).toBe(12);
    expect(formatViolations(gatewayClass, kubeValidator().validate(gatewayClass))).toBe('');
  });

  test('the proxies count in the cluster capacity: replicas plus a 25 % rollout surge, at their requests', () => {
    const f = fixture(GatewayProvider.envoyGateway({ proxyReplicas: 12, proxyResources: { cpuRequest: '2', memoryRequest: '1Gi' } }));
    expect(f.gateway.platformPods()).toEqual([{
      component: 'Envoy Gateway proxies',
      key: 'gateway/envoy-gateway-proxy',
      pods: 15,
      cpuRequestCores: 2,
      memoryRequestBytes: 1024 ** 3,
      source: 'EnvoyProxy replicas 12 + 3 surge',
    }]);
  });

  test('proxies the install sizes (no EnvoyProxy emitted), and other providers\' proxies, are left to otherWorkloads', () => {
    expect(fixture(GatewayProvider.envoyGateway({ createGatewayClass: false })).gateway.platformPods()).toEqual([]);
    expect(fixture(GatewayProvider.traefik({ proxyReplicas: 4 })).gateway.platformPods()).toEqual([]);
  });

  test('resources are overridable field by field', () => {
    const f = fixture(GatewayProvider.envoyGateway({ proxyResources: { cpuRequest: '2', memoryLimit: '2Gi' } }));
    expect(spec(findOne(allObjects(f.app), 'EnvoyProxy')).provider.kubernetes.envoyDeployment.container.resources)
      .toEqual({ requests: { cpu: '2', memory: '512Mi' }, limits: { memory: '2Gi' } });
  });

  test('without its own GatewayClass no EnvoyProxy is emitted, and proxyReplicas defaults to Envoy Gateway\'s 1', () => {
    const provider = GatewayProvider.envoyGateway({ createGatewayClass: false });
    const f = fixture(provider);
    expect(allObjects(f.app).filter((o) => o.kind === 'EnvoyProxy' || o.kind === 'GatewayClass')).toEqual([]);
    expect(provider.proxyReplicas).toBe(1);
    expect(problemsOf(f.app)).toEqual([]);
  });

  test('proxyResources without the GatewayClass that would carry them is an error', () => {
    const f = fixture(GatewayProvider.envoyGateway({ createGatewayClass: false, proxyResources: { cpuRequest: '2' } }));
    expect(problemsOf(f.app)).toEqual([expect.stringMatching(/^\[Gateway\/Gateway\] proxyResources is set but createGatewayClass is false/)]);
  });

  test('invalid replicas and quantities are errors', () => {
    const f = fixture(GatewayProvider.envoyGateway({ proxyReplicas: 1.5, proxyResources: { memoryRequest: 'lots' } }));
    expect(problemsOf(f.app)).toEqual([
      '[Gateway/Gateway] provider (envoy-gateway) proxyReplicas (1.5) must be an integer from 1 to 1000',
      expect.stringContaining('proxyResources.memoryRequest'),
    ]);
  });
});

describe('Envoy Gateway rate limits: per proxy replica and route-wide', () => {
  test('perProxyReplica is a local limit (one bucket per Envoy replica)', () => {
    const f = fixture(GatewayProvider.envoyGateway());
    f.gateway.addRoute(f.shopRoutes, 'Price', { public: true, function: f.fn(f.shopChart, 'price'), rateLimit: RateLimit.perProxyReplica({ averagePerSecond: 50 }) });
    expect(spec(findOne(allObjects(f.app), 'BackendTrafficPolicy')).rateLimit).toEqual({
      type: 'Local', local: { rules: [{ limit: { requests: 50, unit: 'Second' } }] },
    });
  });

  test('routeWide is a global limit with no client selector: one counter in the rate-limit service for the route', () => {
    // GIVEN: the install runs the global rate limit service (Redis)
    const f = fixture(GatewayProvider.envoyGateway({ globalRateLimit: true }));

    // WHEN
    f.gateway.addRoute(f.shopRoutes, 'Price', { public: true, function: f.fn(f.shopChart, 'price'), rateLimit: RateLimit.routeWide({ averagePerSecond: 30000 }) });
    const policy = findOne(allObjects(f.app), 'BackendTrafficPolicy');

    // THEN
    expect(problemsOf(f.app)).toEqual([]);
    expect(spec(policy).rateLimit).toEqual({ type: 'Global', global: { rules: [{ limit: { requests: 30000, unit: 'Second' } }] } });
    expect(formatViolations(policy, kubeValidator().validate(policy))).toBe('');
  });

  test('routeWide without the global rate limit service is an error', () => {
    const f = fixture(GatewayProvider.envoyGateway());
    f.gateway.addRoute(f.shopRoutes, 'Price', { public: true, function: f.fn(f.shopChart, 'price'), rateLimit: RateLimit.routeWide({ averagePerSecond: 30000 }) });
    expect(problemsOf(f.app)).toEqual([
      expect.stringMatching(/^\[ShopRoutes\/Price\] rateLimit keyed by route-wide cannot be enforced by Envoy Gateway without its global rate limit service.*set globalRateLimit.*or use RateLimit.perProxyReplica\(\)/),
    ]);
  });

  test.each([
    ['traefik', GatewayProvider.traefik(), 'cannot be enforced by Traefik v3.2'],
    ['kong', GatewayProvider.kong(), 'cannot be enforced here by Kong'],
  ])('routeWide on %s is an error: its replicas share no bucket', (_name, provider, message) => {
    const f = fixture(provider);
    f.gateway.addRoute(f.shopRoutes, 'Price', { public: true, function: f.fn(f.shopChart, 'price'), rateLimit: RateLimit.routeWide({ averagePerSecond: 100 }) });
    expect(problemsOf(f.app)).toEqual([expect.stringContaining(`rateLimit keyed by route-wide ${message}`)]);
  });
});

describe('the EnvoyProxy binding (1.4 MB) is loaded only when an EnvoyProxy is emitted', () => {
  test('loading the library and rendering another provider never requires it', () => {
    // GIVEN: a binding that records every load
    const loads: string[] = [];
    jest.isolateModules(() => {
      jest.doMock('../../imports/envoy-gateway-envoyproxies-gateway.envoyproxy.io', () => {
        loads.push('envoyproxies');
        return jest.requireActual('../../imports/envoy-gateway-envoyproxies-gateway.envoyproxy.io');
      });
      const { GatewayProvider: Providers } = require('../../lib/gateway') as typeof import('../../lib/gateway');
      const { fixture: isolatedFixture } = require('./fixtures') as typeof import('./fixtures');

      // WHEN: a Traefik gateway, then an Envoy Gateway one
      isolatedFixture(Providers.traefik());
      const afterTraefik = [...loads];
      isolatedFixture(Providers.envoyGateway());

      // THEN
      expect(afterTraefik).toEqual([]);
      expect(loads).toEqual(['envoyproxies']);
    });
  });
});
