/**
 * Admission as Gatekeeper and the API server would run it, for the CEL half of the rules:
 * which constraint (or policy binding) matches which object, then the CEL evaluation. The
 * matching follows Gatekeeper's match schema and ValidatingAdmissionPolicy's
 * matchConstraints for the fields the bundle emits.
 */
import { CelSource } from '../../../lib/policy';
import { KubeObject } from '../../support/synth';
import { violations } from './cel';

/** One denied object. */
export interface Violation {
  /** Constraint or policy name. */
  readonly rule: string;
  /** kind/namespace/name of the object. */
  readonly object: string;
  readonly message: string;
}

/** A Kubernetes label selector, as objects carry it. */
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

/** Labels of every namespace the objects create or live in (the API server adds kubernetes.io/metadata.name). */
export function namespaceLabels(objects: readonly KubeObject[]): Map<string, Record<string, string>> {
  const labels = new Map<string, Record<string, string>>();
  for (const o of objects) {
    const ns = o.kind === 'Namespace' ? o.metadata.name : o.metadata.namespace;
    if (ns && !labels.has(ns)) labels.set(ns, { 'kubernetes.io/metadata.name': ns });
  }
  for (const o of objects.filter((x) => x.kind === 'Namespace')) {
    labels.set(o.metadata.name!, { ...o.metadata.labels, 'kubernetes.io/metadata.name': o.metadata.name! });
  }
  return labels;
}

export function selectorMatches(selector: LabelSelector | undefined, labels: Readonly<Record<string, string>>): boolean {
  if (!selector) return true;
  const byLabels = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  const byExpressions = (selector.matchExpressions ?? []).every((e) => {
    switch (e.operator) {
      case 'In': return e.key in labels && (e.values ?? []).includes(labels[e.key]);
      case 'NotIn': return !(e.key in labels) || !(e.values ?? []).includes(labels[e.key]);
      case 'Exists': return e.key in labels;
      case 'DoesNotExist': return !(e.key in labels);
      default: throw new Error(`unknown selector operator ${e.operator}`);
    }
  });
  return byLabels && byExpressions;
}

const groupOf = (o: KubeObject): string => (o.apiVersion.includes('/') ? o.apiVersion.split('/')[0] : '');
const idOf = (o: KubeObject): string => `${o.kind}/${o.metadata.namespace ?? '-'}/${o.metadata.name ?? '-'}`;
const nsLabelsOf = (o: KubeObject, namespaces: Map<string, Record<string, string>>): Record<string, string> =>
  namespaces.get(o.metadata.namespace!) ?? { 'kubernetes.io/metadata.name': o.metadata.namespace! };

interface ConstraintShape {
  spec: {
    enforcementAction: string;
    parameters?: unknown;
    match: {
      kinds: { apiGroups: string[]; kinds: string[] }[];
      scope?: string;
      namespaces?: string[];
      excludedNamespaces?: string[];
      namespaceSelector?: LabelSelector;
      labelSelector?: LabelSelector;
    };
  };
}

interface TemplateShape {
  spec: { crd: { spec: { names: { kind: string } } }; targets: { code: { engine: string; source: CelSource }[] }[] };
}

/** Whether a Gatekeeper constraint reviews `o`. */
export function constraintMatches(constraint: KubeObject, o: KubeObject, namespaces: Map<string, Record<string, string>>, configExcluded: readonly string[]): boolean {
  const m = (constraint as unknown as ConstraintShape).spec.match;
  const ns = o.metadata.namespace;
  if (!m.kinds.some((k) => k.apiGroups.includes(groupOf(o)) && k.kinds.includes(o.kind))) return false;
  if (m.scope === 'Namespaced' && !ns) return false;
  if (ns && configExcluded.includes(ns)) return false;
  if (m.namespaces && (!ns || !m.namespaces.includes(ns))) return false;
  if (m.excludedNamespaces && ns && m.excludedNamespaces.includes(ns)) return false;
  if (m.namespaceSelector && (!ns || !selectorMatches(m.namespaceSelector, nsLabelsOf(o, namespaces)))) return false;
  return selectorMatches(m.labelSelector, o.metadata.labels ?? {});
}

/** The CEL of every Gatekeeper constraint in `policyObjects`, run against `objects`. */
export function reviewWithGatekeeper(policyObjects: readonly KubeObject[], objects: readonly KubeObject[]): Violation[] {
  const templates = new Map<string, CelSource>();
  for (const t of policyObjects.filter((o) => o.kind === 'ConstraintTemplate')) {
    const spec = (t as unknown as TemplateShape).spec;
    const code = spec.targets[0].code.find((c) => c.engine === 'K8sNativeValidation');
    if (!code) throw new Error(`template ${t.metadata.name} has no K8sNativeValidation code`);
    templates.set(spec.crd.spec.names.kind, code.source);
  }
  const config = policyObjects.find((o) => o.kind === 'Config');
  const configExcluded = ((config?.spec as { match?: { excludedNamespaces?: string[] }[] } | undefined)?.match ?? [])
    .flatMap((m) => m.excludedNamespaces ?? []);
  const namespaces = namespaceLabels(objects);
  const found: Violation[] = [];
  for (const constraint of policyObjects.filter((o) => o.apiVersion === 'constraints.gatekeeper.sh/v1beta1')) {
    const source = templates.get(constraint.kind);
    if (!source) throw new Error(`constraint ${constraint.metadata.name} has no template for kind ${constraint.kind}`);
    const params = (constraint as unknown as ConstraintShape).spec.parameters ?? {};
    for (const o of objects) {
      if (!constraintMatches(constraint, o, namespaces, configExcluded)) continue;
      for (const message of violations(source, o, params)) {
        found.push({ rule: constraint.metadata.name!, object: idOf(o), message });
      }
    }
  }
  return found;
}

interface PolicyShape {
  spec: {
    matchConstraints: {
      resourceRules: { apiGroups: string[]; resources: string[]; operations: string[] }[];
      namespaceSelector?: LabelSelector;
      objectSelector?: LabelSelector;
    };
    variables?: CelSource['variables'];
    validations: CelSource['validations'];
  };
}

/** Every built-in kind the rules name is its lower-case plural with an "s". */
const resourceOf = (o: KubeObject): string => `${o.kind.toLowerCase()}s`;

/** The CEL of every bound ValidatingAdmissionPolicy in `policyObjects`, run against `objects`. */
export function reviewWithValidatingAdmissionPolicies(policyObjects: readonly KubeObject[], objects: readonly KubeObject[]): Violation[] {
  const bound = new Set(policyObjects.filter((o) => o.kind === 'ValidatingAdmissionPolicyBinding')
    .map((b) => (b.spec as { policyName: string }).policyName));
  const namespaces = namespaceLabels(objects);
  const found: Violation[] = [];
  for (const policy of policyObjects.filter((o) => o.kind === 'ValidatingAdmissionPolicy')) {
    if (!bound.has(policy.metadata.name!)) continue;
    const spec = (policy as unknown as PolicyShape).spec;
    for (const o of objects) {
      const ns = o.metadata.namespace;
      if (!ns) continue;
      const byResource = spec.matchConstraints.resourceRules.some((r) => r.apiGroups.includes(groupOf(o)) && r.resources.includes(resourceOf(o)) && r.operations.includes('CREATE'));
      if (!byResource) continue;
      if (!selectorMatches(spec.matchConstraints.namespaceSelector, nsLabelsOf(o, namespaces))) continue;
      if (!selectorMatches(spec.matchConstraints.objectSelector, o.metadata.labels ?? {})) continue;
      for (const message of violations({ variables: spec.variables ?? [], validations: spec.validations }, o)) {
        found.push({ rule: policy.metadata.name!, object: idOf(o), message });
      }
    }
  }
  return found;
}
