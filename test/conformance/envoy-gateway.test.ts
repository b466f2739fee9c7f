import { acceptanceProblems, envoyDuration, selects, withClusterIps } from '../../conformance/engines/envoy-gateway';
import { Manifest } from '../../conformance/support/manifests';

const service = (name: string, spec: Record<string, unknown> = {}): Manifest =>
  ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'shop' }, spec: { ports: [{ port: 80 }], ...spec } }) as Manifest;

describe('envoy-gateway engine input', () => {
  test('each ClusterIP Service gets a distinct cluster IP, as the API server would allocate', () => {
    const out = withClusterIps([service('a'), service('b'), { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' } } as Manifest]);
    const ips = out.filter((o) => o.kind === 'Service').map((o) => (o.spec as { clusterIP?: string }).clusterIP);
    expect(ips).toEqual(['10.43.0.10', '10.43.0.11']);
    expect(out[2]).toEqual({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' } });
  });

  test('headless, ExternalName and Services with an IP keep what they have', () => {
    const out = withClusterIps([service('h', { clusterIP: 'None' }), service('x', { type: 'ExternalName', externalName: 'a.example.com' }), service('f', { clusterIP: '10.43.9.9' })]);
    expect(out.map((o) => (o.spec as { clusterIP?: string }).clusterIP)).toEqual(['None', undefined, '10.43.9.9']);
  });

  test('durations in the form Envoy prints them', () => {
    expect(envoyDuration('300ms')).toBe('0.300s');
    expect(envoyDuration('10s')).toBe('10s');
    expect(envoyDuration('2m')).toBe('120s');
  });

  test('label selectors follow metav1.LabelSelector', () => {
    expect(selects({ matchLabels: { a: '1' } }, { a: '1', b: '2' })).toBe(true);
    expect(selects({ matchExpressions: [{ key: 'a', operator: 'NotIn', values: ['1'] }] }, { a: '1' })).toBe(false);
    expect(selects({ matchExpressions: [{ key: 'a', operator: 'Bogus' }] }, { a: '1' })).toBe(false);
  });

  test('an object is accepted only when every parent accepts it', () => {
    const route = (status: string) => ({
      apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'r', namespace: 'shop' },
      status: { parents: [{ parentRef: { name: 'gw' }, conditions: [{ type: 'Accepted', status, reason: 'R', message: 'm' }] }] },
    }) as Manifest;
    expect(acceptanceProblems(route('True'))).toEqual([]);
    expect(acceptanceProblems(route('False'))).toEqual(['HTTPRoute/shop/r (parent gw): not Accepted: R: m']);
    expect(acceptanceProblems({ apiVersion: 'v1', kind: 'HTTPRoute', metadata: { name: 'r' } } as Manifest)[0]).toMatch(/no status/);
  });
});
