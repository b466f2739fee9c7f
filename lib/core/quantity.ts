/**
 * Kubernetes resource quantities ("10m", "32Mi", "1.5", "2e3"), parsed so that the library
 * can compare requests with limits and add them up for capacity checks. The grammar is the
 * API server's (k8s.io/apimachinery/pkg/api/resource); a value it would reject is refused here.
 */

import { oneLine } from './names';

const QUANTITY = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?\d+)?$/;

const SUFFIX: Readonly<Record<string, number>> = {
  n: 1e-9, u: 1e-6, m: 1e-3, '': 1,
  k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

/** The value of a quantity in base units (cores for CPU, bytes for memory), or undefined if it does not parse. */
export function parseQuantity(value: string): number | undefined {
  const match = QUANTITY.exec(value.trim() === value ? value : '');
  if (!match) {
    return undefined;
  }
  const [, number, suffix = ''] = match;
  const multiplier = /^[eE]/.test(suffix) ? 10 ** Number(suffix.slice(1)) : SUFFIX[suffix];
  return Number(number) * multiplier;
}

/** Why a quantity is unusable for `field`, or undefined when it is a non-negative Kubernetes quantity. */
export function checkQuantity(field: string, value: string, example: string): string | undefined {
  const parsed = parseQuantity(value);
  if (parsed === undefined || parsed < 0) {
    return `${field} "${oneLine(String(value))}" is not a Kubernetes quantity: use a non-negative number with an optional suffix (m, k, M, G, Ki, Mi, Gi, ...), for example "${example}"`;
  }
  return undefined;
}
