// Public API of the tenancy capability: teams, their quotas, RBAC and AppProjects.
export * from './namespace-demand';
export * from './team-resources';
export * from './team';
export * from './team-project';
