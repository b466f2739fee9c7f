/**
 * A JSON value as a Rego literal, spaced as `opa fmt` writes it (`{"a": [1, 2]}`), so the
 * generated modules are already in OPA's canonical format (the conformance run checks it).
 */
export function regoLiteral(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(regoLiteral).join(', ')}]`;
  return `{${Object.entries(value as Record<string, unknown>).map(([k, v]) => `${JSON.stringify(k)}: ${regoLiteral(v)}`).join(', ')}}`;
}

const REGO_IDENTIFIER = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const REGO_KEYWORDS = new Set(['as', 'contains', 'default', 'else', 'every', 'false', 'if', 'import', 'in', 'not', 'null', 'package', 'some', 'true', 'with']);

/** `base.key` where `opa fmt` writes it so, `base["key"]` otherwise. */
export function regoRef(base: string, key: string): string {
  return REGO_IDENTIFIER.test(key) && !REGO_KEYWORDS.has(key) ? `${base}.${key}` : `${base}[${JSON.stringify(key)}]`;
}
