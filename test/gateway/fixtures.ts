import { App, Chart, Duration } from 'cdk8s';
import { IRequestAuthorizer, renderApp, WasmFunction } from '../../lib';
import { FunctionGateway, FunctionGatewayProps, IGatewayProvider, RateLimit } from '../../lib/gateway';
import { testApp } from '../support/synth';

export const IMAGE = 'registry.example.com/functions/echo@sha256:ee53e6483a0ea1a04acd565404cdd4036828bdbddae632d47f551fe8b0f90316';

export const AUTHORIZER: IRequestAuthorizer = {
  serviceName: 'opa-envoy',
  deploymentName: 'opa-envoy',
  namespace: 'opa',
  grpcPort: 9191,
  httpPort: 8181,
  decisionPackage: 'serverless',
};

/** Kinds the gateway capability emits (the functions' own objects are tested elsewhere). */
export const GATEWAY_KINDS = new Set([
  'GatewayClass', 'Gateway', 'HTTPRoute', 'BackendTrafficPolicy', 'SecurityPolicy',
  'IngressRoute', 'Middleware', 'KongPlugin', 'Service', 'ConfigMap',
]);

/** A small platform: two function namespaces, a gateway chart and a route chart per namespace. */
export interface Fixture {
  readonly app: App;
  readonly gatewayChart: Chart;
  readonly shopChart: Chart;
  readonly ordersChart: Chart;
  readonly shopRoutes: Chart;
  readonly ordersRoutes: Chart;
  readonly gateway: FunctionGateway;
  fn(chart: Chart, name: string): WasmFunction;
}

export function fixture(provider: IGatewayProvider, props: Partial<FunctionGatewayProps> = {}): Fixture {
  const app = testApp();
  const gatewayChart = new Chart(app, 'Gateway', { namespace: 'gateway' });
  const shopChart = new Chart(app, 'ShopFunctions', { namespace: 'shop' });
  const ordersChart = new Chart(app, 'OrdersFunctions', { namespace: 'orders' });
  const shopRoutes = new Chart(app, 'ShopRoutes', { namespace: 'shop' });
  const ordersRoutes = new Chart(app, 'OrdersRoutes', { namespace: 'orders' });
  const gateway = new FunctionGateway(gatewayChart, 'Gateway', {
    provider,
    routeNamespaces: ['shop', 'orders'],
    defaultHost: 'shop.example.com',
    ...props,
  });
  const fn = (chart: Chart, name: string): WasmFunction => new WasmFunction(chart, name, { name, image: IMAGE });
  return { app, gatewayChart, shopChart, ordersChart, shopRoutes, ordersRoutes, gateway, fn };
}

/** What a provider can express, for {@link fullFixture}. */
export interface Features {
  readonly authorize: boolean;
  readonly timeouts: boolean;
  readonly retries: boolean;
  /** A burst other than one second's worth. */
  readonly longBurst: boolean;
  /** Per-client rate limits. */
  readonly perClient: boolean;
}

/**
 * The same platform on every provider, with every feature the provider supports: TLS, a
 * 90/10 canary with a route-wide limit, and an authorized, per-client limited checkout.
 */
export function fullFixture(provider: IGatewayProvider, features: Features): Fixture {
  const f = fixture(provider, {
    authorizer: AUTHORIZER,
    referenceGrantsProvided: true,
    tls: { secretName: 'shop-example-com-tls' },
  });
  const price = f.fn(f.shopChart, 'price');
  const priceCanary = f.fn(f.shopChart, 'price-canary');
  const checkout = f.fn(f.ordersChart, 'checkout');
  f.gateway.addRoute(f.shopRoutes, 'Price', {
    function: price,
    methods: ['GET', 'HEAD'],
    canary: { function: priceCanary, stableWeight: 90, canaryWeight: 10 },
    rateLimit: RateLimit.perProxyReplica({ averagePerSecond: 1000, burst: features.longBurst ? 60000 : undefined }),
    requestTimeout: features.timeouts ? Duration.seconds(1) : undefined,
    retry: features.retries ? { attempts: 2, backoff: Duration.millis(25) } : undefined,
  });
  f.gateway.addRoute(f.ordersRoutes, 'Checkout', {
    function: checkout,
    name: 'function',
    pathPrefix: '/api/function',
    authorize: features.authorize,
    // Where the provider cannot enforce OPA, the write is served to anyone, knowingly.
    public: !features.authorize,
    rateLimit: features.perClient ? RateLimit.perClient({ averagePerSecond: 100 }) : RateLimit.perProxyReplica({ averagePerSecond: 100 }),
  });
  return f;
}

/** The YAML of the gateway and route charts, for snapshots. */
export function gatewayYaml(app: App): string {
  return renderApp(app)
    .filter((file) => /^(gateway|shop-routes|orders-routes)\//.test(file.path))
    .map((file) => `# ${file.path}\n${file.content}`)
    .join('\n');
}
