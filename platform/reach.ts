import { ReachReport } from '../lib';
import { PlatformCore } from './core';

/**
 * Adds the reach report (`dist/reports/reach.md` and `reach.json`) beside the capacity report.
 * It reads every NetworkPolicy's reach at synth, so it can be added before the sections that
 * admit pods after it; it goes before GitOps, which delivers every chart and artifact.
 */
export function addReachReport(core: PlatformCore): ReachReport {
  return new ReachReport(core.base, 'Reach');
}
