import { Construct } from 'constructs';
import { checkIntegerInRange } from '../core/names';
import { isPlatformPodsSource, PlatformPods } from '../core/platform-pods';
import { checkQuantity, parseQuantity } from '../core/quantity';
import { WasmFunction } from '../function/wasm-function';
import { OutputArtifact } from '../synth/output-artifact';
import { constructsOf } from '../synth/synth-session';
import { ceilSafe, DEFAULT_POD_START_SECONDS, fmt } from './capacity-plan';
import { FIXED_REPLICAS_MODE, FunctionAutoscaler, FunctionCapacity, podCostsOf } from './function-autoscaler';
import { checkPodCreationRate, podCreationSeconds, PodCreationRate, ResolvedPodCreationRate, resolvePodCreationRate } from './pod-creation';
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
   * What the rest of the platform requests that no construct in the app creates or describes
   * (gateway proxies, Prometheus, KEDA, Argo CD, ...). The OPA authorizer and the KEDA HTTP
   * interceptor are counted from their constructs: leave them out of this.
   * @default - nothing reserved
   */
  readonly otherWorkloads?: ReservedCapacity;
  /**
   * Functions whose rollouts may run at once while they are at maxReplicas: the largest this
   * many surges (the Deployment's `maxSurge`, 25 % by default) count as pods, CPU and memory. A
   * rollout during a sale at maxReplicas is the worst case; one at a time assumes sales are a
   * change freeze for everything but a hotfix. A change to what every function renders (an
   * upgrade of this library) rolls them all at once: set this to the number of functions, or
   * ship such changes outside sales. 0 counts no surge.
   * @default 1
   */
  readonly concurrentRollouts?: number;
  /**
   * How fast the control plane creates pods: it bounds every climb from minReplicas to
   * maxReplicas, and all functions' climbs together in a sale.
   * @default - the Kubernetes 1.30 client limits: kube-controller-manager 20 requests/s (burst 30), kube-scheduler 50/s (burst 100)
   */
  readonly podCreation?: PodCreationRate;
  /**
   * The nodes carry `topology.kubernetes.io/zone`, so functions may spread over zones
   * (`WasmFunction` `spreadOverZones`). K3s sets no zone label unless its operator does.
   * @default false
   */
  readonly zonesLabelled?: boolean;
}

/** The pods, CPU and memory of one part of the demand. */
export interface DemandPart {
  /** What it is, for people. */
  readonly label: string;
  readonly pods: number;
  readonly cpuCores: number;
  readonly memoryBytes: number;
}

/** A rollout counted at maxReplicas. */
export interface CountedRollout {
  /** namespace/name of the function. */
  readonly function: string;
  /** Pods its rollout adds. */
  readonly surgePods: number;
  readonly maxReplicas: number;
}

/** A function's fastest climb from min to max replicas, bounded by the HPA's steps and by pod creation. */
export interface ClimbTiming {
  /** Seconds until the last pod is created (pods still have to start). */
  readonly seconds: number;
  /** "HPA steps", "pod creation", or "scale-up disabled". */
  readonly boundBy: string;
  /** Seconds the HPA's steps take (undefined: scale-up disabled). */
  readonly hpaSeconds?: number;
  readonly hpaSteps?: number;
  /** Seconds to create the pods alone, at the cluster's pod creation rate. */
  readonly creationSeconds: number;
  /** Pods created on the way. */
  readonly pods: number;
}

/** Flash-sale windows that start together, and what creating their pods takes. */
export interface SaleStart {
  /** The schedule and timezone they share. */
  readonly schedule: string;
  readonly timezone: string;
  /** function/window of each. */
  readonly windows: readonly string[];
  /** Pods created to reach every window's replicas from minReplicas. */
  readonly pods: number;
  /** Seconds of lead the shortest pre-scale gives. */
  readonly leadSeconds: number;
  /** HPA sync + the slower of the slowest HPA climb and pod creation + pod start. */
  readonly neededSeconds: number;
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
  /** The platform's own pods counted, one entry per workload. */
  readonly platformPods: readonly PlatformPods[];
  /** The largest surges, as many as `concurrentRollouts`. */
  readonly rollouts: readonly CountedRollout[];
  /** What adds up to the totals: function pods, rollout surge, RuntimeClass overhead, platform pods, other workloads. */
  readonly demand: readonly DemandPart[];
  /** Every part's pods. */
  readonly pods: number;
  /** Every part's CPU requests, in cores. */
  readonly cpuCoresRequested: number;
  /** Every part's memory requests, in bytes. */
  readonly memoryBytesRequested: number;
  /** The resource with the highest use: "pods", "cpu" or "memory". */
  readonly binding: string;
  /** The pod creation rate the climbs are computed with. */
  readonly podCreation: ResolvedPodCreationRate;
  /** Each function's fastest climb from min to max, by construct path. */
  readonly climbs: Readonly<Record<string, ClimbTiming>>;
  /** Every autoscaled function from min to max at once, the worst case of a sale. */
  readonly saleClimb: { readonly pods: number; readonly seconds: number };
  /** Flash-sale windows grouped by when they start. */
  readonly saleStarts: readonly SaleStart[];
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
  return [
    ...checkClusterFields(c),
    ...(c.concurrentRollouts !== undefined ? [checkIntegerInRange('cluster.concurrentRollouts', c.concurrentRollouts, 0, 10000)] : [])
      .filter((e): e is string => e !== undefined),
    ...checkPodCreationRate(c.podCreation),
  ];
}

function checkClusterFields(c: ClusterDescription): string[] {
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
 * The whole-platform check: the pods of every autoscaler at maxReplicas and of every function
 * without one at its fixed replicas, the surge of the largest rollouts, the RuntimeClass's
 * pod overhead, the platform's own pods and other workloads, against the node count, max pods
 * per node and allocatable CPU and memory; and the pod creation rate against every climb.
 * Aggregate arithmetic: it assumes the scheduler can pack pods onto any node (no
 * fragmentation, taints or affinity strand capacity).
 */
export function computeClusterCapacity(
  cluster: ClusterDescription, functions: readonly FunctionCapacity[], platformPods: readonly PlatformPods[] = [],
): ClusterCapacityResult {
  const maxPodsPerNode = cluster.maxPodsPerNode ?? 110;
  const ds = cluster.daemonSetPodsPerNode ?? 0;
  const spare = cluster.spareNodes ?? 0;
  const concurrentRollouts = cluster.concurrentRollouts ?? 1;
  const usableNodes = cluster.nodes - spare;
  const podsPerNode = maxPodsPerNode - ds;
  const cpuPerNode = parseQuantity(cluster.allocatableCpuPerNode) ?? NaN;
  const memPerNode = parseQuantity(cluster.allocatableMemoryPerNode) ?? NaN;
  const other = cluster.otherWorkloads;
  const known = (v: number | undefined) => (v !== undefined && Number.isFinite(v) ? v : 0);
  const name = (f: FunctionCapacity) => `${f.namespace}/${f.functionName}`;

  // The largest surges roll first in the worst case; ties in construction order, so the report is stable.
  const rolling = [...functions].map((f, i) => ({ f, i })).filter(({ f }) => known(f.surgePodsAtMax) > 0)
    .sort((a, b) => known(b.f.surgePodsAtMax) - known(a.f.surgePodsAtMax) || a.i - b.i)
    .slice(0, concurrentRollouts).map(({ f }) => f);
  const sum = (fs: readonly FunctionCapacity[], perFn: (f: FunctionCapacity) => number) => fs.reduce((s, f) => s + perFn(f), 0);
  const surge = (f: FunctionCapacity) => (rolling.includes(f) ? known(f.surgePodsAtMax) : 0);

  const demand: DemandPart[] = [{
    label: functions.some((f) => f.kind === FIXED_REPLICAS_MODE) ? 'function pods at maxReplicas (fixed replicas without an autoscaler)' : 'function pods at maxReplicas',
    pods: sum(functions, (f) => f.maxReplicas),
    cpuCores: sum(functions, (f) => f.maxReplicas * known(f.cpuRequestCores)),
    memoryBytes: sum(functions, (f) => f.maxReplicas * known(f.memoryRequestBytes)),
  }];
  if (rolling.length > 0) {
    demand.push({
      label: `rollout surge (${rolling.map((f) => `${name(f)} ${known(f.surgePodsAtMax)} pods`).join(', ')}; ${concurrentRollouts} at once)`,
      pods: sum(rolling, surge),
      cpuCores: sum(rolling, (f) => surge(f) * known(f.cpuRequestCores)),
      memoryBytes: sum(rolling, (f) => surge(f) * known(f.memoryRequestBytes)),
    });
  }
  const overheadCpu = sum(functions, (f) => (f.maxReplicas + surge(f)) * known(f.podOverheadCpuCores));
  const overheadMem = sum(functions, (f) => (f.maxReplicas + surge(f)) * known(f.podOverheadMemoryBytes));
  if (overheadCpu > 0 || overheadMem > 0) {
    demand.push({ label: 'RuntimeClass pod overhead', pods: 0, cpuCores: overheadCpu, memoryBytes: overheadMem });
  }
  const platform = dedupePlatformPods(platformPods);
  for (const p of platform) {
    demand.push({
      label: `${p.component} (${p.key}, ${p.source})`,
      pods: p.pods,
      cpuCores: p.pods * p.cpuRequestCores,
      memoryBytes: p.pods * p.memoryRequestBytes,
    });
  }
  if (other) {
    demand.push({
      label: 'other workloads',
      pods: other.pods,
      cpuCores: parseQuantity(other.cpuRequest) ?? 0,
      memoryBytes: parseQuantity(other.memoryRequest) ?? 0,
    });
  }
  const pods = demand.reduce((s, d) => s + d.pods, 0);
  const cpu = demand.reduce((s, d) => s + d.cpuCores, 0);
  const mem = demand.reduce((s, d) => s + d.memoryBytes, 0);
  const podSlots = usableNodes * podsPerNode;
  const cpuCores = usableNodes * cpuPerNode;
  const memoryBytes = usableNodes * memPerNode;
  const uses: [string, number][] = [['pods', pods / podSlots], ['cpu', cpu / cpuCores], ['memory', mem / memoryBytes]];
  const binding = uses.reduce((a, b) => (b[1] > a[1] ? b : a))[0];

  const rate = resolvePodCreationRate(cluster.podCreation);
  const climbs: Record<string, ClimbTiming> = {};
  for (const f of functions) {
    if (f.kind === FIXED_REPLICAS_MODE) continue;
    climbs[f.path] = climbOf(f.minToMax, f.maxReplicas - f.minReplicas, rate);
  }
  const salePods = sum(functions.filter((f) => f.kind !== FIXED_REPLICAS_MODE), (f) => f.maxReplicas - f.minReplicas);

  const result = {
    cluster,
    functions,
    maxPodsPerNode,
    daemonSetPodsPerNode: ds,
    usableNodes,
    podSlots,
    cpuCores,
    memoryBytes,
    functionPods: demand[0].pods,
    platformPods: platform,
    rollouts: rolling.map((f) => ({ function: name(f), surgePods: known(f.surgePodsAtMax), maxReplicas: f.maxReplicas })),
    demand,
    pods,
    cpuCoresRequested: cpu,
    memoryBytesRequested: mem,
    binding,
    podCreation: rate,
    climbs,
    saleClimb: { pods: salePods, seconds: podCreationSeconds(salePods, rate) },
    saleStarts: saleStartsOf(functions, rate),
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
  const extras = (unit: (d: DemandPart) => number, show: (v: number) => string) => demand.slice(1)
    .filter((d) => unit(d) > 0).map((d) => `${show(unit(d))} for ${extraName(d)}`);
  const demandText = (what: string, fn: string, total: string, parts: string[]) =>
    parts.length > 0 ? `${what} add up to ${fn} (+ ${parts.join(' + ')} = ${total})` : `${what} add up to ${fn}`;
  const surgeNote = rolling.length > 0 ? `, or lower maxSurge or cluster.concurrentRollouts (the surge counts ${demand[1].pods} pods)` : '';

  if (pods > result.podSlots) {
    const perNode = ds > 0 ? `${podsPerNode} pods per node (maxPodsPerNode ${maxPodsPerNode} - ${ds} DaemonSet pods)` : `${podsPerNode} pods per node`;
    const mask = cluster.nodeCidrMaskSize ?? 24;
    const cidrNote = result.requiredMaxPodsPerNode > podIpsPerNode(mask)
      ? ` and nodeCidrMaskSize to ${maskFor(result.requiredMaxPodsPerNode)} or lower (a /${mask} gives ${podIpsPerNode(mask)} pod IPs)` : '';
    const fnText = anyFixed ? "the autoscalers' maxReplicas and the fixed replicas" : "the autoscalers' maxReplicas";
    problems.push(`pods: ${demandText(fnText, `${demand[0].pods} pods`, `${pods} pods`, extras((d) => d.pods, (v) => `${v} pods`))}, but ${nodesText} × ${perNode} hold ${result.podSlots}: set maxPodsPerNode to at least ${result.requiredMaxPodsPerNode} (kubelet --max-pods)${cidrNote}, or run at least ${result.requiredNodesForPods} nodes at ${maxPodsPerNode} pods per node${surgeNote}`);
  }
  if (cpu > result.cpuCores + 1e-9) {
    problems.push(`cpu: ${demandText(`${replicasText} × CPU requests`, `${fmt(demand[0].cpuCores)} cores`, `${fmt(cpu)} cores`, extras((d) => d.cpuCores, (v) => `${fmt(v)} cores`))}, but ${nodesText} × ${fmt(cpuPerNode)} allocatable cores hold ${fmt(result.cpuCores)}: run at least ${result.requiredNodesForCpu} nodes, or ${lowerText} or CPU requests${surgeNote}`);
  }
  if (mem > result.memoryBytes + 1e-3) {
    problems.push(`memory: ${demandText(`${replicasText} × memory requests`, gib(demand[0].memoryBytes), gib(mem), extras((d) => d.memoryBytes, gib))}, but ${nodesText} × ${gib(memPerNode)} allocatable hold ${gib(result.memoryBytes)}: run at least ${result.requiredNodesForMemory} nodes, or ${lowerText} or memory requests${surgeNote}`);
  }
  for (const start of result.saleStarts) {
    if (start.neededSeconds > start.leadSeconds) {
      problems.push(`pod creation: the flash-sale windows starting ${start.schedule} (${start.timezone}) (${start.windows.join(', ')}) create ${start.pods} pods together, which takes at least ${fmt(start.neededSeconds)} s (${HPA_SYNC_PERIOD_SECONDS} s HPA sync + ${fmt(podCreationSeconds(start.pods, rate))} s at ${fmt(rate.podsPerSecond)} pods/s after a burst of ${rate.burst}, ${rate.boundBy} + ${DEFAULT_POD_START_SECONDS} s pod start), but the shortest pre-scale gives ${fmt(start.leadSeconds)} s: set prescaleMinutes to at least ${Math.ceil(start.neededSeconds / 60)}, or raise the ${rate.boundBy}'s API rate (cluster.podCreation)`);
    }
  }
  return { ...result, problems };
}

/** How a part reads in a problem message: what it is, without the figures the message already gives. */
function extraName(d: DemandPart): string {
  if (d.label.startsWith('rollout surge')) return "a rollout's surge";
  if (d.label === 'other workloads') return 'other workloads';
  if (d.label === 'RuntimeClass pod overhead') return 'RuntimeClass pod overhead';
  return `the ${d.label.replace(/ \(.*$/, '')}`;
}

/** One entry per workload: two descriptions of the same one (every scale-to-zero function names the interceptor) count once, at the larger. */
function dedupePlatformPods(all: readonly PlatformPods[]): PlatformPods[] {
  const byKey = new Map<string, PlatformPods>();
  for (const p of all) {
    const seen = byKey.get(p.key);
    if (!seen || p.pods > seen.pods) byKey.set(p.key, p);
  }
  return [...byKey.values()];
}

/** The climb from min to max: the HPA's steps and the pod creation rate, whichever is slower. */
export function climbOf(hpa: ScaleUpTiming | undefined, pods: number, rate: ResolvedPodCreationRate): ClimbTiming {
  const creationSeconds = podCreationSeconds(Math.max(0, pods), rate);
  if (!hpa) return { seconds: Infinity, boundBy: 'scale-up disabled', creationSeconds, pods };
  const byCreation = creationSeconds > hpa.seconds;
  return {
    seconds: Math.max(hpa.seconds, creationSeconds),
    boundBy: byCreation ? 'pod creation' : 'HPA steps',
    hpaSeconds: hpa.seconds,
    hpaSteps: hpa.steps,
    creationSeconds,
    pods,
  };
}

/** Flash-sale windows that start at the same moment share the pod creation rate: their pods queue together. */
function saleStartsOf(functions: readonly FunctionCapacity[], rate: ResolvedPodCreationRate): SaleStart[] {
  const groups = new Map<string, { schedule: string; timezone: string; windows: string[]; pods: number; lead: number; hpa: number }>();
  for (const f of functions) {
    for (const w of f.flashSales) {
      const key = `${w.schedule}\u0000${w.timezone}`;
      const g = groups.get(key) ?? { schedule: w.schedule, timezone: w.timezone, windows: [], pods: 0, lead: Infinity, hpa: 0 };
      g.windows.push(`${f.namespace}/${f.functionName} ${w.name}`);
      g.pods += Math.max(0, w.replicas - f.minReplicas);
      g.lead = Math.min(g.lead, w.prescaleMinutes * 60);
      g.hpa = Math.max(g.hpa, w.reach?.seconds ?? 0);
      groups.set(key, g);
    }
  }
  return [...groups.values()].map((g) => ({
    schedule: g.schedule,
    timezone: g.timezone,
    windows: g.windows,
    pods: g.pods,
    leadSeconds: g.lead,
    neededSeconds: HPA_SYNC_PERIOD_SECONDS + Math.max(g.hpa, podCreationSeconds(g.pods, rate)) + DEFAULT_POD_START_SECONDS,
  }));
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
    const platform = constructsOf(root).filter(isPlatformPodsSource).flatMap((c) => c.platformPods());
    return computeClusterCapacity(this.cluster, [...autoscaled, ...fixed], platform);
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
    ...podCostsOf(fn, replicas),
    minToMax: { steps: 0, seconds: 0, path: [] },
    flashSales: [],
  };
}

function climbText(c: ClimbTiming | undefined): string {
  if (!c || c.hpaSeconds === undefined) return 'never (scale-up disabled)';
  return c.seconds === 0 ? 'at once' : `${fmt(c.seconds)} s`;
}

function boundText(c: ClimbTiming | undefined, rate: ResolvedPodCreationRate): string {
  if (!c || c.hpaSeconds === undefined) return '-';
  if (c.seconds === 0) return '-';
  const hpa = `HPA ${fmt(c.hpaSeconds)} s, ${c.hpaSteps} step${c.hpaSteps === 1 ? '' : 's'}`;
  const creation = `${c.pods} pods at ${fmt(rate.podsPerSecond)}/s after a burst of ${rate.burst}: ${fmt(c.creationSeconds)} s`;
  return c.boundBy === 'pod creation' ? `pod creation (${creation}; ${hpa})` : `HPA steps (${hpa}; ${creation})`;
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
  lines.push(table(['resource', 'requested in a sale', 'capacity', 'use', 'nodes needed'], [
    ['pods', `${r.pods}`, `${r.podSlots}`, percent(r.pods, r.podSlots), `${r.requiredNodesForPods}`],
    ['CPU (cores)', fmt(r.cpuCoresRequested), fmt(r.cpuCores), percent(r.cpuCoresRequested, r.cpuCores), `${r.requiredNodesForCpu}`],
    ['memory (GiB)', fmt(r.memoryBytesRequested / GIB), fmt(r.memoryBytes / GIB), percent(r.memoryBytesRequested, r.memoryBytes), `${r.requiredNodesForMemory}`],
  ].map((row) => row.map(String))), '');
  const bindingName = { pods: 'pod slots', cpu: 'CPU', memory: 'memory' }[r.binding] ?? r.binding;
  lines.push(`Binding: **${bindingName}** (the highest use above).`, '');
  lines.push('What is requested, at every function\'s maxReplicas:', '');
  lines.push(table(['part', 'pods', 'CPU (cores)', 'memory (GiB)'], [
    ...r.demand.map((d) => [d.label, `${d.pods}`, fmt(d.cpuCores), fmt(d.memoryBytes / GIB)]),
    ['total', `${r.pods}`, fmt(r.cpuCoresRequested), fmt(r.memoryBytesRequested / GIB)],
  ]), '');
  const rollouts = c.concurrentRollouts ?? 1;
  lines.push(rollouts === 0
    ? 'Rollout surge: none counted (`concurrentRollouts` 0: no rollouts during a sale).'
    : `Rollout surge: the maxSurge at maxReplicas of the ${rollouts === 1 ? 'largest rollout' : `${rollouts} largest rollouts`}, as if ${rollouts === 1 ? 'it ran' : 'they ran'} during a sale (\`concurrentRollouts\` ${rollouts}).`, '');
  lines.push(r.problems.length === 0 ? 'Result: **fits**.' : `Result: **does not fit**:\n\n${r.problems.map((p) => `- ${p}`).join('\n')}`, '');

  const rate = r.podCreation;
  lines.push('## Pod creation', '');
  lines.push(`${fmt(rate.podsPerSecond)} pods/s after a burst of ${rate.burst}, bound by the ${rate.boundBy}: the ReplicaSet controller's API client allows ${fmt(rate.controllerManagerQps)} requests/s (burst ${rate.controllerManagerBurst}, \`--kube-api-qps\`/\`--kube-api-burst\`), the scheduler's ${fmt(rate.schedulerQps)}/s (burst ${rate.schedulerBurst}), one request per pod each, shared by every ReplicaSet in the cluster.`, '');
  lines.push(`Every autoscaled function from min to max at once, the worst case of a sale: ${r.saleClimb.pods} pods, at least ${fmt(r.saleClimb.seconds)} s to create.`, '');
  if (r.saleStarts.length > 0) {
    lines.push(table(['sale starts', 'timezone', 'windows', 'pods to create', 'needed', 'pre-scale lead'], r.saleStarts.map((st) => [
      st.schedule, st.timezone, st.windows.join(', '), `${st.pods}`, `${fmt(st.neededSeconds)} s`, `${fmt(st.leadSeconds)} s`,
    ])), '');
    lines.push(`Needed = ${HPA_SYNC_PERIOD_SECONDS} s HPA sync + the slower of the slowest window's HPA steps and creating the windows' pods together + ${DEFAULT_POD_START_SECONDS} s pod start.`, '');
  }

  lines.push('## Functions', '');
  lines.push(table(['function', 'scaled by', 'scales on', 'min', 'max', 'min to max, fastest', 'bound by'], fns.map((f) => [
    `${f.namespace}/${f.functionName}`, f.kind, f.scaling, `${f.minReplicas}`, `${f.maxReplicas}`,
    f.kind === FIXED_REPLICAS_MODE ? '-' : climbText(r.climbs[f.path]),
    f.kind === FIXED_REPLICAS_MODE ? '-' : boundText(r.climbs[f.path], rate),
  ])), '');
  if (fns.some((f) => f.kind === FIXED_REPLICAS_MODE)) {
    lines.push(`"${FIXED_REPLICAS_MODE}": a function without an autoscaler; its replicas count as min and max.`, '');
  }
  lines.push(`"min to max, fastest": the slower of the HPA's steps (a sync every ${HPA_SYNC_PERIOD_SECONDS} s, each step as large as the scale-up policies allow, the metric asking for max from the first sync on) and creating the pods at the rate above with the function alone on the cluster; add the reaction time below and pod start.`, '');

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
      `${f.namespace}/${f.functionName}`, w.name, w.schedule, w.timezone, `${w.replicas}`, `${w.prescaleMinutes} min before`,
      climbText(climbOf(w.reach, w.replicas - f.minReplicas, rate)),
    ])), '');
  }
  return `${lines.join('\n').trimEnd()}\n`;
}
