// Public API of the gitops capability.
export {};
