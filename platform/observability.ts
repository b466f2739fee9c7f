import { RequestMetrics } from '../lib';
import { PlatformCore } from './core';

/** What the observability section needs from the sections before it. */
export interface ObservabilityInputs {
  /** The gateway's request metrics, when the gateway measures requests. */
  readonly gatewayMetrics?: RequestMetrics;
}

/** What the observability section of the reference platform created. */
export interface ObservabilitySection {}

/** Adds the observability section to the reference platform. (Not built yet.) */
export function addObservability(_core: PlatformCore, _inputs: ObservabilityInputs): ObservabilitySection {
  return {};
}
