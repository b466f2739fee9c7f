import { checkQuantity, parseQuantity } from '../../lib';

describe('parseQuantity', () => {
  test.each<[string, number]>([
    ['10m', 0.01], ['100m', 0.1], ['1', 1], ['1.5', 1.5], ['2k', 2000],
    ['32Mi', 32 * 1024 * 1024], ['1Gi', 1024 ** 3], ['1G', 1e9], ['1e3', 1000], ['.5', 0.5], ['500u', 0.0005],
  ])('%s = %d', (text, value) => {
    expect(parseQuantity(text)).toBeCloseTo(value, 12);
  });

  test.each(['', 'm', '10 m', '64MB', '1.2.3', 'Mi32', ' 1', 'ten'])('"%s" does not parse', (text) => {
    expect(parseQuantity(text)).toBeUndefined();
  });

  test('negative quantities are refused for resources', () => {
    expect(checkQuantity('cpu', '-1', '10m')).toMatch(/cpu "-1" is not a Kubernetes quantity/);
    expect(checkQuantity('cpu', '10m', '10m')).toBeUndefined();
  });

  test('a quantity is printed on one line, its quotes escaped', () => {
    expect(checkQuantity('cpu', '1"\n2', '10m')).toBe('cpu "1\\"\\n2" is not a Kubernetes quantity: use a non-negative number with an optional suffix (m, k, M, G, Ki, Mi, Gi, ...), for example "10m"');
  });
});
