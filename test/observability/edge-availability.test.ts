import { Chart } from 'cdk8s';
import {
  EnvoyGatewayProvider, functionRuleTests, KongProvider, ObservabilityStack, promQlSyntaxError, ServiceLevelObjective,
} from '../../lib';
import { fixture as gatewayFixture } from '../gateway/fixtures';
import { kubeValidator } from '../support/kube-schema';
import { KubeObject, objectsOf, problemsOf } from '../support/synth';

interface Rule { record?: string; alert?: string; expr: string; labels?: Record<string, string> }

function rulesOf(objects: readonly KubeObject[], name: string): Rule[] {
  const rule = objects.find((o) => o.kind === 'PrometheusRule' && o.metadata.name === name);
  if (rule === undefined) throw new Error(`no PrometheusRule ${name}`);
  return (rule.spec as { groups: { rules: Rule[] }[] }).groups.flatMap((g) => g.rules);
}

/** GIVEN an Envoy Gateway with a route to `cart` (and a canary beside it) and to nothing else, and a monitoring chart. */
function fixture(options: { edge?: boolean } = {}) {
  const f = gatewayFixture(new EnvoyGatewayProvider());
  const cart = f.fn(f.shopChart, 'cart');
  const canary = f.fn(f.shopChart, 'cart-canary');
  const unrouted = f.fn(f.shopChart, 'batch');
  f.gateway.addRoute(f.shopRoutes, 'Cart', {
    public: true, function: cart, canary: { function: canary, stableWeight: 90, canaryWeight: 10 },
  });
  const monitoring = new Chart(f.app, 'Monitoring', { namespace: 'monitoring' });
  const stack = new ObservabilityStack(monitoring, 'Stack', {
    edgeMetrics: (options.edge ?? true) ? f.gateway.edgeMetrics : undefined,
    logs: false,
  });
  return { ...f, cart, canary, unrouted, monitoring, stack };
}

describe('edge availability (the gateway\'s per-route 5xx as an objective of their own)', () => {
  test('the stack scrapes the Envoy proxies with a PodMonitor that the strict schema accepts', () => {
    // GIVEN
    const { monitoring, stack, cart } = fixture();
    stack.addFunction(cart);
    // WHEN
    const objects = objectsOf(monitoring);
    // THEN
    const monitor = objects.find((o) => o.kind === 'PodMonitor');
    expect(monitor).toMatchObject({
      apiVersion: 'monitoring.coreos.com/v1',
      metadata: { name: 'gateway.envoy-gateway-proxies', namespace: 'monitoring', labels: { release: 'kube-prometheus-stack' } },
      spec: {
        namespaceSelector: { matchNames: ['gateway'] },
        selector: {
          matchLabels: {
            'app.kubernetes.io/name': 'envoy',
            'app.kubernetes.io/component': 'proxy',
            'app.kubernetes.io/managed-by': 'envoy-gateway',
            'gateway.envoyproxy.io/owning-gateway-name': 'functions',
            'gateway.envoyproxy.io/owning-gateway-namespace': 'gateway',
          },
        },
        podMetricsEndpoints: [{ port: 'metrics', path: '/stats/prometheus', interval: '30s' }],
      },
    });
    const validator = kubeValidator();
    expect(validator.knows('monitoring.coreos.com/v1', 'PodMonitor')).toBe(true);
    expect(validator.validate(monitor!)).toEqual([]);
  });

  test('a routed function gets an edge-availability SLI over its route\'s clusters, with its availability target', () => {
    // GIVEN
    const { monitoring, stack, cart } = fixture();
    // WHEN
    const m = stack.addFunction(cart, { objectives: [ServiceLevelObjective.availability(99.95)] });
    // THEN
    expect(m.objectives.map((o) => [o.name, o.kind, o.targetPercent])).toEqual([
      ['availability', 'availability', 99.95],
      ['edge-availability', 'edge-availability', 99.95],
    ]);
    const rules = rulesOf(objectsOf(monitoring), 'shop.cart.slo');
    const clusters = 'envoy_cluster_name=~"httproute/shop/cart/rule/[0-9]+"';
    expect(rules.filter((r) => r.labels?.sli === 'edge-availability')).toEqual([
      {
        record: 'namespace_function_sli:requests:rate5m',
        expr: `sum(rate(envoy_cluster_upstream_rq_xx{${clusters}}[5m]))`,
        labels: { namespace: 'shop', function: 'cart', sli: 'edge-availability' },
      },
      {
        record: 'namespace_function_sli:bad_requests:rate5m',
        expr: `sum(rate(envoy_cluster_upstream_rq_xx{${clusters},envoy_response_code_class="5"}[5m])) or 0 * sum(rate(envoy_cluster_upstream_rq_xx{${clusters}}[5m]))`,
        labels: { namespace: 'shop', function: 'cart', sli: 'edge-availability' },
      },
      {
        record: 'slo:objective:ratio',
        expr: 'vector(0.9995)',
        labels: { namespace: 'shop', function: 'cart', slo: 'edge-availability', sli: 'edge-availability', dashboard_uid: 'wasmfn-shop-cart' },
      },
    ]);
    // The function's own availability SLI is untouched: the edge never adds to it.
    const own = rules.filter((r) => r.labels?.sli === 'availability').map((r) => r.expr).join('\n');
    expect(own).not.toMatch(/envoy/);
    for (const r of rules) expect(promQlSyntaxError(r.expr)).toBeUndefined();
  });

  test('a canary and an unrouted function get no edge objective; edgeAvailability: false opts out', () => {
    // GIVEN
    const { stack, canary, unrouted, cart } = fixture();
    // WHEN
    const c = stack.addFunction(canary);
    const u = stack.addFunction(unrouted);
    const off = stack.addFunction(cart, { edgeAvailability: false });
    // THEN
    for (const m of [c, u, off]) expect(m.objectives.map((o) => o.name)).not.toContain('edge-availability');
  });

  test('without edgeMetrics nothing scrapes the proxies and no function has an edge objective', () => {
    const { monitoring, stack, cart } = fixture({ edge: false });
    const m = stack.addFunction(cart);
    expect(m.objectives.map((o) => o.name)).not.toContain('edge-availability');
    expect(objectsOf(monitoring).map((o) => o.kind)).not.toContain('PodMonitor');
  });

  test('a declared edge objective replaces the default one', () => {
    const { stack, cart } = fixture();
    const m = stack.addFunction(cart, {
      objectives: [ServiceLevelObjective.availability(99.99), ServiceLevelObjective.edgeAvailability(99.9, { name: 'edge' })],
    });
    expect(m.objectives.map((o) => [o.name, o.targetPercent])).toEqual([['availability', 99.99], ['edge', 99.9]]);
  });

  test('an edge objective that could record nothing is a synth error', () => {
    // GIVEN a declared edge objective on an unrouted function, and one on a stack without edge metrics
    const routed = fixture();
    routed.stack.addFunction(routed.unrouted, { objectives: [ServiceLevelObjective.edgeAvailability(99.9)] });
    const blind = fixture({ edge: false });
    blind.stack.addFunction(blind.cart, { objectives: [ServiceLevelObjective.edgeAvailability(99.9)] });
    // THEN
    expect(problemsOf(routed.app)).toEqual([
      '[Monitoring/Stack/ShopBatch] objectives[0] (edge-availability) is an edge availability objective, but no route of the envoy-gateway gateway serves function shop/batch (a canary\'s traffic is counted under its route\'s primary function): route the function, or drop the objective',
    ]);
    expect(problemsOf(blind.app)).toEqual([
      '[Monitoring/Stack/ShopCart] objectives[0] (edge-availability) is an edge availability objective, but the stack has no edgeMetrics: pass the gateway\'s edgeMetrics (FunctionGateway.edgeMetrics, Envoy Gateway) to the ObservabilityStack, or drop the objective',
    ]);
  });

  test('only Envoy Gateway exposes per-route edge counters', () => {
    expect(gatewayFixture(new KongProvider()).gateway.edgeMetrics).toBeUndefined();
    expect(gatewayFixture(new EnvoyGatewayProvider()).gateway.edgeMetrics?.responsesTotal).toBe('envoy_cluster_upstream_rq_xx');
  });

  test('the promtool scenarios leave the edge objective out of their expectations (no Envoy series are synthesized)', () => {
    // GIVEN
    const { stack, cart } = fixture();
    const m = stack.addFunction(cart);
    // WHEN
    const file = functionRuleTests(stack, m, { ruleFiles: ['rules.yaml'] });
    // THEN no expected alert is about the edge objective, and no scenario feeds Envoy's counter
    const expected = file.tests.flatMap((t) => t.alert_rule_test.flatMap((a) => a.exp_alerts.map((e) => e.exp_labels.slo)));
    expect(expected).toContain('availability');
    expect(expected).not.toContain('edge-availability');
    expect(file.tests.flatMap((t) => t.input_series.map((s) => s.series)).join('\n')).not.toMatch(/envoy_/);
  });
});
