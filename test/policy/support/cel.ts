/**
 * A CEL evaluator for admission rules: @bufbuild/cel plus the parts of Kubernetes' CEL
 * environment the rules use, and nothing more. Kubernetes enables cel-go's strings
 * extension (for `join`) and its own `quantity()` library; both are provided here.
 */
import {
  CelScalar, celEnv, celFunc, celMethod, isCelError, isCelMap, mapType, parse, plan, type CelInput, type CelResult, type CelValue,
} from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';
import { parseQuantity } from '../../../lib';
import { CelSource } from '../../../lib/policy';

const QUANTITY_TYPE = mapType(CelScalar.STRING, CelScalar.DYN);
const QUANTITY_KEY = '__k8s_quantity';

/** `quantity(string)`: Kubernetes' quantity library. Fails like the API server on a malformed quantity. */
const quantity = celFunc('quantity', [CelScalar.STRING], QUANTITY_TYPE, (text) => {
  const value = parseQuantity(text);
  if (value === undefined) {
    throw new Error(`quantities must match the regular expression, got "${text}"`);
  }
  return new Map<string, CelInput>([[QUANTITY_KEY, value]]);
});

function quantityValue(q: CelValue): number {
  if (!isCelMap(q) || !q.has(QUANTITY_KEY)) {
    throw new Error('compareTo expects a quantity');
  }
  return q.get(QUANTITY_KEY) as number;
}

/** `<quantity>.compareTo(<quantity>)`: -1, 0 or 1. */
const compareTo = celMethod('compareTo', QUANTITY_TYPE, [QUANTITY_TYPE], CelScalar.INT, function (this: CelValue, other: CelValue) {
  const a = quantityValue(this);
  const b = quantityValue(other);
  return BigInt(a < b ? -1 : a > b ? 1 : 0);
});

/** The functions of Kubernetes' CEL environment that the rules use. */
export const K8S_CEL_FUNCS = [...strings, quantity, compareTo];

/** JSON as CEL input: integers become CEL ints (BigInt), as Kubernetes' int64 fields are. */
export function toCel(value: unknown): CelInput {
  if (typeof value === 'number') return Number.isInteger(value) ? BigInt(value) : value;
  if (Array.isArray(value)) return value.map(toCel);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toCel(v)])) as CelInput;
  }
  return value as CelInput;
}

const ENV = celEnv({ funcs: K8S_CEL_FUNCS });
const programs = new Map<string, (bindings: Record<string, CelInput>) => CelResult>();

/** Evaluates one expression; throws with the expression on a CEL error. */
export function evaluate(expression: string, bindings: Record<string, CelInput>): CelValue {
  let program = programs.get(expression);
  if (!program) {
    program = plan(ENV, parse(expression)) as (bindings: Record<string, CelInput>) => CelResult;
    programs.set(expression, program);
  }
  const result = program(bindings);
  if (isCelError(result)) {
    throw new Error(`CEL error in ${expression}: ${result.message}`);
  }
  return result;
}

/**
 * Runs a rule's CEL (variables in order, then validations) against one object, as the
 * API server and Gatekeeper do; returns the messages of the failed validations.
 */
export function violations(source: CelSource, object: unknown, params?: unknown): string[] {
  const variables = new Map<string, CelInput>();
  if (params !== undefined) variables.set('params', toCel(params));
  const bindings = (): Record<string, CelInput> => ({ object: toCel(object), variables: new Map(variables) as CelInput });
  for (const v of source.variables) {
    variables.set(v.name, evaluate(v.expression, bindings()) as CelInput);
  }
  const messages: string[] = [];
  for (const validation of source.validations) {
    const ok = evaluate(validation.expression, bindings());
    if (typeof ok !== 'boolean') {
      throw new Error(`validation ${validation.expression} returned ${String(ok)}, not a bool`);
    }
    if (!ok) {
      const message = evaluate(validation.messageExpression, bindings());
      if (typeof message !== 'string') throw new Error(`messageExpression ${validation.messageExpression} is not a string`);
      messages.push(message);
    }
  }
  return messages;
}
