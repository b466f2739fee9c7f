import { App, Chart } from 'cdk8s';
import * as yaml from 'js-yaml';
import {
  DecisionLogs, OpaAuthorizer, RequestAuthorizationPolicy, RequestIdentity, RequestQuota,
} from '../../lib';
import { buildReferencePlatform } from '../../platform';
import { formatViolations, kubeValidator } from '../support/kube-schema';
import { findOne, KubeObject, objectsOf, problemsOf, testApp } from '../support/synth';

const JWT = RequestIdentity.jwt({
  issuer: 'https://auth.shop.example.com/',
  audience: 'api.shop.example.com',
  jwksUrl: 'https://auth.shop.example.com/.well-known/jwks.json',
});

function authorizer(props: Partial<ConstructorParameters<typeof OpaAuthorizer>[2]> = {}): { chart: Chart; opa: OpaAuthorizer } {
  const app = testApp();
  const chart = new Chart(app, 'Authz', { namespace: 'opa' });
  const opa = new OpaAuthorizer(chart, 'Opa', { policy: RequestAuthorizationPolicy.seed(JWT), allowMutableTag: true, ...props });
  return { chart, opa };
}

type Container = { args: string[]; image: string; readinessProbe: object; livenessProbe: object; securityContext: object; resources: object };
const containerOf = (objects: KubeObject[]): Container =>
  (findOne(objects, 'Deployment').spec as { template: { spec: { containers: Container[] } } }).template.spec.containers[0];
const dataOf = (objects: KubeObject[], name: string): Record<string, string> => findOne(objects, 'ConfigMap', name).data as Record<string, string>;

describe('RequestAuthorizationPolicy', () => {
  test('the seed policy generates the Rego for the Envoy ext_authz input', () => {
    // WHEN
    const rego = RequestAuthorizationPolicy.seed(JWT).rego();

    // THEN: the seed's package, default deny, and its one rule as data
    expect(rego).toMatchSnapshot();
    expect(rego).toContain('package serverless\n');
    expect(rego).toContain('default allow := false');
    expect(rego).toContain('rules := [{"methods": ["POST"], "paths": ["/api/function"], "pathPrefixes": [], "roles": ["user"]}]');
    // The real input: Envoy's CheckRequest, not the seed's input.method / input.user.role.
    expect(rego).toContain('http_request := input.attributes.request.http');
    expect(rego).not.toMatch(/input\.(method|path|user|rate_limit)\b/);
    // The role comes from a verified token, the quota from the gateway's own limiter.
    expect(rego).toContain('io.jwt.decode_verify(bearer_token, {"cert": jwks, "iss": "https://auth.shop.example.com/", "aud": "api.shop.example.com"})');
    expect(rego).toContain('quota_ok := true');
  });

  test('a trusted header identity and a quota header generate their clauses', () => {
    const rego = new RequestAuthorizationPolicy({
      packageName: 'shop.authz',
      rules: [{ methods: ['GET', 'POST'], paths: ['/api/cart/*', '/api/price'], roles: ['user', 'admin'] }],
      identity: RequestIdentity.trustedHeader('x-user-role'),
      quota: RequestQuota.remainingHeader('x-quota-remaining'),
    });
    expect(rego.decisionPath).toBe('shop/authz/allow');
    expect(rego.rego()).toContain('rules := [{"methods": ["GET", "POST"], "paths": ["/api/price"], "pathPrefixes": ["/api/cart/"], "roles": ["user", "admin"]}]');
    expect(rego.rego()).toContain('role := http_request.headers["x-user-role"]');
    expect(rego.rego()).toContain('to_number(http_request.headers["x-quota-remaining"]) > 0');
  });

  test('opa test cases cover each clause of each rule', () => {
    const tests = RequestAuthorizationPolicy.seed(JWT).regoTests();
    expect(tests).toMatchSnapshot();
    // Allowed twice; denied by method, path, role, a forged, expired, not yet valid, foreign-issuer
    // and foreign-audience token, no token, no Bearer scheme, an unreachable JWKS; an empty request.
    expect(tests.match(/^test_/gm)).toHaveLength(14);
    // Real tokens: signed in the test, verified by the policy; only the network is replaced.
    expect(tests).toContain('io.jwt.encode_sign(');
    expect(tests).not.toContain('with io.jwt.decode_verify');
    expect(tests).toContain('with http.send as jwks_response');
  });

  test('bad policies are reported with the field, the value and what is allowed', () => {
    const policy = new RequestAuthorizationPolicy({
      packageName: 'Serverless',
      rules: [{ methods: ['post'], paths: ['api/function', '/api?x=1'], roles: [] }],
      identity: RequestIdentity.jwt({ issuer: '', jwksUrl: 'http://idp/jwks', jwks: '{"keys": []}' }),
      quota: RequestQuota.remainingHeader('X-Remaining'),
    });
    expect(policy.validate()).toEqual([
      'packageName "Serverless" is not a Rego package path: use lower-case identifiers joined by "." (for example "serverless")',
      'rules[0].methods entry "post" is not an HTTP method: use one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS (upper case)',
      'rules[0].paths entry "api/function" must be an absolute HTTP path starting with \'/\' and without spaces (for example "/healthz")',
      'rules[0].paths entry "/api?x=1" contains "?": paths are matched without the query string',
      'rules[0].roles is empty: list the roles allowed (for example ["user"])',
      'identity.jwt needs exactly one of jwksUrl and jwks: the keys the token signature is checked against',
      'identity.jwt.jwksUrl "http://idp/jwks" is not an absolute https URL with a host (for example "https://example.com/path")',
      'identity.jwt.jwks must be a JWKS document with a non-empty "keys" array',
      'identity.jwt.issuer is empty: give the issuer the token\'s "iss" must equal',
      'quota header "X-Remaining" must be a lower-case HTTP header name (Envoy lower-cases header names in the ext_authz input)',
    ]);
  });
});

describe('OpaAuthorizer', () => {
  test('matches its snapshot', () => {
    expect(objectsOf(authorizer().chart)).toMatchSnapshot();
  });

  test('is the IRequestAuthorizer the gateway calls', () => {
    const { opa } = authorizer();
    expect({ serviceName: opa.serviceName, namespace: opa.namespace, grpcPort: opa.grpcPort, httpPort: opa.httpPort, decisionPackage: opa.decisionPackage })
      .toEqual({ serviceName: 'opa', namespace: 'opa', grpcPort: 9191, httpPort: 8181, decisionPackage: 'serverless' });
    expect(opa.decisionPath).toBe('serverless/allow');
  });

  test('runs OPA 0.60 with the Envoy plugin on the decision path, locked down', () => {
    const objects = objectsOf(authorizer().chart);
    const c = containerOf(objects);
    expect(c.image).toBe('openpolicyagent/opa:0.60.0-envoy');
    expect(c.args).toEqual([
      'run', '--server', '--addr=0.0.0.0:8181', '--diagnostic-addr=0.0.0.0:8282', '--config-file=/config/config.yaml',
      '--authentication=token', '--authorization=basic', '--ignore=.*', '/policy',
    ]);
    expect(yaml.load(dataOf(objects, 'opa-config')['config.yaml'])).toEqual({
      plugins: { envoy_ext_authz_grpc: { addr: ':9191', path: 'serverless/allow', 'enable-reflection': false } },
      decision_logs: { console: true },
    });
    // The REST API answers the decision and health only: no PUT of policies or data.
    const authz = dataOf(objects, 'opa-policy')['system-authz.rego'];
    expect(authz).toContain('package system.authz');
    expect(authz).toContain('input.path == ["v1", "data", "serverless", "allow"]');
    expect(authz).not.toMatch(/PUT|PATCH|DELETE/);
    // Bearer tokens never reach the decision log.
    expect(dataOf(objects, 'opa-policy')['system-log.rego']).toContain('mask contains "/input/attributes/request/http/headers/authorization"');
    expect(c.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
  });

  test('probes the diagnostic port: ready only when the Envoy plugin is up', () => {
    const c = containerOf(objectsOf(authorizer().chart));
    expect(c.readinessProbe).toMatchObject({ httpGet: { path: '/health?plugins', port: 'diagnostics' } });
    expect(c.livenessProbe).toMatchObject({ httpGet: { path: '/health', port: 'diagnostics' } });
  });

  test('is highly available: 3 replicas spread over nodes, surge-only rollouts, a PDB', () => {
    const objects = objectsOf(authorizer().chart);
    expect(findOne(objects, 'Deployment').spec).toMatchObject({
      replicas: 3,
      strategy: { rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      template: { spec: { topologySpreadConstraints: [{ topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'DoNotSchedule' }] } },
    });
    expect(findOne(objects, 'PodDisruptionBudget').spec).toMatchObject({ maxUnavailable: 1 });
  });

  test('admits only the proxies (gRPC, HTTP) and Prometheus (metrics) by pod; egress to DNS and the JWKS range', () => {
    const { chart, opa } = authorizer();
    opa.allowClients({ name: 'gateway/proxies', namespace: 'gateway', podLabels: { 'app.kubernetes.io/name': 'envoy' }, source: 'installed' });
    opa.allowScrapers({ name: 'monitoring/prometheus', namespace: 'monitoring', podLabels: { 'app.kubernetes.io/name': 'prometheus' }, source: 'installed' });
    const np = findOne(objectsOf(chart), 'NetworkPolicy', 'opa');
    const peer = (ns: string, name: string) => ({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': name } } });
    expect(np.spec).toMatchObject({
      policyTypes: ['Ingress', 'Egress'],
      ingress: [
        { from: [peer('gateway', 'envoy')], ports: [{ port: 9191 }, { port: 8181 }] },
        { from: [peer('monitoring', 'prometheus')], ports: [{ port: 8282 }] },
      ],
      egress: [{ ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }] }, { to: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ protocol: 'TCP', port: 443 }] }],
    });
    expect(findOne(objectsOf(chart), 'NetworkPolicy', 'default-deny').spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
  });

  test('with an inline JWKS and no decision logs, there is no egress but DNS', () => {
    const { chart } = authorizer({
      policy: RequestAuthorizationPolicy.seed(RequestIdentity.jwt({ issuer: 'https://auth.example.com/', jwks: '{"keys": [{"kty": "RSA", "n": "x", "e": "AQAB"}]}' })),
      decisionLogs: DecisionLogs.disabled(),
    });
    const objects = objectsOf(chart);
    expect((findOne(objects, 'NetworkPolicy', 'opa').spec as { egress: unknown[] }).egress).toHaveLength(1);
    expect(dataOf(objects, 'opa-config')['config.yaml']).toContain('console: false');
    expect(dataOf(objects, 'opa-policy')['policy.rego']).toContain('jwks := "{\\"keys\\": [{\\"kty\\": \\"RSA\\", \\"n\\": \\"x\\", \\"e\\": \\"AQAB\\"}]}"');
  });

  test('a policy change rolls the pods (OPA does not reload files)', () => {
    const annotation = (chart: Chart): string => ((findOne(objectsOf(chart), 'Deployment').spec as { template: { metadata: { annotations: Record<string, string> } } }).template.metadata.annotations['checksum/policy']);
    const other = RequestAuthorizationPolicy.seed(RequestIdentity.trustedHeader('x-user-role'));
    expect(annotation(authorizer().chart)).not.toEqual(annotation(authorizer({ policy: other }).chart));
  });

  test('every object is valid against the Kubernetes 1.30 schema, strictly', () => {
    const validator = kubeValidator();
    expect(objectsOf(authorizer().chart).map((o) => formatViolations(o, validator.validate(o))).filter((t) => t !== '')).toEqual([]);
  });

  test('the reference platform wires the authorizer into the policy section', () => {
    const platform = buildReferencePlatform(testApp());
    expect(platform.policy.authorizer).toMatchObject({ serviceName: 'opa', namespace: 'opa', grpcPort: 9191, decisionPackage: 'serverless' });
  });

  test('bad props are all reported at once', () => {
    const { chart } = authorizer({
      name: '1opa', replicas: 1, grpcPort: 8181, image: 'OPA:latest', jwksCidrs: ['10.0.0.0/33'],
      clients: [{ name: 'gateway/proxies', namespace: 'gateway', podLabels: {}, source: 'installed' }],
      resources: { memoryLimit: 'big' },
      policy: RequestAuthorizationPolicy.seed(RequestIdentity.trustedHeader('X-Role')),
    });
    expect(problemsOf(chart.node.root as App)).toEqual([
      '[Authz/Opa] policy: identity header "X-Role" must be a lower-case HTTP header name (Envoy lower-cases header names in the ext_authz input)',
      '[Authz/Opa] name "1opa" is not a DNS-1123 label usable as a Service name: use 1-63 lowercase letters, digits or \'-\', starting with a letter and ending with a letter or digit (for example "product-detail")',
      '[Authz/Opa] image "OPA:latest" is not a valid OCI image reference: expected [registry/]repository[:tag][@sha256:<64 hex digits>], lowercase repository',
      '[Authz/Opa] grpcPort (8181), httpPort (8181) and diagnosticPort (8282) must be three different ports',
      '[Authz/Opa] replicas (1) must be an integer from 2 to 100',
      '[Authz/Opa] clients podLabels for gateway/proxies is empty: an empty pod selector admits every pod of namespace "gateway"; give the labels its pods carry',
      '[Authz/Opa] jwksCidrs entry "10.0.0.0/33" is not a CIDR: give an address and a prefix length, for example "203.0.113.0/24" or "2001:db8::/32"',
      '[Authz/Opa] resources.memoryLimit "big" is not a Kubernetes quantity: use a non-negative number with an optional suffix (m, k, M, G, Ki, Mi, Gi, ...), for example "256Mi"',
    ]);
  });
});

describe('OpaAuthorizer namespace', () => {
  test('the Namespace it creates carries no namespace of its own, even in a namespaced chart', () => {
    // GIVEN an authorizer in a chart whose namespace is `opa`
    const { chart } = authorizer();
    // WHEN synthesized
    const objects = objectsOf(chart);
    // THEN the cluster-scoped Namespace has no metadata.namespace, the rest keeps `opa`
    expect(findOne(objects, 'Namespace').metadata).not.toHaveProperty('namespace');
    expect(findOne(objects, 'Deployment').metadata.namespace).toBe('opa');
  });
});

describe('OpaAuthorizer and its policy: values a cluster or OPA would refuse', () => {
  test('the OPA image is held to the function images\' pinning rule', () => {
    const { chart } = authorizer({ allowMutableTag: undefined });
    expect(problemsOf(chart.node.root as App)).toEqual([
      '[Authz/Opa] image "openpolicyagent/opa:0.60.0-envoy" uses the mutable tag 0.60.0-envoy: pin it by digest ("openpolicyagent/opa@sha256:<64 hex digits>") or set allowMutableTag: true',
    ]);
    const pinned = authorizer({ allowMutableTag: undefined, image: 'openpolicyagent/opa@sha256:86c59df33204c79db3663f084b5dc26819d10d16e57a614c80aaaabde068edcc' });
    expect(problemsOf(pinned.chart.node.root as never)).toEqual([]);
  });

  test('empty roles, and issuer and JWKS URLs that are not URLs', () => {
    const policy = new RequestAuthorizationPolicy({
      rules: [{ methods: ['POST'], paths: ['/api/function'], roles: ['user', ''] }],
      identity: RequestIdentity.jwt({ issuer: 'https:/auth.example.com', jwksUrl: 'https://auth.example.com /jwks.json' }),
    });
    expect(policy.validate()).toEqual([
      'rules[0].roles[1] is empty: every entry must be a non-empty string (remove it or fill it in)',
      'identity.jwt.jwksUrl "https://auth.example.com /jwks.json" is not an absolute https URL with a host (for example "https://example.com/path"): it holds whitespace',
      'identity.jwt.issuer "https:/auth.example.com" is not an absolute https or http URL with a host (for example "https://example.com/path")',
    ]);
    const plain = new RequestAuthorizationPolicy({
      rules: [{ methods: ['POST'], paths: ['/api/function'], roles: ['user'] }],
      identity: RequestIdentity.jwt({ issuer: 'shop-auth', jwks: '{"keys": [{"kty": "RSA", "n": "x", "e": "AQAB"}]}' }),
    });
    expect(plain.validate()).toEqual([]);
  });
});

describe('generated ConfigMap sizes', () => {
  test('a policy whose Rego would exceed a ConfigMap\'s 1 MiB is refused at synth, with the rules to shrink', () => {
    // GIVEN a rule listing ~1.2 MB of paths: the API server would refuse the policy ConfigMap at the first sync
    const paths = Array.from({ length: 12_000 }, (_, i) => `/api/${'x'.repeat(90)}/${i}`);
    const policy = new RequestAuthorizationPolicy({ rules: [{ methods: ['GET'], paths, roles: ['user'] }], identity: JWT });
    const { chart } = authorizer({ policy });

    // THEN one problem, at the authorizer, naming the ConfigMap, its size and the fix
    expect(problemsOf(chart.node.root as App)).toEqual([
      expect.stringMatching(/^\[Authz\/Opa\] generated ConfigMap opa\/opa-policy would hold \d{7} bytes of keys and values: a ConfigMap holds at most 1048576 bytes \(1 MiB\) and the API server would refuse it; the policy grows with its rules/),
    ]);
  });

  test('a policy under the limit passes', () => {
    const paths = Array.from({ length: 5_000 }, (_, i) => `/api/${'x'.repeat(90)}/${i}`);
    const policy = new RequestAuthorizationPolicy({ rules: [{ methods: ['GET'], paths, roles: ['user'] }], identity: JWT });
    const { chart } = authorizer({ policy });
    expect(problemsOf(chart.node.root as App)).toEqual([]);
  });
});
