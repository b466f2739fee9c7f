// Public API of the observability capability.
export * from './objectives';
export * from './promql';
export * from './rules';
export * from './dashboards';
export * from './alloy-config';
export * from './observability-stack';
export * from './rule-tests';
