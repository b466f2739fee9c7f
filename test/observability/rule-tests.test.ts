import { Chart } from 'cdk8s';
import { ALERT_NAMES, functionRuleTests, ObservabilityStack, parseMatchers, PromtoolTestCase, ServiceLevelObjective, WasmFunction } from '../../lib';
import { testApp } from '../support/synth';

const IMAGE = 'registry.example.com/fn/hello@sha256:ee53e6483a0ea1a04acd565404cdd4036828bdbddae632d47f551fe8b0f90316';

/** GIVEN a stack watching one function with the seed's objectives and one with availability only. */
function fixture() {
  const app = testApp();
  const fns = new Chart(app, 'Functions', { namespace: 'functions-shop' });
  const hello = new WasmFunction(fns, 'Hello', { name: 'hello', image: IMAGE });
  const pay = new WasmFunction(fns, 'Pay', { name: 'pay', image: IMAGE });
  const stack = new ObservabilityStack(new Chart(app, 'Monitoring', { namespace: 'monitoring' }), 'Stack', { runbookBaseUrl: 'https://runbooks.example.com' });
  return { stack, hello: stack.addFunction(hello), pay: stack.addFunction(pay, { objectives: [ServiceLevelObjective.availability(99.9)] }) };
}

/** The alerts expected at each check time of a scenario, by name. */
function firing(test: PromtoolTestCase, alertname: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const t of test.alert_rule_test.filter((a) => a.alertname === alertname)) {
    out[t.eval_time] = t.exp_alerts.map((a) => `${a.exp_labels.slo}/${a.exp_labels.urgency}`);
  }
  return out;
}

describe('functionRuleTests', () => {
  test('one scenario per burn rate and per latency degradation, over the rule files given', () => {
    const { stack, hello } = fixture();
    const file = functionRuleTests(stack, hello, { ruleFiles: ['a.yaml', 'b.yaml'] });
    expect(file.rule_files).toEqual(['a.yaml', 'b.yaml']);
    expect(file.tests.map((t) => t.name)).toEqual([
      'functions-shop/hello: errors at 0.5x the availability budget',
      'functions-shop/hello: errors at 1x the availability budget',
      'functions-shop/hello: errors at 6x the availability budget',
      'functions-shop/hello: errors at 14.4x the availability budget',
      'functions-shop/hello: errors at 20x the availability budget',
      'functions-shop/hello: 20 % of requests slower than 20 ms',
      'functions-shop/hello: 60 % of requests slower than 20 ms',
      'functions-shop/hello: the scrape target vanishes at minute 10 while 3 pods run',
      'functions-shop/hello: the scrape target goes down at minute 10 while 3 pods run',
      'functions-shop/hello: scaled to zero, no pod and no scrape target',
    ]);
  });

  test('a missing scrape target pages after 5 minutes, whether the target vanishes or goes down, and not at zero pods', () => {
    const { stack, hello } = fixture();
    const tests = functionRuleTests(stack, hello, { ruleFiles: [] }).tests.slice(-3);
    const [vanishes, down, zero] = tests;
    expect(vanishes.input_series).toEqual([
      { series: 'kube_deployment_status_replicas_available{namespace="functions-shop",deployment="hello"}', values: '3x40' },
      { series: 'up{namespace="functions-shop",function="hello",job="hello",instance="10.42.0.7:8080"}', values: '1x9 stale' },
    ]);
    expect(down.input_series[1].values).toBe('1x9 0x30');
    for (const t of [vanishes, down]) {
      const at = Object.fromEntries(t.alert_rule_test.map((a) => [a.eval_time, a.exp_alerts.length]));
      expect(at).toEqual({ '9m': 0, '14m': 0, '16m': 1 });
    }
    const alert = vanishes.alert_rule_test[2].exp_alerts[0];
    expect(alert.exp_labels).toEqual({
      alertname: 'WasmFunctionScrapeTargetMissing', namespace: 'functions-shop', deployment: 'hello', function: 'hello', severity: 'critical', urgency: 'page',
    });
    expect(alert.exp_annotations.description).toMatch(/^3 pods of functions-shop\/hello are available, but for 5m no target of ServiceMonitor monitoring\/functions-shop\.hello has been up:/);
    expect(alert.exp_annotations.runbook_url).toBe('https://runbooks.example.com/WasmFunctionScrapeTargetMissing');
    expect(zero.alert_rule_test.every((a) => a.exp_alerts.length === 0)).toBe(true);
  });

  test('at 0.5x and 1x the budget nothing ever fires; at 20x the page fires after the 1h window and the ticket later', () => {
    const { stack, hello } = fixture();
    const [half, one, , , twenty] = functionRuleTests(stack, hello, { ruleFiles: [] }).tests;
    for (const quiet of [half, one]) {
      const seen = firing(quiet, ALERT_NAMES.errorBudgetBurn);
      expect(Object.keys(seen).length).toBeGreaterThan(5);
      expect(Object.values(seen).flat()).toEqual([]);
    }
    // The baseline is 3 days (4320 m) of good traffic; 20x burns the 1h window past 14.4x after 43 minutes.
    const seen = firing(twenty, ALERT_NAMES.errorBudgetBurn);
    expect(seen['4350m']).toEqual([]);
    expect(seen['4410m']).toEqual(['availability/page']);
    expect(seen['5820m']).toEqual(['availability/page', 'availability/ticket']);
  });

  test('a latency degradation at 20 ms pages for P99 and breaches P50 directly only above 50 %', () => {
    const { stack, hello } = fixture();
    const tests = functionRuleTests(stack, hello, { ruleFiles: [] }).tests;
    const slow20 = tests[5];
    const slow60 = tests[6];
    expect(Object.values(firing(slow20, ALERT_NAMES.errorBudgetBurn)).flat()).toContain('latency-p99/page');
    expect(Object.values(firing(slow20, ALERT_NAMES.errorBudgetBurn)).flat()).not.toContain('latency-p50/page');
    expect(Object.values(firing(slow20, ALERT_NAMES.latencyObjectiveBreached)).flat()).toEqual([]);
    expect(Object.values(firing(slow60, ALERT_NAMES.latencyObjectiveBreached)).flat()).toContain('latency-p50/ticket');
  });

  test('expected alerts carry the full labels and expanded annotations', () => {
    const { stack, hello } = fixture();
    const twenty = functionRuleTests(stack, hello, { ruleFiles: [] }).tests[4];
    const alert = twenty.alert_rule_test.find((a) => a.eval_time === '4410m' && a.alertname === ALERT_NAMES.errorBudgetBurn)!.exp_alerts[0];
    expect(alert.exp_labels).toEqual({
      alertname: 'WasmFunctionErrorBudgetBurn', namespace: 'functions-shop', function: 'hello', slo: 'availability',
      sli: 'availability', dashboard_uid: hello.dashboardUid, severity: 'critical', urgency: 'page',
    });
    expect(alert.exp_annotations.summary).toBe('functions-shop/hello: SLO availability is burning its error budget too fast (page)');
    expect(alert.exp_annotations.description).toMatch(/^The error ratio of functions-shop\/hello against SLO availability \(SLI availability\) is 0\.2%:/);
    expect(alert.exp_annotations.runbook_url).toBe('https://runbooks.example.com/WasmFunctionErrorBudgetBurn');
    expect(alert.exp_annotations.dashboard_url).toContain(`/d/${hello.dashboardUid}`);
  });

  test('follows the function\'s own objectives', () => {
    const { stack, pay } = fixture();
    const tests = functionRuleTests(stack, pay, { ruleFiles: [] }).tests;
    // 99.9 %: 20x is a 2 % error ratio, and no latency objective means no latency scenario.
    expect(tests.map((t) => t.name)).toHaveLength(8);
    // Samples every 2 minutes: 2,160 of 3 days' baseline, then 2 % of 2,000,000 requests a step.
    expect(tests[4].input_series.find((s) => s.series.includes('code="500"'))!.values).toBe('0+0x2160 40000+40000x755');
  });

  test('stepMinutes sets the sample spacing and the evaluation interval, and check times fall on a step', () => {
    const { stack, pay } = fixture();
    const fine = functionRuleTests(stack, pay, { ruleFiles: [], stepMinutes: 1 });
    expect(fine.evaluation_interval).toBe('1m');
    expect(fine.tests[4].interval).toBe('1m');
    expect(fine.tests[4].input_series.find((s) => s.series.includes('code="500"'))!.values).toBe('0+0x4320 20000+20000x1510');
    expect(fine.tests[4].alert_rule_test.map((a) => a.eval_time)).toContain('4365m');
    const coarse = functionRuleTests(stack, pay, { ruleFiles: [] });
    expect(coarse.evaluation_interval).toBe('2m');
    const times = coarse.tests.slice(0, 5).flatMap((t) => t.alert_rule_test.map((a) => parseInt(a.eval_time, 10)));
    expect(times.every((t) => t % 2 === 0)).toBe(true);
    expect(times).toContain(4366);
    // The short scenarios keep their minute timelines.
    expect(coarse.tests[coarse.tests.length - 1].interval).toBe('1m');
    expect(() => functionRuleTests(stack, pay, { ruleFiles: [], stepMinutes: 0.5 })).toThrow(/stepMinutes 0.5 must be a whole number of minutes from 1 to 5/);
  });

  test('series labels come from equality matchers; regex matchers need seriesLabels', () => {
    expect(parseMatchers('namespace="a",function="b"')).toEqual({ namespace: 'a', function: 'b' });
    expect(() => parseMatchers('service=~"a-b-[0-9]+"')).toThrow(/not an equality matcher/);
  });
});
