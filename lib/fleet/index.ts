// Public API of the fleet capability.
export * from './fleet-cluster';
export * from './fleet';
export * from './region-loss';
