import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { oneLine } from '../core/names';
import { constructsOf, renderedJson } from './synth-session';

/** Constructs that report a second use of their own names themselves (see {@link reportsOwnDuplicates}). */
const selfReporting = new WeakSet<IConstruct>();

/**
 * Marks `owner` as reporting, in its own validation, a second construct of its kind that
 * would emit objects of the same names (two functions, namespaces or routes with one name).
 * The app-wide check then leaves those collisions to it, so the user reads one problem in
 * the terms they used, not one per object it would emit.
 */
export function reportsOwnDuplicates(owner: IConstruct): void {
  selfReporting.add(owner);
}

/** The nearest self-reporting construct: the object itself, or the closest of its scopes. */
function ownerOf(obj: ApiObject): IConstruct | undefined {
  for (let s: IConstruct | undefined = obj; s !== undefined; s = s.node.scope) {
    if (selfReporting.has(s)) return s;
  }
  return undefined;
}

function groupOf(apiVersion: string): string {
  // What is before the first '/': without split's array, since this runs for every object.
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

/**
 * The namespace and name `obj` is written with. A name or namespace that is not a string yet
 * (a Lazy, a token) is read from the rendered object, as the cluster would get it: read as
 * written, every such name would print "[object Object]", and two objects of one kind with
 * different Lazy names would look like one. An object that cannot render keeps what it has
 * (its own validation reports why it cannot render).
 */
function identityOf(obj: ApiObject): { readonly namespace: string; readonly name: string } {
  const name: unknown = obj.name;
  const namespace: unknown = obj.metadata.namespace;
  if (typeof name === 'string' && (namespace === undefined || typeof namespace === 'string')) return { namespace: namespace ?? '', name };
  try {
    const metadata = (renderedJson(obj) as { metadata?: { name?: unknown; namespace?: unknown } }).metadata;
    return { namespace: `${metadata?.namespace ?? ''}`, name: `${metadata?.name ?? ''}` };
  } catch {
    return { namespace: `${namespace ?? ''}`, name: `${name}` };
  }
}

/**
 * The ApiObjects among `constructs` grouped by `group/kind/namespace/name`, each group in
 * the order of the constructs, the groups in the order their first object comes.
 */
function objectsByIdentity(constructs: readonly IConstruct[]): ApiObject[][] {
  const byKey = new Map<string, ApiObject[]>();
  for (const c of constructs) {
    if (!(c instanceof ApiObject)) continue;
    const { namespace, name } = identityOf(c);
    const key = `${groupOf(c.apiVersion)}/${c.kind}/${namespace}/${name}`;
    const list = byKey.get(key);
    if (list) list.push(c);
    else byKey.set(key, [c]);
  }
  return [...byKey.values()];
}

/**
 * Objects of the app that a cluster would hold as one: the same group, kind, namespace and
 * name emitted twice (the second `kubectl apply` or Argo CD sync overwrites the first). One
 * problem per collision, at the second object, naming every construct that emits it.
 */
export function duplicateObjectProblems(root: IConstruct): string[] {
  const byKey = objectsByIdentity(constructsOf(root));
  const problems: string[] = [];
  for (const objects of byKey) {
    if (objects.length < 2) continue;
    const owners = objects.map(ownerOf);
    const first = owners[0];
    // Reported by the owners themselves, in the terms the user wrote.
    if (first !== undefined && owners.every((o) => o !== undefined && o.constructor === first.constructor)) continue;
    const [o, ...rest] = objects;
    const group = groupOf(o.apiVersion);
    const { namespace, name } = identityOf(o);
    const what = `${o.kind}${group ? `.${group}` : ''} ${namespace ? `${oneLine(namespace)}/` : ''}${oneLine(name)}`;
    problems.push(`[${rest[0].node.path}] ${what} is also emitted by ${[o, ...rest.slice(1)].map((x) => x.node.path).join(', ')}: ` +
      'a cluster holds one object per kind, namespace and name, so one would overwrite the other; rename one or remove it');
  }
  return problems;
}
