import { DependencyGraph } from 'cdk8s';
import { IConstruct } from 'constructs';

/**
 * `new DependencyGraph(root.node).topology()`: the constructs of the subtree under `root`,
 * each after the constructs it depends on, in exactly cdk8s's order.
 *
 * cdk8s's graph walks the subtree twice, keeps a vertex per construct in an object keyed by
 * path, copies every vertex's edge sets into arrays each time it reads them, and searches
 * the graph for a cycle on every edge it adds. A synthesis builds one graph for the chart
 * order and one per chart, and nearly every vertex has no edge at all, so that was most of
 * the time spent ordering. Here the graph holds only the edges; `subtree` (`root.node.findAll()`,
 * which the caller may already have) gives the vertices.
 *
 * With a cycle cdk8s throws (or, for cycles its check misses, overflows the stack); such a
 * graph is handed to cdk8s itself so that it fails exactly as it always did.
 */
export function dependencyOrder(root: IConstruct, subtree: readonly IConstruct[]): IConstruct[] {
  // Edges by source vertex index, in the order cdk8s adds them (a Set ignores repeats, as its does).
  let edges: Map<number, Set<number>> | undefined;
  let hasInbound: Set<number> | undefined;
  let byPath: Map<string, number> | undefined;
  for (let i = 0; i < subtree.length; i++) {
    const dependencies = subtree[i].node.dependencies;
    if (dependencies.length === 0) continue;
    if (byPath === undefined) {
      // cdk8s finds vertices by path, so a target outside the subtree never matches: built
      // only when some construct has a dependency.
      byPath = new Map(subtree.map((c, index) => [c.node.path, index]));
      // Two constructs with one path would share a vertex in cdk8s's graph.
      if (byPath.size !== subtree.length) return new DependencyGraph(root.node).topology();
      edges = new Map();
      hasInbound = new Set();
    }
    const source = byPath.get(subtree[i].node.path)!;
    for (const target of dependencies) {
      const t = byPath.get(target.node.path);
      if (t === undefined) continue;
      let out = edges!.get(source);
      if (!out) edges!.set(source, out = new Set());
      out.add(t);
      hasInbound!.add(t);
    }
  }
  if (edges !== undefined && hasCycle(edges)) return new DependencyGraph(root.node).topology();

  // The roots of the graph, in the order cdk8s enumerates its object of vertices: paths that
  // are array indices ("0", "12") first, in numeric order, then the rest as inserted.
  const roots: number[] = [];
  const indexRoots: number[] = [];
  for (let i = 0; i < subtree.length; i++) {
    if (hasInbound?.has(i)) continue;
    (isArrayIndex(subtree[i].node.path) ? indexRoots : roots).push(i);
  }
  if (indexRoots.length > 0) {
    indexRoots.sort((a, b) => Number(subtree[a].node.path) - Number(subtree[b].node.path));
    roots.unshift(...indexRoots);
  }

  // Depth first, dependencies before dependants, each vertex where it is first completed.
  // cdk8s revisits shared dependencies without effect: in a graph without cycles, a vertex
  // completed once has every vertex below it completed too.
  const order: IConstruct[] = [];
  const done = new Uint8Array(subtree.length);
  const visit = (v: number): void => {
    if (done[v]) return;
    const out = edges?.get(v);
    if (out) for (const t of out) visit(t);
    done[v] = 1;
    order.push(subtree[v]);
  };
  for (const r of roots) visit(r);
  return order;
}

function hasCycle(edges: ReadonlyMap<number, ReadonlySet<number>>): boolean {
  // 1: on the current path, 2: finished.
  const state = new Map<number, number>();
  const visit = (v: number): boolean => {
    const s = state.get(v);
    if (s !== undefined) return s === 1;
    state.set(v, 1);
    for (const t of edges.get(v) ?? []) if (visit(t)) return true;
    state.set(v, 2);
    return false;
  };
  for (const v of edges.keys()) if (visit(v)) return true;
  return false;
}

/** Whether `key` is an array index, which a plain object enumerates before its other keys. */
function isArrayIndex(key: string): boolean {
  const first = key.charCodeAt(0);
  return first >= 48 && first <= 57 && /^(?:0|[1-9][0-9]*)$/.test(key) && Number(key) < 4294967295;
}
