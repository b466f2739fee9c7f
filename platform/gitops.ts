import { Chart } from 'cdk8s';
import { GitOpsDelivery } from '../lib';
import { PlatformCore } from './core';

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
}

/**
 * Adds the gitops section to the reference platform. It runs last: it delivers every
 * chart the other sections created and assigns every object its sync wave.
 */
export function addGitOps(core: PlatformCore): GitOpsSection {
  const chart = new Chart(core.app, 'Gitops', { namespace: 'argocd' });
  const delivery = new GitOpsDelivery(chart, 'Delivery', {
    repoUrl: GITOPS_REPOSITORY.url,
    targetRevision: GITOPS_REPOSITORY.revision,
    pathPrefix: GITOPS_REPOSITORY.pathPrefix,
    projectName: 'ecommerce-platform',
  });
  return { chart, delivery };
}
