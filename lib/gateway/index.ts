// Public API of the gateway capability.
export * from './rate-limit';
export * from './route-policy';
export * from './gateway-provider';
export * from './gateway-providers';
export * from './envoy-gateway-provider';
export * from './traefik-provider';
export * from './kong-provider';
export * from './function-gateway';
export * from './gateway-route';
