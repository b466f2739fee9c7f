import { App } from 'cdk8s';
import { FleetCluster } from '../lib';
import { AutoscalingSection, addAutoscaling, ClusterSizing, SINGLE_CLUSTER_SIZING } from './autoscaling';
import { buildCore, PlatformCore } from './core';
import { GatewaySection, addGateway } from './gateway';
import { GitOpsSection, addGitOps } from './gitops';
import { ObservabilitySection, addObservability } from './observability';
import { PolicySection, addPolicy } from './policy';
import { addReachReport } from './reach';
import { addTeams, TeamsSection } from './teams';

export { NAMESPACES } from './namespaces';
export { CATALOG } from './catalog';
export { buildReferenceFleet, FLEET_CLUSTERS, platformTargetOf } from './fleet';
export type { PlatformCore } from './core';

/** Handles on everything {@link buildReferencePlatform} created, for tests. */
export interface ReferencePlatform extends PlatformCore {
  readonly autoscaling: AutoscalingSection;
  readonly policy: PolicySection;
  readonly gateway: GatewaySection;
  readonly observability: ObservabilitySection;
  readonly teams: TeamsSection;
  readonly gitops: GitOpsSection;
}

/** Which cluster {@link buildReferencePlatform} builds for. */
export interface PlatformTarget {
  /**
   * The fleet cluster, when the platform is one of a fleet's.
   * @default - a single cluster with its own Argo CD root Application
   */
  readonly cluster?: FleetCluster;
  /**
   * The cluster's nodes and its share of the platform's traffic and replicas.
   * @default SINGLE_CLUSTER_SIZING (the production cluster taking the whole peak)
   */
  readonly sizing?: ClusterSizing;
}

/**
 * The reference e-commerce platform. `main.ts` and the tests both build it through this
 * function, so what is tested is what ships. Sections are added in dependency order:
 * the gateway calls the policy's authorizer, observability watches what the gateway
 * and autoscalers expose, and GitOps delivers every chart the others created.
 */
export function buildReferencePlatform(app: App, target: PlatformTarget = {}): ReferencePlatform {
  const core = buildCore(app);
  const autoscaling = addAutoscaling(core, target.sizing ?? SINGLE_CLUSTER_SIZING);
  const policy = addPolicy(core);
  const gateway = addGateway(core, { authorizer: policy.authorizer, host: target.cluster?.hostnames?.[0] });
  const observability = addObservability(core, {
    gatewayMetrics: gateway.requestMetrics, edgeMetrics: gateway.gateway.edgeMetrics, authorizer: policy.authorizer,
  });
  addReachReport(core);
  const teams = addTeams(core);
  const teamCharts = [...Object.values(core.functionCharts), ...Object.values(autoscaling.charts)];
  const gitops = addGitOps(core, { teams, teamCharts, cluster: target.cluster });
  return { ...core, autoscaling, policy, gateway, observability, teams, gitops };
}
