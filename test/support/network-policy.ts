/**
 * NetworkPolicy semantics for tests, on pods only (no ipBlock): a connection is allowed when
 * the source's egress and the destination's ingress both allow it. A pod no policy of a
 * direction selects is open in that direction; once one does, only what some rule lists is
 * allowed. Enough to read what the library renders between function pods; the real engine
 * (np-guard's analyzer) checks dist/ in `npm run conformance -- netpol`.
 */
import { LabelSelector, selectorMatches } from '../policy/support/admission';
import { KubeObject } from './synth';

/** A pod as policies see it. */
export interface PodRef {
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  /** For messages: `namespace/name`. */
  readonly name: string;
}

interface Peer {
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  ipBlock?: unknown;
}

interface Rule {
  from?: Peer[];
  to?: Peer[];
  ports?: { port?: number | string; protocol?: string; endPort?: number }[];
}

interface PolicySpec {
  podSelector: LabelSelector;
  policyTypes?: string[];
  ingress?: Rule[];
  egress?: Rule[];
}

function selects(selector: LabelSelector | undefined, labels: Readonly<Record<string, string>>): boolean {
  return selectorMatches(selector, labels);
}

/** Evaluates the NetworkPolicies among `objects` (Namespaces give the namespace labels). */
export class NetworkPolicies {
  private readonly policies: { namespace: string; spec: PolicySpec }[];
  private readonly namespaceLabels = new Map<string, Record<string, string>>();

  constructor(objects: readonly KubeObject[]) {
    this.policies = objects
      .filter((o) => o.kind === 'NetworkPolicy')
      .map((o) => ({ namespace: o.metadata.namespace!, spec: o.spec as unknown as PolicySpec }));
    for (const ns of objects.filter((o) => o.kind === 'Namespace')) {
      this.namespaceLabels.set(ns.metadata.name!, { ...ns.metadata.labels, 'kubernetes.io/metadata.name': ns.metadata.name! });
    }
  }

  /** The pods of every Deployment among `objects`, by `namespace/name`. */
  public static deploymentPods(objects: readonly KubeObject[]): PodRef[] {
    return objects.filter((o) => o.kind === 'Deployment').map((d) => ({
      namespace: d.metadata.namespace!,
      name: `${d.metadata.namespace}/${d.metadata.name}`,
      labels: (d.spec as { template: { metadata: { labels: Record<string, string> } } }).template.metadata.labels,
    }));
  }

  /** Whether `from`'s egress lets it open a TCP connection to `to` on `port`. */
  public egressAllows(from: PodRef, to: PodRef, port: number): boolean {
    return this.directionAllows('Egress', from, to, port);
  }

  /** Whether `to`'s ingress admits a TCP connection from `from` on `port`. */
  public ingressAllows(from: PodRef, to: PodRef, port: number): boolean {
    return this.directionAllows('Ingress', from, to, port);
  }

  /** Both ends agree: the connection is allowed. */
  public allows(from: PodRef, to: PodRef, port: number): boolean {
    return this.egressAllows(from, to, port) && this.ingressAllows(from, to, port);
  }

  private directionAllows(direction: 'Ingress' | 'Egress', from: PodRef, to: PodRef, port: number): boolean {
    const subject = direction === 'Egress' ? from : to;
    const peer = direction === 'Egress' ? to : from;
    const applying = this.policies.filter((p) => p.namespace === subject.namespace
      && selects(p.spec.podSelector, subject.labels)
      && (p.spec.policyTypes ?? ['Ingress']).includes(direction));
    if (applying.length === 0) return true;
    return applying.some((p) => ((direction === 'Egress' ? p.spec.egress : p.spec.ingress) ?? []).some((rule) => {
      const peers = direction === 'Egress' ? rule.to : rule.from;
      const portOk = !rule.ports || rule.ports.length === 0 || rule.ports.some((rp) => (rp.protocol ?? 'TCP') === 'TCP'
        && (rp.port === undefined || rp.port === port || (typeof rp.port === 'number' && rp.endPort !== undefined && rp.port <= port && port <= rp.endPort)));
      const peerOk = !peers || peers.length === 0 || peers.some((x) => this.peerMatches(x, p.namespace, peer));
      return portOk && peerOk;
    }));
  }

  private peerMatches(peer: Peer, policyNamespace: string, pod: PodRef): boolean {
    if (peer.ipBlock) return false;
    const namespaceOk = peer.namespaceSelector
      ? selects(peer.namespaceSelector, this.namespaceLabels.get(pod.namespace) ?? { 'kubernetes.io/metadata.name': pod.namespace })
      : pod.namespace === policyNamespace;
    return namespaceOk && selects(peer.podSelector, pod.labels);
  }
}
