import {
  AnalyzerConnection, analyzerName, compareReach, parseCidr, parseIpPeer, parsePortSet, peerResolver, podLabelsOf, Reach, reachNameOf,
  reachProblems, standIns, uncovered,
} from '../../conformance/engines/netpol';
import { Manifest, namespacesFor } from '../../conformance/support/manifests';

const deployment = (namespace: string, name: string, labels: Record<string, string>): Manifest =>
  ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace, labels }, spec: { template: { metadata: { labels } } } }) as Manifest;

const CHECKOUT = deployment('functions-orders', 'checkout', { 'app.kubernetes.io/name': 'checkout', 'app.kubernetes.io/component': 'function', 'app.kubernetes.io/version': '4.2.1' });
const OPA = deployment('opa', 'opa', { 'app.kubernetes.io/name': 'opa' });

const REACH: Reach = {
  version: 1,
  workloads: [
    { name: 'functions-orders/checkout', namespace: 'functions-orders', podLabels: { 'app.kubernetes.io/name': 'checkout' }, source: 'dist' },
    { name: 'gateway/envoy-proxies', namespace: 'gateway', podLabels: { 'app.kubernetes.io/component': 'proxy' }, source: 'installed' },
    { name: 'kube-system/kube-dns', namespace: 'kube-system', podLabels: { 'k8s-app': 'kube-dns' }, source: 'installed' },
    { name: 'monitoring/prometheus', namespace: 'monitoring', podLabels: { 'app.kubernetes.io/name': 'prometheus' }, source: 'installed' },
    { name: 'opa/opa', namespace: 'opa', podLabels: { 'app.kubernetes.io/name': 'opa' }, source: 'dist' },
  ],
  connections: [
    { from: 'functions-orders/checkout', to: 'kube-system/kube-dns', protocol: 'UDP', port: 53 },
    { from: 'gateway/envoy-proxies', to: 'functions-orders/checkout', protocol: 'TCP', port: 8080 },
    { from: 'monitoring/prometheus', to: 'functions-orders/checkout', protocol: 'TCP', port: 8080 },
    { from: 'opa/opa', to: 'cidr:0.0.0.0/0', protocol: 'TCP', port: 443 },
  ],
};

/** What the analyzer prints for dist/ that allows exactly REACH, with the metadata probe's control line. */
const ALLOWED: AnalyzerConnection[] = [
  { src: 'functions-orders/checkout[Deployment]', dst: 'kube-system/kube-dns[Deployment]', conn: 'UDP 53' },
  { src: 'gateway/envoy-proxies[Deployment]', dst: 'functions-orders/checkout[Deployment]', conn: 'TCP 8080' },
  { src: 'monitoring/prometheus[Deployment]', dst: 'functions-orders/checkout[Deployment]', conn: 'TCP 8080' },
  { src: 'opa/opa[Deployment]', dst: '0.0.0.0-169.254.169.253', conn: 'TCP 443' },
  { src: 'opa/opa[Deployment]', dst: '169.254.169.254-169.254.169.254', conn: 'TCP 443' },
  { src: 'opa/opa[Deployment]', dst: '169.254.169.255-255.255.255.255', conn: 'TCP 443' },
  // Between pods the library does not own: out of scope.
  { src: 'gateway/envoy-proxies[Deployment]', dst: 'monitoring/prometheus[Deployment]', conn: 'All Connections' },
  { src: 'netpol-probes/metadata-address[Pod]', dst: '169.254.169.254-169.254.169.254', conn: 'All Connections' },
];

function compare(connections: AnalyzerConnection[], reach: Reach = REACH, more: Manifest[] = []) {
  const dist = [CHECKOUT, OPA, ...more];
  const added = standIns(reach, dist);
  const resolve = peerResolver(reach, dist, added.names);
  const peers = [...dist, ...added.objects].filter((o) => podLabelsOf(o) !== undefined).map(analyzerName);
  return compareReach({ reach, connections, resolve, peers, functions: ['functions-orders/checkout'] });
}

describe('netpol engine: reading the analyzer', () => {
  test('connection strings: everything, nothing, ports and ranges per protocol, named ports', () => {
    expect(parsePortSet('All Connections')).toEqual({ all: true, ports: new Map() });
    expect(parsePortSet('No Connections').ports.size).toBe(0);
    expect(parsePortSet('TCP 53,8080-8090,UDP 53')).toEqual({ all: false, ports: new Map([['TCP', [[53, 53], [8080, 8090]]], ['UDP', [[53, 53]]]]) });
    expect(parsePortSet('TCP http').ports.get('TCP')).toEqual(['http']);
    expect(() => parsePortSet('53')).toThrow(/names no protocol/);
  });

  test('IP peers and CIDRs as address ranges; a workload name is not an IP peer; IPv6 is not modelled', () => {
    expect(parseIpPeer('0.0.0.0-169.254.169.253,169.254.169.255-255.255.255.255')).toEqual([[0, 2852039165], [2852039167, 4294967295]]);
    expect(parseIpPeer('functions-orders/checkout[Deployment]')).toBeUndefined();
    expect(parseCidr('169.254.169.254/32')).toEqual([2852039166, 2852039166]);
    expect(parseCidr('10.1.2.3/8')).toEqual([167772160, 184549375]);
    expect(parseCidr('2001:db8::/32')).toBeUndefined();
    expect(uncovered([[0, 100]], [[0, 9], [20, 100]])).toEqual([[10, 19]]);
    expect(uncovered([[0, 100]], [[0, 100]])).toEqual([]);
  });
});

describe('netpol engine: what the analyzer reads besides dist/', () => {
  test('each installed workload gets a stand-in Deployment with exactly its podLabels, in its namespace', () => {
    const { objects, names } = standIns(REACH, [CHECKOUT, OPA]);
    const proxies = objects.find((o) => o.metadata.namespace === 'gateway')!;
    expect(proxies).toMatchObject({ kind: 'Deployment', metadata: { name: 'envoy-proxies' }, spec: { template: { metadata: { labels: { 'app.kubernetes.io/component': 'proxy' } } } } });
    expect(names.get('gateway/envoy-proxies[Deployment]')).toBe('gateway/envoy-proxies');
    expect(objects.filter((o) => o.kind === 'Deployment').map((o) => `${o.metadata.namespace}/${o.metadata.name}`)).toEqual(['gateway/envoy-proxies', 'kube-system/kube-dns', 'monitoring/prometheus']);
  });

  test('the monitoring probe carries none of Prometheus\'s labels; the metadata probe\'s policy names 169.254.169.254/32 and admits no ingress', () => {
    const { objects } = standIns(REACH, []);
    const probe = objects.find((o) => o.kind === 'Pod' && o.metadata.namespace === 'monitoring')!;
    expect(probe.metadata.labels?.['app.kubernetes.io/name']).not.toBe('prometheus');
    expect(objects.find((o) => o.kind === 'NetworkPolicy')?.spec).toEqual({
      podSelector: { matchLabels: { 'app.kubernetes.io/name': 'netpol-probe-metadata-address' } },
      policyTypes: ['Ingress', 'Egress'],
      egress: [{ to: [{ ipBlock: { cidr: '169.254.169.254/32' } }] }],
    });
  });

  test('a stand-in never replaces an object of dist/ with the same name', () => {
    const reach: Reach = { ...REACH, workloads: [{ name: 'opa/opa', namespace: 'opa', podLabels: { a: 'b' }, source: 'installed' }] };
    expect(standIns(reach, [OPA]).objects[0].metadata.name).toBe('opa-stand-in');
  });

  test('namespaces are labelled kubernetes.io/metadata.name, keeping the labels dist/ gives them', () => {
    const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'opa', labels: { team: 'x' } } } as Manifest;
    expect(namespacesFor([ns, OPA, CHECKOUT]).map((n) => n.metadata)).toEqual([
      { name: 'functions-orders', labels: { 'kubernetes.io/metadata.name': 'functions-orders' } },
      { name: 'opa', labels: { 'team': 'x', 'kubernetes.io/metadata.name': 'opa' } },
    ]);
  });

  test('an object of dist/ takes the name of the reach workload whose labels its pods carry', () => {
    expect(reachNameOf(CHECKOUT, REACH)).toBe('functions-orders/checkout');
    expect(reachNameOf(deployment('functions-orders', 'cart', { 'app.kubernetes.io/name': 'cart' }), REACH)).toBeUndefined();
  });
});

describe('netpol engine: the comparison', () => {
  test('dist/ that allows exactly the declared reach passes, and only connections of pods of dist/ are checked', () => {
    // 6 analyzer connections of dist pods, 4 declared, the two denials and the control.
    expect(compare(ALLOWED)).toEqual({ checked: 13, failures: [] });
  });

  test('an allowed connection reach.json does not declare fails, naming it', () => {
    const r = compare([...ALLOWED, { src: 'functions-orders/checkout[Deployment]', dst: 'opa/opa[Deployment]', conn: 'TCP 9191' }]);
    expect(r.failures).toEqual(['functions-orders/checkout -> opa/opa: the analyzer allows TCP 9191; not declared in reach.json: TCP 9191']);
  });

  test('"All Connections" where reach.json declares a port fails', () => {
    const all = ALLOWED.map((c) => (c.src.startsWith('gateway/') && c.dst.startsWith('functions-orders/') ? { ...c, conn: 'All Connections' } : c));
    expect(compare(all).failures).toEqual(['gateway/envoy-proxies -> functions-orders/checkout: the analyzer allows All Connections; not declared in reach.json: All Connections']);
  });

  test('a port range is declared only port by port', () => {
    const ranged = ALLOWED.map((c) => (c.src.startsWith('gateway/') && c.dst.startsWith('functions-orders/') ? { ...c, conn: 'TCP 8080-8081' } : c));
    expect(compare(ranged).failures).toEqual(['gateway/envoy-proxies -> functions-orders/checkout: the analyzer allows TCP 8080-8081; not declared in reach.json: TCP 8081']);
  });

  test('a declared connection the analyzer denies fails, naming it', () => {
    const r = compare(ALLOWED.filter((c) => !c.src.startsWith('monitoring/prometheus')));
    expect(r.failures).toEqual(['monitoring/prometheus -> functions-orders/checkout TCP/8080 is declared, but the analyzer denies it (monitoring/prometheus[Deployment] -> functions-orders/checkout[Deployment] allows nothing)']);
  });

  test('a declared CIDR must be allowed over all of it; the gap is named', () => {
    const r = compare(ALLOWED.filter((c) => c.dst !== '169.254.169.255-255.255.255.255'));
    expect(r.failures).toEqual(['opa/opa -> cidr:0.0.0.0/0 TCP/443 is declared, but the analyzer denies it to 169.254.169.255-255.255.255.255 (pod opa/opa[Deployment])']);
  });

  test('egress to addresses beyond the declared CIDRs fails', () => {
    const reach: Reach = { ...REACH, connections: REACH.connections.map((c) => (c.to.startsWith('cidr:') ? { ...c, to: 'cidr:203.0.113.0/24' } : c)) };
    const r = compare([...ALLOWED.filter((c) => !c.src.startsWith('opa/')), { src: 'opa/opa[Deployment]', dst: '203.0.113.0-203.0.113.255', conn: 'TCP 443' }, { src: 'opa/opa[Deployment]', dst: '203.0.114.0-255.255.255.255', conn: 'TCP 443' }], reach);
    expect(r.failures).toEqual(['opa/opa -> 203.0.114.0-255.255.255.255: the analyzer allows TCP 443; not declared in reach.json: TCP 443']);
  });

  test('a pod of monitoring without Prometheus\'s labels reaching checkout breaks the named denial', () => {
    const r = compare([...ALLOWED, { src: 'monitoring/not-prometheus[Pod]', dst: 'functions-orders/checkout[Deployment]', conn: 'TCP 8080' }]);
    expect(r.failures).toEqual([
      'monitoring/not-prometheus -> functions-orders/checkout: the analyzer allows TCP 8080; not declared in reach.json: TCP 8080 (monitoring/not-prometheus is not a workload of reach.json)',
      'denial monitoring/not-prometheus -> functions-orders/checkout: a pod in monitoring without Prometheus\'s labels must not reach checkout; the analyzer allows TCP 8080',
    ]);
  });

  test('a function reaching the metadata address breaks the named denial, even when reach.json declares it', () => {
    const reach: Reach = { ...REACH, connections: [...REACH.connections, { from: 'functions-orders/checkout', to: 'cidr:169.254.169.254/32', protocol: 'TCP', port: 80 }] };
    const r = compare([...ALLOWED, { src: 'functions-orders/checkout[Deployment]', dst: '169.254.169.254-169.254.169.254', conn: 'TCP 80' }], reach);
    expect(r.failures).toEqual(['denial functions-orders/checkout -> 169.254.169.254: a function must not reach the cloud metadata address; the analyzer allows TCP 80 to 169.254.169.254-169.254.169.254']);
  });

  test('without the probe\'s own connection to 169.254.169.254 the metadata check proves nothing, and fails', () => {
    const r = compare(ALLOWED.filter((c) => !c.src.startsWith('netpol-probes/')));
    expect(r.failures).toEqual([expect.stringMatching(/^control: the probe netpol-probes\/metadata-address/)]);
  });

  test('a Deployment of dist/ that reach.json does not describe: its connections are undeclared, and it is named', () => {
    const cart = deployment('functions-orders', 'cart', { 'app.kubernetes.io/name': 'cart' });
    const extra = { src: 'gateway/envoy-proxies[Deployment]', dst: 'functions-orders/cart[Deployment]', conn: 'TCP 8080' };
    expect(compare([...ALLOWED, extra]).failures).toEqual([]);
    expect(compare([...ALLOWED, extra], REACH, [cart]).failures).toEqual([
      'gateway/envoy-proxies -> functions-orders/cart: the analyzer allows TCP 8080; not declared in reach.json: TCP 8080 (functions-orders/cart is not a workload of reach.json)',
    ]);
  });

  test('a declared dist workload that no object of dist/ carries fails', () => {
    const r = compareReach({ reach: REACH, connections: ALLOWED, resolve: peerResolver(REACH, [OPA], standIns(REACH, [OPA]).names), peers: [OPA, ...standIns(REACH, [OPA]).objects].map(analyzerName), functions: [] });
    expect(r.failures).toEqual([
      'functions-orders/checkout -> kube-system/kube-dns UDP/53 is declared, but functions-orders/checkout is in no object the analyzer read (a dist workload must be in dist/ with its podLabels)',
      'gateway/envoy-proxies -> functions-orders/checkout TCP/8080 is declared, but functions-orders/checkout is in no object the analyzer read (a dist workload must be in dist/ with its podLabels)',
      'monitoring/prometheus -> functions-orders/checkout TCP/8080 is declared, but functions-orders/checkout is in no object the analyzer read (a dist workload must be in dist/ with its podLabels)',
      'denial monitoring/not-prometheus -> functions-orders/checkout: no functions-orders/checkout workload in dist/ to check',
      'denial function -> 169.254.169.254: no function in dist/ to check',
    ]);
  });
});

describe('netpol engine: between teams, only declared calls', () => {
  // checkout (team orders) declares its call to price (team catalog); cart (orders) declares none.
  const PRICE = deployment('functions-catalog', 'price', { 'app.kubernetes.io/name': 'price' });
  const CART = deployment('functions-orders', 'cart', { 'app.kubernetes.io/name': 'cart' });
  const TEAMS_REACH: Reach = {
    ...REACH,
    workloads: [
      ...REACH.workloads,
      { name: 'functions-catalog/price', namespace: 'functions-catalog', podLabels: { 'app.kubernetes.io/name': 'price' }, source: 'dist' },
      { name: 'functions-orders/cart', namespace: 'functions-orders', podLabels: { 'app.kubernetes.io/name': 'cart' }, source: 'dist' },
    ],
    connections: [...REACH.connections, { from: 'functions-orders/checkout', to: 'functions-catalog/price', protocol: 'TCP', port: 8080 }],
  };
  const CALL: AnalyzerConnection = { src: 'functions-orders/checkout[Deployment]', dst: 'functions-catalog/price[Deployment]', conn: 'TCP 8080' };
  const functionTeams = new Map([['functions-orders/checkout', 'orders'], ['functions-orders/cart', 'orders'], ['functions-catalog/price', 'catalog']]);

  function compareTeams(connections: AnalyzerConnection[], reach: Reach = TEAMS_REACH) {
    const dist = [CHECKOUT, OPA, PRICE, CART];
    const added = standIns(reach, dist);
    const resolve = peerResolver(reach, dist, added.names);
    const peers = [...dist, ...added.objects].filter((o) => podLabelsOf(o) !== undefined).map(analyzerName);
    return compareReach({ reach, connections, resolve, peers, functions: [...functionTeams.keys()], functionTeams });
  }

  test('the declared cross-team call allowed and nothing else between the teams passes', () => {
    expect(compareTeams([...ALLOWED, CALL]).failures).toEqual([]);
  });

  test('a catalog function reaching an orders function without a declared call breaks the named denial', () => {
    const r = compareTeams([...ALLOWED, CALL, { src: 'functions-catalog/price[Deployment]', dst: 'functions-orders/cart[Deployment]', conn: 'TCP 8080' }]);
    expect(r.failures).toContain('denial functions-catalog/price (team catalog) -> functions-orders/cart (team orders): no call is declared, yet the analyzer allows TCP 8080');
  });

  test('a declared cross-team call the analyzer denies (one side not open) fails, naming the teams', () => {
    const r = compareTeams(ALLOWED);
    expect(r.failures).toContain('declared call functions-orders/checkout (team orders) -> functions-catalog/price (team catalog) TCP/8080: the analyzer denies it');
  });

  test('without any declared cross-team call the check proves nothing, and fails', () => {
    const reach: Reach = { ...TEAMS_REACH, connections: REACH.connections };
    expect(compareTeams(ALLOWED, reach).failures).toEqual(["teams: reach.json declares no call between two teams' functions, so nothing shows that a declared cross-team call gets through"]);
  });
});

describe('netpol engine: the reach.json contract', () => {
  test('a usable reach.json has no problems', () => {
    expect(reachProblems(REACH)).toEqual([]);
  });

  test('a connection to a name that is no workload, an unparseable CIDR, a bad port and another version are named', () => {
    const bad = {
      version: 2,
      workloads: REACH.workloads,
      connections: [
        { from: 'opa/opa', to: 'kube-system/coredns', protocol: 'UDP', port: 53 },
        { from: 'opa/opa', to: 'cidr:10.0.0.0/40', protocol: 'TCP', port: 443 },
        { from: 'opa/opa', to: 'kube-system/kube-dns', protocol: 'ICMP', port: 0 },
      ],
    } as Reach;
    expect(reachProblems(bad)).toEqual([
      'reach.json version 2 is not 1, the version this engine reads',
      'reach.json connection opa/opa -> kube-system/coredns UDP/53: kube-system/coredns is neither a workload of reach.json nor cidr:<CIDR>',
      'reach.json connection opa/opa -> cidr:10.0.0.0/40 TCP/443: cidr:10.0.0.0/40 is not an IPv4 CIDR the analyzer can model',
      'reach.json connection opa/opa -> kube-system/kube-dns ICMP/0: protocol must be TCP, UDP or SCTP and port 1-65535',
    ]);
  });
});
