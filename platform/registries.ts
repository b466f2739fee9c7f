/** Registry path the image pipeline publishes functions to. */
export const FUNCTION_REGISTRY = 'registry.shop.example.com/functions/';

/**
 * Each team's path under it: the pipeline publishes a team's functions only there, so
 * admission can tell one team's images from another's (see `TEAMS` in teams.ts).
 */
export const TEAM_REGISTRIES = {
  catalog: `${FUNCTION_REGISTRY}catalog/`,
  orders: `${FUNCTION_REGISTRY}orders/`,
} as const;
