import { App, Chart } from 'cdk8s';
import {
  computeReach, diffManifests, formatManifestDiff, FunctionEgress, FunctionGateway, FunctionNamespace, GatewayProvider,
  ObservabilityStack, renderApp, ReachReport, WasmFunction,
} from '../../lib';
import { buildReferencePlatform } from '../../platform';
import { allObjects, findOne, KubeObject, problemsOf, testApp } from '../support/synth';

const IMAGE = 'registry.example.com/f@sha256:' + 'a'.repeat(64);

/** GIVEN a namespace, two functions (checkout calls price), a gateway, monitoring and the report. */
function fixture(app: App = testApp(), providerLabels?: Record<string, string>) {
  const base = new Chart(app, 'Base');
  new FunctionNamespace(base, 'Orders', { name: 'functions-orders' });
  const fns = new Chart(app, 'Fns', { namespace: 'functions-orders' });
  const checkout = new WasmFunction(fns, 'Checkout', {
    name: 'checkout', image: IMAGE,
    egress: [FunctionEgress.toCidr({ cidr: '198.51.100.0/24', port: 443 })],
  });
  const price = new WasmFunction(fns, 'Price', { name: 'price', image: IMAGE });
  checkout.allowCallsTo(price);
  const gateway = new FunctionGateway(new Chart(app, 'Gw', { namespace: 'gateway' }), 'Gateway', {
    provider: GatewayProvider.envoyGateway(providerLabels ? { proxyPodLabels: providerLabels } : {}),
    routeNamespaces: ['functions-orders'],
  });
  gateway.addRoute(fns, 'CheckoutRoute', { function: checkout, public: true });
  const stack = new ObservabilityStack(new Chart(app, 'Mon', { namespace: 'monitoring' }), 'Stack', { alertOnAuthorizer: false, logs: false });
  stack.addFunction(checkout);
  new ReachReport(base, 'Reach');
  return { app, checkout, price, gateway };
}

const policy = (objects: KubeObject[], name: string): { spec: Record<string, unknown> } =>
  findOne(objects.filter((o) => o.metadata.namespace === 'functions-orders'), 'NetworkPolicy', name) as unknown as { spec: Record<string, unknown> };

describe('reach by pod', () => {
  test('a routed, monitored function admits the proxies and Prometheus by their pod labels, and nothing else', () => {
    const { app } = fixture();
    expect(problemsOf(app)).toEqual([]);
    const objects = allObjects(app);
    expect(policy(objects, 'checkout').spec.ingress).toEqual([{
      from: [
        {
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'gateway' } },
          podSelector: {
            matchLabels: {
              'app.kubernetes.io/component': 'proxy', 'app.kubernetes.io/managed-by': 'envoy-gateway', 'app.kubernetes.io/name': 'envoy',
              'gateway.envoyproxy.io/owning-gateway-name': 'functions', 'gateway.envoyproxy.io/owning-gateway-namespace': 'gateway',
            },
          },
        },
        { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } } },
      ],
      ports: [{ port: 8080, protocol: 'TCP' }],
    }]);
    // price is neither routed nor monitored: only its declared caller.
    expect(policy(objects, 'price').spec.ingress).toEqual([{
      from: [{
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'functions-orders' } },
        podSelector: { matchLabels: { 'app.kubernetes.io/instance': 'checkout', 'app.kubernetes.io/name': 'checkout' } },
      }],
      ports: [{ port: 8080, protocol: 'TCP' }],
    }]);
  });

  test('egress: DNS, the declared callee and CIDR, nothing else; the namespace denies everything by default', () => {
    const { app } = fixture();
    const objects = allObjects(app);
    const egress = policy(objects, 'checkout').spec.egress as { to: unknown[]; ports: unknown[] }[];
    expect(egress.map((e) => e.to)).toEqual([
      [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
      [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'functions-orders' } }, podSelector: { matchLabels: { 'app.kubernetes.io/instance': 'price', 'app.kubernetes.io/name': 'price' } } }],
      [{ ipBlock: { cidr: '198.51.100.0/24' } }],
    ]);
    expect(policy(objects, 'checkout').spec.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(policy(objects, 'default-deny').spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
  });

  test('reach.json lists every workload and connection, sorted, per the contract', () => {
    const { app } = fixture();
    const files = renderApp(app);
    const reach = JSON.parse(files.find((f) => f.path === 'reports/reach.json')!.content);
    expect(reach).toEqual(computeReach(app));
    expect(reach.version).toBe(1);
    expect(reach.workloads.map((w: { name: string; source: string }) => `${w.name} ${w.source}`)).toEqual([
      'functions-orders/checkout dist', 'functions-orders/price dist', 'gateway/functions-proxies installed',
      'kube-system/kube-dns installed', 'monitoring/prometheus installed',
    ]);
    expect(reach.connections).toEqual([
      { from: 'functions-orders/checkout', to: 'cidr:198.51.100.0/24', protocol: 'TCP', port: 443 },
      { from: 'functions-orders/checkout', to: 'functions-orders/price', protocol: 'TCP', port: 8080 },
      { from: 'functions-orders/checkout', to: 'kube-system/kube-dns', protocol: 'TCP', port: 53 },
      { from: 'functions-orders/checkout', to: 'kube-system/kube-dns', protocol: 'UDP', port: 53 },
      { from: 'functions-orders/price', to: 'kube-system/kube-dns', protocol: 'TCP', port: 53 },
      { from: 'functions-orders/price', to: 'kube-system/kube-dns', protocol: 'UDP', port: 53 },
      { from: 'gateway/functions-proxies', to: 'functions-orders/checkout', protocol: 'TCP', port: 8080 },
      { from: 'monitoring/prometheus', to: 'functions-orders/checkout', protocol: 'TCP', port: 8080 },
    ]);
    const md = files.find((f) => f.path === 'reports/reach.md')!.content;
    expect(md).toContain('| gateway/functions | */api/checkout | functions-orders/checkout | public (no identity checked): every method | none |');
    expect(md).toContain('### functions-orders/price\n\nPods: app.kubernetes.io/instance=price, app.kubernetes.io/name=price\n\nMay be reached by:\n- functions-orders/checkout: TCP 8080\n\nMay connect to:\n- kube-system/kube-dns: TCP 53, UDP 53\n');
  });

  test('npm run diff names a change of reach connection by connection', () => {
    const before = renderApp(fixture().app);
    const { app, checkout } = fixture();
    checkout.allowEgressTo(FunctionEgress.toCidr({ cidr: '169.254.169.254/32', port: 80 }));
    const text = formatManifestDiff(diffManifests(before, renderApp(app)));
    expect(text).toContain('#### Reach\n- now allowed: functions-orders/checkout → cidr:169.254.169.254/32 TCP 80\n');
  });

  test('bad input: a callee outside the app, a CIDR that does not parse, empty proxy labels', () => {
    const { app, checkout } = fixture(testApp(), {});
    const elsewhere = new WasmFunction(new Chart(new App(), 'Other', { namespace: 'x' }), 'Ghost', { name: 'ghost', image: IMAGE });
    checkout.allowCallsTo(elsewhere);
    checkout.allowEgressTo(FunctionEgress.toCidr({ cidr: '10.0.0.300/8', port: 443 }));
    expect(problemsOf(app)).toEqual(expect.arrayContaining([
      '[Fns/Checkout] egress[1] cidr "10.0.0.300/8" is not a CIDR: give an address and a prefix length, for example "203.0.113.0/24" or "2001:db8::/32"',
      '[Fns/Checkout] allowCallsTo names function "x/ghost" (Other/Ghost), which is not in this app: nothing would be deployed to answer; create it in this app or declare an egress to its address with allowEgressTo',
      '[Gw/Gateway] provider (envoy-gateway) proxy pod labels for gateway/functions-proxies is empty: an empty pod selector admits every pod of namespace "gateway"; give the labels its pods carry',
    ]));
  });
});

test('proxy labels that select nothing Envoy Gateway runs are refused; a subset of its own labels is fine', () => {
  const wrong = fixture(testApp(), { 'app.kubernetes.io/name': 'envoy', app: 'edge-proxy' });
  expect(problemsOf(wrong.app)).toEqual([
    '[Gw/Gateway] proxyPodLabels app=edge-proxy select no pod Envoy Gateway runs for Gateway gateway/functions: with the EnvoyProxy this provider emits, its Envoy pods carry only app.kubernetes.io/component=proxy, app.kubernetes.io/managed-by=envoy-gateway, app.kubernetes.io/name=envoy, gateway.envoyproxy.io/owning-gateway-name=functions, gateway.envoyproxy.io/owning-gateway-namespace=gateway; name a subset of those, or leave proxyPodLabels out',
  ]);
  const subset = fixture(testApp(), { 'app.kubernetes.io/name': 'envoy', 'gateway.envoyproxy.io/owning-gateway-name': 'functions' });
  expect(problemsOf(subset.app)).toEqual([]);
});

describe('reach of the reference platform', () => {
  const app = testApp();
  buildReferencePlatform(app);
  const objects = allObjects(app);
  const policies = objects.filter((o) => o.kind === 'NetworkPolicy');

  test('no ingress rule admits a whole namespace without naming its pods', () => {
    const peers = policies.flatMap((p) => (((p.spec as { ingress?: unknown[] }).ingress ?? []) as { from: { podSelector?: { matchLabels?: object } }[] }[]).flatMap((r) => r.from));
    expect(peers.length).toBeGreaterThan(0);
    expect(peers.filter((peer) => Object.keys(peer.podSelector?.matchLabels ?? {}).length === 0)).toEqual([]);
  });

  test('every namespace holding functions or OPA denies all ingress and egress by default', () => {
    const deployed = new Set(objects.filter((o) => o.kind === 'Deployment').map((o) => o.metadata.namespace));
    const denied = new Set(policies.filter((p) => p.metadata.name === 'default-deny').map((p) => p.metadata.namespace));
    expect([...deployed].sort()).toEqual(['functions-catalog', 'functions-orders', 'opa']);
    expect([...denied].sort()).toEqual([...deployed].sort());
  });

  test('checkout is reached by the proxies and Prometheus only; OPA fetches the JWKS from the issuer range only', () => {
    const reach = computeReach(app);
    expect(reach.connections.filter((c) => c.to === 'functions-orders/checkout').map((c) => c.from)).toEqual(['gateway/functions-proxies', 'monitoring/prometheus']);
    expect(reach.connections.filter((c) => c.from === 'opa/opa').map((c) => `${c.to} ${c.protocol} ${c.port}`)).toEqual([
      'cidr:203.0.113.0/24 TCP 443', 'kube-system/kube-dns TCP 53', 'kube-system/kube-dns UDP 53',
    ]);
    // reviews scales to zero: the proxies call the interceptor, which alone calls the pods.
    expect(reach.connections.filter((c) => c.to === 'functions-catalog/reviews').map((c) => c.from)).toEqual(['keda/keda-http-interceptor', 'monitoring/prometheus']);
  });
});
