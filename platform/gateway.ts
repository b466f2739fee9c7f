import { IRequestAuthorizer, RequestMetrics } from '../lib';
import { PlatformCore } from './core';

/** What the gateway section needs from the sections before it. */
export interface GatewayInputs {
  /** The OPA request authorizer from the policy section. */
  readonly authorizer?: IRequestAuthorizer;
}

/** What the gateway section of the reference platform created. */
export interface GatewaySection {
  /** The request metrics the gateway exports, for SLOs and dashboards. */
  readonly requestMetrics?: RequestMetrics;
}

/** Adds the gateway section to the reference platform. (Not built yet.) */
export function addGateway(_core: PlatformCore, _inputs: GatewayInputs): GatewaySection {
  return {};
}
