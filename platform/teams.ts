import { Team, TeamProps } from '../lib';
import { PlatformCore } from './core';
import { NAMESPACES } from './namespaces';
import { TEAM_REGISTRIES } from './registries';

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
 * The two teams: catalog owns functions-catalog, orders functions-orders, each with its own
 * registry path. Plain data, so the admission rules (policy.ts, built before the teams) hold
 * each team's namespaces to the same registries the Team checks at synth.
 */
export const TEAMS: Readonly<Record<'catalog' | 'orders', TeamProps>> = {
  catalog: {
    name: 'catalog',
    namespaces: [NAMESPACES.catalog],
    group: 'catalog-developers',
    registries: [TEAM_REGISTRIES.catalog],
    ...MAX_CONTAINER,
  },
  orders: {
    name: 'orders',
    namespaces: [NAMESPACES.orders],
    group: 'orders-developers',
    registries: [TEAM_REGISTRIES.orders],
    ...MAX_CONTAINER,
  },
};

/**
 * Adds the two teams. Their quotas, LimitRanges and RBAC go to the base chart beside the
 * namespaces they govern (wave 0, before any function pod); quotas are computed from the
 * autoscalers with the default 20 % headroom.
 */
export function addTeams(core: PlatformCore): TeamsSection {
  const teams = {
    catalog: new Team(core.base, 'CatalogTeam', TEAMS.catalog),
    orders: new Team(core.base, 'OrdersTeam', TEAMS.orders),
  };
  return { teams };
}
