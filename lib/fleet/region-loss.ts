import { ceilSafe, fmt } from '../autoscaling/capacity-plan';
import { ClusterCapacityResult } from '../autoscaling/cluster-capacity';
import { FleetCluster } from './fleet-cluster';

/** One cluster's capacity check, computed. */
export interface FleetCapacity {
  readonly cluster: FleetCluster;
  readonly result: ClusterCapacityResult;
}

/** One function of a surviving cluster after a region is lost. */
export interface AbsorbedFunction {
  readonly namespace: string;
  readonly functionName: string;
  /** Its peak in this cluster before the loss, requests/s. */
  readonly peakBefore: number;
  /** Its peak after the lost region's traffic is spread over the survivors by their weights. */
  readonly peakAfter: number;
  /** Replicas the new peak needs at the plan's target utilization. */
  readonly replicasNeeded: number;
  readonly maxReplicas: number;
  /** Share of the new peak maxReplicas serves (1 when it absorbs it). */
  readonly servedFraction: number;
}

/** A surviving cluster after a region is lost. */
export interface SurvivingCluster {
  readonly cluster: string;
  /** Its traffic share of the environment after the loss, in percent. */
  readonly sharePercent: number;
  readonly functions: readonly AbsorbedFunction[];
  /** Functions with no capacity plan: their peak is not declared, so not assessed. */
  readonly unassessed: readonly string[];
}

/** What losing one region of an environment does to the rest of it. */
export interface RegionLoss {
  readonly environment: string;
  readonly region: string;
  /** The lost clusters' share of the environment's traffic, in percent. */
  readonly lostPercent: number;
  readonly survivors: readonly SurvivingCluster[];
  /** Whether every surviving function's new peak fits its maxReplicas. */
  readonly absorbed: boolean;
}

/**
 * For every environment with more than one region, and every region of it: the lost
 * clusters' traffic goes to the others in proportion to their weights (a load balancer
 * dropping a backend), so each survivor's peak grows by `100 / (100 - lost share)`. A
 * function absorbs it when the replicas the new peak needs fit its maxReplicas; the pods
 * at maxReplicas already fit the survivor's nodes (its own capacity check).
 */
export function computeRegionLoss(capacities: readonly FleetCapacity[]): RegionLoss[] {
  const losses: RegionLoss[] = [];
  const environments = [...new Set(capacities.map((c) => c.cluster.environment))];
  for (const environment of environments) {
    const members = capacities.filter((c) => c.cluster.environment === environment);
    const regions = [...new Set(members.map((c) => c.cluster.region))];
    if (regions.length < 2) continue;
    for (const region of regions) {
      const lostPercent = members.filter((c) => c.cluster.region === region).reduce((s, c) => s + c.cluster.trafficPercent, 0);
      const factor = 100 / (100 - lostPercent);
      const survivors = members.filter((c) => c.cluster.region !== region).map((c): SurvivingCluster => {
        const functions: AbsorbedFunction[] = [];
        const unassessed: string[] = [];
        for (const fn of c.result.functions) {
          if (!fn.plan) {
            unassessed.push(`${fn.namespace}/${fn.functionName}`);
            continue;
          }
          const peakAfter = fn.plan.peakRequestsPerSecond * factor;
          const replicasNeeded = ceilSafe(peakAfter / fn.plan.targetRequestsPerPod);
          functions.push({
            namespace: fn.namespace,
            functionName: fn.functionName,
            peakBefore: fn.plan.peakRequestsPerSecond,
            peakAfter,
            replicasNeeded,
            maxReplicas: fn.maxReplicas,
            servedFraction: Math.min(1, (fn.maxReplicas * fn.plan.targetRequestsPerPod) / peakAfter),
          });
        }
        return { cluster: c.cluster.name, sharePercent: c.cluster.trafficPercent * factor, functions, unassessed };
      });
      const absorbed = survivors.every((s) => s.functions.every((f) => f.replicasNeeded <= f.maxReplicas));
      losses.push({ environment, region, lostPercent, survivors, absorbed });
    }
  }
  return losses;
}

/** The fleet report: every cluster's capacity at its share, and every region loss. */
export function renderFleetReport(capacities: readonly FleetCapacity[], losses: readonly RegionLoss[]): string {
  const lines: string[] = [
    '# Fleet capacity',
    '',
    'Generated at synth from every cluster\'s capacity check (each cluster\'s own report is',
    '`clusters/<cluster>/reports/capacity.md`). Pods, CPU and memory are the requests at every',
    'function\'s maxReplicas, with rollout surge, RuntimeClass overhead and the platform\'s pods.',
    '',
    '| cluster | environment | region | traffic share | nodes | pods / slots | CPU requested / allocatable | memory requested / allocatable | binding |',
    '|---|---|---|---:|---:|---:|---:|---:|---|',
  ];
  for (const { cluster, result: r } of capacities) {
    lines.push(`| ${cluster.name} | ${cluster.environment} | ${cluster.region} | ${fmt(cluster.trafficPercent)} % | ${r.cluster.nodes} | `
      + `${r.pods} / ${r.podSlots} | ${fmt(round(r.cpuCoresRequested))} / ${fmt(round(r.cpuCores))} cores | `
      + `${gib(r.memoryBytesRequested)} / ${gib(r.memoryBytes)} GiB | ${r.binding} |`);
  }
  lines.push('', '## Losing a region', '');
  if (losses.length === 0) {
    lines.push('No environment has clusters in more than one region: a region loss takes its environment down.');
  }
  for (const loss of losses) {
    const verdict = loss.absorbed
      ? 'the other clusters absorb its traffic within their maxReplicas.'
      : '**the other clusters cannot absorb its traffic**: the functions below stop at maxReplicas.';
    lines.push(`### ${loss.environment}: ${loss.region} lost (${fmt(loss.lostPercent)} % of the traffic)`, '', `When ${loss.region} fails, ${verdict}`, '');
    for (const s of loss.survivors) {
      lines.push(`${s.cluster} takes ${fmt(round(s.sharePercent))} % of the ${loss.environment} traffic:`, '',
        '| function | peak before (req/s) | peak after (req/s) | replicas needed | maxReplicas | served |',
        '|---|---:|---:|---:|---:|---:|');
      for (const f of s.functions) {
        const served = f.servedFraction >= 1 ? '100 %' : `**${fmt(Math.floor(f.servedFraction * 1000) / 10)} %**`;
        lines.push(`| ${f.namespace}/${f.functionName} | ${fmt(round(f.peakBefore))} | ${fmt(round(f.peakAfter))} | ${f.replicasNeeded} | ${f.maxReplicas} | ${served} |`);
      }
      if (s.unassessed.length > 0) lines.push('', `Not assessed (no capacity plan): ${s.unassessed.join(', ')}.`);
      lines.push('');
    }
  }
  return lines.join('\n').replace(/\n+$/, '') + '\n';
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

function gib(bytes: number): string {
  return fmt(Math.round((bytes / 1024 ** 3) * 10) / 10);
}
