import { App, Chart, DependencyGraph, Testing } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { dependencyOrder } from '../../lib/synth/dependency-order';

/** A deterministic pseudo-random sequence, so a failing case can be replayed. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** An app of charts and nested constructs, some with numeric ids, with random acyclic dependencies. */
function randomApp(seed: number): App {
  const next = random(seed);
  const app = Testing.app();
  const all: Construct[] = [];
  const charts = 2 + Math.floor(next() * 4);
  for (let c = 0; c < charts; c++) {
    // Numeric ids put array-index paths at the top level, which cdk8s's graph enumerates first.
    const chart = new Chart(app, next() < 0.3 ? String(Math.floor(next() * 20) + c * 20) : `Chart${c}`);
    all.push(chart);
    const parents: Construct[] = [chart];
    const count = 5 + Math.floor(next() * 15);
    for (let i = 0; i < count; i++) {
      const parent = parents[Math.floor(next() * parents.length)];
      const child = new Construct(parent, next() < 0.2 ? String(i) : `C${i}`);
      parents.push(child);
      all.push(child);
    }
  }
  // Edges only from later to earlier constructs: no cycles, as cdk8s requires.
  const edges = Math.floor(next() * all.length);
  for (let e = 0; e < edges; e++) {
    const a = Math.floor(next() * all.length);
    const b = Math.floor(next() * all.length);
    if (a > b) all[a].node.addDependency(all[b]);
  }
  return app;
}

function paths(constructs: readonly IConstruct[]): string[] {
  return constructs.map((c) => c.node.path);
}

describe('dependencyOrder', () => {
  test('orders every subtree exactly as cdk8s DependencyGraph.topology()', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const app = randomApp(seed);
      for (const root of app.node.findAll().filter((c) => c === app || c instanceof Chart)) {
        expect([seed, paths(dependencyOrder(root, root.node.findAll()))])
          .toEqual([seed, paths(new DependencyGraph(root.node).topology())]);
      }
    }
  });

  test('fails on a dependency cycle as cdk8s does', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'Chart');
    const a = new Construct(chart, 'A');
    const b = new Construct(chart, 'B');
    a.node.addDependency(b);
    b.node.addDependency(a);
    const message = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return (e as Error).message;
      }
      return 'no error';
    };
    const theirs = message(() => new DependencyGraph(chart.node).topology());
    expect(theirs).toMatch(/^Dependency cycle detected: /);
    expect(message(() => dependencyOrder(chart, chart.node.findAll()))).toBe(theirs);
  });
});
