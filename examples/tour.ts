// The README's other examples (Autoscaling, Teams, Gateway, Observability, GitOps delivery, Fleet), each
// exactly as the README shows it, inside the declarations it assumes, combined into one app:
// `test/readme.test.ts` checks that every README block is here and that the app synthesizes
// without a problem, and the package check compiles this file against the packed library.
import { App, Chart, Duration } from 'cdk8s';
import {
  ClusterCapacity, ClusterDescription, Fleet, FleetCluster,
  FUNCTION_SDK_METRICS, FunctionGateway, FunctionNamespace, GatewayProvider, GitOpsDelivery, HttpScalingMetric,
  IRequestAuthorizer, KedaFunctionAutoscaler, KedaTrigger, ObservabilityStack, OpaAuthorizer, RateLimit,
  RequestAuthorizationPolicy, RequestIdentity, RequestMetrics, SaleSchedule, ScaleToZeroFunctionAutoscaler,
  ServiceLevelObjective, Team, WasmFunction,
} from '@ecommerce-platform/wasm-functions';

/** The functions the examples use. */
export interface TourFunctions {
  readonly price: WasmFunction;
  readonly priceCanary: WasmFunction;
  readonly reviews: WasmFunction;
  readonly checkout: WasmFunction;
}

function fn(chart: Chart, id: string, name: string): WasmFunction {
  return new WasmFunction(chart, id, {
    name,
    image: `registry.example.com/functions/${name}@sha256:86c59df33204c79db3663f084b5dc26819d10d16e57a614c80aaaabde068edcc`,
  });
}

/** Teams: the orders team owns functions-orders (created in the chart of the namespaces). */
export function teamsExample(base: Chart): void {
  new Team(base, 'OrdersTeam', {
    name: 'orders',
    namespaces: ['functions-orders'],
    group: 'orders-developers',
    registries: ['registry.example.com/functions/'],
  });
}

/** Autoscaling: a KEDA autoscaler with a flash sale. */
export function autoscalingExample(chart: Chart, checkout: WasmFunction): void {
  new KedaFunctionAutoscaler(chart, 'Checkout', {
    target: checkout,
    minReplicas: 10,
    maxReplicas: 800,
    triggers: [KedaTrigger.requestRate({ requestsPerPodPerSecond: 84 })],
    flashSales: [{
      name: 'black-friday',
      schedule: SaleSchedule.onDate({ start: '2026-11-27T00:00', end: '2026-11-28T02:00' }),
      timezone: 'Europe/Berlin',
      replicas: 400,
      prescaleMinutes: 30,
    }],
    capacity: { peakRequestsPerSecond: 20000, requestsPerPodPerSecond: 120, burstRequestsPerSecond: 1000 },
  });
}

/** Autoscaling: scale to zero through the KEDA HTTP add-on. */
export function scaleToZeroExample(chart: Chart, reviews: WasmFunction): void {
  new ScaleToZeroFunctionAutoscaler(chart, 'Reviews', {
    target: reviews,
    hosts: ['reviews.functions-catalog.svc.cluster.local'],
    maxReplicas: 40,
    scalingMetric: HttpScalingMetric.concurrency(50),
  });
}

/** Gateway: routes, a canary, rate limits, OPA. */
export function gatewayExample(
  gatewayChart: Chart, catalogRoutes: Chart, ordersRoutes: Chart,
  policy: { readonly authorizer: IRequestAuthorizer }, { price, priceCanary, reviews, checkout }: TourFunctions,
): FunctionGateway {
  const gateway = new FunctionGateway(gatewayChart, 'Gateway', {
    provider: GatewayProvider.envoyGateway(),
    // The functions' namespaces, and the KEDA interceptor's for a function scaled to zero.
    routeNamespaces: ['functions-catalog', 'functions-orders', reviews.ingressBackend.namespace],
    defaultHost: 'shop.example.com',
    tls: { secretName: 'shop-example-com-tls' },
    authorizer: policy.authorizer,          // OPA with the Envoy plugin; it grants the reference (see "References across namespaces")
  });
  gateway.addRoute(catalogRoutes, 'Price', {
    function: price,                        // path defaults to /api/price
    methods: ['GET', 'HEAD'],               // a read: public without saying so
    canary: { function: priceCanary, stableWeight: 90, canaryWeight: 10 },
    rateLimit: RateLimit.perProxyReplica({ averagePerSecond: 5000 }),
    requestTimeout: Duration.seconds(1),
    retry: { attempts: 2, perTryTimeout: Duration.millis(300) },
  });
  gateway.addRoute(catalogRoutes, 'Reviews', { function: reviews, methods: ['GET', 'HEAD'], requestTimeout: Duration.seconds(10) });
  // A write: authorized by OPA with its own rule in the one request policy (the seed's).
  gateway.addRoute(ordersRoutes, 'Checkout', {
    function: checkout, pathPrefix: '/api/function', authorize: { methods: ['POST'], roles: ['user'], paths: ['/api/function'] },
  });
  return gateway;
}

/** Observability: SLOs, alerts and dashboards. */
export function observabilityExample(app: App, gatewayMetrics: RequestMetrics | undefined, checkout: WasmFunction, price: WasmFunction): void {
  const chart = new Chart(app, 'Observability', { namespace: 'monitoring' });
  const stack = new ObservabilityStack(chart, 'Stack', {
    sloSource: gatewayMetrics ?? FUNCTION_SDK_METRICS,      // what the SLOs are computed from
    runbookBaseUrl: 'https://runbooks.shop.example.com/wasm-functions',
    grafanaUrl: 'https://grafana.shop.example.com',
  });
  stack.addFunction(checkout, { objectives: [
    ServiceLevelObjective.latency({ percentile: 99, thresholdMilliseconds: 20 }),
    ServiceLevelObjective.availability(99.999),
  ] });
  stack.addFunction(price);                                  // SEED_OBJECTIVES
}

/** GitOps delivery: the app of apps, created last. */
export function gitopsExample(app: App): void {
  const chart = new Chart(app, 'Gitops', { namespace: 'argocd' });
  new GitOpsDelivery(chart, 'Delivery', {
    repoUrl: 'https://git.shop.example.com/platform/wasm-functions.git',
    targetRevision: 'main',   // default "main"
    pathPrefix: 'dist',       // default "dist"
    projectName: 'ecommerce-platform',
  });
}

/** Every example above, in one app. */
export function buildTour(app: App): void {
  const base = new Chart(app, 'PlatformBase');
  new FunctionNamespace(base, 'Catalog', { name: 'functions-catalog' });
  new FunctionNamespace(base, 'Orders', { name: 'functions-orders' });
  const catalog = new Chart(app, 'CatalogFunctions', { namespace: 'functions-catalog' });
  const orders = new Chart(app, 'OrdersFunctions', { namespace: 'functions-orders' });
  const functions: TourFunctions = {
    price: fn(catalog, 'Price', 'price'),
    priceCanary: fn(catalog, 'PriceCanary', 'price-canary'),
    reviews: fn(catalog, 'Reviews', 'reviews'),
    checkout: fn(orders, 'Checkout', 'checkout'),
  };
  autoscalingExample(new Chart(app, 'OrdersAutoscaling', { namespace: 'functions-orders' }), functions.checkout);
  scaleToZeroExample(new Chart(app, 'CatalogAutoscaling', { namespace: 'functions-catalog' }), functions.reviews);
  teamsExample(base);
  const authorizer = new OpaAuthorizer(new Chart(app, 'RequestAuthorization', { namespace: 'opa' }), 'Opa', {
    policy: RequestAuthorizationPolicy.seed(RequestIdentity.trustedHeader('x-user-id')),
    // The default image is the seed's tag: pin it by digest (image: 'openpolicyagent/opa@sha256:...') in production.
    allowMutableTag: true,
  });
  const gateway = gatewayExample(
    new Chart(app, 'Gateway', { namespace: 'gateway' }),
    new Chart(app, 'CatalogRoutes', { namespace: 'functions-catalog' }),
    new Chart(app, 'OrdersRoutes', { namespace: 'functions-orders' }),
    { authorizer }, functions,
  );
  observabilityExample(app, gateway.requestMetrics, functions.checkout, functions.price);
  gitopsExample(app);
}

/** One cluster's platform in the fleet example: a function, its autoscaler at the cluster's share, the checks. */
export function buildOrdersCluster(app: App, cluster: FleetCluster): void {
  const base = new Chart(app, 'PlatformBase');
  new FunctionNamespace(base, 'Orders', { name: 'functions-orders' });
  const orders = new Chart(app, 'OrdersFunctions', { namespace: 'functions-orders' });
  const checkout = fn(orders, 'Checkout', 'checkout');
  const peak = cluster.environment === 'production' ? 20000 : 1000;
  new KedaFunctionAutoscaler(orders, 'CheckoutScaling', {
    // Enough for the whole production peak (115 pods at 175/s): one region carries it when the other fails.
    target: checkout, minReplicas: 2, maxReplicas: 120,
    // Each cluster takes its share of its environment's peak.
    capacity: { peakRequestsPerSecond: cluster.share(peak), requestsPerPodPerSecond: 250 },
  });
  new ClusterCapacity(app, 'Capacity', { cluster: cluster.description });
  // Created last, as always; the fleet's settings name everything after the cluster.
  new GitOpsDelivery(new Chart(app, 'Gitops', { namespace: 'argocd' }), 'Delivery', {
    repoUrl: 'https://git.shop.example.com/platform/wasm-functions.git',
    ...cluster.deliveryProps('shop'),
  });
}

/** Fleet: staging, then two production regions taking half the traffic each. */
export function fleetExample(app: App): Fleet {
  const workers = (name: string, nodes: number): ClusterDescription =>
    ({ name, nodes, allocatableCpuPerNode: '7500m', allocatableMemoryPerNode: '28Gi', maxPodsPerNode: 250 });
  const fleet = new Fleet(new Chart(app, 'Fleet', { namespace: 'argocd' }), 'Fleet', {
    repoUrl: 'https://git.shop.example.com/platform/wasm-functions.git',
    clusters: [
      { name: 'staging', environment: 'staging', region: 'eu-central', trafficPercent: 100,
        server: 'https://staging.k8s.shop.example.com:6443', description: workers('staging', 3) },
      { name: 'prod-eu-central', environment: 'production', region: 'eu-central', trafficPercent: 50,
        server: 'https://eu-central.k8s.shop.example.com:6443', description: workers('prod-eu-central', 6) },
      { name: 'prod-eu-west', environment: 'production', region: 'eu-west', trafficPercent: 50,
        server: 'https://eu-west.k8s.shop.example.com:6443', description: workers('prod-eu-west', 6) },
    ],
    build: buildOrdersCluster,
  });
  // The root Application in bootstrap/ delivers the fleet's ApplicationSet.
  new GitOpsDelivery(new Chart(app, 'Gitops', { namespace: 'argocd' }), 'Delivery', {
    repoUrl: 'https://git.shop.example.com/platform/wasm-functions.git',
    projectName: 'shop-fleet',
  });
  return fleet;
}
