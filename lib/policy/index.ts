// Public API of the policy capability.
export * from './admission-rule';
export * from './admission-rules';
export * from './gatekeeper-constraint';
export * from './opa-authorizer';
export * from './pod-rules';
export * from './policy-bundle';
export * from './request-authorization-policy';
export * from './service-rules';
