import { ClusterCapacity, HorizontalFunctionAutoscaler, renderApp, renderGatewayCapacity } from '../../lib';
import { GatewayProvider, RateLimit } from '../../lib/gateway';
import { fixture } from '../gateway/fixtures';

describe('capacity report: gateways', () => {
  test('a line per gateway with its proxy replicas, and per route its limit times the replicas against the planned peak', () => {
    // GIVEN: 3 Envoy replicas; checkout planned at 20,000/s, flash-sale at 9,000/s but shedding above 6,000/s on purpose
    const f = fixture(GatewayProvider.envoyGateway({ proxyReplicas: 3, globalRateLimit: true }));
    const checkout = f.fn(f.ordersChart, 'checkout');
    const flashSale = f.fn(f.ordersChart, 'flash-sale');
    new HorizontalFunctionAutoscaler(f.ordersChart, 'CheckoutScaling', {
      target: checkout, minReplicas: 10, maxReplicas: 300, capacity: { peakRequestsPerSecond: 20000, requestsPerPodPerSecond: 120 },
    });
    new HorizontalFunctionAutoscaler(f.ordersChart, 'FlashSaleScaling', {
      target: flashSale, minReplicas: 10, maxReplicas: 300, capacity: { peakRequestsPerSecond: 9000, requestsPerPodPerSecond: 120 },
    });
    f.gateway.addRoute(f.ordersRoutes, 'Checkout', { public: true, function: checkout, rateLimit: RateLimit.perProxyReplica({ averagePerSecond: 8000 }) });
    f.gateway.addRoute(f.ordersRoutes, 'FlashSale', {
      public: true,
      function: flashSale, rateLimit: RateLimit.perProxyReplica({ averagePerSecond: 2000 }), shedsAbovePlan: true,
    });
    f.gateway.addRoute(f.shopRoutes, 'Price', { public: true, function: f.fn(f.shopChart, 'price'), rateLimit: RateLimit.perClient({ averagePerSecond: 50 }) });
    new ClusterCapacity(f.app, 'ClusterCapacity', { cluster: { name: 'test', nodes: 10, allocatableCpuPerNode: '8', allocatableMemoryPerNode: '32Gi' } });

    // WHEN
    const report = renderApp(f.app).find((file) => file.path === 'reports/capacity.md')!.content;

    // THEN
    expect(report).toContain('\n## Gateways\n\nGateway `gateway/functions` (envoy-gateway): 3 proxy replicas.\n');
    expect(report).toContain('| orders/checkout | checkout | per proxy replica: 8000/s | 24000 | 20000 | 1.2× the peak |');
    expect(report).toContain('| orders/flash-sale | flash-sale | per proxy replica: 2000/s | 6000 | 9000 | sheds above the limit (intended) |');
    expect(report).toContain('| shop/price | price | per client-ip: 50/s | - | - | - |');
  });

  test('no gateway, no section', () => {
    expect(renderGatewayCapacity([])).toBe('');
  });
});
