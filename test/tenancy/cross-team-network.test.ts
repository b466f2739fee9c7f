import { Chart } from 'cdk8s';
import { FunctionNamespace, WasmFunction, WasmRuntime } from '../../lib';
import { buildReferencePlatform } from '../../platform';
import { NetworkPolicies, PodRef } from '../support/network-policy';
import { allObjects, KubeObject, testApp } from '../support/synth';

const DIGEST = 'sha256:86c59df33204c79db3663f084b5dc26819d10d16e57a614c80aaaabde068edcc';
/** The port every function listens on (WasmFunction's default). */
const PORT = 8080;

const clean = <T>(o: T): T => JSON.parse(JSON.stringify(o)) as T;

/** Every function pod of `objects`, by team (its namespace's platform.wasm.dev/team label). */
function functionPodsByTeam(objects: readonly KubeObject[]): Map<string, PodRef[]> {
  const teamOf = new Map(objects.filter((o) => o.kind === 'Namespace' && o.metadata.labels?.['platform.wasm.dev/team'])
    .map((o) => [o.metadata.name!, o.metadata.labels!['platform.wasm.dev/team']]));
  const byTeam = new Map<string, PodRef[]>();
  for (const pod of NetworkPolicies.deploymentPods(objects.filter((o) => o.metadata.labels?.['app.kubernetes.io/component'] === 'function'))) {
    const team = teamOf.get(pod.namespace);
    if (team) byTeam.set(team, [...(byTeam.get(team) ?? []), pod]);
  }
  return byTeam;
}

describe('reference platform: traffic between the teams\' function namespaces', () => {
  const app = testApp();
  buildReferencePlatform(app);
  const objects = allObjects(app).map(clean);
  const policies = new NetworkPolicies(objects);
  const byTeam = functionPodsByTeam(objects);
  const pod = (name: string): PodRef => [...byTeam.values()].flat().find((p) => p.name === name)!;

  test('the only connections between a catalog and an orders function are the declared calls', () => {
    // GIVEN every function pod of both teams
    const catalog = byTeam.get('catalog') ?? [];
    const orders = byTeam.get('orders') ?? [];
    expect(catalog.length).toBeGreaterThanOrEqual(6);
    expect(orders.length).toBeGreaterThanOrEqual(3);

    // WHEN every pair, in both directions, is evaluated on the function port
    const allowed: string[] = [];
    for (const [a, b] of [...catalog.flatMap((c) => orders.map((o) => [c, o])), ...orders.flatMap((o) => catalog.map((c) => [o, c]))]) {
      if (policies.allows(a, b, PORT)) allowed.push(`${a.name} -> ${b.name}`);
    }

    // THEN only checkout's declared calls to price and inventory go through
    expect(allowed.sort()).toEqual([
      'functions-orders/checkout -> functions-catalog/inventory',
      'functions-orders/checkout -> functions-catalog/price',
    ]);
  });

  test('a catalog function pod cannot reach an orders function pod: its egress and their ingress both refuse', () => {
    const [from, to] = [pod('functions-catalog/product-detail'), pod('functions-orders/checkout')];
    expect(policies.egressAllows(from, to, PORT)).toBe(false);
    expect(policies.ingressAllows(from, to, PORT)).toBe(false);
  });

  test("checkout's declared call to price is open in checkout's egress and in price's ingress, and only on the port", () => {
    // GIVEN the declared cross-team call
    const [checkout, price] = [pod('functions-orders/checkout'), pod('functions-catalog/price')];

    // THEN each side opens it on its own
    expect(policies.egressAllows(checkout, price, PORT)).toBe(true);
    expect(policies.ingressAllows(checkout, price, PORT)).toBe(true);
    expect(policies.allows(checkout, price, PORT + 1)).toBe(false);
    // and not the other way round, nor to the canary, which checkout did not declare
    expect(policies.allows(price, checkout, PORT)).toBe(false);
    expect(policies.allows(checkout, pod('functions-catalog/price-canary'), PORT)).toBe(false);
  });

  test("each side is needed: without price's own NetworkPolicy the namespace's default deny refuses checkout", () => {
    // GIVEN the objects without price's NetworkPolicy (the default deny of functions-catalog stays)
    const without = new NetworkPolicies(objects.filter((o) => !(o.kind === 'NetworkPolicy' && o.metadata.namespace === 'functions-catalog' && o.metadata.name === 'price')));

    // THEN the call is refused at price's ingress, though checkout's egress still allows it
    const [checkout, price] = [pod('functions-orders/checkout'), pod('functions-catalog/price')];
    expect(without.egressAllows(checkout, price, PORT)).toBe(true);
    expect(without.ingressAllows(checkout, price, PORT)).toBe(false);
  });
});

describe('allowCallsTo across namespaces', () => {
  function twoNamespaces(declare: boolean): { policies: NetworkPolicies; a: PodRef; b: PodRef; objects: KubeObject[] } {
    const app = testApp();
    const base = new Chart(app, 'Base');
    new FunctionNamespace(base, 'One', { name: 'team-one' });
    new FunctionNamespace(base, 'Two', { name: 'team-two' });
    const fn = (ns: string, name: string) => new WasmFunction(new Chart(app, ns, { namespace: ns }), name, {
      name, image: `registry.example.com/${ns}/${name}@${DIGEST}`, version: '1.0.0', runtime: WasmRuntime.K3S_WASMEDGE, partOf: 'shop',
    });
    const a = fn('team-one', 'a');
    const b = fn('team-two', 'b');
    if (declare) a.allowCallsTo(b);
    const objects = allObjects(app).map(clean);
    const pods = NetworkPolicies.deploymentPods(objects);
    return { policies: new NetworkPolicies(objects), a: pods.find((p) => p.name === 'team-one/a')!, b: pods.find((p) => p.name === 'team-two/b')!, objects };
  }

  test('undeclared, a function cannot reach a function of another namespace', () => {
    const { policies, a, b } = twoNamespaces(false);
    expect(policies.allows(a, b, PORT)).toBe(false);
    expect(policies.allows(b, a, PORT)).toBe(false);
  });

  test("declared, the caller's egress and the callee's ingress name each other's namespace and pods", () => {
    // GIVEN a.allowCallsTo(b), b in another namespace
    const { policies, a, b, objects } = twoNamespaces(true);

    // THEN the call is allowed one way only
    expect(policies.allows(a, b, PORT)).toBe(true);
    expect(policies.allows(b, a, PORT)).toBe(false);
    // and each policy names the other namespace by the label the API server sets
    const np = (ns: string, name: string) => objects.find((o) => o.kind === 'NetworkPolicy' && o.metadata.namespace === ns && o.metadata.name === name)!;
    expect((np('team-one', 'a').spec as { egress: unknown[] }).egress).toContainEqual({
      to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'team-two' } }, podSelector: { matchLabels: { 'app.kubernetes.io/instance': 'b', 'app.kubernetes.io/name': 'b' } } }],
      ports: [{ port: PORT, protocol: 'TCP' }],
    });
    expect((np('team-two', 'b').spec as { ingress: unknown[] }).ingress).toContainEqual({
      from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'team-one' } }, podSelector: { matchLabels: { 'app.kubernetes.io/instance': 'a', 'app.kubernetes.io/name': 'a' } } }],
      ports: [{ port: PORT, protocol: 'TCP' }],
    });
  });
});
