// The dependency machinery behind findDependencies, over objects whose identity is read once.
// Not part of the public API (lib/gitops/index.ts does not export it): GitOpsDelivery indexes
// its inventory with it once per synthesis and reads every check from that index.
//
// Why facts instead of manifests: the rendered objects of a platform of thousands are tens of
// megabytes of objects of many shapes, so a property read of one is often a cache miss and
// always a megamorphic load. Reading kind, group, namespace and name once per object, while
// the object is fresh from rendering, makes every later check a read of a small record.
import { oneLine } from '../core/names';
import { arrayField, field, KubeManifest, stringField } from './manifest';
import { ARGO_CD_KIND_ORDER, GATEKEEPER_CONSTRAINTS_GROUP, groupOf, isBuiltInGroup } from './sync-wave';

/** The identity of an object, read from its manifest once. */
export interface ObjectFacts {
  /** The object as rendered. */
  readonly manifest: KubeManifest;
  /** API group (`''` for core). */
  readonly group: string;
  /** Kind. */
  readonly kind: string;
  /** `metadata.namespace`, as the manifest has it. */
  readonly namespace: string | undefined;
  /** `metadata.name`, as the manifest has it. */
  readonly name: string | undefined;
}

/** The facts of a manifest. */
export function factsOf(manifest: KubeManifest): ObjectFacts {
  const metadata = manifest.metadata;
  return { manifest, group: groupOf(manifest.apiVersion), kind: manifest.kind, namespace: metadata?.namespace, name: metadata?.name };
}

/** `from` must be applied after `to`: {@link ObjectDependency} over facts. */
export interface FactDependency<T extends ObjectFacts> {
  readonly from: T;
  readonly to: T;
  readonly via: string;
}

/**
 * Receives one reference: the target's kind, name and namespace (undefined for a
 * cluster-scoped target), why the object names it, and, when set, the group the target must
 * be in. A callback rather than a list of references: this runs for every object.
 */
type RefVisitor = (kind: string, name: string | undefined, namespace: string | undefined, via: string, group?: string) => void;

const POD_TEMPLATE_PATHS: Readonly<Record<string, readonly string[]>> = {
  Deployment: ['spec', 'template', 'spec'],
  StatefulSet: ['spec', 'template', 'spec'],
  DaemonSet: ['spec', 'template', 'spec'],
  Job: ['spec', 'template', 'spec'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
};

/** The `via` of each pod template reference, per kind: built once, not per object. */
const POD_TEMPLATE_VIAS = new Map(Object.entries(POD_TEMPLATE_PATHS).map(([kind, podPath]) => {
  const path = podPath.join('.');
  return [kind, {
    runtimeClassName: `${path}.runtimeClassName`,
    priorityClassName: `${path}.priorityClassName`,
    serviceAccountName: `${path}.serviceAccountName`,
    volumes: `${path}.volumes`,
    envFrom: `${path}.containers.envFrom`,
  }] as const;
}));

const SCALER_KINDS = new Set(['HorizontalPodAutoscaler', 'ScaledObject', 'HTTPScaledObject']);

/**
 * The objects `o` names, by kind: what must exist before it works, in a fixed order. Reads
 * the manifest only for kinds that name something besides their namespace.
 */
function referencesOf(o: ObjectFacts, constraintTemplateOf: ReadonlyMap<string, ObjectFacts>, visit: RefVisitor): void {
  const { kind, group, namespace: ns } = o;
  if (ns) visit('Namespace', ns, undefined, 'metadata.namespace', '');

  const podPath = POD_TEMPLATE_PATHS[kind];
  if (podPath && isBuiltInGroup(group)) {
    const pod = field(o.manifest, ...podPath);
    const via = POD_TEMPLATE_VIAS.get(kind)!;
    visit('RuntimeClass', stringField(pod, 'runtimeClassName'), undefined, via.runtimeClassName);
    visit('PriorityClass', stringField(pod, 'priorityClassName'), undefined, via.priorityClassName);
    visit('ServiceAccount', stringField(pod, 'serviceAccountName'), ns, via.serviceAccountName);
    for (const v of arrayField(pod, 'volumes')) {
      visit('ConfigMap', stringField(v, 'configMap', 'name'), ns, via.volumes);
      visit('Secret', stringField(v, 'secret', 'secretName'), ns, via.volumes);
    }
    for (const containers of [arrayField(pod, 'containers'), arrayField(pod, 'initContainers')]) {
      for (const c of containers) {
        for (const e of arrayField(c, 'envFrom')) {
          visit('ConfigMap', stringField(e, 'configMapRef', 'name'), ns, via.envFrom);
          visit('Secret', stringField(e, 'secretRef', 'name'), ns, via.envFrom);
        }
      }
    }
  }

  if (group === GATEKEEPER_CONSTRAINTS_GROUP) {
    const template = constraintTemplateOf.get(kind);
    if (template) visit('ConstraintTemplate', template.name, undefined, 'kind (its ConstraintTemplate)');
  }
  if (kind === 'ValidatingAdmissionPolicyBinding') {
    visit('ValidatingAdmissionPolicy', stringField(o.manifest, 'spec', 'policyName'), undefined, 'spec.policyName');
  }

  if (SCALER_KINDS.has(kind)) {
    const target = field(o.manifest, 'spec', 'scaleTargetRef');
    visit(stringField(target, 'kind') ?? 'Deployment', stringField(target, 'name'), ns, 'spec.scaleTargetRef');
    if (kind === 'HTTPScaledObject') visit('Service', stringField(target, 'service'), ns, 'spec.scaleTargetRef.service');
  }
  if (kind === 'ScaledObject' || kind === 'ScaledJob') {
    for (const t of arrayField(o.manifest, 'spec', 'triggers')) {
      visit(stringField(t, 'authenticationRef', 'kind') ?? 'TriggerAuthentication', stringField(t, 'authenticationRef', 'name'), ns, 'spec.triggers.authenticationRef');
    }
  }

  if (group === 'gateway.networking.k8s.io') {
    const spec = field(o.manifest, 'spec');
    if (kind === 'Gateway') {
      visit('GatewayClass', stringField(spec, 'gatewayClassName'), undefined, 'spec.gatewayClassName');
    }
    for (const p of arrayField(spec, 'parentRefs')) {
      visit(stringField(p, 'kind') ?? 'Gateway', stringField(p, 'name'), stringField(p, 'namespace') ?? ns, 'spec.parentRefs');
    }
    for (const rule of arrayField(spec, 'rules')) {
      for (const b of arrayField(rule, 'backendRefs')) {
        visit(stringField(b, 'kind') ?? 'Service', stringField(b, 'name'), stringField(b, 'namespace') ?? ns, 'spec.rules.backendRefs');
      }
    }
  }
  if (group === 'gateway.envoyproxy.io') {
    const spec = field(o.manifest, 'spec');
    for (const t of [field(spec, 'targetRef'), ...arrayField(spec, 'targetRefs')]) {
      if (t !== undefined) visit(stringField(t, 'kind') ?? '', stringField(t, 'name'), ns, 'spec.targetRef');
    }
  }
  if (kind === 'IngressRoute') {
    for (const r of arrayField(o.manifest, 'spec', 'routes')) {
      for (const m of arrayField(r, 'middlewares')) {
        visit('Middleware', stringField(m, 'name'), stringField(m, 'namespace') ?? ns, 'spec.routes.middlewares');
      }
      for (const s of arrayField(r, 'services')) {
        visit(stringField(s, 'kind') ?? 'Service', stringField(s, 'name'), stringField(s, 'namespace') ?? ns, 'spec.routes.services');
      }
    }
  }
}

/** `kind/namespace/name`: how references find their targets (the group is checked apart, when a reference names one). */
export function referenceKey(kind: string, namespace: string | undefined, name: string | undefined): string {
  return `${kind}/${namespace ?? ''}/${name ?? ''}`;
}

/**
 * Objects by kind, namespace and name ({@link referenceKey}: two objects share a key when
 * they share its string), in the order given, and each constraint kind's ConstraintTemplate.
 */
export class ObjectIndex<T extends ObjectFacts> {
  /** The ConstraintTemplate of each constraint kind it defines (the last, if several define one). */
  public readonly constraintTemplateOf = new Map<string, T>();
  private readonly byKey = new Map<string, T[]>();

  constructor(
    /** The objects indexed. */
    public readonly objects: readonly T[],
  ) {
    for (const o of objects) {
      const k = referenceKey(o.kind, o.namespace, o.name);
      const same = this.byKey.get(k);
      if (same) same.push(o);
      else this.byKey.set(k, [o]);
      const defines = o.kind === 'ConstraintTemplate' ? stringField(o.manifest, 'spec', 'crd', 'spec', 'names', 'kind') : undefined;
      if (defines) this.constraintTemplateOf.set(defines, o);
    }
  }

  /** The objects of a key, in the order given, or undefined. */
  public get(kind: string, namespace: string | undefined, name: string | undefined): T[] | undefined {
    return this.byKey.get(referenceKey(kind, namespace, name));
  }

  /** The objects of each key, every key once, in no particular order. */
  public groups(): IterableIterator<T[]> {
    return this.byKey.values();
  }

  /**
   * Every dependency between the objects, in the order of {@link findDependencies}: by
   * object, then by reference, then by target.
   */
  public dependencies(): FactDependency<T>[] {
    const out: FactDependency<T>[] = [];
    let from: T;
    const visit: RefVisitor = (kind, name, namespace, via, group) => {
      if (!name) return;
      const targets = this.get(kind, namespace, name);
      if (targets === undefined) return;
      for (const to of targets) {
        if (to.manifest !== from.manifest && (group === undefined || to.group === group)) out.push({ from, to, via });
      }
    };
    for (const o of this.objects) {
      from = o;
      referencesOf(o, this.constraintTemplateOf, visit);
    }
    return out;
  }
}

const kindRank = (kind: string) => ARGO_CD_KIND_ORDER.indexOf(kind);
const builtIn = (o: { readonly group: string; readonly kind: string }) => isBuiltInGroup(o.group) && kindRank(o.kind) >= 0;

/** {@link isOrderRespected} over the group and kind of each end. */
export function orderRespected(
  from: { readonly group: string; readonly kind: string }, to: { readonly group: string; readonly kind: string },
  fromWave: number, toWave: number,
): boolean {
  if (fromWave !== toWave) return fromWave > toWave;
  return builtIn(from) && builtIn(to) && kindRank(to.kind) < kindRank(from.kind);
}

/** How {@link waveOrderProblems} reads an object. */
export interface WaveOrderReader<T> {
  /** The object, for messages. */
  readonly describe: (o: T) => string;
  /** Its sync wave, or undefined. */
  readonly waveOf: (o: T) => number | undefined;
  /** Its group and kind. */
  readonly groupKindOf: (o: T) => { readonly group: string; readonly kind: string };
  /** The Application that delivers it and that Application's wave. */
  readonly applicationOf?: (o: T) => { readonly name: string; readonly wave: number } | undefined;
}

/** {@link waveOrderViolations} over any representation of the objects. */
export function waveOrderProblems<T>(dependencies: readonly { readonly from: T; readonly to: T; readonly via: string }[], read: WaveOrderReader<T>): string[] {
  const { describe, waveOf, groupKindOf, applicationOf } = read;
  const problems: string[] = [];
  for (const dep of dependencies) {
    const fromApp = applicationOf?.(dep.from);
    const toApp = applicationOf?.(dep.to);
    if (fromApp && toApp && fromApp.name !== toApp.name) {
      if (!(fromApp.wave > toApp.wave)) {
        problems.push(
          `${describe(dep.from)} (Application "${oneLine(fromApp.name)}", wave ${fromApp.wave}) depends on ${describe(dep.to)} ` +
          `through ${dep.via}, but that is delivered by Application "${oneLine(toApp.name)}" (wave ${toApp.wave}): ` +
          `the Application "${oneLine(fromApp.name)}" needs a higher wave than "${oneLine(toApp.name)}"`,
        );
      }
      continue;
    }
    const fromWave = waveOf(dep.from);
    const toWave = waveOf(dep.to);
    if (fromWave === undefined || toWave === undefined) continue;
    if (fromWave === toWave ? !orderRespected(groupKindOf(dep.from), groupKindOf(dep.to), fromWave, toWave) : !(fromWave > toWave)) {
      problems.push(
        `${describe(dep.from)} is in sync wave ${fromWave} but depends on ${describe(dep.to)} (wave ${toWave}) ` +
        `through ${dep.via}: its wave must be greater than ${toWave}`,
      );
    }
  }
  return problems;
}
