import { IRequestAuthorizer } from '../lib';
import { PlatformCore } from './core';

/** What the policy section of the reference platform created. */
export interface PolicySection {
  /** The OPA request authorizer the gateway calls. */
  readonly authorizer?: IRequestAuthorizer;
}

/** Adds the policy section to the reference platform. (Not built yet.) */
export function addPolicy(_core: PlatformCore): PolicySection {
  return {};
}
