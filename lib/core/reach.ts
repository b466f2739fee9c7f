import { k8s } from 'cdk8s-plus-28';
import { IConstruct } from 'constructs';
import { checkLabels, oneLine } from './names';

/**
 * A group of pods a NetworkPolicy names: the library's own Deployments (`dist`) or pods it
 * expects others to install and selects by label (`installed`: a gateway's proxies,
 * Prometheus, the KEDA HTTP interceptor, kube-dns). Selected by namespace and pod labels
 * together, never by namespace alone: a compromised pod elsewhere in the namespace is not let in.
 */
export interface PodGroup {
  /** `<namespace>/<name>`, as the reach report names it. */
  readonly name: string;
  /** Namespace the pods run in. */
  readonly namespace: string;
  /** Labels every pod of the group carries; the policies select on all of them. */
  readonly podLabels: Readonly<Record<string, string>>;
  /** Whether the pods are rendered into dist/ by this library or installed by someone else. */
  readonly source: 'dist' | 'installed';
}

/** Builds a {@link PodGroup} named `<namespace>/<name>`. */
export function podGroup(namespace: string, name: string, podLabels: Record<string, string>, source: 'dist' | 'installed'): PodGroup {
  return { name: `${namespace}/${name}`, namespace, podLabels: { ...podLabels }, source };
}

/** CoreDNS as K3s (and kubeadm) run it: every workload's only name resolution. */
export const KUBE_DNS: PodGroup = podGroup('kube-system', 'kube-dns', { 'k8s-app': 'kube-dns' }, 'installed');

/** One connection the library means to allow, from and to a pod group name or `cidr:<CIDR>`. */
export interface ReachConnection {
  readonly from: string;
  readonly to: string;
  readonly protocol: 'TCP' | 'UDP';
  readonly port: number;
}

/** What a construct's NetworkPolicies are about and allow. */
export interface ReachDeclaration {
  /** Pod groups its policies select or name. */
  readonly workloads: readonly PodGroup[];
  /** The connections its policies allow. */
  readonly connections: readonly ReachConnection[];
}

/** A construct whose NetworkPolicies the reach report must describe. */
export interface IReachSource extends IConstruct {
  /** Its pod groups and allowed connections, read at synth. */
  reachDeclaration(): ReachDeclaration;
}

/** True when `c` declares reach. */
export function isReachSource(c: IConstruct): c is IReachSource {
  return typeof (c as Partial<IReachSource>).reachDeclaration === 'function';
}

/** The NetworkPolicy peer that selects exactly `group`'s pods: its namespace and its labels. */
export function podGroupPeer(group: PodGroup): k8s.NetworkPolicyPeer {
  return {
    namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': group.namespace } },
    podSelector: { matchLabels: { ...group.podLabels } },
  };
}

/** The egress rule every workload gets back under a default deny: DNS to kube-dns only. */
export function dnsEgressRule(): k8s.NetworkPolicyEgressRule {
  return {
    to: [podGroupPeer(KUBE_DNS)],
    ports: [{ protocol: 'UDP', port: k8s.IntOrString.fromNumber(53) }, { protocol: 'TCP', port: k8s.IntOrString.fromNumber(53) }],
  };
}

/** The DNS connections of `from`, as {@link dnsEgressRule} allows them. */
export function dnsConnections(from: string): ReachConnection[] {
  return [
    { from, to: KUBE_DNS.name, protocol: 'TCP', port: 53 },
    { from, to: KUBE_DNS.name, protocol: 'UDP', port: 53 },
  ];
}

/**
 * Problems with a pod group's labels: a selector without labels would select every pod of
 * its namespace, which is exactly the namespace-wide rule this library does not write.
 */
export function checkPodGroup(field: string, group: PodGroup): string[] {
  if (Object.keys(group.podLabels).length === 0) {
    return [`${field} for ${oneLine(group.name)} is empty: an empty pod selector admits every pod of namespace "${oneLine(group.namespace)}"; give the labels its pods carry`];
  }
  return checkLabels(field, { ...group.podLabels });
}

/**
 * An IPv4 or IPv6 CIDR as a NetworkPolicy `ipBlock` accepts it (address and prefix length
 * within range, no host bits beyond the prefix are checked: the API server accepts them too).
 */
export function checkCidr(field: string, cidr: string): string | undefined {
  const fail = `${field} "${oneLine(cidr)}" is not a CIDR: give an address and a prefix length, for example "203.0.113.0/24" or "2001:db8::/32"`;
  const m = /^([^/]+)\/(\d{1,3})$/.exec(cidr);
  if (!m) return fail;
  const prefix = Number(m[2]);
  const address = m[1];
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(address)) {
    if (address.split('.').some((o) => Number(o) > 255 || (o.length > 1 && o.startsWith('0')))) return fail;
    return prefix <= 32 ? undefined : fail;
  }
  if (address.includes(':') && /^[0-9a-fA-F:]+$/.test(address)) {
    const halves = address.split('::');
    if (halves.length > 2) return fail;
    const groups = halves.flatMap((h) => (h === '' ? [] : h.split(':')));
    if (groups.some((g) => g.length === 0 || g.length > 4)) return fail;
    if (halves.length === 1 ? groups.length !== 8 : groups.length > 7) return fail;
    return prefix <= 128 ? undefined : fail;
  }
  return fail;
}

/** Connections sorted by from, to, protocol, port, without repeats. */
export function sortConnections(connections: readonly ReachConnection[]): ReachConnection[] {
  const seen = new Map<string, ReachConnection>();
  for (const c of connections) seen.set(`${c.from}\0${c.to}\0${c.protocol}\0${c.port}`, c);
  return [...seen.values()].sort((a, b) => compare(a.from, b.from) || compare(a.to, b.to) || compare(a.protocol, b.protocol) || a.port - b.port);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
