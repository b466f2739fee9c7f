import { describeObject, KubeManifest } from './manifest';
import { factsOf, ObjectIndex, orderRespected, waveOrderProblems } from './object-index';
import { groupOf } from './sync-wave';

/** `from` must be applied after `to` (and, for a custom resource, after `to` is healthy). */
export interface ObjectDependency {
  readonly from: KubeManifest;
  readonly to: KubeManifest;
  /** Why `from` needs `to`, for messages: `spec.scaleTargetRef`, `metadata.namespace`, ... */
  readonly via: string;
}

/**
 * Every dependency between objects of `objects` that the platform's kinds express by name:
 * an object on its Namespace, a pod template on its RuntimeClass, ServiceAccount, ConfigMaps
 * and Secrets, a Gatekeeper constraint on its ConstraintTemplate, an autoscaler on its
 * target, a route on its Gateway and backends, a route policy on its target. References to
 * objects not in `objects` (installed elsewhere) are not dependencies here.
 */
export function findDependencies(objects: readonly KubeManifest[]): ObjectDependency[] {
  return new ObjectIndex(objects.map(factsOf)).dependencies().map((d) => ({ from: d.from.manifest, to: d.to.manifest, via: d.via }));
}

/**
 * Whether Argo CD applies `dep.to` before `dep.from`, given their waves: a later wave
 * always does; the same wave does only for two built-in kinds whose order Argo CD fixes
 * (Namespace before ServiceAccount before Deployment ...). A custom resource needs its
 * dependency in an earlier wave: Argo CD waits for health only between waves.
 */
export function isOrderRespected(dep: ObjectDependency, fromWave: number, toWave: number): boolean {
  if (fromWave !== toWave) return fromWave > toWave;
  const gk = (o: KubeManifest) => ({ group: groupOf(o.apiVersion), kind: o.kind });
  return orderRespected(gk(dep.from), gk(dep.to), fromWave, toWave);
}

/**
 * Messages for every dependency (found by {@link findDependencies}) the waves do not respect.
 * `waveOf` returns an object's wave; `applicationOf` (optional) the Application that owns it
 * and that Application's wave, since a dependency across Applications is ordered by the
 * Applications' waves.
 */
export function waveOrderViolations(
  dependencies: readonly ObjectDependency[],
  waveOf: (o: KubeManifest) => number | undefined,
  applicationOf?: (o: KubeManifest) => { readonly name: string; readonly wave: number } | undefined,
): string[] {
  return waveOrderProblems(dependencies, {
    describe: describeObject, waveOf, applicationOf, groupKindOf: (o) => ({ group: groupOf(o.apiVersion), kind: o.kind }),
  });
}
