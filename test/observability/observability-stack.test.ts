import { Chart, Duration, Testing } from 'cdk8s';
import * as yaml from 'js-yaml';
import {
  AlertUrgency, FUNCTION_SDK_METRICS, KUBE_STATE_METRICS, metricNamesIn, ObservabilityStack, OTHER_KNOWN_METRICS,
  OpaAuthorizer, promQlSyntaxError, RequestAuthorizationPolicy, RequestIdentity, RequestMetrics, SLO_RECORDS,
  ServiceLevelObjective, substituteGrafanaVariables, WasmFunction,
} from '../../lib';
import { kubeValidator } from '../support/kube-schema';
import { findOne, KubeObject, objectsOf, problemsOf, testApp } from '../support/synth';

const IMAGE = 'registry.example.com/fn/hello@sha256:ee53e6483a0ea1a04acd565404cdd4036828bdbddae632d47f551fe8b0f90316';

/** GIVEN a functions chart with two functions (one autoscaled) and a monitoring chart. */
function fixture(props: ConstructorParameters<typeof ObservabilityStack>[2] = {}) {
  const app = testApp();
  const fns = new Chart(app, 'Functions', { namespace: 'functions-shop' });
  const hello = new WasmFunction(fns, 'Hello', { name: 'hello', image: IMAGE });
  const pay = new WasmFunction(fns, 'Pay', { name: 'pay', image: IMAGE });
  const monitoring = new Chart(app, 'Monitoring', { namespace: 'monitoring' });
  const stack = new ObservabilityStack(monitoring, 'Stack', { runbookBaseUrl: 'https://runbooks.example.com', ...props });
  return { app, fns, hello, pay, monitoring, stack };
}

function ruleExprs(objects: readonly KubeObject[]): string[] {
  return objects.filter((o) => o.kind === 'PrometheusRule')
    .flatMap((o) => (o.spec as { groups: { rules: { expr: string }[] }[] }).groups.flatMap((g) => g.rules.map((r) => r.expr)));
}

function recordedNames(objects: readonly KubeObject[]): string[] {
  return objects.filter((o) => o.kind === 'PrometheusRule')
    .flatMap((o) => (o.spec as { groups: { rules: { record?: string }[] }[] }).groups.flatMap((g) => g.rules.map((r) => r.record)))
    .filter((r): r is string => r !== undefined);
}

interface Rule { record?: string; alert?: string; expr: string; labels?: Record<string, string>; annotations?: Record<string, string> }

function rulesOf(rule: KubeObject): Rule[] {
  return (rule.spec as { groups: { rules: Rule[] }[] }).groups.flatMap((g) => g.rules);
}

function dashboards(objects: readonly KubeObject[]): { name: string; json: string }[] {
  return objects.filter((o) => o.kind === 'ConfigMap' && o.metadata.labels?.grafana_dashboard === '1')
    .flatMap((o) => Object.entries(o.data as Record<string, string>).map(([k, json]) => ({ name: `${o.metadata.name}/${k}`, json })));
}

function panelExprs(dashboard: { panels?: { targets?: { expr?: string }[] }[] }): string[] {
  return (dashboard.panels ?? []).flatMap((p) => (p.targets ?? []).map((t) => t.expr)).filter((e): e is string => typeof e === 'string');
}

describe('ObservabilityStack', () => {
  test('synthesizes monitors, rules, dashboards and log collection (snapshot)', () => {
    // GIVEN
    const { monitoring, stack, hello, pay } = fixture();
    hello.attachAutoscaler({ owner: hello, kind: 'HorizontalPodAutoscaler', minReplicas: 10, maxReplicas: 5000, hpaName: 'hello' });
    // WHEN
    stack.addFunction(hello);
    stack.addFunction(pay, { objectives: [ServiceLevelObjective.availability(99.9)] });
    // THEN
    expect(Testing.synth(monitoring)).toMatchSnapshot();
  });

  test('every monitoring object passes strict schema validation', () => {
    const { monitoring, stack, hello, pay } = fixture();
    stack.addFunction(hello);
    stack.addFunction(pay);
    const validator = kubeValidator();
    const objects = objectsOf(monitoring);
    expect(objects.map((o) => o.kind).sort()).toEqual([
      'ConfigMap', 'ConfigMap', 'ConfigMap', 'ConfigMap', 'ConfigMap',
      'PrometheusRule', 'PrometheusRule', 'PrometheusRule', 'PrometheusRule', 'ServiceMonitor', 'ServiceMonitor',
    ]);
    for (const o of objects) {
      expect(validator.knows(o.apiVersion, o.kind)).toBe(true);
      expect({ name: o.metadata.name, violations: validator.validate(o) }).toEqual({ name: o.metadata.name, violations: [] });
    }
  });

  test('the ServiceMonitor selects the function Service across namespaces with the Prometheus release label', () => {
    const { monitoring, stack, hello } = fixture({ prometheusSelectorLabels: { release: 'prom' }, scrapeIntervalSeconds: 15 });
    stack.addFunction(hello);
    const sm = findOne(objectsOf(monitoring), 'ServiceMonitor');
    expect(sm).toMatchObject({
      metadata: { name: 'functions-shop.hello', namespace: 'monitoring', labels: { release: 'prom' } },
      spec: {
        namespaceSelector: { matchNames: ['functions-shop'] },
        selector: { matchLabels: { 'app.kubernetes.io/name': 'hello', 'app.kubernetes.io/component': 'function' } },
        endpoints: [{ port: 'http', path: '/metrics', interval: '15s', relabelings: [{ targetLabel: 'function' }] }],
      },
    });
    // The Service the monitor selects has the port name and labels it relies on.
    const svc = hello.service.toJson();
    expect(svc.spec.ports[0].name).toBe('http');
    const selected = (sm.spec as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels;
    expect(svc.metadata.labels).toMatchObject(selected);
    // Argo CD before 3.0 (label tracking) rewrites app.kubernetes.io/instance on the Service
    // with the Application's name: the selector must still match.
    const underArgoCd = { ...svc.metadata.labels, 'app.kubernetes.io/instance': 'catalog-functions' };
    expect(underArgoCd).toMatchObject(selected);
  });

  test('every generated PromQL expression parses with the official grammar', () => {
    const { monitoring, stack, hello, pay } = fixture();
    hello.attachAutoscaler({ owner: hello, kind: 'HorizontalPodAutoscaler', minReplicas: 10, maxReplicas: 5000, hpaName: 'hello' });
    stack.addFunction(hello);
    stack.addFunction(pay);
    const objects = objectsOf(monitoring);
    const exprs = [
      ...ruleExprs(objects),
      ...dashboards(objects).flatMap((d) => panelExprs(JSON.parse(d.json)).map(substituteGrafanaVariables)),
    ];
    expect(exprs.length).toBeGreaterThan(60);
    for (const expr of exprs) {
      expect({ expr, error: promQlSyntaxError(expr) }).toEqual({ expr, error: undefined });
    }
  });

  test('the grammar check catches a broken expression', () => {
    expect(promQlSyntaxError('sum(rate(x[5m])')).toBeDefined();
    expect(promQlSyntaxError('sum by (le) (rate(x_bucket{le=~"50(\\\\.0)?"}[5m]))')).toBeUndefined();
  });

  test('each function records its SLI rates and objectives; the SLO series, burn rates and alerts are shared', () => {
    const { monitoring, stack, hello, pay } = fixture();
    stack.addFunction(hello);
    stack.addFunction(pay, { objectives: [ServiceLevelObjective.availability(99.9)] });
    const objects = objectsOf(monitoring);
    const own = rulesOf(findOne(objects, 'PrometheusRule', 'functions-shop.hello.slo'));
    // Per function: one pair of 5m rates per SLI (three thresholds and availability) and one
    // objective series per objective, labelled with its SLI and dashboard; nothing per window.
    expect(own.filter((r) => r.record === 'namespace_function_sli:requests:rate5m').map((r) => r.labels?.sli))
      .toEqual(['latency-10ms', 'latency-20ms', 'latency-50ms', 'availability']);
    expect(own.filter((r) => r.record === 'namespace_function_sli:bad_requests:rate5m')).toHaveLength(4);
    expect(own.find((r) => r.record === 'namespace_function_sli:bad_requests:rate5m' && r.labels?.sli === 'availability')?.expr)
      .toBe('sum(rate(wasm_function_requests_total{namespace="functions-shop",function="hello",code=~"5.."}[5m])) or 0 * sum(rate(wasm_function_requests_total{namespace="functions-shop",function="hello"}[5m]))');
    expect(own.find((r) => r.record === 'namespace_function_sli:bad_requests:rate5m' && r.labels?.sli === 'latency-20ms')?.expr)
      .toBe('sum(rate(wasm_function_request_duration_seconds_count{namespace="functions-shop",function="hello"}[5m])) - sum(rate(wasm_function_request_duration_seconds_bucket{namespace="functions-shop",function="hello",le="0.02"}[5m]))');
    expect(own.filter((r) => r.record === SLO_RECORDS.objective).map((r) => [r.expr, r.labels])).toEqual([
      ['vector(0.5)', { namespace: 'functions-shop', function: 'hello', slo: 'latency-p50', sli: 'latency-10ms', dashboard_uid: 'wasmfn-functions-shop-hello' }],
      ['vector(0.99)', { namespace: 'functions-shop', function: 'hello', slo: 'latency-p99', sli: 'latency-20ms', dashboard_uid: 'wasmfn-functions-shop-hello' }],
      ['vector(0.999)', { namespace: 'functions-shop', function: 'hello', slo: 'latency-p99-9', sli: 'latency-50ms', dashboard_uid: 'wasmfn-functions-shop-hello' }],
      ['vector(0.9999)', { namespace: 'functions-shop', function: 'hello', slo: 'availability', sli: 'availability', dashboard_uid: 'wasmfn-functions-shop-hello' }],
    ]);
    expect(own.some((r) => r.record?.startsWith('slo:sli_error') || r.alert === 'WasmFunctionErrorBudgetBurn')).toBe(false);

    // Shared: one error ratio per window (5m 30m 1h 2h 6h 1d 3d) and the 30-day period,
    // whatever the number of functions.
    const shared = rulesOf(findOne(objects, 'PrometheusRule', 'wasm-functions.slo'));
    const sel = '{namespace=~"functions-shop"}';
    for (const w of ['5m', '30m', '1h', '2h', '6h', '1d', '3d', '30d']) {
      expect(shared.filter((r) => r.record === SLO_RECORDS.errorRatio(w)).map((r) => r.labels)).toEqual([{ window: w }]);
    }
    expect(shared.find((r) => r.record === 'slo:sli_error:ratio_rate5m')?.expr)
      .toBe(`0 * slo:objective:ratio${sel} + on (namespace, function, sli) group_left () (namespace_function_sli:bad_requests:rate5m${sel} / namespace_function_sli:requests:rate5m${sel})`);
    expect(shared.find((r) => r.record === 'slo:sli_error:ratio_rate1h')?.expr)
      .toContain(`(sum_over_time(namespace_function_sli:bad_requests:rate5m${sel}[1h]) / sum_over_time(namespace_function_sli:requests:rate5m${sel}[1h]))`);
    // Windows of a day and more, and what reads the period, are evaluated less often in a
    // group of their own, so they cannot hold up the page windows.
    const groups = (findOne(objects, 'PrometheusRule', 'wasm-functions.slo').spec as { groups: { name: string; interval?: string; rules: Rule[] }[] }).groups;
    expect(groups.map((g) => [g.name, g.interval])).toEqual([
      ['wasm-functions.slo', undefined], ['wasm-functions.slo-long-windows', '2m'], ['wasm-functions.slo-alerts', undefined],
    ]);
    expect(groups[1].rules.map((r) => r.labels?.window ?? r.record)).toEqual(['1d', '3d', '30d', 'slo:period_burn_rate:ratio', 'slo:period_error_budget_remaining:ratio']);

    // The burn-rate alerts of the SRE workbook table: one page and one ticket alert.
    const burns = shared.filter((r) => r.alert === 'WasmFunctionErrorBudgetBurn');
    expect(burns.map((r) => `${r.labels?.urgency}/${r.labels?.severity}`)).toEqual(['page/critical', 'ticket/warning']);
    const ratio = (w: string) => `max without (window) (slo:sli_error:ratio_rate${w}${sel})`;
    const budget = `slo:error_budget:ratio${sel}`;
    expect(burns[0].expr).toBe(`((${ratio('1h')} > 14.4 * ${budget} and ${ratio('5m')} > 14.4 * ${budget}) or (${ratio('6h')} > 6 * ${budget} and ${ratio('30m')} > 6 * ${budget})) and (${budget} * 14.4 < 1)`);
    expect(burns[1].expr).toContain(`(${ratio('1d')} > 3 * ${budget} and ${ratio('2h')} > 3 * ${budget}) or (${ratio('3d')} > 1 * ${budget} and ${ratio('6h')} > 1 * ${budget})`);
  });

  test('the shared rules join only series the functions record, on labels both sides carry', () => {
    const { monitoring, stack, hello, pay } = fixture();
    stack.addFunction(hello);
    stack.addFunction(pay, { objectives: [ServiceLevelObjective.availability(99.9)] });
    const objects = objectsOf(monitoring);
    const own = ['functions-shop.hello.slo', 'functions-shop.pay.slo'].flatMap((n) => rulesOf(findOne(objects, 'PrometheusRule', n)));
    const shared = rulesOf(findOne(objects, 'PrometheusRule', 'wasm-functions.slo'));
    const recorded = new Set([...own, ...shared].map((r) => r.record).filter((r): r is string => r !== undefined));
    // Every series a shared rule reads is recorded by some rule.
    for (const r of shared) {
      const missing = metricNamesIn(r.expr).filter((n) => !recorded.has(n));
      expect({ rule: r.record ?? r.alert, missing }).toEqual({ rule: r.record ?? r.alert, missing: [] });
    }
    // The SLI rates carry exactly the join labels (one series per function and SLI, so
    // group_left finds one match); every objective carries them too, and names an SLI its
    // function records.
    const join = ['function', 'namespace', 'sli'];
    const rates = own.filter((r) => r.record?.startsWith('namespace_function_sli:'));
    for (const r of rates) expect(Object.keys(r.labels ?? {}).sort()).toEqual(join);
    const keys = rates.map((r) => `${r.record}|${r.labels?.namespace}|${r.labels?.function}|${r.labels?.sli}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const o of own.filter((r) => r.record === SLO_RECORDS.objective)) {
      for (const name of ['namespace_function_sli:requests:rate5m', 'namespace_function_sli:bad_requests:rate5m']) {
        expect(keys).toContain(`${name}|${o.labels?.namespace}|${o.labels?.function}|${o.labels?.sli}`);
      }
    }
    // The join's `on` labels are exactly those.
    for (const r of shared.filter((x) => x.expr.includes('group_left'))) {
      expect(r.expr).toContain('on (namespace, function, sli) group_left ()');
    }
  });

  test('P50 is alerted on directly, not by burn rate (14.4 x 50 % > 100 %)', () => {
    const { monitoring, stack, hello } = fixture();
    stack.addFunction(hello);
    const shared = rulesOf(findOne(objectsOf(monitoring), 'PrometheusRule', 'wasm-functions.slo'));
    const sel = '{namespace=~"functions-shop"}';
    const direct = shared.filter((r) => r.alert === 'WasmFunctionLatencyObjectiveBreached');
    expect(direct).toHaveLength(1);
    // It reads the objectives a burn-rate alert cannot serve, and only those...
    expect(direct[0].expr).toBe(`(max without (window) (slo:sli_error:ratio_rate1h${sel}) > slo:error_budget:ratio${sel} and max without (window) (slo:sli_error:ratio_rate5m${sel}) > slo:error_budget:ratio${sel}) unless (slo:error_budget:ratio${sel} * 14.4 < 1)`);
    expect(direct[0].labels?.urgency).toBe(AlertUrgency.TICKET);
    // ...which the burn-rate alerts leave out.
    for (const burn of shared.filter((r) => r.alert === 'WasmFunctionErrorBudgetBurn')) {
      expect(burn.expr.endsWith(`and (slo:error_budget:ratio${sel} * 14.4 < 1)`)).toBe(true);
    }
  });

  test('without an objective too large for burn rates there is no direct alert', () => {
    const { monitoring, stack, pay } = fixture();
    stack.addFunction(pay, { objectives: [ServiceLevelObjective.availability(99.9), ServiceLevelObjective.latency({ percentile: 99, thresholdMilliseconds: 20 })] });
    const shared = rulesOf(findOne(objectsOf(monitoring), 'PrometheusRule', 'wasm-functions.slo'));
    expect(shared.map((r) => r.alert).filter(Boolean)).toEqual(['WasmFunctionErrorBudgetBurn', 'WasmFunctionErrorBudgetBurn']);
  });

  test('alert annotations link the runbook and the function dashboard', () => {
    const { monitoring, stack, hello } = fixture({ grafanaUrl: 'https://grafana.example.com/' });
    hello.attachAutoscaler({ owner: hello, kind: 'ScaledObject', minReplicas: 2, maxReplicas: 300, hpaName: 'keda-hpa-hello' });
    stack.addFunction(hello);
    const objects = objectsOf(monitoring);
    // The shared alerts learn the function's dashboard from the labels of its objective series.
    const shared = rulesOf(findOne(objects, 'PrometheusRule', 'wasm-functions.slo')).filter((r) => r.alert);
    expect(shared.length).toBeGreaterThan(0);
    for (const a of shared) {
      expect(a.annotations).toMatchObject({
        runbook_url: `https://runbooks.example.com/${a.alert}`,
        dashboard_url: 'https://grafana.example.com/d/{{ $labels.dashboard_uid }}',
      });
    }
    const own = rulesOf(findOne(objects, 'PrometheusRule', 'functions-shop.hello.slo'));
    expect(own.filter((r) => r.record === SLO_RECORDS.objective).every((r) => r.labels?.dashboard_uid === 'wasmfn-functions-shop-hello')).toBe(true);
    const alerts = own.filter((r) => r.alert);
    expect(alerts.map((a) => a.alert)).toEqual(['WasmFunctionAtMaxReplicas', 'WasmFunctionScrapeTargetMissing']);
    for (const alert of alerts) {
      expect(alert.annotations).toMatchObject({
        runbook_url: `https://runbooks.example.com/${alert.alert}`,
        dashboard_url: 'https://grafana.example.com/d/wasmfn-functions-shop-hello',
      });
    }
  });

  test('a function whose pods run while Prometheus scrapes none of them pages, after 5 minutes', () => {
    // GIVEN a watched function (no autoscaler: every function gets the alert)
    const { monitoring, stack, hello } = fixture();
    stack.addFunction(hello);

    // WHEN
    const rule = rulesOf(findOne(objectsOf(monitoring), 'PrometheusRule', 'functions-shop.hello.slo'))
      .find((r) => r.alert === 'WasmFunctionScrapeTargetMissing');

    // THEN it compares available pods (kube-state-metrics) with targets up, by the function
    // label the ServiceMonitor sets: no up series at all (nothing selected) and targets that
    // are down both count; a function scaled to zero has no pods and stays silent.
    expect(rule).toEqual({
      alert: 'WasmFunctionScrapeTargetMissing',
      expr: 'sum by (namespace, deployment) (kube_deployment_status_replicas_available{namespace="functions-shop",deployment="hello"}) > 0 unless on (namespace) sum by (namespace) (up{namespace="functions-shop",function="hello"} == 1)',
      for: '5m',
      labels: { severity: 'critical', urgency: 'page', function: 'hello' },
      annotations: expect.objectContaining({
        summary: 'functions-shop/hello has running pods, but Prometheus scrapes none of them',
        description: expect.stringContaining('are available, but for 5m no target of ServiceMonitor monitoring/functions-shop.hello has been up'),
      }),
    });
    expect(promQlSyntaxError(rule!.expr)).toBeUndefined();
  });

  test('an autoscaled function gets an at-max-replicas alert on its HPA, read when synthesized', () => {
    const { monitoring, stack, hello } = fixture();
    // WHEN the autoscaler attaches after the function was added
    stack.addFunction(hello);
    hello.attachAutoscaler({ owner: hello, kind: 'ScaledObject', minReplicas: 2, maxReplicas: 300, hpaName: 'keda-hpa-hello' });
    const objects = objectsOf(monitoring);
    const expr = ruleExprs(objects).find((e) => e.includes('kube_horizontalpodautoscaler_spec_max_replicas'));
    expect(expr).toBe('kube_horizontalpodautoscaler_status_current_replicas{namespace="functions-shop",horizontalpodautoscaler="keda-hpa-hello"} >= on (namespace, horizontalpodautoscaler) kube_horizontalpodautoscaler_spec_max_replicas{namespace="functions-shop",horizontalpodautoscaler="keda-hpa-hello"}');
    const dash = JSON.parse(dashboards(objects).find((d) => d.name.startsWith('functions-shop.hello'))!.json);
    expect(JSON.stringify(dash)).toContain('keda-hpa-hello');
  });

  test('platform alerts watch capacity, the OPA authorizer (configurable) and Gatekeeper', () => {
    const { monitoring, stack, hello } = fixture({ authorizer: { namespace: 'policy', deploymentName: 'opa' } });
    stack.addFunction(hello);
    const rule = findOne(objectsOf(monitoring), 'PrometheusRule', 'wasm-platform.alerts');
    const rules = (rule.spec as { groups: { rules: { alert: string; expr: string }[] }[] }).groups[0].rules;
    expect(rules.map((r) => r.alert)).toEqual(['WasmFunctionPodsUnschedulable', 'OpaAuthorizerUnavailable', 'GatekeeperViolationsRising']);
    expect(rules[0].expr).toBe('sum by (namespace) (kube_pod_status_unschedulable{namespace=~"functions-shop"}) > 0');
    expect(rules[1].expr).toContain('kube_deployment_status_replicas_available{namespace="policy",deployment="opa"}');
    expect(rules[2].expr).toContain('gatekeeper_violations');
  });

  test('by default the OPA alert watches the Deployment an OpaAuthorizer creates by default', () => {
    // GIVEN a stack without an authorizer setting, and a default OpaAuthorizer in namespace opa
    const { app, monitoring, stack, hello } = fixture();
    stack.addFunction(hello);
    const opa = new OpaAuthorizer(new Chart(app, 'Authz', { namespace: 'opa' }), 'Opa', {
      policy: RequestAuthorizationPolicy.seed(RequestIdentity.trustedHeader('x-role')),
      allowMutableTag: true,
    });
    // WHEN the platform alerts are rendered
    const rule = findOne(objectsOf(monitoring), 'PrometheusRule', 'wasm-platform.alerts');
    const rules = (rule.spec as { groups: { rules: { alert: string; expr: string }[] }[] }).groups[0].rules;
    // THEN the alert names that very Deployment
    expect(rules.find((r) => r.alert === 'OpaAuthorizerUnavailable')!.expr)
      .toContain(`kube_deployment_status_replicas_available{namespace="${opa.namespace}",deployment="${opa.deploymentName}"}`);
  });

  test('dashboards parse as JSON, stay small, and reference only metrics the platform defines', () => {
    const { monitoring, stack, hello, pay } = fixture();
    hello.attachAutoscaler({ owner: hello, kind: 'HorizontalPodAutoscaler', minReplicas: 10, maxReplicas: 5000, hpaName: 'hello' });
    stack.addFunction(hello);
    stack.addFunction(pay);
    const objects = objectsOf(monitoring);
    const m = FUNCTION_SDK_METRICS;
    const known = new Set([
      ...recordedNames(objects),
      m.requestsTotal, `${m.durationHistogram}_bucket`, `${m.durationHistogram}_count`, `${m.durationHistogram}_sum`, m.inFlight!,
      ...KUBE_STATE_METRICS, ...OTHER_KNOWN_METRICS,
    ]);
    const found = dashboards(objects);
    expect(found.map((d) => d.name).sort()).toEqual([
      'functions-shop.hello.dashboard/wasmfn-functions-shop-hello.json',
      'functions-shop.pay.dashboard/wasmfn-functions-shop-pay.json',
      'wasm-functions-overview.dashboard/wasm-functions-overview.json',
    ]);
    for (const d of found) {
      const dash = JSON.parse(d.json);
      expect(Buffer.byteLength(d.json)).toBeLessThan(256 * 1024);
      const exprs = panelExprs(dash);
      expect(exprs.length).toBeGreaterThan(3);
      const unknown = exprs.flatMap((e) => metricNamesIn(substituteGrafanaVariables(e))).filter((n) => !known.has(n));
      expect({ dashboard: d.name, unknown }).toEqual({ dashboard: d.name, unknown: [] });
    }
    // The alert/rule expressions reference only known metrics too.
    const unknownInRules = ruleExprs(objects).flatMap(metricNamesIn).filter((n) => !known.has(n));
    expect(unknownInRules).toEqual([]);
  });

  test('the function dashboard shows every panel the issue names', () => {
    const { monitoring, stack, hello } = fixture();
    hello.attachAutoscaler({ owner: hello, kind: 'HorizontalPodAutoscaler', minReplicas: 10, maxReplicas: 5000, hpaName: 'hello' });
    stack.addFunction(hello);
    const dash = JSON.parse(dashboards(objectsOf(monitoring)).find((d) => d.name.startsWith('functions-shop.hello'))!.json);
    const titles = (dash.panels as { title: string }[]).map((p) => p.title);
    expect(titles).toEqual(expect.arrayContaining([
      'Error budget remaining (SLO period)', 'Burn rate (shortest window)', 'Request rate', 'Latency against objectives',
      'Error ratio per objective', 'Replicas against min / max', 'Autoscaler metric against target',
    ]));
    const latency = (dash.panels as { title: string; targets: { expr: string; legendFormat: string }[]; fieldConfig: { defaults: { thresholds: { steps: { value: number | null }[] } } } }[])
      .find((p) => p.title === 'Latency against objectives')!;
    expect(latency.targets.map((t) => t.legendFormat)).toEqual(['P50', 'P99', 'P99.9']);
    expect(latency.targets[1].expr).toBe('histogram_quantile(0.99, sum by (le) (rate(wasm_function_request_duration_seconds_bucket{namespace="functions-shop",function="hello"}[$__rate_interval])))');
    // Objectives drawn as thresholds, in the histogram's unit (seconds).
    expect(latency.fieldConfig.defaults.thresholds.steps.map((s) => s.value)).toEqual([null, 0.01, 0.02, 0.05]);
  });

  test('logs: an Alloy config for function and gateway pods and a Loki rule for error bursts', () => {
    const { monitoring, stack, hello } = fixture();
    stack.addFunction(hello);
    const objects = objectsOf(monitoring);
    const alloy = findOne(objects, 'ConfigMap', 'alloy-wasm-functions');
    const config = (alloy.data as Record<string, string>)['config.alloy'];
    expect(config).toContain('names = ["functions-shop", "gateway", "opa"]');
    expect(config).toContain('url = "http://loki-gateway.monitoring.svc.cluster.local/loki/api/v1/push"');
    expect(config).toContain('target_label  = "function"');
    // Balanced braces: a cheap structural check of the generated Alloy syntax.
    expect((config.match(/{/g) ?? []).length).toBe((config.match(/}/g) ?? []).length);
    const rules = findOne(objects, 'ConfigMap', 'wasm-functions.loki-rules');
    expect(rules.metadata.labels).toMatchObject({ loki_rule: '1' });
    expect(rules.metadata.annotations).toMatchObject({ 'k8s-sidecar-target-directory': '/rules/fake' });
    const doc = yaml.load((rules.data as Record<string, string>)['wasm-functions.yaml']) as { groups: { rules: { alert: string; expr: string }[] }[] };
    expect(doc.groups[0].rules[0]).toMatchObject({
      alert: 'WasmFunctionErrorLogBurst',
      expr: 'sum by (namespace, app) (rate({namespace=~"functions-shop|gateway|opa", job!="opa-decisions"} |~ `(?i)\\b(error|panic|fatal)\\b` [5m])) > 5',
    });
  });

  test('logs: OPA decision lines of the authorizer reach Loki as job="opa-decisions"', () => {
    // GIVEN a stack told where the authorizer runs
    const { monitoring, stack, hello } = fixture({ authorizer: { namespace: 'authz', deploymentName: 'opa' } });
    stack.addFunction(hello);
    const config = (findOne(objectsOf(monitoring), 'ConfigMap', 'alloy-wasm-functions').data as Record<string, string>)['config.alloy'];
    // THEN Alloy collects the authorizer's namespace
    expect(config).toContain('names = ["authz", "functions-shop", "gateway"]');
    // AND labels the lines OPA's console decision logger writes, after the CRI envelope is parsed
    const match = [
      'stage.match {',
      '    selector = "{namespace=\\"authz\\"} |= \\"openpolicyagent.org/decision_logs\\""',
      '    stage.static_labels {',
      '      values = {',
      '        "job" = "opa-decisions",',
      '      }',
      '    }',
      '  }',
    ];
    const at = config.indexOf(match[0]);
    expect(at).toBeGreaterThan(config.indexOf('stage.cri'));
    expect(config.slice(at).split('\n').slice(0, match.length).map((l) => l.trimStart())).toEqual(match.map((l) => l.trimStart()));
    expect((config.match(/{/g) ?? []).length).toBe((config.match(/}/g) ?? []).length);
  });

  test('logs: authorizerDecisionLogs false leaves the authorizer out', () => {
    const { monitoring, stack, hello } = fixture({ logs: { authorizerDecisionLogs: false } });
    stack.addFunction(hello);
    const config = (findOne(objectsOf(monitoring), 'ConfigMap', 'alloy-wasm-functions').data as Record<string, string>)['config.alloy'];
    expect(config).toContain('names = ["functions-shop", "gateway"]');
    expect(config).not.toContain('stage.match');
  });

  test.each<[string, Record<string, unknown>, string]>([
    // A pattern of 1.1 MB compiles; written into the Loki rule it makes that ConfigMap too large for the API server.
    ['a long error-line pattern', { errorLinePattern: `(${'x'.repeat(1_100_000)})` }, 'wasm-functions.loki-rules'],
    ['a long Loki push URL', { lokiPushUrl: `https://loki.example.com/${'p'.repeat(1_100_000)}` }, 'alloy-wasm-functions'],
  ])('logs: %s that makes a generated ConfigMap exceed 1 MiB is refused at synth', (_case, logs, configMap) => {
    const { app, stack, hello } = fixture({ logs });
    stack.addFunction(hello);
    expect(problemsOf(app)).toEqual([
      expect.stringMatching(new RegExp(`^\\[Monitoring/Stack\\] generated ConfigMap monitoring/${configMap.replace(/\./g, '\\.')} would hold 11\\d{5} bytes of keys and values: a ConfigMap holds at most 1048576 bytes \\(1 MiB\\) and the API server would refuse it; it grows with the watched namespaces`)),
    ]);
  });

  test('logs: false emits no log collection', () => {
    const { monitoring, stack, hello } = fixture({ logs: false });
    stack.addFunction(hello);
    const names = objectsOf(monitoring).map((o) => o.metadata.name);
    expect(names).not.toContain('alloy-wasm-functions');
    expect(names).not.toContain('wasm-functions.loki-rules');
  });

  test('a gateway source in milliseconds: thresholds convert to its unit', () => {
    const kong: RequestMetrics = {
      source: 'kong',
      requestsTotal: 'kong_http_requests_total',
      durationHistogram: 'kong_request_latency_ms',
      durationUnit: 'milliseconds',
      durationBuckets: [5, 10, 20, 50, 100],
      matchers: (t) => `exported_service="${t.namespace}.${t.name}"`,
      errorMatcher: 'code=~"5.."',
    };
    const { monitoring, stack, hello } = fixture({ sloSource: kong });
    stack.addFunction(hello);
    const exprs = ruleExprs(objectsOf(monitoring));
    expect(exprs.some((e) => e.includes('kong_request_latency_ms_bucket{exported_service="functions-shop.hello",le=~"20(\\\\.0)?"}[5m]'))).toBe(true);
    for (const e of exprs) expect(promQlSyntaxError(e)).toBeUndefined();
  });
});

describe('ObservabilityStack rules', () => {
  test('objectives outside (0, 100) % are refused', () => {
    const { app, stack, hello } = fixture();
    stack.addFunction(hello, { objectives: [ServiceLevelObjective.availability(100), ServiceLevelObjective.latency({ percentile: 0, thresholdMilliseconds: 20 })] });
    const problems = problemsOf(app);
    expect(problems).toEqual(expect.arrayContaining([
      expect.stringMatching(/objectives\[0\] \(availability\) targetPercent \(100\) must be strictly between 0 and 100 %/),
      expect.stringMatching(/objectives\[1\] \(latency-p0\) percentile \(0\) must be strictly between 0 and 100 %/),
    ]));
  });

  test('a latency threshold off the histogram buckets is refused, listing the buckets', () => {
    const { app, stack, hello } = fixture();
    stack.addFunction(hello, { objectives: [ServiceLevelObjective.latency({ percentile: 99, thresholdMilliseconds: 15 })] });
    expect(problemsOf(app).join('\n')).toMatch(
      /objectives\[0\] \(latency-p99\) thresholdMilliseconds \(15\) is not a bucket boundary of the "function-sdk" request duration histogram: use one of 1 ms, 2\.5 ms, 5 ms, 10 ms, 20 ms, 50 ms, 100 ms, 250 ms, 500 ms, 1000 ms, 2500 ms/,
    );
  });

  test("Traefik's default buckets cannot measure the seed's objectives", () => {
    const traefik: RequestMetrics = {
      ...FUNCTION_SDK_METRICS,
      source: 'traefik',
      durationHistogram: 'traefik_service_request_duration_seconds',
      durationBuckets: [0.1, 0.3, 1.2, 5],
    };
    const { app } = fixture({ sloSource: traefik });
    expect(problemsOf(app).join('\n')).toMatch(/defaultObjectives\[0\] \(latency-p50\) thresholdMilliseconds \(10\) is not a bucket boundary of the "traefik" request duration histogram: use one of 100 ms, 300 ms, 1200 ms, 5000 ms/);
  });

  test('duplicate SLO names are refused', () => {
    const { app, stack, hello } = fixture();
    stack.addFunction(hello, { objectives: [ServiceLevelObjective.availability(99.9), ServiceLevelObjective.availability(99.99)] });
    expect(problemsOf(app).join('\n')).toMatch(/objectives has 2 objectives named "availability": SLO names must be unique per function/);
  });

  test('SLO names with quotes or a newline are printed on one line', () => {
    const { app, stack, hello } = fixture();
    const name = 'slo"\nx';
    stack.addFunction(hello, { objectives: [
      ServiceLevelObjective.availability(100, { name }),
      ServiceLevelObjective.latency({ percentile: 99, thresholdMilliseconds: 15, name }),
    ] });
    expect(problemsOf(app)).toEqual(expect.arrayContaining([
      expect.stringContaining('objectives[0].name "slo\\"\\nx" must be 1-40 lowercase letters'),
      expect.stringContaining('objectives[0] (slo\\"\\nx) targetPercent (100) must be strictly between 0 and 100 %'),
      expect.stringContaining('objectives[1] (slo\\"\\nx) thresholdMilliseconds (15) is not a bucket boundary'),
      expect.stringContaining('objectives has 2 objectives named "slo\\"\\nx": SLO names must be unique per function'),
    ]));
  });

  test('an urgency or duration unit passed from JavaScript as a plain string names the allowed values', () => {
    // GIVEN spellings the types forbid but JavaScript allows: the window would match neither
    // alert rule and vanish; the unit would be read as milliseconds
    const { app } = fixture({
      burnRateWindows: [{ longWindow: Duration.hours(1), shortWindow: Duration.minutes(5), burnRate: 14.4, urgency: 'Page' as AlertUrgency }],
      sloSource: { ...FUNCTION_SDK_METRICS, durationUnit: 'ms' as RequestMetrics['durationUnit'] },
    });
    // THEN one problem each, and no derived "not a bucket boundary" from the unknown unit
    expect(problemsOf(app)).toEqual([
      '[Monitoring/Stack] burnRateWindows[0].urgency "Page" is not one of "page", "ticket" (AlertUrgency.PAGE or AlertUrgency.TICKET)',
      '[Monitoring/Stack] sloSource.durationUnit "ms" is not one of "seconds", "milliseconds"',
    ]);
  });

  test('alert windows that do not fit the scrape interval are refused', () => {
    const { app } = fixture({
      scrapeIntervalSeconds: 60,
      burnRateWindows: [{ longWindow: Duration.hours(1), shortWindow: Duration.minutes(2), burnRate: 14.4, urgency: AlertUrgency.PAGE }],
    });
    expect(problemsOf(app).join('\n')).toMatch(/burnRateWindows\[0\]\.shortWindow \(2m\) does not fit the scrape interval \(60s\) and rule evaluation interval \(30s\): use at least 240s/);
  });

  test('a long window shorter than its short window is refused', () => {
    const { app } = fixture({
      burnRateWindows: [{ longWindow: Duration.minutes(5), shortWindow: Duration.hours(1), burnRate: 14.4, urgency: AlertUrgency.PAGE }],
    });
    expect(problemsOf(app).join('\n')).toMatch(/burnRateWindows\[0\]\.longWindow \(5m\) must be longer than shortWindow \(1h\)/);
  });

  test('a request metrics source whose matchers break PromQL fails at synth', () => {
    const broken: RequestMetrics = { ...FUNCTION_SDK_METRICS, source: 'broken', matchers: (t) => `function="${t.name}` };
    const { app, stack, hello } = fixture({ sloSource: broken });
    stack.addFunction(hello);
    expect(problemsOf(app).join('\n')).toMatch(/generated PromQL does not parse .* check the broken RequestMetrics/);
  });

  test('adding a function twice is refused', () => {
    const { app, stack, hello } = fixture();
    stack.addFunction(hello);
    expect(() => stack.addFunction(hello)).toThrow(/function functions-shop\/hello is already watched by Monitoring\/Stack: add each function once/);
    expect(problemsOf(app)).toEqual([]);
  });
});

describe('ObservabilityStack values a cluster or Loki would refuse', () => {
  test('URLs where a URL is meant: runbooks, Grafana, Loki push', () => {
    const { app } = fixture({
      runbookBaseUrl: 'runbooks.example.com',
      grafanaUrl: 'https://grafana example.com',
      logs: { lokiPushUrl: 'loki-gateway/loki/api/v1/push' },
    });
    expect(problemsOf(app)).toEqual([
      '[Monitoring/Stack] runbookBaseUrl "runbooks.example.com" is not an absolute https or http URL with a host (for example "https://example.com/path")',
      '[Monitoring/Stack] grafanaUrl "https://grafana example.com" is not an absolute https or http URL with a host (for example "https://example.com/path"): it holds whitespace',
      '[Monitoring/Stack] logs.lokiPushUrl "loki-gateway/loki/api/v1/push" is not an absolute https or http URL with a host (for example "https://example.com/path")',
    ]);
    expect(problemsOf(fixture({ grafanaUrl: 'https://grafana.example.com/', logs: { lokiPushUrl: 'http://loki.monitoring.svc:3100/loki/api/v1/push' } }).app)).toEqual([]);
  });

  test('an error-line pattern that does not compile is refused; the default and RE2 flag groups compile', () => {
    expect(problemsOf(fixture({ logs: { errorLinePattern: '(error|panic' } }).app)).toEqual([
      '[Monitoring/Stack] logs.errorLinePattern "(error|panic" does not compile as a regular expression (Unterminated group): fix the pattern (RE2 syntax)',
    ]);
    expect(problemsOf(fixture({ logs: { errorLinePattern: '(?i)\\b(error|panic|fatal)\\b' } }).app)).toEqual([]);
  });

  test('label keys and values of the selector labels and the Loki rules ConfigMap', () => {
    const { app } = fixture({ prometheusSelectorLabels: { release: 'kube prometheus' }, logs: { rulesConfigMapLabels: { 'loki rule': '1' } } });
    expect(problemsOf(app)).toEqual([
      '[Monitoring/Stack] prometheusSelectorLabels "release" has the value "kube prometheus", which is not a valid label value: use at most 63 letters, digits, \'-\', \'_\' or \'.\', starting and ending with a letter or digit, or ""',
      '[Monitoring/Stack] logs.rulesConfigMapLabels key "loki rule" is not a valid label or annotation key: use an optional DNS-1123 subdomain prefix and \'/\', then 1-63 letters, digits, \'-\', \'_\' or \'.\', starting and ending with a letter or digit (for example "example.com/team")',
    ]);
  });

  test('two stacks in one namespace are one problem, at the second', () => {
    const { app, hello } = fixture();
    new ObservabilityStack(new Chart(app, 'MoreMonitoring', { namespace: 'monitoring' }), 'Stack').addFunction(hello);
    expect(problemsOf(app)).toEqual([
      '[MoreMonitoring/Stack] namespace "monitoring" already holds ObservabilityStack Monitoring/Stack: one stack watches every function; add the functions to that stack, or give this one another namespace',
    ]);
  });
});
