import { Duration } from 'cdk8s';
import { AlertUrgency, FUNCTION_SDK_METRICS, KongProvider, RequestMetrics, SEED_OBJECTIVES, ServiceLevelObjective, SRE_WORKBOOK_WINDOWS, TraefikProvider } from '../../lib';
import { promQlSyntaxError } from '../../lib/observability/promql';
import { FunctionRuleTemplates } from '../../lib/observability/rule-templates';
import { FunctionRuleContext, functionRuleGroups } from '../../lib/observability/rules';
import { generatedNames, random } from '../support/generated-names';

/** DNS labels of every shape, the stand-ins themselves among them. */
function names(next: () => number, count: number): string[] {
  return generatedNames(next, count, ['a', '0', 'zq7ns', 'zq7fn', 'zq7hpa', 'zq8functionxx', 'x'.repeat(63), 'a-b-c', '9lives', 'fn.with.dots']);
}

const SOURCES: RequestMetrics[] = [
  FUNCTION_SDK_METRICS,
  new KongProvider().requestMetrics,
  new TraefikProvider().requestMetrics,
  // Matchers that do more than put the strings in: the template must not vouch for them.
  { ...FUNCTION_SDK_METRICS, matchers: (t) => `namespace="${t.namespace}",function="${t.name.toUpperCase()}"` },
  { ...FUNCTION_SDK_METRICS, matchers: (t) => (t.name.length % 2 === 0 ? `function="${t.name}"` : `function="${t.name}",odd=`) },
  // Broken for some names only, none of them the stand-ins: only the comparison for each function can tell.
  { ...FUNCTION_SDK_METRICS, matchers: (t) => (t.name.includes('0') ? `function="${t.name}",broken=` : `function="${t.name}"`) },
  // A name outside a string literal: whether it parses depends on the name.
  { ...FUNCTION_SDK_METRICS, matchers: (t) => `namespace="${t.namespace}",${t.name}="x"` },
  { ...FUNCTION_SDK_METRICS, durationUnit: 'milliseconds', durationBuckets: [10, 20, 50] },
];

const OBJECTIVES: ServiceLevelObjective[][] = [
  [...SEED_OBJECTIVES],
  [],
  [ServiceLevelObjective.availability(99.9)],
  [ServiceLevelObjective.latency({ percentile: 95, thresholdMilliseconds: 20 }), ServiceLevelObjective.edgeAvailability(99.5)],
];

const SEVERITIES = { [AlertUrgency.PAGE]: 'critical', [AlertUrgency.TICKET]: 'warning' };

describe('FunctionRuleTemplates', () => {
  test('vouches for a function\'s rule expressions only when they all parse', () => {
    const next = random(7);
    const pool = names(next, 300);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)];
    const templates = new FunctionRuleTemplates();
    const counts: Record<string, number> = {};
    for (let i = 0; i < 2000; i++) {
      const namespace = pick(pool);
      const name = next() < 0.05 ? namespace : pick(pool);
      const ctx: FunctionRuleContext = {
        name,
        namespace,
        objectives: pick(OBJECTIVES),
        source: pick(SOURCES),
        windows: next() < 0.8 ? SRE_WORKBOOK_WINDOWS : [{ longWindow: Duration.hours(1), shortWindow: Duration.minutes(2), burnRate: 14.4, urgency: AlertUrgency.PAGE }],
        severities: SEVERITIES,
        dashboardUid: `wasmfn-${namespace}-${name}`.slice(0, 40),
        annotate: (alert, summary, description) => ({ summary, description, dashboard_url: `/d/${alert}` }),
        hpa: next() < 0.6 ? { name: next() < 0.5 ? name : `keda-hpa-${name}`, maxReplicas: pick([3, 10]) } : undefined,
        serviceMonitor: next() < 0.8 ? `monitoring/${namespace}.${name}` : undefined,
      };
      const known = templates.expressionsParse(ctx);
      const parse = functionRuleGroups(ctx).every((g) => g.rules.every((r) => promQlSyntaxError(r.expr) === undefined));
      if (known) expect(parse).toBe(true);
      counts[`${known} ${parse}`] = (counts[`${known} ${parse}`] ?? 0) + 1;
    }
    // Every case happened: known to parse, checked one by one and parsing, checked and failing.
    expect(Object.keys(counts).sort()).toEqual(['false false', 'false true', 'true true']);
    expect(counts['true true']).toBeGreaterThan(1000);
  });

  test('names a template cannot carry, and edge objectives, are left to the check one by one', () => {
    const templates = new FunctionRuleTemplates();
    const base: FunctionRuleContext = {
      name: 'hello', namespace: 'shop', objectives: SEED_OBJECTIVES, source: FUNCTION_SDK_METRICS, windows: SRE_WORKBOOK_WINDOWS,
      severities: SEVERITIES, dashboardUid: 'u', annotate: () => ({}),
    };
    expect(templates.expressionsParse(base)).toBe(true);
    for (const name of ['Upper', 'with"quote', 'back\\slash', 'ünï', '', '-lead']) {
      expect(templates.expressionsParse({ ...base, name })).toBe(false);
    }
    const edge = { metrics: { source: 'envoy-gateway', proxies: { namespace: 'gw', podLabels: {} }, responsesTotal: 'x', errorMatcher: 'c="5"', scrapePort: 'm', scrapePath: '/m', routeMatchers: () => undefined }, matchers: 'route="a"' };
    expect(templates.expressionsParse({ ...base, edge })).toBe(false);
  });
});
