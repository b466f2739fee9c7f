// Public API of the autoscaling capability.
export {};
