import type { LRParser } from '@lezer/lr';

// The grammar ships as an ES module with a CommonJS build; its type declarations are
// ESM-only, so it is loaded through require and typed with @lezer/lr's parser type.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { parser } = require('@prometheus-io/lezer-promql') as { parser: LRParser };

/** A problem the official PromQL grammar found in an expression. */
export interface PromQlSyntaxError {
  /** Character offset of the first error node. */
  readonly offset: number;
  /** The text around the error, for messages. */
  readonly near: string;
}

/**
 * Grafana's template variables are not PromQL. Dashboards use `$__rate_interval` and
 * friends; substitute plausible values before parsing.
 */
export function substituteGrafanaVariables(expr: string): string {
  return expr
    .replace(/\$__rate_interval|\$__interval|\$__range/g, '5m')
    .replace(/\$\{?[A-Za-z_][A-Za-z0-9_]*\}?/g, 'x');
}

/** Parses `expr` with the official PromQL grammar; returns the first syntax error, if any. */
export function promQlSyntaxError(expr: string): PromQlSyntaxError | undefined {
  const shape = literalShape(expr);
  if (shape !== undefined && validShapes.has(shape)) return undefined;
  const found = firstSyntaxError(expr);
  if (found === undefined && shape !== undefined) {
    if (validShapes.size >= MAX_VALID_SHAPES) validShapes.clear();
    validShapes.add(shape);
  }
  return found;
}

/**
 * Whether `expr` parses, and so does every expression made from it by replacing each of the
 * `standIns` (strings of lowercase letters and digits) with any string of lowercase letters,
 * digits, '.' and '-': true when it parses and each stand-in lies inside a string literal.
 * Such strings hold no quote, backslash, newline, '#' or backtick, so the expressions all have
 * the same {@link literalShape}, and they parse exactly when it does. False when that cannot
 * be shown (the expressions are then to be checked one by one).
 * @internal
 */
export function parsesWhateverTheLiterals(expr: string, standIns: readonly string[]): boolean {
  const shape = literalShape(expr);
  return shape !== undefined && standIns.every((s) => !shape.includes(s)) && promQlSyntaxError(expr) === undefined;
}

function firstSyntaxError(expr: string): PromQlSyntaxError | undefined {
  const tree = parser.parse(expr);
  let found: PromQlSyntaxError | undefined;
  tree.iterate({
    enter: (node) => {
      if (found === undefined && node.type.isError) {
        found = { offset: node.from, near: expr.slice(Math.max(0, node.from - 20), node.from + 20) };
      }
      return found === undefined;
    },
  });
  if (found === undefined && expr.trim() === '') {
    found = { offset: 0, near: '' };
  }
  return found;
}

/**
 * Shapes (see {@link literalShape}) of expressions that parsed without error. Generated rules
 * and dashboards repeat the same expressions for every function with only the label values
 * changed; parsing each one again cost seconds at a thousand functions.
 */
const validShapes = new Set<string>();
const MAX_VALID_SHAPES = 50_000;

/**
 * `expr` with the content of every closed string literal removed (`{a="b"}` -> `{a=""}`),
 * following the grammar's StringLiteral token: the parser sees the same tokens either way,
 * since a literal's content never changes where a token ends or what type it is, so an
 * expression parses without error exactly when its shape does. Undefined when the
 * expression has a comment or an unclosed literal (then it is always parsed itself).
 */
function literalShape(expr: string): string | undefined {
  const parts: string[] = [];
  let from = 0;
  const special = /[#`"']/g;
  for (let m = special.exec(expr); m !== null; m = special.exec(expr)) {
    const start = m.index;
    const quote = m[0];
    if (quote === '#') return undefined;
    let end: number;
    if (quote === '`') {
      end = expr.indexOf('`', start + 1);
      if (end < 0) return undefined;
    } else {
      end = start + 1;
      while (end < expr.length && expr[end] !== quote) {
        if (expr[end] === '\n') return undefined;
        end += expr[end] === '\\' ? 2 : 1;
      }
      if (end >= expr.length) return undefined;
    }
    parts.push(expr.slice(from, start), quote, quote);
    from = end + 1;
    special.lastIndex = from;
  }
  parts.push(expr.slice(from));
  return parts.join('');
}

/**
 * The metric names an expression selects (`foo` in `rate(foo{a="b"}[5m])`, or a
 * `__name__="foo"` matcher), from the parse tree rather than a regular expression.
 */
export function metricNamesIn(expr: string): string[] {
  const names = new Set<string>();
  const tree = parser.parse(expr);
  tree.iterate({
    enter: (node) => {
      if (node.name === 'VectorSelector') {
        const metric = node.node.getChild('Identifier');
        if (metric) names.add(expr.slice(metric.from, metric.to));
      }
      if (node.name === 'UnquotedLabelMatcher' || node.name === 'LabelMatcher') {
        const text = expr.slice(node.from, node.to);
        const m = /^__name__\s*=\s*"([^"]+)"$/.exec(text);
        if (m) names.add(m[1]);
      }
    },
  });
  return [...names].sort();
}

/** A PromQL string literal. */
export function quote(value: string): string {
  return JSON.stringify(value);
}

/**
 * A matcher for one histogram bucket. Client libraries spell integer boundaries "1" while
 * Prometheus 3 normalizes them to "1.0" on ingestion, so integers match either spelling.
 */
export function leMatcher(boundary: number): string {
  if (Number.isInteger(boundary)) {
    return `le=~"${boundary}(\\\\.0)?"`;
  }
  return `le="${String(boundary)}"`;
}
