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
