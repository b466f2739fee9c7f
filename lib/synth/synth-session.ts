import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';

/**
 * What one synthesis of an app computes once and shares: the walk of the construct tree,
 * values derived from the whole tree, and the rendered JSON of every object.
 *
 * Validations that look at the whole app (duplicate checks, capacity, GitOps inventory)
 * would otherwise walk every construct once per construct that validates, which grows with
 * the square of the app; and the GitOps inventory would render every object a second time.
 * While the synthesizer renders an app the tree does not change, so each of these is
 * computed once per synthesis. Outside a synthesis every call computes afresh.
 */
interface Session {
  readonly constructs: IConstruct[];
  readonly memo: Map<object, unknown>;
  readonly json: Map<ApiObject, unknown>;
  validated: boolean;
}

const sessions = new WeakMap<IConstruct, Session>();

/**
 * Runs `fn` as one synthesis of the app whose root is `root`: the tree is walked once, and
 * values derived from it are shared by every validation and renderer `fn` runs. Nested
 * calls join the session already open. If `fn` created constructs (the shared walk would
 * then be stale), it is run again without sharing, so the result is what it would have
 * been without the session.
 */
export function withSynthSession<T>(root: IConstruct, fn: () => T): T {
  if (sessions.has(root)) return fn();
  const constructs = root.node.findAll();
  sessions.set(root, { constructs, memo: new Map(), json: new Map(), validated: false });
  let result: T;
  try {
    result = fn();
  } finally {
    sessions.delete(root);
  }
  return root.node.findAll().length === constructs.length ? result : fn();
}

/** Every construct under `root`, root first, depth first: `root.node.findAll()`, walked once per synthesis. */
export function constructsOf(root: IConstruct): IConstruct[] {
  return sessions.get(root)?.constructs ?? root.node.findAll();
}

/**
 * A value derived from the whole tree under `root`, computed once per synthesis (per
 * `key`, an object owned by the caller), or on every call outside one.
 */
export function oncePerSynth<T>(root: IConstruct, key: object, compute: () => T): T {
  const session = sessions.get(root);
  if (!session) return compute();
  if (!session.memo.has(key)) session.memo.set(key, compute());
  return session.memo.get(key) as T;
}

/**
 * `obj.toJson()`, rendered once per synthesis: the GitOps inventory and the chart output
 * read the same objects. Callers must not mutate the result.
 */
export function renderedJson(obj: ApiObject): unknown {
  const session = sessions.get(obj.node.root);
  if (!session) return obj.toJson();
  let json = session.json.get(obj);
  if (json === undefined) {
    json = obj.toJson();
    session.json.set(obj, json);
  }
  return json;
}

/**
 * Lets go of what the current synthesis of the app under `root` rendered and derived (every
 * object's JSON, every value of {@link oncePerSynth}): the synthesizer calls it once everything
 * is rendered, so that each chart's JSON can be collected as soon as its YAML is written
 * instead of living until the synthesis ends. Anything asked for afterwards is computed again.
 */
export function forgetRendered(root: IConstruct): void {
  const session = sessions.get(root);
  if (!session) return;
  session.json.clear();
  session.memo.clear();
}

/** Records that the app under `root` passed validation in the current synthesis. */
export function markValidated(root: IConstruct): void {
  const session = sessions.get(root);
  if (session) session.validated = true;
}

/** Whether the app under `root` passed validation in the current synthesis. */
export function isValidated(root: IConstruct): boolean {
  return sessions.get(root)?.validated ?? false;
}

/** Whether a synthesis of the app under `root` is running. */
export function inSynthSession(root: IConstruct): boolean {
  return sessions.has(root);
}
