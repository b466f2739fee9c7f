// Public API of the autoscaling capability.
export * from './scaling-behavior';
export * from './capacity-plan';
export * from './flash-sale';
export * from './keda-trigger';
export * from './function-autoscaler';
export * from './horizontal-function-autoscaler';
export * from './keda-function-autoscaler';
export * from './scale-to-zero-function-autoscaler';
export * from './pod-creation';
export * from './cluster-capacity';
export * from './gateway-capacity-report';
