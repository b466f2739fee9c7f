import { oneLine } from '../core/names';
import { describeObject, KubeManifest } from './manifest';
import { groupKindName, groupOf, GroupKind } from './sync-wave';

/** What an Argo CD AppProject admits, as its spec says it. */
export interface AppProjectScope {
  /** Where its Applications may deliver; a namespace may be a glob (`*`, `functions-*`). */
  readonly destinations?: readonly { readonly server?: string; readonly namespace?: string }[];
  /** Namespaced kinds it admits; unset admits every namespaced kind (Argo CD's rule). */
  readonly namespaceResourceWhitelist?: readonly GroupKind[];
  /** Cluster-scoped kinds it admits; unset admits none (Argo CD's rule). */
  readonly clusterResourceWhitelist?: readonly GroupKind[];
}

/**
 * Why Argo CD would refuse to sync `manifests` as Application `app` of project `project`:
 * one message per object outside the project's destinations or kinds. Argo CD reports these
 * only when it syncs, as "resource ... is not permitted in project"; here they fail the synth.
 */
export function projectScopeViolations(app: string, project: string, scope: AppProjectScope, manifests: readonly KubeManifest[]): string[] {
  const problems: string[] = [];
  const namespaces = (scope.destinations ?? []).map((d) => d.namespace ?? '');
  const where = `Application "${oneLine(app)}" is in AppProject "${oneLine(project)}", which does not admit`;
  for (const m of manifests) {
    const gk = { group: groupOf(m.apiVersion), kind: m.kind };
    const ns = m.metadata?.namespace;
    if (ns === undefined) {
      if (!admits(scope.clusterResourceWhitelist ?? [], gk)) {
        problems.push(`${where} ${describeObject(m)}: the cluster-scoped kind ${groupKindName(gk)} is not in its clusterResourceWhitelist; deliver the object through a project that admits it`);
      }
      continue;
    }
    if (!namespaces.some((pattern) => glob(pattern).test(ns))) {
      problems.push(`${where} ${describeObject(m)}: namespace "${oneLine(ns)}" is not among its destinations (${namespaces.map((n) => `"${oneLine(n)}"`).join(', ')}); deliver the object through the project of its namespace`);
    }
    if (scope.namespaceResourceWhitelist !== undefined && !admits(scope.namespaceResourceWhitelist, gk)) {
      problems.push(`${where} ${describeObject(m)}: kind ${groupKindName(gk)} is not in its namespaceResourceWhitelist; add it to the project's kinds, or deliver the object through another project`);
    }
  }
  return problems;
}

function admits(list: readonly GroupKind[], gk: GroupKind): boolean {
  return list.some((k) => glob(k.group).test(gk.group) && glob(k.kind).test(gk.kind));
}

/** Argo CD's destination and kind patterns: `*` matches any run of characters. */
function glob(pattern: string): RegExp {
  return new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
}
