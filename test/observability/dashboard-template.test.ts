import { App } from 'cdk8s';
import { FUNCTION_SDK_METRICS, KongProvider, ObservabilityStack, RequestMetrics, SEED_OBJECTIVES, ServiceLevelObjective, TraefikProvider, withSynthSession } from '../../lib';
import { FunctionDashboardTemplates, renderFunctionDashboard } from '../../lib/observability/dashboard-template';
import { FunctionDashboardContext } from '../../lib/observability/dashboards';
import { parsesWhateverTheLiterals, promQlSyntaxError, substituteGrafanaVariables } from '../../lib/observability/promql';
import { escapeRegex } from '../../lib/observability/rules';
import { buildReferencePlatform, FLEET_CLUSTERS, platformTargetOf } from '../../platform';
import { generatedNames, random } from '../support/generated-names';

/** DNS labels of every shape: digits first, hyphens inside, the stand-ins themselves, one character, 63 characters. */
function names(next: () => number, count: number): string[] {
  return generatedNames(next, count, ['a', '0', 'zq7ns', 'zq7fn', 'zq8functionxx', 'zq7uid', 'zq7hpa', 'x'.repeat(63), 'a-b-c', '9lives', 'fn.with.dots']);
}

const SOURCES: RequestMetrics[] = [
  FUNCTION_SDK_METRICS,
  new KongProvider().requestMetrics,
  new TraefikProvider().requestMetrics,
  // Matchers that do more than put the strings in: the templates must notice and build directly.
  { ...FUNCTION_SDK_METRICS, matchers: (t) => `namespace=~"${escapeRegex(t.namespace)}",function="${t.name.toUpperCase()}"` },
  { ...FUNCTION_SDK_METRICS, matchers: (t) => (t.name.length % 2 === 0 ? `function="${t.name}"` : `function="${t.name}",even="no"`) },
  { ...FUNCTION_SDK_METRICS, inFlight: undefined, durationUnit: 'milliseconds', durationBuckets: [10, 20, 50] },
  // Broken for some names only, none of them the stand-ins: only the comparison for each function can tell.
  { ...FUNCTION_SDK_METRICS, matchers: (t) => (t.name.includes('0') ? `function="${t.name}",broken=` : `function="${t.name}"`) },
  // A name outside a string literal: whether it parses depends on the name (a label name cannot start with a digit or hold '-').
  { ...FUNCTION_SDK_METRICS, matchers: (t) => `namespace="${t.namespace}",${t.name}="x"` },
  { ...FUNCTION_SDK_METRICS, matchers: (t) => `namespace=~"${t.namespace}|$__range",function="${t.name}"` },
];

const OBJECTIVES: ServiceLevelObjective[][] = [
  [...SEED_OBJECTIVES],
  [],
  [ServiceLevelObjective.availability(99.9)],
  [ServiceLevelObjective.latency({ percentile: 95, thresholdMilliseconds: 20 }), ServiceLevelObjective.edgeAvailability(99.5)],
];

describe('FunctionDashboardTemplates', () => {
  test.each(['single cluster', ...FLEET_CLUSTERS.map((c) => c.name)])('every function dashboard of the reference platform (%s) is the one built directly, byte for byte', (cluster) => {
    // GIVEN the reference platform of one cluster of the fleet
    const app = new App();
    buildReferencePlatform(app, platformTargetOf(cluster));
    const stacks = app.node.findAll().filter((c): c is ObservabilityStack => c instanceof ObservabilityStack);
    const fns = stacks.flatMap((s) => [...s.functions]);
    expect(fns.length).toBeGreaterThanOrEqual(10);
    // WHEN each dashboard is rendered in a synthesis (from templates) and outside one (directly)
    const templated = withSynthSession(app, () => fns.map((m) => m.dashboardJson()));
    const direct = fns.map((m) => m.dashboardJson());
    // THEN they are the same text
    expect(templated).toEqual(direct);
  });

  test('generated names, objectives, autoscalers and metrics sources give the direct build, byte for byte', () => {
    const next = random(16);
    const pool = names(next, 400);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)];
    const templates = new FunctionDashboardTemplates();
    const counts: Record<string, number> = {};
    for (let i = 0; i < 2000; i++) {
      const namespace = pick(pool);
      const name = next() < 0.05 ? namespace : pick(pool);
      const autoscaled = next() < 0.7;
      const ctx: FunctionDashboardContext = {
        uid: next() < 0.1 ? pick(pool) : `wasmfn-${namespace}-${name}`.slice(0, 40),
        name,
        namespace,
        objectives: pick(OBJECTIVES),
        source: pick(SOURCES),
        autoscaler: autoscaled
          ? { kind: pick(['KedaFunctionAutoscaler', 'HorizontalFunctionAutoscaler']), hpaName: next() < 0.5 ? name : `keda-hpa-${name}`, minReplicas: pick([0, 1, 2]), maxReplicas: pick([5, 10]) }
          : undefined,
        fixedReplicas: autoscaled ? undefined : pick([undefined, 1, 3]),
        overviewUid: 'wasm-functions-overview',
      };
      const rendered = templates.render(ctx);
      const { expressionsParse, ...dashboard } = rendered;
      expect(dashboard).toEqual(renderFunctionDashboard(ctx));
      const parse = dashboard.expressions.every((e) => promQlSyntaxError(substituteGrafanaVariables(e)) === undefined);
      if (expressionsParse === true) expect(parse).toBe(true);
      counts[`${expressionsParse === true} ${parse}`] = (counts[`${expressionsParse === true} ${parse}`] ?? 0) + 1;
    }
    // Every case happened: known to parse, checked one by one and parsing, checked and failing.
    expect(Object.keys(counts).sort()).toEqual(['false false', 'false true', 'true true']);
  });

  test('functions of one shape share one template: two stand-in builds, whatever their number', () => {
    // GIVEN a source that counts the builds reading it (each reads requestsTotal once)
    let reads = 0;
    const source: RequestMetrics = {
      ...FUNCTION_SDK_METRICS,
      get requestsTotal() {
        reads++;
        return FUNCTION_SDK_METRICS.requestsTotal;
      },
    };
    const templates = new FunctionDashboardTemplates();
    // WHEN four functions of one shape are rendered
    for (const name of ['a', 'b', 'c', 'd']) {
      templates.render({ uid: `wasmfn-shop-${name}`, name, namespace: 'shop', objectives: SEED_OBJECTIVES, source, fixedReplicas: 2, overviewUid: 'o' });
    }
    // THEN only the template was built, twice
    expect(reads).toBe(2);
  });

  test('names a template cannot carry are built directly', () => {
    const templates = new FunctionDashboardTemplates();
    for (const name of ['Upper', 'with"quote', 'back\\slash', 'dollar$&', 'ünï', 'new\nline', '', '-lead']) {
      const ctx: FunctionDashboardContext = {
        uid: 'uid', name, namespace: 'shop', objectives: SEED_OBJECTIVES, source: FUNCTION_SDK_METRICS,
        autoscaler: { kind: 'KedaFunctionAutoscaler', hpaName: `keda-hpa-${name}`, minReplicas: 1, maxReplicas: 5 }, overviewUid: 'o',
      };
      expect(templates.render(ctx)).toEqual(renderFunctionDashboard(ctx));
    }
  });
});

describe('parsesWhateverTheLiterals', () => {
  test.each<[string, boolean]>([
    ['sum(rate(x{namespace="zq7ns",function="zq7fn"}[5m]))', true],
    ['sum(rate(x{namespace="a-zq7ns.b"}[5m]))', true],
    // Outside a literal, the stand-in is a name: another string need not be one.
    ['sum(rate(x{namespace="a",zq7fn="b"}[5m]))', false],
    ['zq7fn{a="b"}', false],
    // A comment or an unclosed literal: no shape to compare.
    ['x{a="zq7ns"} # zq7fn', false],
    ['x{a="zq7ns}', false],
    // Does not parse at all.
    ['sum(rate(x{a="zq7ns"}[5m])', false],
  ])('%s: %s', (expr, expected) => {
    expect(parsesWhateverTheLiterals(expr, ['zq7ns', 'zq7fn'])).toBe(expected);
  });
});
