import { Team } from '../lib';
import { PlatformCore } from './core';
import { NAMESPACES } from './namespaces';
import { FUNCTION_REGISTRY } from './policy';

/** The teams of the reference platform. */
export interface TeamsSection {
  /** By the functions namespace (catalog domain) each owns. */
  readonly teams: Readonly<Record<'catalog' | 'orders', Team>>;
}

/**
 * The container maxima of both teams' LimitRanges: the admission rules' limit ceiling
 * (policy.ts), which admits the largest reviewed sizing (search's 200m and 128Mi).
 */
const MAX_CONTAINER = { maxContainerCpu: '200m', maxContainerMemory: '128Mi' } as const;

/**
 * Adds the two teams: catalog owns functions-catalog, orders functions-orders. Their quotas,
 * LimitRanges and RBAC go to the base chart beside the namespaces they govern (wave 0, before
 * any function pod); quotas are computed from the autoscalers with the default 20 % headroom.
 */
export function addTeams(core: PlatformCore): TeamsSection {
  const teams = {
    catalog: new Team(core.base, 'CatalogTeam', {
      name: 'catalog',
      namespaces: [NAMESPACES.catalog],
      group: 'catalog-developers',
      registries: [FUNCTION_REGISTRY],
      ...MAX_CONTAINER,
    }),
    orders: new Team(core.base, 'OrdersTeam', {
      name: 'orders',
      namespaces: [NAMESPACES.orders],
      group: 'orders-developers',
      registries: [FUNCTION_REGISTRY],
      ...MAX_CONTAINER,
    }),
  };
  return { teams };
}
