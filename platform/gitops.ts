import { Chart } from 'cdk8s';
import { FleetCluster, GitOpsDelivery, Team, TeamProject } from '../lib';
import { PlatformCore } from './core';
import { TeamsSection } from './teams';

/** Where the platform's GitOps repository lives and what Argo CD tracks. */
export const GITOPS_REPOSITORY = {
  url: 'https://git.shop.example.com/platform/wasm-functions.git',
  revision: 'main',
  pathPrefix: 'dist',
} as const;

/** What the gitops section of the reference platform created. */
export interface GitOpsSection {
  /** The chart of the Argo CD objects (`dist/gitops/`, the root Application's path). */
  readonly chart: Chart;
  /** The AppProject, the app of apps and the waves of every object. */
  readonly delivery: GitOpsDelivery;
  /** Each team's AppProject, by team, for the team's own Applications. */
  readonly teamProjects: Readonly<Record<string, TeamProject>>;
}

/**
 * Adds the gitops section to the reference platform. It runs last: it delivers every
 * chart the other sections created and assigns every object its sync wave. Beside the
 * platform's AppProject, each team gets one for its own Applications.
 */
/** What the gitops section needs from the sections before it. */
export interface GitOpsInputs {
  /** The teams: each gets an AppProject. */
  readonly teams: TeamsSection;
  /** Charts delivered through the project of the team that owns their namespace. */
  readonly teamCharts: readonly Chart[];
  /**
   * The fleet cluster this platform is built for: its delivery is planned for the fleet's
   * ApplicationSet, and its projects and Applications carry its name.
   * @default - a single cluster, delivered by its own root Application
   */
  readonly cluster?: FleetCluster;
}

export function addGitOps(core: PlatformCore, inputs: GitOpsInputs): GitOpsSection {
  const cluster = inputs.cluster;
  const chart = new Chart(core.app, 'Gitops', { namespace: 'argocd' });
  const teamProjects: Record<string, TeamProject> = {};
  for (const [key, team] of Object.entries(inputs.teams.teams)) {
    teamProjects[key] = new TeamProject(chart, `${key[0].toUpperCase()}${key.slice(1)}Project`, {
      team,
      repoUrl: GITOPS_REPOSITORY.url,
      ...(cluster ? { projectName: cluster.scopedName(team.name), destinationServer: cluster.server } : {}),
    });
  }
  const projectOfTeam = (team: Team | undefined) => (team && cluster ? cluster.scopedName(team.name) : team?.name);
  const delivery = new GitOpsDelivery(chart, 'Delivery', {
    repoUrl: GITOPS_REPOSITORY.url,
    targetRevision: GITOPS_REPOSITORY.revision,
    pathPrefix: GITOPS_REPOSITORY.pathPrefix,
    projectName: 'ecommerce-platform',
    ...(cluster ? cluster.deliveryProps('ecommerce-platform') : {}),
    // A team's functions and autoscalers go through the team's project: Argo CD refuses them
    // anything outside its namespace and kinds. The routes stay in the platform's: they carry
    // the gateway's rate limits and authorization, and a woken function's route lives in keda.
    projectOf: (chart) => (inputs.teamCharts.includes(chart) ? projectOfTeam(teamOf(inputs.teams, chart.namespace)) : undefined),
  });
  return { chart, delivery, teamProjects };
}

function teamOf(teams: TeamsSection, namespace: string | undefined): Team | undefined {
  return Object.values(teams.teams).find((t) => namespace !== undefined && t.namespaces.includes(namespace));
}
