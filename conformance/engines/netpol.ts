// np-guard's NetworkPolicy analyzer (k8snetpolicy list, netpol-analyzer v1.2.0) computes the
// connections dist/'s NetworkPolicies allow, and they are compared with the reach the library
// declares in dist/reports/reach.json: every allowed connection of a pod of dist/ must be
// declared (port and protocol included), every declared connection must be allowed, and the
// named denials must hold (a pod of `monitoring` that is not Prometheus cannot call checkout;
// no function can reach the cloud metadata address; no function reaches another team's
// function unless it declared the call, and the declared cross-team calls go through). No CNI runs: the analyzer models the
// NetworkPolicy semantics, and pods that charts install are stand-ins with the labels the
// library selects.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'fs';
import * as path from 'path';
import { TEAM_LABEL, toYamlDocuments } from '../../lib';
import { Engine, EngineResult } from '../support/context';
import { Manifest, namespacesFor, readManifests } from '../support/manifests';
import { runCommand } from '../support/process';

/** A pod group of reach.json. */
export interface ReachWorkload {
  readonly name: string;
  readonly namespace: string;
  readonly podLabels: Readonly<Record<string, string>>;
  readonly source: 'dist' | 'installed';
}

/** A connection reach.json declares, from and to a workload name or `cidr:<CIDR>`. */
export interface ReachConnection {
  readonly from: string;
  readonly to: string;
  readonly protocol: string;
  readonly port: number;
}

/** dist/reports/reach.json, version 1. */
export interface Reach {
  readonly version: number;
  readonly workloads: readonly ReachWorkload[];
  readonly connections: readonly ReachConnection[];
}

/** One line of `k8snetpolicy list -o json`: `conn` is "All Connections", "No Connections" or e.g. "TCP 53,8080,UDP 53". */
export interface AnalyzerConnection {
  readonly src: string;
  readonly dst: string;
  readonly conn: string;
}

/** An inclusive range of IPv4 addresses as 32-bit numbers. */
export type IpRange = readonly [number, number];

/** The ports of a connection: everything, or per protocol port ranges and named ports. */
export interface PortSet {
  readonly all: boolean;
  readonly ports: ReadonlyMap<string, readonly (readonly [number, number] | string)[]>;
}

/** What an analyzer peer is: a workload (with the name reach.json gives it) or a set of IP addresses. */
export type Peer =
  | { readonly kind: 'workload'; readonly name: string; readonly dist: boolean; readonly declared: boolean }
  | { readonly kind: 'ip'; readonly name: string; readonly ranges: readonly IpRange[] };

/** The pod in `monitoring` that carries none of Prometheus's labels: any exporter, plugin or debugging pod. */
export const MONITORING_PROBE = { namespace: 'monitoring', name: 'not-prometheus', labels: { 'app.kubernetes.io/name': 'netpol-probe-not-prometheus' } };
/** The function every request path ends at; the monitoring probe must not reach it. */
export const CHECKOUT = 'functions-orders/checkout';
/** The cloud metadata address (AWS, GCP, Azure, OpenStack): credentials of the node's cloud identity. */
export const METADATA_ADDRESS = '169.254.169.254';
/**
 * The analyzer splits the address space only at the CIDRs some policy names, so a pod that
 * may reach `0.0.0.0/0` is reported as reaching one block holding 169.254.169.254 among
 * others. This probe's own policy names the address, so it becomes an entity of its own and
 * its connections are reported apart. The probe admits no ingress, so no one reaches it.
 */
export const METADATA_PROBE = { namespace: 'netpol-probes', name: 'metadata-address', labels: { 'app.kubernetes.io/name': 'netpol-probe-metadata-address' } };

const PROTOCOLS = ['TCP', 'UDP', 'SCTP'];

/** Problems with the shape of reach.json (the contract the library writes); [] when usable. */
export function reachProblems(reach: Reach): string[] {
  const problems: string[] = [];
  if (reach.version !== 1) problems.push(`reach.json version ${JSON.stringify(reach.version)} is not 1, the version this engine reads`);
  if (!Array.isArray(reach.workloads) || !Array.isArray(reach.connections)) return [...problems, 'reach.json needs the arrays "workloads" and "connections"'];
  const names = new Set<string>();
  for (const w of reach.workloads) {
    if (w.name !== `${w.namespace}/${w.name.split('/')[1]}` || names.has(w.name)) problems.push(`reach.json workload ${JSON.stringify(w.name)} is not a unique <namespace>/<name> in namespace ${JSON.stringify(w.namespace)}`);
    if (w.source !== 'dist' && w.source !== 'installed') problems.push(`reach.json workload ${w.name}: source ${JSON.stringify(w.source)} is not "dist" or "installed"`);
    if (Object.keys(w.podLabels ?? {}).length === 0) problems.push(`reach.json workload ${w.name} has no podLabels: it would stand for every pod of its namespace`);
    names.add(w.name);
  }
  for (const c of reach.connections) {
    for (const end of [c.from, c.to]) {
      if (!names.has(end) && !end.startsWith('cidr:')) problems.push(`reach.json connection ${describe(c)}: ${end} is neither a workload of reach.json nor cidr:<CIDR>`);
      if (end.startsWith('cidr:') && parseCidr(end.slice(5)) === undefined) problems.push(`reach.json connection ${describe(c)}: ${end} is not an IPv4 CIDR the analyzer can model`);
    }
    if (!PROTOCOLS.includes(c.protocol) || !Number.isInteger(c.port) || c.port < 1 || c.port > 65535) problems.push(`reach.json connection ${describe(c)}: protocol must be TCP, UDP or SCTP and port 1-65535`);
  }
  return problems;
}

/** `from -> to protocol/port`. */
export function describe(c: ReachConnection): string {
  return `${c.from} -> ${c.to} ${c.protocol}/${c.port}`;
}

/** Parses the analyzer's connection string ("All Connections", "No Connections", "TCP 53,8080-8090,UDP 53"). */
export function parsePortSet(conn: string): PortSet {
  if (conn === 'All Connections') return { all: true, ports: new Map() };
  const ports = new Map<string, (readonly [number, number] | string)[]>();
  if (conn === 'No Connections') return { all: false, ports };
  let protocol: string | undefined;
  for (const token of conn.split(',').map((t) => t.trim())) {
    const head = /^([A-Z]+) (.+)$/.exec(token);
    if (head) protocol = head[1];
    const rest = head ? head[2] : token;
    if (protocol === undefined) throw new Error(`cannot read the analyzer's connection "${conn}": "${token}" names no protocol`);
    const range = /^(\d+)(?:-(\d+))?$/.exec(rest);
    const list = ports.get(protocol) ?? [];
    list.push(range ? [Number(range[1]), Number(range[2] ?? range[1])] : rest);
    ports.set(protocol, list);
  }
  return { all: false, ports };
}

/** The number of a dotted IPv4 address, or undefined. */
export function ipNumber(address: string): number | undefined {
  const parts = address.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return undefined;
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

/** The addresses of an IPv4 CIDR, or undefined (IPv6 included: analyzer v1.2.0 models IPv4 only). */
export function parseCidr(cidr: string): IpRange | undefined {
  const m = /^([\d.]+)\/(\d{1,2})$/.exec(cidr);
  const base = m ? ipNumber(m[1]) : undefined;
  if (!m || base === undefined || Number(m[2]) > 32) return undefined;
  const size = 2 ** (32 - Number(m[2]));
  const start = Math.floor(base / size) * size;
  return [start, start + size - 1];
}

/** The ranges of an analyzer IP peer ("0.0.0.0-169.254.169.253,169.254.169.255-255.255.255.255"), or undefined when it is not one. */
export function parseIpPeer(peer: string): IpRange[] | undefined {
  const ranges: IpRange[] = [];
  for (const part of peer.split(',')) {
    const [a, b, extra] = part.split('-');
    const start = ipNumber(a);
    const end = ipNumber(b ?? a);
    if (extra !== undefined || start === undefined || end === undefined) return undefined;
    ranges.push([start, end]);
  }
  return ranges;
}

/** The parts of `target` that `cover` does not contain. */
export function uncovered(target: readonly IpRange[], cover: readonly IpRange[]): IpRange[] {
  let rest: IpRange[] = [...target];
  for (const [lo, hi] of cover) {
    rest = rest.flatMap(([a, b]): IpRange[] => {
      if (hi < a || lo > b) return [[a, b]];
      const parts: IpRange[] = [];
      if (a < lo) parts.push([a, lo - 1]);
      if (b > hi) parts.push([hi + 1, b]);
      return parts;
    });
  }
  return rest;
}

function ipString(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}

function rangesString(ranges: readonly IpRange[]): string {
  return ranges.map(([a, b]) => (a === b ? ipString(a) : `${ipString(a)}-${ipString(b)}`)).join(',');
}

/** The labels of the pods a workload object runs, or undefined for an object that runs none. */
export function podLabelsOf(o: Manifest): Record<string, string> | undefined {
  type Template = { metadata?: { labels?: Record<string, string> } };
  const spec = o.spec as { template?: Template; jobTemplate?: { spec?: { template?: Template } } } | undefined;
  switch (o.kind) {
    case 'Pod':
      return { ...(o.metadata.labels ?? {}) };
    case 'Deployment':
    case 'StatefulSet':
    case 'DaemonSet':
    case 'ReplicaSet':
    case 'ReplicationController':
    case 'Job':
      return { ...(spec?.template?.metadata?.labels ?? {}) };
    case 'CronJob':
      return { ...(spec?.jobTemplate?.spec?.template?.metadata?.labels ?? {}) };
    default:
      return undefined;
  }
}

/** The analyzer's name of a workload object: `namespace/name[Kind]`. */
export function analyzerName(o: Manifest): string {
  return `${o.metadata.namespace ?? 'default'}/${o.metadata.name}[${o.kind}]`;
}

/**
 * The reach.json name of a pod-running object of dist/: the workload of its namespace whose
 * podLabels its pods carry (the one named after it when several do, else the most specific),
 * or undefined when reach.json does not describe it.
 */
export function reachNameOf(o: Manifest, reach: Reach): string | undefined {
  const labels = podLabelsOf(o) ?? {};
  const namespace = o.metadata.namespace ?? 'default';
  const matches = reach.workloads
    .filter((w) => w.namespace === namespace && Object.entries(w.podLabels).every(([k, v]) => labels[k] === v))
    .sort((a, b) => Object.keys(b.podLabels).length - Object.keys(a.podLabels).length || a.name.localeCompare(b.name));
  return (matches.find((w) => w.name === `${namespace}/${o.metadata.name}`) ?? matches[0])?.name;
}

/** A DNS-1123 name for a stand-in of a workload name's second part. */
function objectName(name: string): string {
  return name.split('/').slice(1).join('-').toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 63) || 'workload';
}

/** The objects the analyzer reads besides dist/'s: stand-ins for the installed workloads and the two probes. */
export interface AnalyzerInput {
  /** Deployments for reach.json's installed workloads and the probe Pods, with the probe's NetworkPolicy. */
  readonly objects: Manifest[];
  /** Analyzer name of each object the engine added, to its reach.json name (or the probe's name). */
  readonly names: Map<string, string>;
}

/** Stand-ins for the workloads others install (with the labels the library selects) and the probes. */
export function standIns(reach: Reach, dist: readonly Manifest[]): AnalyzerInput {
  const objects: Manifest[] = [];
  const names = new Map<string, string>();
  const taken = new Set(dist.filter((o) => podLabelsOf(o) !== undefined).map((o) => `${o.metadata.namespace}/${o.metadata.name}`));
  for (const w of reach.workloads.filter((x) => x.source === 'installed')) {
    let name = objectName(w.name);
    if (taken.has(`${w.namespace}/${name}`)) name = `${name}-stand-in`;
    taken.add(`${w.namespace}/${name}`);
    const labels = { ...w.podLabels };
    const deployment = {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: w.namespace, labels },
      spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'stand-in', image: 'registry.invalid/stand-in' }] } } },
    } as Manifest;
    objects.push(deployment);
    names.set(analyzerName(deployment), w.name);
  }
  for (const probe of [MONITORING_PROBE, METADATA_PROBE]) {
    const pod = {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: probe.name, namespace: probe.namespace, labels: { ...probe.labels } },
      spec: { containers: [{ name: 'probe', image: 'registry.invalid/probe' }] },
    } as Manifest;
    objects.push(pod);
    names.set(analyzerName(pod), `${probe.namespace}/${probe.name}`);
  }
  objects.push({
    apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: METADATA_PROBE.name, namespace: METADATA_PROBE.namespace },
    spec: {
      podSelector: { matchLabels: { ...METADATA_PROBE.labels } },
      policyTypes: ['Ingress', 'Egress'],
      egress: [{ to: [{ ipBlock: { cidr: `${METADATA_ADDRESS}/32` } }] }],
    },
  } as Manifest);
  return { objects, names };
}

/** How each analyzer peer name resolves: the engine's objects by name, dist/'s objects through reach.json. */
export function peerResolver(reach: Reach, dist: readonly Manifest[], added: ReadonlyMap<string, string>): (peer: string) => Peer {
  const declared = new Set(reach.workloads.map((w) => w.name));
  const fromDist = new Map<string, string>();
  for (const o of dist.filter((x) => podLabelsOf(x) !== undefined)) {
    fromDist.set(analyzerName(o), reachNameOf(o, reach) ?? `${o.metadata.namespace ?? 'default'}/${o.metadata.name}`);
  }
  return (peer) => {
    const ranges = parseIpPeer(peer);
    if (ranges) return { kind: 'ip', name: peer, ranges };
    const dn = fromDist.get(peer);
    if (dn !== undefined) return { kind: 'workload', name: dn, dist: true, declared: declared.has(dn) };
    const name = added.get(peer) ?? peer;
    return { kind: 'workload', name, dist: false, declared: declared.has(name) };
  };
}

/** Everything the comparison reads. */
export interface ComparisonInput {
  readonly reach: Reach;
  readonly connections: readonly AnalyzerConnection[];
  readonly resolve: (peer: string) => Peer;
  /** Analyzer names of every workload peer the analyzer knows (dist/'s and the added ones), to find pairs it reports nothing for. */
  readonly peers: readonly string[];
  /** reach.json names of the functions, for the metadata-address denial. */
  readonly functions: readonly string[];
  /**
   * The team of each function (reach.json name), from its namespace's `platform.wasm.dev/team`
   * label: between two teams' functions only declared calls may go through.
   * @default - no team check
   */
  readonly functionTeams?: ReadonlyMap<string, string>;
}

/** The comparison's count of checks and its failures, each naming the connection. */
export interface Comparison {
  readonly checked: number;
  readonly failures: string[];
}

function portsString(p: PortSet): string {
  if (p.all) return 'All Connections';
  return [...p.ports].map(([proto, list]) => list.map((x, i) => `${i === 0 ? `${proto} ` : ''}${typeof x === 'string' ? x : x[0] === x[1] ? x[0] : `${x[0]}-${x[1]}`}`).join(',')).join(',') || 'No Connections';
}

function allows(p: PortSet, protocol: string, port: number): boolean {
  return p.all || (p.ports.get(protocol) ?? []).some((x) => typeof x !== 'string' && x[0] <= port && port <= x[1]);
}

/**
 * The parts of an analyzer port set that `isDeclared` does not cover, as "TCP 9090" items;
 * "All Connections" is never covered (reach.json declares ports), nor is a named port.
 */
function undeclaredPorts(p: PortSet, isDeclared: (protocol: string, port: number) => boolean): string[] {
  if (p.all) return ['All Connections'];
  const out: string[] = [];
  for (const [protocol, list] of p.ports) {
    for (const x of list) {
      if (typeof x === 'string') {
        out.push(`${protocol} ${x} (named port)`);
        continue;
      }
      const missing: number[] = [];
      for (let port = x[0]; port <= x[1]; port++) if (!isDeclared(protocol, port)) missing.push(port);
      if (missing.length === x[1] - x[0] + 1 && x[0] !== x[1]) out.push(`${protocol} ${x[0]}-${x[1]}`);
      else out.push(...missing.map((port) => `${protocol} ${port}`));
    }
  }
  return out;
}

/**
 * The analyzer's connections against reach.json: every allowed connection of a pod of dist/
 * declared, every declared connection allowed, the monitoring probe denied to checkout and
 * every function denied to the metadata address.
 */
export function compareReach(input: ComparisonInput): Comparison {
  const { reach, resolve } = input;
  const failures: string[] = [];
  let checked = 0;
  const parsed = input.connections.map((c) => ({ src: resolve(c.src), dst: resolve(c.dst), ports: parsePortSet(c.conn), raw: c }));
  const declaredBetween = (from: string, to: string, protocol: string, port: number): boolean =>
    reach.connections.some((d) => d.from === from && d.to === to && d.protocol === protocol && d.port === port);
  const declaredCidrs = (workload: string, egress: boolean, protocol: string, port: number): IpRange[] =>
    reach.connections
      .filter((d) => (egress ? d.from === workload && d.to.startsWith('cidr:') : d.to === workload && d.from.startsWith('cidr:')) && d.protocol === protocol && d.port === port)
      .map((d) => parseCidr((egress ? d.to : d.from).slice(5)))
      .filter((r): r is IpRange => r !== undefined);

  // 1. Every connection the analyzer allows to or from a pod of dist/ is declared.
  for (const c of parsed) {
    const ofDist = (c.src.kind === 'workload' && c.src.dist) || (c.dst.kind === 'workload' && c.dst.dist);
    if (!ofDist) continue;
    checked++;
    let missing: string[];
    if (c.dst.kind === 'ip' && c.src.kind === 'workload') {
      const ranges = c.dst.ranges;
      const from = c.src.name;
      missing = undeclaredPorts(c.ports, (protocol, port) => uncovered(ranges, declaredCidrs(from, true, protocol, port)).length === 0);
    } else if (c.src.kind === 'ip' && c.dst.kind === 'workload') {
      const ranges = c.src.ranges;
      const to = c.dst.name;
      missing = undeclaredPorts(c.ports, (protocol, port) => uncovered(ranges, declaredCidrs(to, false, protocol, port)).length === 0);
    } else {
      const from = c.src.name;
      const to = c.dst.name;
      missing = undeclaredPorts(c.ports, (protocol, port) => declaredBetween(from, to, protocol, port));
    }
    if (missing.length > 0) {
      const unknown = [c.src, c.dst].filter((p) => p.kind === 'workload' && !p.declared).map((p) => `${p.name} is not a workload of reach.json`);
      failures.push(`${c.src.name} -> ${c.dst.name}: the analyzer allows ${c.raw.conn}; not declared in reach.json: ${missing.join(', ')}${unknown.length ? ` (${unknown.join('; ')})` : ''}`);
    }
  }

  // 2. Every declared connection is allowed, between every pair of pods that stand for its ends.
  const peersNamed = new Map<string, string[]>();
  for (const p of input.peers) {
    const r = resolve(p);
    peersNamed.set(r.name, [...(peersNamed.get(r.name) ?? []), p]);
  }
  const workloadNames = new Set(reach.workloads.map((w) => w.name));
  for (const d of reach.connections) {
    checked++;
    const ends = [d.from, d.to].filter((e) => !e.startsWith('cidr:'));
    const absent = ends.filter((e) => !workloadNames.has(e) || (peersNamed.get(e) ?? []).length === 0);
    if (absent.length > 0) {
      failures.push(`${describe(d)} is declared, but ${absent.join(' and ')} ${absent.length > 1 ? 'are' : 'is'} in no object the analyzer read (a dist workload must be in dist/ with its podLabels)`);
      continue;
    }
    if (d.from.startsWith('cidr:') || d.to.startsWith('cidr:')) {
      const egress = d.to.startsWith('cidr:');
      const want = parseCidr((egress ? d.to : d.from).slice(5));
      const workload = egress ? d.from : d.to;
      if (want === undefined) {
        failures.push(`${describe(d)} is declared, but its CIDR is not IPv4: analyzer v1.2.0 models IPv4 only, so it cannot be shown allowed`);
        continue;
      }
      for (const peer of peersNamed.get(workload) ?? []) {
        const cover = parsed
          .filter((c) => (egress ? c.raw.src === peer && c.dst.kind === 'ip' : c.raw.dst === peer && c.src.kind === 'ip') && allows(c.ports, d.protocol, d.port))
          .flatMap((c) => {
            const ip = egress ? c.dst : c.src;
            return ip.kind === 'ip' ? ip.ranges : [];
          });
        const gap = uncovered([want], cover);
        if (gap.length > 0) failures.push(`${describe(d)} is declared, but the analyzer denies it to ${rangesString(gap)} (pod ${peer})`);
      }
      continue;
    }
    for (const src of peersNamed.get(d.from) ?? []) {
      for (const dst of peersNamed.get(d.to) ?? []) {
        if (src === dst) continue;
        const found = parsed.find((c) => c.raw.src === src && c.raw.dst === dst);
        if (!found || !allows(found.ports, d.protocol, d.port)) {
          failures.push(`${describe(d)} is declared, but the analyzer denies it (${src} -> ${dst} allows ${found ? found.raw.conn : 'nothing'})`);
        }
      }
    }
  }

  // 3. The named denials.
  const probe = `${MONITORING_PROBE.namespace}/${MONITORING_PROBE.name}`;
  checked++;
  if ((peersNamed.get(CHECKOUT) ?? []).length === 0) failures.push(`denial ${probe} -> ${CHECKOUT}: no ${CHECKOUT} workload in dist/ to check`);
  for (const c of parsed.filter((x) => x.src.name === probe && x.dst.name === CHECKOUT)) {
    failures.push(`denial ${probe} -> ${CHECKOUT}: a pod in ${MONITORING_PROBE.namespace} without Prometheus's labels must not reach checkout; the analyzer allows ${portsString(c.ports)}`);
  }
  const metadata = ipNumber(METADATA_ADDRESS)!;
  if (input.functions.length === 0) failures.push(`denial function -> ${METADATA_ADDRESS}: no function in dist/ to check`);
  for (const fn of input.functions) {
    checked++;
    for (const c of parsed.filter((x) => x.src.name === fn && x.dst.kind === 'ip' && x.dst.ranges.some(([a, b]) => a <= metadata && metadata <= b))) {
      failures.push(`denial ${fn} -> ${METADATA_ADDRESS}: a function must not reach the cloud metadata address; the analyzer allows ${portsString(c.ports)} to ${c.raw.dst}`);
    }
  }
  // The control: the probe that names the address must be reported reaching it alone, or the check above proves nothing.
  checked++;
  const control = parsed.filter((x) => x.src.name === `${METADATA_PROBE.namespace}/${METADATA_PROBE.name}`);
  if (control.length !== 1 || control[0].dst.kind !== 'ip' || rangesString(control[0].dst.ranges) !== METADATA_ADDRESS) {
    failures.push(`control: the probe ${METADATA_PROBE.namespace}/${METADATA_PROBE.name}, allowed egress to ${METADATA_ADDRESS}/32 only, was not reported reaching exactly ${METADATA_ADDRESS}: ${JSON.stringify(control.map((c) => c.raw))}`);
  }
  if (input.functionTeams) {
    const teams = crossTeamCheck(input.functionTeams, reach, parsed);
    checked += teams.checked;
    failures.push(...teams.failures);
  }
  return { checked, failures };
}

/**
 * Between the function pods of two teams, the analyzer (which allows a connection only where
 * the source's egress and the destination's ingress both do) must allow exactly the declared
 * calls: every undeclared pair is a named denial, every declared call crossing teams must be
 * allowed on its port, and at least one must exist, or nothing shows a declared call gets through.
 */
function crossTeamCheck(teamOf: ReadonlyMap<string, string>, reach: Reach, parsed: readonly { src: Peer; dst: Peer; ports: PortSet }[]): Comparison {
  const failures: string[] = [];
  let checked = 1;
  const functions = [...teamOf.keys()].sort();
  const teams = new Set(teamOf.values());
  if (teams.size < 2) failures.push(`teams: dist/ has the functions of ${teams.size} team(s) (namespace label platform.wasm.dev/team), no two teams to keep apart`);
  let crossing = 0;
  for (const from of functions) {
    for (const to of functions) {
      if (teamOf.get(from) === teamOf.get(to)) continue;
      checked++;
      const declared = reach.connections.filter((d) => d.from === from && d.to === to);
      const found = parsed.filter((c) => c.src.name === from && c.dst.name === to && (c.ports.all || c.ports.ports.size > 0));
      const between = `${from} (team ${teamOf.get(from)}) -> ${to} (team ${teamOf.get(to)})`;
      if (declared.length === 0) {
        for (const c of found) failures.push(`denial ${between}: no call is declared, yet the analyzer allows ${portsString(c.ports)}`);
        continue;
      }
      crossing += declared.length;
      for (const d of declared) {
        if (!found.some((c) => allows(c.ports, d.protocol, d.port))) failures.push(`declared call ${between} ${d.protocol}/${d.port}: the analyzer denies it`);
      }
    }
  }
  if (crossing === 0) failures.push('teams: reach.json declares no call between two teams\' functions, so nothing shows that a declared cross-team call gets through');
  return { checked, failures };
}

/** The netpol-analyzer version the binary was built from (its Go build information), or the pin when Go cannot read it. */
async function analyzerVersion(binary: string, pinned: string): Promise<string> {
  const r = await runCommand('/usr/local/go/bin/go', ['version', '-m', binary], { env: { GOTOOLCHAIN: 'local' } });
  const m = /\b(?:mod|dep)\s+github\.com\/np-guard\/netpol-analyzer\s+(v\S+)/.exec(r.stdout);
  if (r.code === 0 && !m) throw new Error(`${binary} was not built from github.com/np-guard/netpol-analyzer: ${r.stdout.trim()}`);
  return m ? m[1] : pinned;
}

export const netpolEngine: Engine = {
  name: 'netpol',
  async run(ctx): Promise<EngineResult[]> {
    const binary = ctx.tool('k8snetpolicy');
    const version = await analyzerVersion(binary, ctx.versions.NETPOL_ANALYZER);
    const reachFile = path.join(ctx.dist, 'reports', 'reach.json');
    if (!existsSync(reachFile)) {
      return [{ engine: 'netpol', version, checked: 0, failures: ['dist/reports/reach.json is missing: the library writes the reach it declares there at synth, and without it the allowed connections have nothing to be compared with'] }];
    }
    let reach: Reach;
    try {
      reach = JSON.parse(readFileSync(reachFile, 'utf8')) as Reach;
    } catch (e) {
      return [{ engine: 'netpol', version, checked: 0, failures: [`dist/reports/reach.json is not JSON: ${e instanceof Error ? e.message : String(e)}`] }];
    }
    const problems = reachProblems(reach);
    if (problems.length > 0) return [{ engine: 'netpol', version, checked: 0, failures: problems }];

    const dist = readManifests(ctx.dist).map((e) => e.object);
    const added = standIns(reach, dist);
    const dir = path.join(ctx.work, 'netpol', 'manifests');
    mkdirSync(dir, { recursive: true });
    const everything = [...dist, ...added.objects];
    writeFileSync(path.join(dir, 'namespaces.yaml'), toYamlDocuments(namespacesFor(everything)));
    writeFileSync(path.join(dir, 'dist.yaml'), toYamlDocuments(dist.filter((o) => o.kind !== 'Namespace')));
    writeFileSync(path.join(dir, 'stand-ins.yaml'), toYamlDocuments(added.objects));
    ctx.log(`${dist.length} objects of dist/, ${added.objects.length} stand-ins and probes in ${dir}`);

    const r = await runCommand(binary, ['list', '--dirpath', dir, '-o', 'json', '-q'], { timeoutMs: 300_000 });
    if (r.code !== 0) throw new Error(`k8snetpolicy list failed (exit ${r.code}): ${(r.stderr || r.stdout).trim().slice(-1000)}`);
    writeFileSync(path.join(ctx.work, 'netpol', 'connections.json'), r.stdout);
    const connections = JSON.parse(r.stdout.trim() || '[]') as AnalyzerConnection[];
    ctx.log(`the analyzer allows ${connections.length} connections`);

    const resolve = peerResolver(reach, dist, added.names);
    const peers = [...dist.filter((o) => podLabelsOf(o) !== undefined), ...added.objects.filter((o) => podLabelsOf(o) !== undefined)].map(analyzerName);
    const functions = dist
      .filter((o) => o.kind === 'Deployment' && o.metadata.labels?.['app.kubernetes.io/component'] === 'function')
      .map((o) => resolve(analyzerName(o)).name);
    // A function's team is its namespace's label (the reference platform's FunctionNamespaces carry it).
    const teamOfNamespace = new Map(dist.filter((o) => o.kind === 'Namespace' && o.metadata.labels?.[TEAM_LABEL])
      .map((o) => [o.metadata.name, o.metadata.labels![TEAM_LABEL]]));
    const functionTeams = new Map(functions.flatMap((name) => {
      const team = teamOfNamespace.get(name.split('/')[0]);
      return team ? [[name, team] as const] : [];
    }));
    const { checked, failures } = compareReach({ reach, connections, resolve, peers, functions, functionTeams });
    return [{ engine: 'netpol', version, checked, failures }];
  },
};
