import { Construct } from 'constructs';
import { checkIntegerInRange } from '../core/names';
import { checkQuantity, parseQuantity } from '../core/quantity';
import { WasmFunction } from '../function/wasm-function';
import { OutputArtifact } from '../synth/output-artifact';
import { constructsOf } from '../synth/synth-session';
import { ceilSafe, fmt } from './capacity-plan';
import { FIXED_REPLICAS_MODE, FunctionAutoscaler, FunctionCapacity } from './function-autoscaler';
import { gatewayCapacities, renderGatewayCapacity } from './gateway-capacity-report';
import { HPA_SYNC_PERIOD_SECONDS, ScaleUpTiming } from './scaling-behavior';

/** Pods, CPU and memory that something other than the autoscaled functions requests. */
export interface ReservedCapacity {
  /** Pods. */
  readonly pods: number;
  /** CPU requests, as a quantity (for example "24"). */
  readonly cpuRequest: string;
  /** Memory requests, as a quantity (for example "96Gi"). */
  readonly memoryRequest: string;
}

/** The cluster the platform runs on, as the capacity check models it. */
export interface ClusterDescription {
  /** Name, for the report. */
  readonly name: string;
  /** Worker nodes that run functions. */
  readonly nodes: number;
  /** Allocatable CPU per node (`kubectl describe node`), less what DaemonSets request, as a quantity. */
  readonly allocatableCpuPerNode: string;
  /** Allocatable memory per node, less what DaemonSets request, as a quantity. */
  readonly allocatableMemoryPerNode: string;
  /**
   * The kubelet's `--max-pods`.
   * @default 110 (the kubelet's default)
   */
  readonly maxPodsPerNode?: number;
  /**
   * Prefix length of each node's pod CIDR (kube-controller-manager `--node-cidr-mask-size`):
   * a node cannot run more pods than its CIDR has addresses.
   * @default 24 (K3s's default: 254 pod IPs per node)
   */
  readonly nodeCidrMaskSize?: number;
  /**
   * DaemonSet pods on every node (CNI, node exporter, log shipper), which take pod slots.
   * @default 0
   */
  readonly daemonSetPodsPerNode?: number;
  /**
   * Nodes held back for failures and drains: the check runs on `nodes - spareNodes`.
   * @default 0
   */
  readonly spareNodes?: number;
  /**
   * What the rest of the platform (gateway, Prometheus, KEDA, Argo CD, ...) requests.
   * @default - nothing reserved
   */
  readonly otherWorkloads?: ReservedCapacity;
  /**
   * The nodes carry `topology.kubernetes.io/zone`, so functions may spread over zones
   * (`WasmFunction` `spreadOverZones`). K3s sets no zone label unless its operator does.
   * @default false
   */
  readonly zonesLabelled?: boolean;
}

/** The whole platform's demand at maxReplicas against the cluster. */
export interface ClusterCapacityResult {
  readonly cluster: ClusterDescription;
  readonly functions: readonly FunctionCapacity[];
  readonly maxPodsPerNode: number;
  readonly daemonSetPodsPerNode: number;
  /** `nodes - spareNodes`. */
  readonly usableNodes: number;
  /** `usableNodes × (maxPodsPerNode - daemonSetPodsPerNode)`. */
  readonly podSlots: number;
  readonly cpuCores: number;
  readonly memoryBytes: number;
  /** Sum of maxReplicas, and of the fixed replicas of functions without an autoscaler. */
  readonly functionPods: number;
  /** Function pods plus other workloads' pods. */
  readonly pods: number;
  /** Sum of maxReplicas (or fixed replicas) × CPU request, plus other workloads. */
  readonly cpuCoresRequested: number;
  /** Sum of maxReplicas (or fixed replicas) × memory request, plus other workloads. */
  readonly memoryBytesRequested: number;
  /** Lowest `--max-pods` that fits the pods on the usable nodes. */
  readonly requiredMaxPodsPerNode: number;
  /** Fewest nodes (spares included) that fit the pods at the current max pods per node. */
  readonly requiredNodesForPods: number;
  readonly requiredNodesForCpu: number;
  readonly requiredNodesForMemory: number;
  /** Everything that does not fit, as messages naming the numbers. */
  readonly problems: readonly string[];
}

const GIB = 2 ** 30;

/** Problems with the description's own fields. */
export function checkClusterDescription(c: ClusterDescription): string[] {
  const maxPods = c.maxPodsPerNode ?? 110;
  const mask = c.nodeCidrMaskSize ?? 24;
  const ds = c.daemonSetPodsPerNode ?? 0;
  const spare = c.spareNodes ?? 0;
  const errors = [
    checkIntegerInRange('cluster.nodes', c.nodes, 1, 5000),
    checkQuantity('cluster.allocatableCpuPerNode', c.allocatableCpuPerNode, '15500m'),
    checkQuantity('cluster.allocatableMemoryPerNode', c.allocatableMemoryPerNode, '60Gi'),
    checkIntegerInRange('cluster.maxPodsPerNode', maxPods, 1, 2048),
    checkIntegerInRange('cluster.nodeCidrMaskSize', mask, 16, 28),
    checkIntegerInRange('cluster.daemonSetPodsPerNode', ds, 0, Math.max(0, maxPods - 1)),
    checkIntegerInRange('cluster.spareNodes', spare, 0, Math.max(0, c.nodes - 1)),
  ];
  if (c.otherWorkloads) {
    errors.push(
      checkIntegerInRange('cluster.otherWorkloads.pods', c.otherWorkloads.pods, 0, 1_000_000),
      checkQuantity('cluster.otherWorkloads.cpuRequest', c.otherWorkloads.cpuRequest, '24'),
      checkQuantity('cluster.otherWorkloads.memoryRequest', c.otherWorkloads.memoryRequest, '96Gi'),
    );
  }
  const ips = podIpsPerNode(mask);
  if (Number.isInteger(mask) && Number.isInteger(maxPods) && maxPods > ips) {
    errors.push(`cluster.maxPodsPerNode (${maxPods}) exceeds the ${ips} pod IPs of a /${mask} node CIDR: set nodeCidrMaskSize to ${maskFor(maxPods)} or lower (kube-controller-manager --node-cidr-mask-size), or lower maxPodsPerNode`);
  }
  for (const [field, v] of [['allocatableCpuPerNode', c.allocatableCpuPerNode], ['allocatableMemoryPerNode', c.allocatableMemoryPerNode]] as const) {
    if (parseQuantity(v) === 0) errors.push(`cluster.${field} ("${v}") must be above 0`);
  }
  return errors.filter((e): e is string => e !== undefined);
}

/** Usable pod addresses in a node CIDR of prefix length `mask` (network and broadcast excluded). */
export function podIpsPerNode(mask: number): number {
  return 2 ** (32 - mask) - 2;
}

function maskFor(pods: number): number {
  let mask = 28;
  while (mask > 16 && podIpsPerNode(mask) < pods) mask--;
  return mask;
}

/**
 * The whole-platform check: the pods of every autoscaler at maxReplicas and of every
 * function without one at its fixed replicas (plus other workloads) against the node count, max pods per node and allocatable CPU and memory.
 * Aggregate arithmetic: it assumes the scheduler can pack pods onto any node (no
 * fragmentation, taints or affinity strand capacity).
 */
export function computeClusterCapacity(cluster: ClusterDescription, functions: readonly FunctionCapacity[]): ClusterCapacityResult {
  const maxPodsPerNode = cluster.maxPodsPerNode ?? 110;
  const ds = cluster.daemonSetPodsPerNode ?? 0;
  const spare = cluster.spareNodes ?? 0;
  const usableNodes = cluster.nodes - spare;
  const podsPerNode = maxPodsPerNode - ds;
  const cpuPerNode = parseQuantity(cluster.allocatableCpuPerNode) ?? NaN;
  const memPerNode = parseQuantity(cluster.allocatableMemoryPerNode) ?? NaN;
  const other = cluster.otherWorkloads;
  const otherPods = other?.pods ?? 0;
  const otherCpu = other ? parseQuantity(other.cpuRequest) ?? 0 : 0;
  const otherMem = other ? parseQuantity(other.memoryRequest) ?? 0 : 0;
  const known = (v: number) => (Number.isFinite(v) ? v : 0);

  const functionPods = functions.reduce((s, f) => s + f.maxReplicas, 0);
  const functionCpu = functions.reduce((s, f) => s + f.maxReplicas * known(f.cpuRequestCores), 0);
  const functionMem = functions.reduce((s, f) => s + f.maxReplicas * known(f.memoryRequestBytes), 0);
  const pods = functionPods + otherPods;
  const cpu = functionCpu + otherCpu;
  const mem = functionMem + otherMem;

  const result = {
    cluster,
    functions,
    maxPodsPerNode,
    daemonSetPodsPerNode: ds,
    usableNodes,
    podSlots: usableNodes * podsPerNode,
    cpuCores: usableNodes * cpuPerNode,
    memoryBytes: usableNodes * memPerNode,
    functionPods,
    pods,
    cpuCoresRequested: cpu,
    memoryBytesRequested: mem,
    requiredMaxPodsPerNode: ceilSafe(pods / usableNodes) + ds,
    requiredNodesForPods: ceilSafe(pods / podsPerNode) + spare,
    requiredNodesForCpu: ceilSafe(cpu / cpuPerNode) + spare,
    requiredNodesForMemory: ceilSafe(mem / memPerNode) + spare,
  };

  const problems: string[] = [];
  // The texts name fixed replicas only when some function has them, so they say what was summed.
  const anyFixed = functions.some((f) => f.kind === FIXED_REPLICAS_MODE);
  const replicasText = anyFixed ? 'maxReplicas (fixed replicas without an autoscaler)' : 'maxReplicas';
  const lowerText = anyFixed ? 'lower maxReplicas, fixed replicas' : 'lower maxReplicas';
  const nodesText = spare > 0 ? `${usableNodes} usable nodes (${cluster.nodes} - ${spare} spare)` : `${usableNodes} nodes`;
  const demand = (what: string, fn: string, total: string, otherText: string) =>
    other ? `${what} add up to ${fn} (+ ${otherText} for other workloads = ${total})` : `${what} add up to ${fn}`;

  if (pods > result.podSlots) {
    const perNode = ds > 0 ? `${podsPerNode} pods per node (maxPodsPerNode ${maxPodsPerNode} - ${ds} DaemonSet pods)` : `${podsPerNode} pods per node`;
    const mask = cluster.nodeCidrMaskSize ?? 24;
    const cidrNote = result.requiredMaxPodsPerNode > podIpsPerNode(mask)
      ? ` and nodeCidrMaskSize to ${maskFor(result.requiredMaxPodsPerNode)} or lower (a /${mask} gives ${podIpsPerNode(mask)} pod IPs)` : '';
    problems.push(`pods: ${demand(anyFixed ? "the autoscalers' maxReplicas and the fixed replicas" : "the autoscalers' maxReplicas", `${functionPods} pods`, `${pods} pods`, `${otherPods} pods`)}, but ${nodesText} × ${perNode} hold ${result.podSlots}: set maxPodsPerNode to at least ${result.requiredMaxPodsPerNode} (kubelet --max-pods)${cidrNote}, or run at least ${result.requiredNodesForPods} nodes at ${maxPodsPerNode} pods per node`);
  }
  if (cpu > result.cpuCores + 1e-9) {
    problems.push(`cpu: ${demand(`${replicasText} × CPU requests`, `${fmt(functionCpu)} cores`, `${fmt(cpu)} cores`, `${fmt(otherCpu)} cores`)}, but ${nodesText} × ${fmt(cpuPerNode)} allocatable cores hold ${fmt(result.cpuCores)}: run at least ${result.requiredNodesForCpu} nodes, or ${lowerText} or CPU requests`);
  }
  if (mem > result.memoryBytes + 1e-3) {
    problems.push(`memory: ${demand(`${replicasText} × memory requests`, gib(functionMem), gib(mem), gib(otherMem))}, but ${nodesText} × ${gib(memPerNode)} allocatable hold ${gib(result.memoryBytes)}: run at least ${result.requiredNodesForMemory} nodes, or ${lowerText} or memory requests`);
  }
  return { ...result, problems };
}

function gib(bytes: number): string {
  return `${fmt(bytes / GIB)} GiB`;
}

/** Props for {@link ClusterCapacity}. */
export interface ClusterCapacityProps {
  /** The cluster the platform runs on. */
  readonly cluster: ClusterDescription;
  /**
   * Where the capacity report is written, relative to the output folder. Keep it out of every
   * Argo CD application folder.
   * @default "reports/capacity.md"
   */
  readonly reportPath?: string;
}

/**
 * The platform-wide capacity check, run at synth over every {@link FunctionAutoscaler} in
 * the app and every {@link WasmFunction} without one: their pods at maxReplicas (or the
 * fixed replicas) must fit the cluster's pod slots, CPU and memory.
 * Also writes a capacity report for people beside the manifests. Create one per app.
 */
export class ClusterCapacity extends Construct {
  /** The cluster description. */
  public readonly cluster: ClusterDescription;
  /** The report file. */
  public readonly report: OutputArtifact;

  constructor(scope: Construct, id: string, props: ClusterCapacityProps) {
    super(scope, id);
    this.cluster = props.cluster;
    this.node.addValidation({
      validate: () => {
        const own = checkClusterDescription(this.cluster);
        if (own.length > 0) return own;
        const others = constructsOf(this.node.root).filter((c) => c instanceof ClusterCapacity && c !== this);
        const zoneSpread = this.cluster.zonesLabelled ? [] : WasmFunction.all(this.node.root).filter((fn) => fn.spreadsOverZones)
          .map((fn) => `function ${fn.namespace}/${fn.name} (${fn.node.path}) sets spreadOverZones, but cluster.zonesLabelled is not true: on nodes without topology.kubernetes.io/zone the scheduler ignores its spread constraints altogether; label the zones and set zonesLabelled, or drop spreadOverZones`);
        return [
          ...others.map((o) => `another ClusterCapacity exists at ${o.node.path}: describe the cluster once per app`),
          ...zoneSpread,
          ...this.compute().problems,
        ];
      },
    });
    this.report = new OutputArtifact(this, 'Report', {
      path: props.reportPath ?? 'reports/capacity.md',
      // The gateways' section is appended: its own file, so the capacity model stays apart.
      render: () => renderCapacityReport(this.compute()) + renderGatewayCapacity(gatewayCapacities(this.node.root)),
    });
  }

  /** The check's arithmetic over the app as it stands. */
  public compute(): ClusterCapacityResult {
    const root = this.node.root;
    const autoscaled = FunctionAutoscaler.all(root).map((a) => a.capacitySummary());
    // A fixed replica count takes its pods all the time, not only at a peak.
    const fixed = WasmFunction.all(root).filter((fn) => !fn.isAutoscaled).map(fixedReplicasCapacity);
    return computeClusterCapacity(this.cluster, [...autoscaled, ...fixed]);
  }
}

/** A function without an autoscaler as the capacity check sees it: its replicas are min and max. */
export function fixedReplicasCapacity(fn: WasmFunction): FunctionCapacity {
  const replicas = fn.replicas ?? 0;
  return {
    path: fn.node.path,
    functionName: fn.name,
    namespace: fn.namespace,
    kind: FIXED_REPLICAS_MODE,
    scaling: '-',
    minReplicas: replicas,
    maxReplicas: replicas,
    cpuRequestCores: fn.resources.cpuRequestCores,
    memoryRequestBytes: fn.resources.memoryRequestBytes,
    minToMax: { steps: 0, seconds: 0, path: [] },
    flashSales: [],
  };
}

function timing(t: ScaleUpTiming | undefined): string {
  if (!t) return 'never (scale-up disabled)';
  return t.steps === 0 ? 'at once' : `${fmt(t.seconds)} s (${t.steps} step${t.steps === 1 ? '' : 's'})`;
}

function percent(used: number, total: number): string {
  return total > 0 ? `${(used / total * 100).toFixed(1)} %` : '-';
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  return [
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`),
  ].join('\n');
}

/** The capacity report as Markdown: deterministic, so it diffs cleanly in review. */
export function renderCapacityReport(r: ClusterCapacityResult): string {
  const c = r.cluster;
  const fns = [...r.functions].sort((a, b) => `${a.namespace}/${a.functionName}`.localeCompare(`${b.namespace}/${b.functionName}`));
  const lines: string[] = [];
  lines.push('# Capacity report', '');
  lines.push('Written by the synth from the autoscalers and the cluster description. It is not a Kubernetes');
  lines.push('manifest and sits outside every Argo CD application folder. How the numbers are computed:');
  lines.push('the autoscaling section of the README.', '');
  lines.push(`## Cluster \`${c.name}\``, '');
  lines.push(`${c.nodes} nodes${r.cluster.spareNodes ? ` (${r.cluster.spareNodes} held spare, ${r.usableNodes} counted)` : ''}, `
    + `${c.allocatableCpuPerNode} CPU and ${c.allocatableMemoryPerNode} memory allocatable per node, `
    + `max ${r.maxPodsPerNode} pods per node${r.daemonSetPodsPerNode ? ` of which ${r.daemonSetPodsPerNode} DaemonSet pods` : ''}.`, '');
  lines.push(c.zonesLabelled
    ? 'Topology spread: every function over nodes (`kubernetes.io/hostname`); the nodes carry zones, so functions that set `spreadOverZones` spread over `topology.kubernetes.io/zone` too.'
    : 'Topology spread: over nodes only (`kubernetes.io/hostname`): the cluster description does not say the nodes carry `topology.kubernetes.io/zone` (K3s sets none), so no function spreads over zones.', '');
  lines.push(table(['resource', 'requested at maxReplicas', 'capacity', 'use', 'nodes needed'], [
    ['pods', `${r.pods}`, `${r.podSlots}`, percent(r.pods, r.podSlots), `${r.requiredNodesForPods}`],
    ['CPU (cores)', fmt(r.cpuCoresRequested), fmt(r.cpuCores), percent(r.cpuCoresRequested, r.cpuCores), `${r.requiredNodesForCpu}`],
    ['memory (GiB)', fmt(r.memoryBytesRequested / GIB), fmt(r.memoryBytes / GIB), percent(r.memoryBytesRequested, r.memoryBytes), `${r.requiredNodesForMemory}`],
  ].map((row) => row.map(String))), '');
  if (c.otherWorkloads) {
    lines.push(`Requested includes ${c.otherWorkloads.pods} pods, ${c.otherWorkloads.cpuRequest} CPU and ${c.otherWorkloads.memoryRequest} memory for other workloads.`, '');
  }
  lines.push(r.problems.length === 0 ? 'Result: **fits**.' : `Result: **does not fit**:\n\n${r.problems.map((p) => `- ${p}`).join('\n')}`, '');

  lines.push('## Functions', '');
  lines.push(table(['function', 'scaled by', 'scales on', 'min', 'max', 'min to max, fastest'], fns.map((f) => [
    `${f.namespace}/${f.functionName}`, f.kind, f.scaling, `${f.minReplicas}`, `${f.maxReplicas}`,
    f.kind === FIXED_REPLICAS_MODE ? '-' : timing(f.minToMax),
  ])), '');
  if (fns.some((f) => f.kind === FIXED_REPLICAS_MODE)) {
    lines.push(`"${FIXED_REPLICAS_MODE}": a function without an autoscaler; its replicas count as min and max.`, '');
  }
  lines.push(`"min to max, fastest": HPA syncs every ${HPA_SYNC_PERIOD_SECONDS} s, each step as large as the scale-up policies allow, the metric asking for max from the first sync on; add the reaction time below and pod start.`, '');

  const planned = fns.filter((f) => f.plan);
  if (planned.length > 0) {
    lines.push('## Capacity at peak and burst headroom', '');
    lines.push(table(
      ['function', 'peak req/s', 'per pod req/s (target)', 'replicas at peak', 'req/s at max', 'floor req/s', 'burst req/s', 'headroom req/s', 'reaction'],
      planned.map((f) => {
        const p = f.plan!;
        return [
          `${f.namespace}/${f.functionName}`,
          fmt(p.peakRequestsPerSecond),
          `${fmt(p.requestsPerPodPerSecond)} (${fmt(p.targetRequestsPerPod)})`,
          `${p.replicasAtPeak} of ${f.maxReplicas}`,
          fmt(p.requestsPerSecondAtMax),
          fmt(p.floorRequestsPerSecond),
          p.burstRequestsPerSecond !== undefined ? fmt(p.burstRequestsPerSecond) : '-',
          p.burstHeadroomRequestsPerSecond !== undefined ? fmt(p.burstHeadroomRequestsPerSecond) : '-',
          `${fmt(p.reaction.totalSeconds)} s`,
        ];
      }),
    ), '');
    lines.push(`Reaction = ${HPA_SYNC_PERIOD_SECONDS} s HPA sync + metrics lag of the scaling metric (the interval its metrics are really scraped at, plus half the window for a request rate; 15 s for CPU/memory) + pod start. Floor = minReplicas × per-pod throughput, which must absorb the burst before new pods serve.`, '');
  }

  const windows = fns.flatMap((f) => f.flashSales.map((w) => ({ f, w })));
  if (windows.length > 0) {
    lines.push('## Flash-sale windows', '');
    lines.push(table(['function', 'window', 'sale', 'timezone', 'replicas', 'pre-scale', 'min to window, fastest'], windows.map(({ f, w }) => [
      `${f.namespace}/${f.functionName}`, w.name, w.schedule, w.timezone, `${w.replicas}`, `${w.prescaleMinutes} min before`, timing(w.reach),
    ])), '');
  }
  return `${lines.join('\n').trimEnd()}\n`;
}
