// Public API of the policy capability.
export {};
