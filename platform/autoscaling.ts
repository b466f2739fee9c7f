import { PlatformCore } from './core';

/** What the autoscaling section of the reference platform created. */
export interface AutoscalingSection {}

/** Adds the autoscaling section to the reference platform. (Not built yet.) */
export function addAutoscaling(_core: PlatformCore): AutoscalingSection {
  return {};
}
