import { oneLine } from '../core/names';
import { arrayField, describeObject, field, KubeManifest, stringField } from './manifest';
import { ARGO_CD_KIND_ORDER, GATEKEEPER_CONSTRAINTS_GROUP, groupOf, isBuiltInGroup } from './sync-wave';

/** `from` must be applied after `to` (and, for a custom resource, after `to` is healthy). */
export interface ObjectDependency {
  readonly from: KubeManifest;
  readonly to: KubeManifest;
  /** Why `from` needs `to`, for messages: `spec.scaleTargetRef`, `metadata.namespace`, ... */
  readonly via: string;
}

interface Ref {
  readonly kind: string;
  readonly name: string | undefined;
  /** Undefined for a cluster-scoped target. */
  readonly namespace: string | undefined;
  readonly via: string;
  /** When set, the target's group must be this. */
  readonly group?: string;
}

const POD_TEMPLATE_PATHS: Readonly<Record<string, readonly string[]>> = {
  Deployment: ['spec', 'template', 'spec'],
  StatefulSet: ['spec', 'template', 'spec'],
  DaemonSet: ['spec', 'template', 'spec'],
  Job: ['spec', 'template', 'spec'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
};

/** The objects `o` names, by kind: what must exist before it works. */
function referencesOf(o: KubeManifest, byConstraintKind: ReadonlyMap<string, KubeManifest>): Ref[] {
  const ns = o.metadata?.namespace;
  const group = groupOf(o.apiVersion);
  const refs: Ref[] = [];
  if (ns) refs.push({ kind: 'Namespace', name: ns, namespace: undefined, via: 'metadata.namespace', group: '' });

  const podPath = POD_TEMPLATE_PATHS[o.kind];
  if (podPath && isBuiltInGroup(group)) {
    const pod = field(o, ...podPath);
    const path = podPath.join('.');
    refs.push({ kind: 'RuntimeClass', name: stringField(pod, 'runtimeClassName'), namespace: undefined, via: `${path}.runtimeClassName` });
    refs.push({ kind: 'PriorityClass', name: stringField(pod, 'priorityClassName'), namespace: undefined, via: `${path}.priorityClassName` });
    refs.push({ kind: 'ServiceAccount', name: stringField(pod, 'serviceAccountName'), namespace: ns, via: `${path}.serviceAccountName` });
    for (const v of arrayField(pod, 'volumes')) {
      refs.push({ kind: 'ConfigMap', name: stringField(v, 'configMap', 'name'), namespace: ns, via: `${path}.volumes` });
      refs.push({ kind: 'Secret', name: stringField(v, 'secret', 'secretName'), namespace: ns, via: `${path}.volumes` });
    }
    for (const c of [...arrayField(pod, 'containers'), ...arrayField(pod, 'initContainers')]) {
      for (const e of arrayField(c, 'envFrom')) {
        refs.push({ kind: 'ConfigMap', name: stringField(e, 'configMapRef', 'name'), namespace: ns, via: `${path}.containers.envFrom` });
        refs.push({ kind: 'Secret', name: stringField(e, 'secretRef', 'name'), namespace: ns, via: `${path}.containers.envFrom` });
      }
    }
  }

  if (group === GATEKEEPER_CONSTRAINTS_GROUP) {
    const template = byConstraintKind.get(o.kind);
    if (template) refs.push({ kind: 'ConstraintTemplate', name: template.metadata?.name, namespace: undefined, via: 'kind (its ConstraintTemplate)' });
  }
  if (o.kind === 'ValidatingAdmissionPolicyBinding') {
    refs.push({ kind: 'ValidatingAdmissionPolicy', name: stringField(o, 'spec', 'policyName'), namespace: undefined, via: 'spec.policyName' });
  }

  if (['HorizontalPodAutoscaler', 'ScaledObject', 'HTTPScaledObject'].includes(o.kind)) {
    refs.push({
      kind: stringField(o, 'spec', 'scaleTargetRef', 'kind') ?? 'Deployment',
      name: stringField(o, 'spec', 'scaleTargetRef', 'name'), namespace: ns, via: 'spec.scaleTargetRef',
    });
  }
  if (o.kind === 'HTTPScaledObject') {
    refs.push({ kind: 'Service', name: stringField(o, 'spec', 'scaleTargetRef', 'service'), namespace: ns, via: 'spec.scaleTargetRef.service' });
  }
  if (o.kind === 'ScaledObject' || o.kind === 'ScaledJob') {
    for (const t of arrayField(o, 'spec', 'triggers')) {
      refs.push({
        kind: stringField(t, 'authenticationRef', 'kind') ?? 'TriggerAuthentication',
        name: stringField(t, 'authenticationRef', 'name'), namespace: ns, via: 'spec.triggers.authenticationRef',
      });
    }
  }

  if (group === 'gateway.networking.k8s.io') {
    if (o.kind === 'Gateway') {
      refs.push({ kind: 'GatewayClass', name: stringField(o, 'spec', 'gatewayClassName'), namespace: undefined, via: 'spec.gatewayClassName' });
    }
    for (const p of arrayField(o, 'spec', 'parentRefs')) {
      refs.push({ kind: stringField(p, 'kind') ?? 'Gateway', name: stringField(p, 'name'), namespace: stringField(p, 'namespace') ?? ns, via: 'spec.parentRefs' });
    }
    for (const rule of arrayField(o, 'spec', 'rules')) {
      for (const b of arrayField(rule, 'backendRefs')) {
        refs.push({ kind: stringField(b, 'kind') ?? 'Service', name: stringField(b, 'name'), namespace: stringField(b, 'namespace') ?? ns, via: 'spec.rules.backendRefs' });
      }
    }
  }
  if (group === 'gateway.envoyproxy.io') {
    const targets = [field(o, 'spec', 'targetRef'), ...arrayField(o, 'spec', 'targetRefs')].filter((t) => t !== undefined);
    for (const t of targets) {
      refs.push({ kind: stringField(t, 'kind') ?? '', name: stringField(t, 'name'), namespace: ns, via: 'spec.targetRef' });
    }
  }
  if (o.kind === 'IngressRoute') {
    for (const r of arrayField(o, 'spec', 'routes')) {
      for (const m of arrayField(r, 'middlewares')) {
        refs.push({ kind: 'Middleware', name: stringField(m, 'name'), namespace: stringField(m, 'namespace') ?? ns, via: 'spec.routes.middlewares' });
      }
      for (const s of arrayField(r, 'services')) {
        refs.push({ kind: stringField(s, 'kind') ?? 'Service', name: stringField(s, 'name'), namespace: stringField(s, 'namespace') ?? ns, via: 'spec.routes.services' });
      }
    }
  }
  return refs;
}

/**
 * Every dependency between objects of `objects` that the platform's kinds express by name:
 * an object on its Namespace, a pod template on its RuntimeClass, ServiceAccount, ConfigMaps
 * and Secrets, a Gatekeeper constraint on its ConstraintTemplate, an autoscaler on its
 * target, a route on its Gateway and backends, a route policy on its target. References to
 * objects not in `objects` (installed elsewhere) are not dependencies here.
 */
export function findDependencies(objects: readonly KubeManifest[]): ObjectDependency[] {
  // One pass over the objects, each list grown in place: this runs over every object of a
  // platform of thousands, where copying a list per object was most of the index's cost.
  const index = new Map<string, KubeManifest[]>();
  const keyOf = (kind: string, ns: string | undefined, name: string | undefined) => `${kind}/${ns ?? ''}/${name ?? ''}`;
  const byConstraintKind = new Map<string, KubeManifest>();
  for (const o of objects) {
    const k = keyOf(o.kind, o.metadata?.namespace, o.metadata?.name);
    const same = index.get(k);
    if (same) same.push(o);
    else index.set(k, [o]);
    const kind = o.kind === 'ConstraintTemplate' ? stringField(o, 'spec', 'crd', 'spec', 'names', 'kind') : undefined;
    if (kind) byConstraintKind.set(kind, o);
  }
  const out: ObjectDependency[] = [];
  for (const from of objects) {
    for (const ref of referencesOf(from, byConstraintKind)) {
      if (!ref.name) continue;
      const targets = index.get(keyOf(ref.kind, ref.namespace, ref.name));
      if (targets === undefined) continue;
      for (const to of targets) {
        if (to !== from && (ref.group === undefined || groupOf(to.apiVersion) === ref.group)) {
          out.push({ from, to, via: ref.via });
        }
      }
    }
  }
  return out;
}

const kindRank = (kind: string) => ARGO_CD_KIND_ORDER.indexOf(kind);

/**
 * Whether Argo CD applies `dep.to` before `dep.from`, given their waves: a later wave
 * always does; the same wave does only for two built-in kinds whose order Argo CD fixes
 * (Namespace before ServiceAccount before Deployment ...). A custom resource needs its
 * dependency in an earlier wave: Argo CD waits for health only between waves.
 */
export function isOrderRespected(dep: ObjectDependency, fromWave: number, toWave: number): boolean {
  if (fromWave !== toWave) return fromWave > toWave;
  const builtIn = (o: KubeManifest) => isBuiltInGroup(groupOf(o.apiVersion)) && kindRank(o.kind) >= 0;
  return builtIn(dep.from) && builtIn(dep.to) && kindRank(dep.to.kind) < kindRank(dep.from.kind);
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
  const problems: string[] = [];
  for (const dep of dependencies) {
    const fromApp = applicationOf?.(dep.from);
    const toApp = applicationOf?.(dep.to);
    if (fromApp && toApp && fromApp.name !== toApp.name) {
      if (!(fromApp.wave > toApp.wave)) {
        problems.push(
          `${describeObject(dep.from)} (Application "${oneLine(fromApp.name)}", wave ${fromApp.wave}) depends on ${describeObject(dep.to)} ` +
          `through ${dep.via}, but that is delivered by Application "${oneLine(toApp.name)}" (wave ${toApp.wave}): ` +
          `the Application "${oneLine(fromApp.name)}" needs a higher wave than "${oneLine(toApp.name)}"`,
        );
      }
      continue;
    }
    const fromWave = waveOf(dep.from);
    const toWave = waveOf(dep.to);
    if (fromWave === undefined || toWave === undefined) continue;
    if (!isOrderRespected(dep, fromWave, toWave)) {
      problems.push(
        `${describeObject(dep.from)} is in sync wave ${fromWave} but depends on ${describeObject(dep.to)} (wave ${toWave}) ` +
        `through ${dep.via}: its wave must be greater than ${toWave}`,
      );
    }
  }
  return problems;
}
