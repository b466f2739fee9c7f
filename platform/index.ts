import { App } from 'cdk8s';
import { AutoscalingSection, addAutoscaling } from './autoscaling';
import { buildCore, PlatformCore } from './core';
import { GatewaySection, addGateway } from './gateway';
import { GitOpsSection, addGitOps } from './gitops';
import { ObservabilitySection, addObservability } from './observability';
import { PolicySection, addPolicy } from './policy';
import { addReachReport } from './reach';
import { addTeams, TeamsSection } from './teams';

export { NAMESPACES } from './namespaces';
export { CATALOG } from './catalog';
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

/**
 * The reference e-commerce platform. `main.ts` and the tests both build it through this
 * function, so what is tested is what ships. Sections are added in dependency order:
 * the gateway calls the policy's authorizer, observability watches what the gateway
 * and autoscalers expose, and GitOps delivers every chart the others created.
 */
export function buildReferencePlatform(app: App): ReferencePlatform {
  const core = buildCore(app);
  const autoscaling = addAutoscaling(core);
  const policy = addPolicy(core);
  const gateway = addGateway(core, { authorizer: policy.authorizer });
  const observability = addObservability(core, {
    gatewayMetrics: gateway.requestMetrics, edgeMetrics: gateway.gateway.edgeMetrics, authorizer: policy.authorizer,
  });
  addReachReport(core);
  const teams = addTeams(core);
  const teamCharts = [...Object.values(core.functionCharts), ...Object.values(autoscaling.charts)];
  const gitops = addGitOps(core, { teams, teamCharts });
  return { ...core, autoscaling, policy, gateway, observability, teams, gitops };
}
