// Public API of the gitops capability.
export * from './sync-wave';
export * from './manifest';
export * from './dependencies';
export * from './argocd-config';
export * from './gitops-delivery';
export * from './manifest-diff';
export * from './project-scope';
