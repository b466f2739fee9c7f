import { formatViolations, kubeValidator, SchemaViolation } from './kube-schema';

type Json = { [key: string]: unknown };

function deployment(): Json {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'echo', namespace: 'functions', labels: { 'app.kubernetes.io/name': 'echo' } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { 'app.kubernetes.io/name': 'echo' } },
      template: {
        metadata: { labels: { 'app.kubernetes.io/name': 'echo' } },
        spec: {
          runtimeClassName: 'wasmedge',
          containers: [
            {
              name: 'echo',
              image: 'ghcr.io/example/echo:1.0.0',
              imagePullPolicy: 'IfNotPresent',
              ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
              resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: 1, memory: '128Mi' } },
              readinessProbe: { httpGet: { path: '/healthz', port: 'http' } },
            },
          ],
        },
      },
    },
  };
}

function service(port: unknown, targetPort: unknown): Json {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'echo', namespace: 'functions' },
    spec: { selector: { 'app.kubernetes.io/name': 'echo' }, ports: [{ name: 'http', port, targetPort }] },
  };
}

function scaledObject(): Json {
  return {
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'ScaledObject',
    metadata: { name: 'echo', namespace: 'functions' },
    spec: {
      scaleTargetRef: { name: 'echo' },
      minReplicaCount: 0,
      maxReplicaCount: 10,
      triggers: [{ type: 'prometheus', metadata: { serverAddress: 'http://prometheus:9090', threshold: '100', query: 'sum(rate(x[1m]))' } }],
    },
  };
}

function prometheusRule(): Json {
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: { name: 'echo', namespace: 'functions' },
    spec: {
      groups: [
        {
          name: 'echo.rules',
          partial_response_strategy: 'WARN',
          rules: [
            {
              alert: 'EchoErrors',
              expr: 'sum(rate(http_requests_total{code=~"5.."}[5m])) > 1',
              for: '5m',
              labels: { severity: 'warning' },
              annotations: { summary: 'echo is failing' },
            },
          ],
        },
      ],
    },
  };
}

function application(): Json {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: {
      name: 'functions',
      namespace: 'argocd',
      annotations: { 'argocd.argoproj.io/sync-wave': '1' },
      finalizers: ['resources-finalizer.argocd.argoproj.io'],
    },
    spec: {
      project: 'default',
      source: {
        repoURL: 'https://github.com/example/platform.git',
        targetRevision: 'main',
        path: 'dist',
        // valuesObject is x-kubernetes-preserve-unknown-fields: anything goes below it.
        helm: { valuesObject: { anything: { nested: [1, 'two'] } } },
      },
      destination: { server: 'https://kubernetes.default.svc', namespace: 'functions' },
      syncPolicy: { automated: { prune: true, selfHeal: true } },
    },
  };
}

function gateway(addresses: unknown[]): Json {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'Gateway',
    metadata: { name: 'functions', namespace: 'functions' },
    spec: {
      gatewayClassName: 'envoy',
      listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }],
      addresses,
    },
  };
}

/** A deep copy of obj with the value at a dotted path (with [i] indices) set; the parent must exist. */
function withField(obj: Json, fieldPath: string, value: unknown): Json {
  const copy = JSON.parse(JSON.stringify(obj)) as Json;
  const keys = fieldPath.replace(/\[(\d+)\]/g, '.$1').split('.');
  const last = keys.pop() as string;
  let parent: Json = copy;
  for (const key of keys) {
    parent = parent[key] as Json;
  }
  parent[last] = value;
  return copy;
}

const paths = (violations: SchemaViolation[]): string[] => violations.map((v) => v.path);

describe('kubeValidator', () => {
  const validator = kubeValidator();

  test('is built once and shared', () => {
    // WHEN
    const again = kubeValidator();

    // THEN
    expect(again).toBe(validator);
  });

  describe('core kinds', () => {
    test('a valid Deployment has no violations', () => {
      // GIVEN
      const obj = deployment();

      // WHEN
      const violations = validator.validate(obj);

      // THEN
      expect(violations).toEqual([]);
    });

    test('an unknown field under spec is a violation naming its path', () => {
      // GIVEN
      const obj = withField(deployment(), 'spec.replica', 3);

      // WHEN
      const violations = validator.validate(obj);

      // THEN
      expect(violations).toEqual([{ path: 'spec.replica', message: 'unknown field "replica"' }]);
    });

    test('an unknown field deep in a container is a violation naming its path', () => {
      // GIVEN
      const obj = withField(deployment(), 'spec.template.spec.containers[0].imagePullPolicyy', 'Always');

      // WHEN
      const violations = validator.validate(obj);

      // THEN
      expect(violations).toEqual([
        { path: 'spec.template.spec.containers[0].imagePullPolicyy', message: 'unknown field "imagePullPolicyy"' },
      ]);
    });

    test('an unknown field in metadata is a violation', () => {
      // GIVEN
      const obj = withField(deployment(), 'metadata.lables', { app: 'echo' });

      // WHEN
      const violations = validator.validate(obj);

      // THEN
      expect(violations).toEqual([{ path: 'metadata.lables', message: 'unknown field "lables"' }]);
    });

    test('a missing required field is a violation', () => {
      // GIVEN: containers[].name is required
      const obj = withField(deployment(), 'spec.template.spec.containers[0]', { image: 'ghcr.io/example/echo:1.0.0' });

      // WHEN
      const violations = validator.validate(obj);

      // THEN
      expect(violations).toEqual([
        { path: 'spec.template.spec.containers[0].name', message: 'required field "name" is missing' },
      ]);
    });

    test.each([8080, 'http'])('IntOrString accepts %p as a targetPort', (targetPort) => {
      // GIVEN
      const obj = service(80, targetPort);

      // WHEN
      const violations = validator.validate(obj);

      // THEN
      expect(violations).toEqual([]);
    });

    test.each([1.5, true, null])('IntOrString rejects %p as a targetPort', (targetPort) => {
      // GIVEN
      const obj = service(80, targetPort);

      // WHEN
      const violations = validator.validate(obj);

      // THEN
      expect(paths(violations)).toEqual(['spec.ports[0].targetPort']);
      expect(violations[0].message).toMatch(/^must be integer or string/);
    });

    test('a Service port of the wrong type is a violation', () => {
      // GIVEN
      const obj = service('80', 8080);

      // WHEN
      const violations = validator.validate(obj);

      // THEN
      expect(violations).toEqual([{ path: 'spec.ports[0].port', message: 'must be integer, got string "80"' }]);
    });

    test('an int32 field out of range is a violation', () => {
      // GIVEN
      const obj = withField(deployment(), 'spec.replicas', 2 ** 31);

      // WHEN
      const violations = validator.validate(obj);

      // THEN
      expect(violations).toEqual([{ path: 'spec.replicas', message: 'must match format "int32"' }]);
    });

    test.each(['50m', '1.5', '512Mi', '2Gi', '1e3', 2, 0.5])('Quantity accepts %p', (cpu) => {
      // GIVEN
      const obj = withField(deployment(), 'spec.template.spec.containers[0].resources.limits.cpu', cpu);

      // WHEN
      const violations = validator.validate(obj);

      // THEN
      expect(violations).toEqual([]);
    });

    test.each(['500x', '1 Gi', '', 'Gi'])('Quantity rejects %p', (cpu) => {
      // GIVEN
      const obj = withField(deployment(), 'spec.template.spec.containers[0].resources.limits.cpu', cpu);

      // WHEN
      const violations = validator.validate(obj);

      // THEN
      expect(paths(violations)).toEqual(['spec.template.spec.containers[0].resources.limits.cpu']);
      expect(violations[0].message).toMatch(/must be a Kubernetes quantity/);
    });

    test('a Secret with data that is not base64 is a violation', () => {
      // GIVEN
      const obj = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { good: 'aGVsbG8=', bad: 'hello!' } };

      // WHEN
      const violations = validator.validate(obj);

      // THEN
      expect(violations).toEqual([{ path: 'data.bad', message: 'must match format "byte"' }]);
    });
  });

  describe('unknown kinds', () => {
    test('an unknown kind is a violation', () => {
      // GIVEN
      const obj = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } };

      // WHEN
      const violations = validator.validate(obj);

      // THEN
      expect(validator.knows('example.com/v1', 'Widget')).toBe(false);
      expect(violations).toHaveLength(1);
      expect(violations[0]).toMatchObject({ path: '', message: expect.stringMatching(/unknown apiVersion\/kind.*Widget/) });
    });

    test('a known kind at an unknown version is a violation that names the known versions', () => {
      // GIVEN
      const obj = { ...deployment(), apiVersion: 'apps/v1beta1' };

      // WHEN
      const violations = validator.validate(obj);

      // THEN
      expect(validator.knows('apps/v1beta1', 'Deployment')).toBe(false);
      expect(violations[0].message).toMatch(/known apiVersions for Deployment: apps\/v1/);
    });

    test('something that is not an object is a violation', () => {
      // WHEN
      const violations = validator.validate(['not', 'an', 'object']);

      // THEN
      expect(violations).toEqual([{ path: '', message: expect.stringMatching(/must be a JSON object/) }]);
    });

    test.each([
      ['v1', 'Service'],
      ['apps/v1', 'Deployment'],
      ['keda.sh/v1alpha1', 'ScaledObject'],
      ['gateway.networking.k8s.io/v1', 'HTTPRoute'],
      ['gateway.networking.k8s.io/v1beta1', 'HTTPRoute'],
    ])('knows %s %s', (apiVersion, kind) => {
      expect(validator.knows(apiVersion, kind)).toBe(true);
    });
  });

  describe('custom resources', () => {
    test('a valid KEDA ScaledObject has no violations', () => {
      // GIVEN
      const obj = scaledObject();

      // WHEN
      const violations = validator.validate(obj);

      // THEN
      expect(violations).toEqual([]);
    });

    test('a KEDA ScaledObject with an unknown field under spec is a violation', () => {
      // GIVEN
      const obj = withField(scaledObject(), 'spec.maxReplicas', 10);

      // WHEN
      const violations = validator.validate(obj);

      // THEN
      expect(violations).toEqual([{ path: 'spec.maxReplicas', message: 'unknown field "maxReplicas"' }]);
    });

    test('a KEDA ScaledObject without its required triggers is a violation', () => {
      // GIVEN
      const obj = scaledObject();
      delete (obj.spec as Json).triggers;

      // WHEN
      const violations = validator.validate(obj);

      // THEN
      expect(violations).toEqual([{ path: 'spec.triggers', message: 'required field "triggers" is missing' }]);
    });

    test('a valid PrometheusRule has no violations', () => {
      // GIVEN: partial_response_strategy is checked with a Go "(?i)" pattern
      const obj = prometheusRule();

      // WHEN
      const violations = validator.validate(obj);

      // THEN
      expect(violations).toEqual([]);
    });

    test('an invalid PrometheusRule reports every violation', () => {
      // GIVEN
      let obj = withField(prometheusRule(), 'spec.groups[0].rules[0].severity', 'warning');
      obj = withField(obj, 'spec.groups[0].rules[0].for', 'five minutes');
      obj = withField(obj, 'spec.groups[0].partial_response_strategy', 'sometimes');

      // WHEN
      const violations = validator.validate(obj);

      // THEN
      expect(paths(violations).sort()).toEqual([
        'spec.groups[0].partial_response_strategy',
        'spec.groups[0].rules[0].for',
        'spec.groups[0].rules[0].severity',
      ]);
    });

    test('an Argo CD Application with annotations has no violations', () => {
      // GIVEN
      const obj = application();

      // WHEN
      const violations = validator.validate(obj);

      // THEN
      expect(violations).toEqual([]);
    });

    test('an unknown field in a custom resource metadata is a violation', () => {
      // GIVEN: CRDs only say `metadata: {type: object}`; the validator uses ObjectMeta
      const obj = withField(application(), 'metadata.lables', { app: 'functions' });

      // WHEN
      const violations = validator.validate(obj);

      // THEN
      expect(violations).toEqual([{ path: 'metadata.lables', message: 'unknown field "lables"' }]);
    });

    test('a custom resource at a version its CRD does not serve is a violation', () => {
      // GIVEN
      const obj = { ...scaledObject(), apiVersion: 'keda.sh/v1' };

      // WHEN
      const violations = validator.validate(obj);

      // THEN
      expect(violations[0].message).toMatch(/known apiVersions for ScaledObject: keda.sh\/v1alpha1/);
    });

    test('properties repeated inside oneOf do not close the object', () => {
      // GIVEN: Gateway addresses are `oneOf: [{properties: {type, value}}, {properties: {type}}]`
      const obj = gateway([
        { type: 'IPAddress', value: '10.0.0.1' },
        { type: 'Hostname', value: 'functions.example.com' },
      ]);

      // WHEN
      const violations = validator.validate(obj);

      // THEN
      expect(violations).toEqual([]);
    });

    test('the oneOf constraints still apply', () => {
      // GIVEN: an IPAddress must be an IPv4 or IPv6 address
      const obj = gateway([{ type: 'IPAddress', value: 'functions.example.com' }]);

      // WHEN
      const violations = validator.validate(obj);

      // THEN
      expect(paths(violations)).toContain('spec.addresses[0]');
    });

    test('a bare `type: object` in a CRD accepts no fields', () => {
      // GIVEN: BackendTrafficPolicy compression gzip is `{type: object}`; the API server prunes anything in it
      const obj = {
        apiVersion: 'gateway.envoyproxy.io/v1alpha1',
        kind: 'BackendTrafficPolicy',
        metadata: { name: 'echo', namespace: 'functions' },
        spec: {
          targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', name: 'echo' }],
          compression: [{ type: 'Gzip', gzip: { level: 9 } }],
        },
      };

      // WHEN
      const violations = validator.validate(obj);

      // THEN
      expect(violations).toEqual([{ path: 'spec.compression[0].gzip.level', message: 'unknown field "level"' }]);
    });
  });
});

describe('formatViolations', () => {
  test('prints one "<kind>/<namespace>/<name> <path>: <message>" line per violation', () => {
    // GIVEN
    const obj = deployment();
    const violations = [
      { path: 'spec.replica', message: 'unknown field "replica"' },
      { path: '', message: 'something about the whole object' },
    ];

    // WHEN
    const text = formatViolations(obj, violations);

    // THEN
    expect(text).toBe(
      'Deployment/functions/echo spec.replica: unknown field "replica"\n' +
        'Deployment/functions/echo (root): something about the whole object',
    );
  });

  test('shows missing identity parts as "-"', () => {
    // WHEN
    const text = formatViolations({ kind: 'ClusterRole', metadata: { name: 'reader' } }, [{ path: 'rules', message: 'x' }]);

    // THEN
    expect(text).toBe('ClusterRole/-/reader rules: x');
  });

  test('is empty when there is nothing to report', () => {
    expect(formatViolations(deployment(), [])).toBe('');
  });
});
