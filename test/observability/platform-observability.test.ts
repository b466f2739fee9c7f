import { App } from 'cdk8s';
import { KUBE_STATE_METRICS, metricNamesIn, OTHER_KNOWN_METRICS, promQlSyntaxError, substituteGrafanaVariables } from '../../lib';
import { buildReferencePlatform } from '../../platform';
import { kubeValidator } from '../support/kube-schema';
import { KubeObject, problemsOf } from '../support/synth';

describe('reference platform: observability section', () => {
  // GIVEN the reference platform as main.ts builds it
  const app = new App({ outdir: '/tmp/unused-observability-test' });
  const platform = buildReferencePlatform(app);
  const objects = platform.observability.chart.toJson() as KubeObject[];

  test('synthesizes without problems in the observability chart', () => {
    expect(problemsOf(app).filter((p) => p.startsWith('[Observability'))).toEqual([]);
  });

  test('every function has a ServiceMonitor, SLO rules and a dashboard', () => {
    for (const fn of Object.values(platform.functions)) {
      const base = `${fn.namespace}.${fn.name}`;
      expect(objects.filter((o) => o.metadata.name === base && o.kind === 'ServiceMonitor')).toHaveLength(1);
      expect(objects.filter((o) => o.metadata.name === `${base}.slo` && o.kind === 'PrometheusRule')).toHaveLength(1);
      expect(objects.filter((o) => o.metadata.name === `${base}.dashboard` && o.kind === 'ConfigMap')).toHaveLength(1);
    }
    expect(objects.filter((o) => o.metadata.name === 'wasm-functions-overview.dashboard')).toHaveLength(1);
    expect(objects.every((o) => o.metadata.namespace === 'monitoring')).toBe(true);
  });

  test('every function pages when its pods run but its ServiceMonitor scrapes none of them', () => {
    // Metrics that vanish (a ServiceMonitor selecting nothing under Argo CD's label tracking)
    // used to leave SLOs, dashboards and autoscaling blind without any alert.
    type Rules = { spec: { groups: { rules: { alert?: string; expr: string }[] }[] } };
    for (const fn of [...Object.values(platform.functions), ...Object.values(platform.canaries)]) {
      const rules = objects.find((o) => o.kind === 'PrometheusRule' && o.metadata.name === `${fn.namespace}.${fn.name}.slo`) as unknown as Rules;
      const missing = rules.spec.groups.flatMap((g) => g.rules).filter((r) => r.alert === 'WasmFunctionScrapeTargetMissing');
      expect(missing.map((r) => r.expr)).toEqual([expect.stringContaining(`up{namespace="${fn.namespace}",function="${fn.name}"} == 1`)]);
    }
  });

  test('the Envoy proxies are scraped and every routed function has an edge availability objective with its own target', () => {
    // The gateway's own 5xx (a terminating pod's refused connections, timeouts, no endpoint)
    // used to count against no objective at all.
    expect(objects.filter((o) => o.kind === 'PodMonitor').map((o) => o.metadata.name)).toEqual(['gateway.envoy-gateway-proxies']);
    const routed = new Set(platform.gateway.gateway.routes.map((r) => r.function));
    for (const m of platform.observability.stack.functions) {
      const edge = m.objectives.filter((o) => o.name === 'edge-availability').map((o) => o.targetPercent);
      const own = m.objectives.filter((o) => o.name === 'availability').map((o) => o.targetPercent);
      expect({ fn: m.fn.name, edge }).toEqual({ fn: m.fn.name, edge: routed.has(m.fn) ? own : [] });
    }
    expect([...routed].length).toBeGreaterThan(0);
  });

  test('checkout has stricter objectives than the seed', () => {
    const checkout = platform.observability.stack.functions.find((m) => m.fn.name === 'checkout')!;
    const price = platform.observability.stack.functions.find((m) => m.fn.name === 'price')!;
    expect(checkout.objectives.map((o) => o.describe())).toEqual(['P50 < 10 ms', 'P99 < 20 ms', 'P99.9 < 20 ms', 'availability 99.999 %', 'edge availability 99.999 %']);
    expect(price.objectives.map((o) => o.describe())).toEqual(['P50 < 10 ms', 'P99 < 20 ms', 'P99.9 < 50 ms', 'availability 99.99 %', 'edge availability 99.99 %']);
  });

  test('every object is schema-valid and every expression parses and names known metrics', () => {
    const validator = kubeValidator();
    for (const o of objects) {
      expect({ name: o.metadata.name, violations: validator.validate(o) }).toEqual({ name: o.metadata.name, violations: [] });
    }
    const rules = objects.filter((o) => o.kind === 'PrometheusRule')
      .flatMap((o) => (o.spec as { groups: { rules: { record?: string; expr: string }[] }[] }).groups.flatMap((g) => g.rules));
    const source = platform.observability.stack.sloSource;
    const known = new Set([
      ...rules.map((r) => r.record).filter((r): r is string => r !== undefined),
      source.requestsTotal, `${source.durationHistogram}_bucket`, `${source.durationHistogram}_count`,
      ...(source.inFlight ? [source.inFlight] : []),
      // The gateway's per-route counter the edge objectives read, from the proxies the stack scrapes.
      ...(platform.observability.stack.edgeMetrics ? [platform.observability.stack.edgeMetrics.responsesTotal] : []),
      ...KUBE_STATE_METRICS, ...OTHER_KNOWN_METRICS,
    ]);
    const dashboardExprs = objects.filter((o) => o.kind === 'ConfigMap' && o.metadata.labels?.grafana_dashboard === '1')
      .flatMap((o) => Object.values(o.data as Record<string, string>))
      .flatMap((json) => (JSON.parse(json).panels as { targets?: { expr?: string }[] }[]).flatMap((p) => (p.targets ?? []).map((t) => t.expr ?? '')))
      .map(substituteGrafanaVariables);
    for (const expr of [...rules.map((r) => r.expr), ...dashboardExprs]) {
      expect({ expr, error: promQlSyntaxError(expr) }).toEqual({ expr, error: undefined });
      expect({ expr, unknown: metricNamesIn(expr).filter((n) => !known.has(n)) }).toEqual({ expr, unknown: [] });
    }
  });

  test('each ConfigMap stays well under the 1 MiB limit', () => {
    for (const o of objects.filter((x) => x.kind === 'ConfigMap')) {
      expect(Buffer.byteLength(JSON.stringify(o))).toBeLessThan(256 * 1024);
    }
  });
});
