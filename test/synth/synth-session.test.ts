import { ApiObject, App, Chart } from 'cdk8s';
import { forgetRendered, oncePerSynth, renderedJson, withSynthSession } from '../../lib/synth/synth-session';

describe('synthesis session', () => {
  test('forgetRendered lets go of rendered JSON and derived values; asked again, they are computed again, equal', () => {
    // GIVEN an object and a value derived once per synthesis
    const app = new App();
    const obj = new ApiObject(new Chart(app, 'C'), 'Cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } });
    const key = {};
    let computed = 0;
    withSynthSession(app, () => {
      const first = renderedJson(obj);
      expect(renderedJson(obj)).toBe(first);
      oncePerSynth(app, key, () => ++computed);
      oncePerSynth(app, key, () => ++computed);
      expect(computed).toBe(1);
      // WHEN the session forgets what it rendered
      forgetRendered(app);
      // THEN both are computed again, to the same values
      const again = renderedJson(obj);
      expect(again).not.toBe(first);
      expect(again).toEqual(first);
      expect(oncePerSynth(app, key, () => ++computed)).toBe(2);
    });
  });

  test('forgetRendered outside a synthesis does nothing', () => {
    const app = new App();
    expect(() => forgetRendered(app)).not.toThrow();
  });
});
