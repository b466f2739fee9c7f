import { RateLimit, RateLimitKey } from '../../lib/gateway';

describe('RateLimit', () => {
  test('perProxyReplica counts in each replica: the route admits the average times the replicas', () => {
    const limit = RateLimit.perProxyReplica({ averagePerSecond: 2000 });
    expect(limit.key).toBe(RateLimitKey.ROUTE);
    expect(limit.routeCeilingPerSecond(12)).toBe(24000);
    expect(limit.describe()).toBe('per proxy replica: 2000/s');
  });

  test('the deprecated global() is perProxyReplica under its old, misleading name', () => {
    const old = RateLimit.global({ averagePerSecond: 2000, burst: 120000 });
    expect(old).toEqual(RateLimit.perProxyReplica({ averagePerSecond: 2000, burst: 120000 }));
    expect(old.routeCeilingPerSecond(3)).toBe(6000);
  });

  test('routeWide is one bucket for the whole route, whatever the replicas', () => {
    const limit = RateLimit.routeWide({ averagePerSecond: 100000 });
    expect(limit.key).toBe(RateLimitKey.ROUTE_WIDE);
    expect(limit.routeCeilingPerSecond(12)).toBe(100000);
    expect(limit.describe()).toBe('route-wide: 100000/s');
  });

  test('per-client and per-header limits bound each client, not the route', () => {
    expect(RateLimit.perClient({ averagePerSecond: 50 }).routeCeilingPerSecond(12)).toBeUndefined();
    expect(RateLimit.perHeader('x-api-key', { averagePerSecond: 50, burst: 3000 }).describe()).toBe('per header "x-api-key": 50/s, burst 3000');
  });
});
