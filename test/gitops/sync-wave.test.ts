import { DEFAULT_KIND_WAVES, diffManifests, formatManifestDiff, SyncWave, WaveTable } from '../../lib';

describe('the kind → wave table', () => {
  test('the named waves follow the dependency order of the platform', () => {
    expect([
      SyncWave.FOUNDATION, SyncWave.POLICY_TEMPLATES, SyncWave.POLICY_CONSTRAINTS, SyncWave.WORKLOADS,
      SyncWave.AUTOSCALERS_ROUTES_MONITORS, SyncWave.ROUTE_POLICIES,
    ].map((w) => w.value)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  test('kinds that depend on others are in later waves', () => {
    const t = WaveTable.defaults();
    const w = (group: string, kind: string) => t.waveOf(group, kind)!.value;
    const after: [string, string, string, string][] = [
      ['constraints.gatekeeper.sh', 'AnyConstraintKind', 'templates.gatekeeper.sh', 'ConstraintTemplate'],
      ['admissionregistration.k8s.io', 'ValidatingAdmissionPolicyBinding', 'admissionregistration.k8s.io', 'ValidatingAdmissionPolicy'],
      ['apps', 'Deployment', 'constraints.gatekeeper.sh', 'K8sRequiredLabels'],
      ['apps', 'Deployment', 'node.k8s.io', 'RuntimeClass'],
      ['autoscaling', 'HorizontalPodAutoscaler', 'apps', 'Deployment'],
      ['keda.sh', 'ScaledObject', 'keda.sh', 'TriggerAuthentication'],
      ['http.keda.sh', 'HTTPScaledObject', 'apps', 'Deployment'],
      ['gateway.networking.k8s.io', 'HTTPRoute', 'gateway.networking.k8s.io', 'Gateway'],
      ['gateway.networking.k8s.io', 'Gateway', 'gateway.networking.k8s.io', 'GatewayClass'],
      ['gateway.envoyproxy.io', 'SecurityPolicy', 'gateway.networking.k8s.io', 'HTTPRoute'],
      ['traefik.io', 'IngressRoute', 'traefik.io', 'Middleware'],
      ['monitoring.coreos.com', 'ServiceMonitor', '', 'Service'],
    ];
    expect(after.filter(([g1, k1, g2, k2]) => !(w(g1, k1) > w(g2, k2)))).toEqual([]);
  });

  test('a row of yours replaces the default row; unknown kinds have no wave', () => {
    const t = new WaveTable(DEFAULT_KIND_WAVES, [{ group: '', kind: 'ConfigMap', wave: SyncWave.FOUNDATION }]);
    expect(t.waveOf('', 'ConfigMap')).toBe(SyncWave.FOUNDATION);
    expect(t.waveOf('example.com', 'Widget')).toBeUndefined();
    expect(SyncWave.of('late', 9).toString()).toBe('9');
  });
});

describe('large additions', () => {
  test('a new chart with many objects is listed as one line with its kinds', () => {
    const many = Array.from({ length: 9 }, (_, i) => `apiVersion: v1\nkind: ${i < 6 ? 'Service' : 'ConfigMap'}\nmetadata: {name: o${i}, namespace: n}\n`).join('---\n');
    expect(formatManifestDiff(diffManifests([], [{ path: 'routes/routes.k8s.yaml', content: many }]))).toBe(
      '### Manifest diff\n\ndist/ at HEAD → a fresh synth: 9 objects added, 0 removed, 0 changed.\n\n#### Added\n' +
      '- 9 objects in `routes/routes.k8s.yaml`: 3 ConfigMap, 6 Service\n',
    );
  });
});
