import { Construct, IConstruct } from 'constructs';
import { isReachSource, PodGroup, ReachConnection, sortConnections } from '../core/reach';
import { FunctionGateway } from '../gateway/function-gateway';
import { OutputArtifact } from '../synth/output-artifact';
import { constructsOf } from '../synth/synth-session';

/** Props for {@link ReachReport}. */
export interface ReachReportProps {
  /**
   * Where the report for people is written, relative to the output folder. Keep it out of
   * every Argo CD application folder.
   * @default "reports/reach.md"
   */
  readonly markdownPath?: string;
  /**
   * Where the machine-readable reach (version 1: workloads and connections) is written, for
   * the conformance engine that holds it against a NetworkPolicy analyzer's reading of dist/.
   * @default "reports/reach.json"
   */
  readonly jsonPath?: string;
}

/** The reach of an app: every pod group its NetworkPolicies name and every connection they allow. */
export interface Reach {
  readonly version: 1;
  readonly workloads: readonly PodGroup[];
  readonly connections: readonly ReachConnection[];
}

/**
 * Reads, at synth, every construct whose NetworkPolicies allow a path (functions, the
 * authorizer) and every gateway route. Workloads are sorted by name; a name that two
 * constructs describe with different labels is reported by {@link ReachReport}.
 */
export function computeReach(root: IConstruct): Reach {
  const byName = new Map<string, PodGroup>();
  const connections: ReachConnection[] = [];
  for (const source of constructsOf(root).filter(isReachSource)) {
    const d = source.reachDeclaration();
    for (const w of d.workloads) if (!byName.has(w.name)) byName.set(w.name, w);
    connections.push(...d.connections);
  }
  const workloads = [...byName.keys()].sort().map((k) => {
    const w = byName.get(k)!;
    const labels = Object.fromEntries(Object.keys(w.podLabels).sort().map((l) => [l, w.podLabels[l]]));
    return { name: w.name, namespace: w.namespace, podLabels: labels, source: w.source };
  });
  return { version: 1, workloads, connections: sortConnections(connections) };
}

/**
 * The reach report, written in the same atomic step as the manifests and the capacity
 * report: `reports/reach.md` for reviewers (per route, who may call it and through which
 * limit; per workload, which pods may reach which port and where it may connect) and
 * `reports/reach.json` for the conformance engine. Both change exactly when a NetworkPolicy's
 * reach does, so `npm run diff` names a change of reach. Create one per app.
 */
export class ReachReport extends Construct {
  /** The report for people. */
  public readonly markdown: OutputArtifact;
  /** The machine-readable reach. */
  public readonly json: OutputArtifact;

  constructor(scope: Construct, id: string, props: ReachReportProps = {}) {
    super(scope, id);
    this.node.addValidation({ validate: () => this.validate() });
    this.markdown = new OutputArtifact(this, 'Markdown', {
      path: props.markdownPath ?? 'reports/reach.md',
      render: () => renderReachMarkdown(computeReach(this.node.root), FunctionGateway.all(this.node.root as Construct)),
    });
    this.json = new OutputArtifact(this, 'Json', {
      path: props.jsonPath ?? 'reports/reach.json',
      render: () => `${JSON.stringify(computeReach(this.node.root), null, 2)}\n`,
    });
  }

  private validate(): string[] {
    const problems: string[] = [];
    const others = constructsOf(this.node.root).filter((c) => c instanceof ReachReport && c !== this);
    problems.push(...others.map((o) => `another ReachReport exists at ${o.node.path}: write the reach once per app`));
    const seen = new Map<string, { labels: string; path: string }>();
    for (const source of constructsOf(this.node.root).filter(isReachSource)) {
      for (const w of source.reachDeclaration().workloads) {
        const labels = JSON.stringify(Object.entries(w.podLabels).sort());
        const first = seen.get(w.name);
        if (!first) {
          seen.set(w.name, { labels, path: source.node.path });
        } else if (first.labels !== labels) {
          problems.push(`pod group ${w.name} is described with different labels by ${first.path} and ${source.node.path}: one name must select one set of pods; give one of them another name or the same labels`);
          seen.set(w.name, { labels, path: source.node.path });
        }
      }
    }
    return problems;
  }
}

function labelsText(labels: Readonly<Record<string, string>>): string {
  return Object.keys(labels).map((k) => `${k}=${labels[k]}`).join(', ');
}

function portsText(conns: readonly ReachConnection[]): string {
  return conns.map((c) => `${c.protocol} ${c.port}`).join(', ');
}

/** Groups connections by the other end, in sorted order. */
function byPeer(conns: readonly ReachConnection[], peer: (c: ReachConnection) => string): [string, ReachConnection[]][] {
  const groups = new Map<string, ReachConnection[]>();
  for (const c of conns) groups.set(peer(c), [...(groups.get(peer(c)) ?? []), c]);
  return [...groups.entries()];
}

/** The Markdown report. */
export function renderReachMarkdown(reach: Reach, gateways: readonly FunctionGateway[]): string {
  const lines: string[] = [
    '# Reach',
    '',
    'Who may call what, as the NetworkPolicies in this folder allow it. Every namespace the',
    'library creates denies all ingress and egress by default; each workload gets back only',
    'the paths listed here (DNS, its declared callers and callees, the JWKS fetch). A call that',
    'is not listed is refused by the network, including one function calling another without',
    '`allowCallsTo`. Machine-readable: `reach.json`.',
    '',
    '## Routes',
    '',
  ];
  const routes = gateways.flatMap((g) => g.routes.map((r) => ({ g, r })));
  if (routes.length === 0) {
    lines.push('No gateway routes.');
  } else {
    lines.push('| gateway | route | function | who may call it | limit |', '|---|---|---|---|---|');
    for (const { g, r } of routes) {
      const fn = `${r.function.namespace}/${r.function.name}${r.canary ? ` (canary ${r.canary.function.name} ${r.canary.canaryWeight} %)` : ''}`;
      const who = !r.authorize ? `public (no identity checked): ${r.methods && r.methods.length > 0 ? r.methods.join(', ') : 'every method'}`
        : `authorized by ${g.authorizer ? `${g.authorizer.namespace}/${g.authorizer.serviceName}` : 'the authorizer'}: ${g.authorizer?.describeAccess?.(r.pathPrefix) ?? 'per its policy'}`;
      lines.push(`| ${g.namespace}/${g.name} | ${r.host ?? '*'}${r.pathPrefix} | ${fn} | ${who} | ${[r.rateLimit?.describe(), r.perUserRateLimit ? `per verified user: ${r.perUserRateLimit.averagePerSecond}/s` : undefined].filter((x) => x !== undefined).join('; ') || 'none'} |`);
    }
  }
  lines.push('', '## Workloads', '');
  for (const w of reach.workloads.filter((x) => x.source === 'dist')) {
    const inbound = reach.connections.filter((c) => c.to === w.name);
    const outbound = reach.connections.filter((c) => c.from === w.name);
    lines.push(`### ${w.name}`, '', `Pods: ${labelsText(w.podLabels)}`, '');
    lines.push('May be reached by:');
    if (inbound.length === 0) lines.push('- nobody');
    for (const [from, conns] of byPeer(inbound, (c) => c.from)) lines.push(`- ${from}: ${portsText(conns)}`);
    lines.push('', 'May connect to:');
    if (outbound.length === 0) lines.push('- nothing');
    for (const [to, conns] of byPeer(outbound, (c) => c.to)) lines.push(`- ${to}: ${portsText(conns)}`);
    lines.push('');
  }
  const installed = reach.workloads.filter((x) => x.source === 'installed');
  lines.push('## Pods installed by others', '', 'Selected by these labels; if an install labels its pods otherwise, the paths above are closed to it.', '');
  lines.push('| pods | labels |', '|---|---|');
  for (const w of installed) lines.push(`| ${w.name} | ${labelsText(w.podLabels)} |`);
  return `${lines.join('\n')}\n`;
}
