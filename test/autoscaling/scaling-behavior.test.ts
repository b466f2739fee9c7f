import { Chart } from 'cdk8s';
import { fastestScaleUp, HorizontalFunctionAutoscaler, ScalingBehavior, ScalingPolicy, ScalingRules, SelectPolicy, WasmFunction } from '../../lib';
import { problemsOf, testApp } from '../support/synth';

const IMAGE = 'registry.example.com/fn/checkout@sha256:ee53e6483a0ea1a04acd565404cdd4036828bdbddae632d47f551fe8b0f90316';

describe('ScalingBehavior', () => {
  test('flashSale scales out at once and hard, and in slowly', () => {
    // WHEN
    const hpa = ScalingBehavior.flashSale().toHpa();

    // THEN
    expect(hpa).toEqual({
      scaleUp: {
        stabilizationWindowSeconds: 0,
        selectPolicy: 'Max',
        policies: [{ type: 'Percent', value: 300, periodSeconds: 15 }, { type: 'Pods', value: 100, periodSeconds: 15 }],
      },
      scaleDown: {
        stabilizationWindowSeconds: 600,
        selectPolicy: 'Max',
        policies: [{ type: 'Percent', value: 10, periodSeconds: 60 }],
      },
    });
  });

  test('renders the same rules for KEDA', () => {
    const behavior = ScalingBehavior.flashSale();
    expect(behavior.toKeda()).toEqual(behavior.toHpa());
  });

  test('a tolerance carried on the rules is not emitted: Kubernetes 1.30 would reject it', () => {
    // GIVEN rules that carry a tolerance (1.33, behind a feature gate) past the type, as a
    // JavaScript caller or a spread of foreign rules would
    const flash = ScalingBehavior.flashSale();
    const scaleUp = { ...flash.scaleUp, tolerance: 0.1 } as ScalingRules;
    const scaleDown = { ...flash.scaleDown, tolerance: 0.05 } as ScalingRules;
    const behavior = new ScalingBehavior({ scaleUp, scaleDown });

    // WHEN rendered
    const hpa = behavior.toHpa();
    const keda = behavior.toKeda();

    // THEN neither form carries it, and the rules are otherwise the flash-sale ones
    for (const rendered of [hpa, keda]) {
      expect(rendered.scaleUp).not.toHaveProperty('tolerance');
      expect(rendered.scaleDown).not.toHaveProperty('tolerance');
      expect(rendered).toEqual(flash.toHpa());
    }
  });

  test('a valid behavior has no problems', () => {
    expect(ScalingBehavior.flashSale().validate('behavior')).toEqual([]);
    expect(ScalingBehavior.kubernetesDefault().validate('behavior')).toEqual([]);
  });

  test('every out-of-range field is reported with its value and the allowed range', () => {
    // GIVEN
    const behavior = new ScalingBehavior({
      scaleUp: { stabilizationWindowSeconds: 3601, policies: [ScalingPolicy.pods(0, 15), ScalingPolicy.percent(100, 1801)] },
      scaleDown: { stabilizationWindowSeconds: -1, policies: [] },
    });

    // WHEN
    const problems = behavior.validate('behavior');

    // THEN
    expect(problems).toEqual([
      'behavior.scaleUp.stabilizationWindowSeconds (3601) must be an integer from 0 to 3600',
      'behavior.scaleUp.policies[0].value (0) must be a positive integer (pods per period)',
      'behavior.scaleUp.policies[1].periodSeconds (1801) must be an integer from 1 to 1800',
      'behavior.scaleDown.stabilizationWindowSeconds (-1) must be an integer from 0 to 3600',
      'behavior.scaleDown.policies is empty: give at least one ScalingPolicy, or set selectPolicy to SelectPolicy.DISABLED',
    ]);
  });

  test('a selectPolicy or policy type passed from JavaScript as a plain string names the allowed values', () => {
    // GIVEN what a JavaScript caller can pass: the lowercase spelling the API server refuses
    const behavior = new ScalingBehavior({
      scaleUp: { stabilizationWindowSeconds: 0, policies: [], selectPolicy: 'disabled' as SelectPolicy },
      scaleDown: {
        stabilizationWindowSeconds: 300,
        policies: [{ type: 'pods', value: 1, periodSeconds: 60 } as unknown as ScalingPolicy],
        selectPolicy: 'max"\n' as SelectPolicy,
      },
    });

    // THEN one problem each, not a derived "policies is empty"
    expect(behavior.validate('behavior')).toEqual([
      'behavior.scaleUp.selectPolicy "disabled" is not one of "Max", "Min", "Disabled" (SelectPolicy.MAX, SelectPolicy.MIN or SelectPolicy.DISABLED; leave it out for Max)',
      'behavior.scaleDown.selectPolicy "max\\"\\n" is not one of "Max", "Min", "Disabled" (SelectPolicy.MAX, SelectPolicy.MIN or SelectPolicy.DISABLED; leave it out for Max)',
      'behavior.scaleDown.policies[0].type "pods" is not one of "Pods", "Percent": create the policy with ScalingPolicy.pods(...) or ScalingPolicy.percent(...)',
    ]);
  });

  test('an unknown selectPolicy fails the synth with the autoscaler\'s path', () => {
    const app = testApp();
    const chart = new Chart(app, 'Orders', { namespace: 'functions-orders' });
    const fn = new WasmFunction(chart, 'Checkout', { name: 'checkout', image: IMAGE });
    const flashSale = ScalingBehavior.flashSale();
    new HorizontalFunctionAutoscaler(chart, 'Scaling', {
      target: fn, maxReplicas: 50,
      behavior: new ScalingBehavior({ scaleUp: { ...flashSale.scaleUp, selectPolicy: 'max' as SelectPolicy }, scaleDown: flashSale.scaleDown }),
    });
    expect(problemsOf(app)).toContain(
      '[Orders/Scaling] behavior.scaleUp.selectPolicy "max" is not one of "Max", "Min", "Disabled" (SelectPolicy.MAX, SelectPolicy.MIN or SelectPolicy.DISABLED; leave it out for Max)');
  });

  test('a disabled direction needs no policies', () => {
    const behavior = new ScalingBehavior({
      scaleUp: ScalingBehavior.flashSale().scaleUp,
      scaleDown: { stabilizationWindowSeconds: 0, policies: [], selectPolicy: SelectPolicy.DISABLED },
    });
    expect(behavior.validate('behavior')).toEqual([]);
    expect(behavior.toHpa().scaleDown).toEqual({ stabilizationWindowSeconds: 0, selectPolicy: 'Disabled', policies: [] });
  });
});

describe('fastestScaleUp (hand-computed)', () => {
  test('flashSale: 10 -> 5000 in 4 syncs, 45 s', () => {
    // t=0: max(ceil(10 × 4) = 40, 10 + 100 = 110) = 110; t=15: max(440, 210) = 440;
    // t=30: max(1760, 540) = 1760; t=45: 7040, capped at 5000.
    expect(fastestScaleUp(ScalingBehavior.flashSale().scaleUp, 10, 5000)).toEqual({
      steps: 4, seconds: 45, path: [110, 440, 1760, 5000],
    });
  });

  test('Kubernetes default: 1 -> 40 doubles or adds 4, whichever is more', () => {
    // t=0: max(2, 5) = 5; t=15: max(10, 9) = 10; t=30: 20; t=45: 40.
    expect(fastestScaleUp(ScalingBehavior.kubernetesDefault().scaleUp, 1, 40)).toEqual({
      steps: 4, seconds: 45, path: [5, 10, 20, 40],
    });
  });

  test('from zero: KEDA activates 0 -> 1 at once, the HPA takes over one sync later', () => {
    expect(fastestScaleUp(ScalingBehavior.kubernetesDefault().scaleUp, 0, 40)).toEqual({
      steps: 5, seconds: 60, path: [1, 5, 10, 20, 40],
    });
    expect(fastestScaleUp(ScalingBehavior.kubernetesDefault().scaleUp, 0, 1)).toEqual({ steps: 1, seconds: 0, path: [1] });
  });

  test('a period longer than the sync counts the changes made within it', () => {
    // 10 pods per 60 s: t=0 -> 11; t=15..45 the period still holds the +10; t=60 -> 21; t=120 -> 31, capped at 25.
    const rules = { stabilizationWindowSeconds: 0, policies: [ScalingPolicy.pods(10, 60)] };
    expect(fastestScaleUp(rules, 1, 25)).toEqual({ steps: 3, seconds: 120, path: [11, 21, 25] });
  });

  test('Min takes the smaller policy', () => {
    // t=0: min(20, 14) = 14; t=15: min(28, 18) = 18; t=30: min(36, 22) = 22, capped at 20.
    const rules = {
      stabilizationWindowSeconds: 0,
      policies: [ScalingPolicy.percent(100, 15), ScalingPolicy.pods(4, 15)],
      selectPolicy: SelectPolicy.MIN,
    };
    expect(fastestScaleUp(rules, 10, 20)).toEqual({ steps: 3, seconds: 30, path: [14, 18, 20] });
  });

  test('a scale-up stabilization window delays the climb by its length', () => {
    const rules = { ...ScalingBehavior.flashSale().scaleUp, stabilizationWindowSeconds: 60 };
    expect(fastestScaleUp(rules, 10, 110)).toEqual({ steps: 1, seconds: 60, path: [110] });
  });

  test('already there, or scale-up disabled', () => {
    expect(fastestScaleUp(ScalingBehavior.flashSale().scaleUp, 10, 10)).toEqual({ steps: 0, seconds: 0, path: [] });
    expect(fastestScaleUp({ stabilizationWindowSeconds: 0, policies: [], selectPolicy: SelectPolicy.DISABLED }, 1, 2)).toBeUndefined();
  });
});
