import { evaluate, toCel, violations } from './support/cel';

describe('the Kubernetes CEL functions the rules use', () => {
  test.each([
    ['100m', '1', -1n],
    ['1000m', '1', 0n],
    ['200m', '100m', 1n],
    ['64Mi', '67108864', 0n],
    ['128Mi', '64Mi', 1n],
    ['0.5', '500m', 0n],
    ['1Gi', '1G', 1n],
  ])('quantity(%p).compareTo(quantity(%p)) is %p', (a, b, expected) => {
    expect(evaluate(`quantity(a).compareTo(quantity(b))`, { a, b })).toBe(expected);
  });

  test('quantity() rejects what the API server rejects', () => {
    expect(() => evaluate('quantity("12 cores")', {})).toThrow(/quantities must match/);
  });

  test('join (cel-go strings extension, enabled by Kubernetes)', () => {
    expect(evaluate('["a", "b"].join(", ")', {})).toBe('a, b');
  });

  test('integers must be CEL ints: toCel converts them to BigInt, doubles stay doubles', () => {
    // GIVEN a replica count as JSON gives it
    const spec = { maxReplicas: 5000, ratio: 0.5 };

    // THEN integer arithmetic works only after conversion
    expect(() => evaluate('spec.maxReplicas + 1 == 5001', { spec: spec as never })).toThrow(/CEL error/);
    expect(evaluate('spec.maxReplicas + 1 == 5001 && spec.ratio < 1.0', { spec: toCel(spec) })).toBe(true);
  });

  test('violations() evaluates variables in order and returns the failed messages', () => {
    // GIVEN
    const source = {
      variables: [{ name: 'n', expression: 'object.spec.n' }, { name: 'twice', expression: 'variables.n * 2' }],
      validations: [
        { expression: 'variables.twice < 10', messageExpression: '"n <" + string(variables.n) + "> is too big"' },
        { expression: 'variables.params.ok', messageExpression: '"params not ok"' },
      ],
    };

    // WHEN / THEN
    expect(violations(source, { spec: { n: 2 } }, { ok: true })).toEqual([]);
    expect(violations(source, { spec: { n: 7 } }, { ok: false })).toEqual(['n <7> is too big', 'params not ok']);
  });
});
