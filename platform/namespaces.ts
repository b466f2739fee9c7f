/** Namespaces of the reference platform. */
export const NAMESPACES = {
  catalog: 'functions-catalog',
  orders: 'functions-orders',
  gateway: 'gateway',
  monitoring: 'monitoring',
} as const;
