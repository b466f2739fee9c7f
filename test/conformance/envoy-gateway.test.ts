import { acceptanceProblems, envoyDuration, resolveReferenceGrants, selects, withClusterIps } from '../../conformance/engines/envoy-gateway';
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

describe('envoy-gateway engine: ReferenceGrants, which egctl 1.2.8 cannot read', () => {
  const policy = {
    apiVersion: 'gateway.envoyproxy.io/v1alpha1', kind: 'SecurityPolicy', metadata: { name: 'checkout', namespace: 'orders' },
    spec: { extAuth: { grpc: { backendRefs: [{ group: '', kind: 'Service', name: 'opa', namespace: 'opa', port: 9191 }] } }, targetRefs: [] },
  } as Manifest;
  const opa = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'opa', namespace: 'opa' }, spec: { ports: [{ port: 9191 }] } } as Manifest;
  const grant = (fromNamespace: string, name?: string) => ({
    apiVersion: 'gateway.networking.k8s.io/v1beta1', kind: 'ReferenceGrant', metadata: { name: 'g', namespace: 'opa' },
    spec: { from: [{ group: 'gateway.envoyproxy.io', kind: 'SecurityPolicy', namespace: fromNamespace }], to: [{ group: '', kind: 'Service', ...(name ? { name } : {}) }] },
  }) as Manifest;

  test('a permitted reference goes to egctl as a copy of the Service in the policy\'s namespace', () => {
    const r = resolveReferenceGrants([policy, grant('orders', 'opa')], [opa]);
    expect(r.problems).toEqual([]);
    expect(r.checked).toBe(1);
    expect(r.translated.map((o) => o.kind)).toEqual(['SecurityPolicy']);
    expect((r.translated[0].spec as { extAuth: { grpc: { backendRefs: unknown[] } } }).extAuth.grpc.backendRefs).toEqual([{ group: '', kind: 'Service', name: 'opa', port: 9191 }]);
    expect(r.copies.map((c) => `${c.metadata.namespace}/${c.metadata.name}`)).toEqual(['orders/opa']);
  });

  test('a grant from another namespace, or to another Service, permits nothing', () => {
    for (const g of [grant('catalog'), grant('orders', 'other')]) {
      const r = resolveReferenceGrants([policy, g], [opa]);
      expect(r.problems).toEqual(['SecurityPolicy/orders/checkout: extAuth backend Service opa/opa is in another namespace and no ReferenceGrant in opa permits SecurityPolicies of orders to reach it']);
      expect(r.copies).toEqual([]);
    }
  });
});
