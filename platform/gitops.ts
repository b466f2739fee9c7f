import { Chart } from 'cdk8s';
import { GitOpsDelivery, TeamProject } from '../lib';
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
export function addGitOps(core: PlatformCore, teams: TeamsSection): GitOpsSection {
  const chart = new Chart(core.app, 'Gitops', { namespace: 'argocd' });
  const teamProjects: Record<string, TeamProject> = {};
  for (const [key, team] of Object.entries(teams.teams)) {
    teamProjects[key] = new TeamProject(chart, `${key[0].toUpperCase()}${key.slice(1)}Project`, { team, repoUrl: GITOPS_REPOSITORY.url });
  }
  const delivery = new GitOpsDelivery(chart, 'Delivery', {
    repoUrl: GITOPS_REPOSITORY.url,
    targetRevision: GITOPS_REPOSITORY.revision,
    pathPrefix: GITOPS_REPOSITORY.pathPrefix,
    projectName: 'ecommerce-platform',
  });
  return { chart, delivery, teamProjects };
}
