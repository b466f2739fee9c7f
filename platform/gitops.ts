import { PlatformCore } from './core';

/** What the gitops section of the reference platform created. */
export interface GitOpsSection {}

/** Adds the gitops section to the reference platform. (Not built yet.) */
export function addGitOps(_core: PlatformCore): GitOpsSection {
  return {};
}
