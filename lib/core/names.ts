/**
 * Name and format checks shared by every construct. Each returns `undefined` when the
 * value is acceptable, or a message that names the field, the value and what is allowed,
 * ready for `node.addValidation`.
 */

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const ENV_VAR_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

/** A namespace, or any other object name Kubernetes restricts to an RFC 1123 label. */
export function checkDns1123Label(field: string, value: string): string | undefined {
  if (value.length === 0 || value.length > 63 || !DNS1123_LABEL.test(value)) {
    return `${field} "${oneLine(value)}" is not a DNS-1123 label: use 1-63 lowercase letters, digits or '-', starting and ending with a letter or digit (for example "product-detail")`;
  }
  return undefined;
}

/**
 * A name that also becomes a Service name. The API server checks Service names against
 * RFC 1035 (they must start with a letter), which is stricter than RFC 1123.
 */
export function checkServiceName(field: string, value: string): string | undefined {
  if (value.length === 0 || value.length > 63 || !DNS1035_LABEL.test(value)) {
    return `${field} "${oneLine(value)}" is not a DNS-1123 label usable as a Service name: use 1-63 lowercase letters, digits or '-', starting with a letter and ending with a letter or digit (for example "product-detail")`;
  }
  return undefined;
}

/** Label keys, ConfigMap keys and the like that allow dots (RFC 1123 subdomain). */
export function checkDns1123Subdomain(field: string, value: string): string | undefined {
  if (value.length === 0 || value.length > 253 || !DNS1123_SUBDOMAIN.test(value)) {
    return `${field} "${oneLine(value)}" is not a DNS-1123 subdomain: use lowercase letters, digits, '-' and '.', at most 253 characters`;
  }
  return undefined;
}

export function checkPort(field: string, value: number): string | undefined {
  if (!Number.isInteger(value) || value < 1 || value > 65535) {
    return `${field} (${value}) must be an integer port number from 1 to 65535`;
  }
  return undefined;
}

export function checkEnvVarName(field: string, value: string): string | undefined {
  if (!ENV_VAR_NAME.test(value)) {
    return `${field} "${oneLine(value)}" is not a valid environment variable name: use letters, digits, '_', '-' or '.', not starting with a digit`;
  }
  return undefined;
}

export function checkHttpPath(field: string, value: string): string | undefined {
  if (!value.startsWith('/') || /\s/.test(value)) {
    return `${field} "${oneLine(value)}" must be an absolute HTTP path starting with '/' and without spaces (for example "/healthz")`;
  }
  return undefined;
}

export function checkIntegerInRange(field: string, value: number, min: number, max: number): string | undefined {
  if (!Number.isInteger(value) || value < min || value > max) {
    return `${field} (${value}) must be an integer from ${min} to ${max}`;
  }
  return undefined;
}

/**
 * A user's value inside a message, on one line: newlines and quotes escaped as in JSON, so
 * a crafted value cannot start a line that looks like another problem in a CI log.
 */
export function oneLine(value: string): string {
  return JSON.stringify(String(value)).slice(1, -1);
}

const LABEL_NAME = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)$/;

/** A label or annotation key: an optional DNS-1123 subdomain prefix and '/', then a name of at most 63 characters. */
export function checkQualifiedName(field: string, key: string): string | undefined {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  const prefixOk = prefix === undefined || (prefix.length > 0 && prefix.length <= 253 && DNS1123_SUBDOMAIN.test(prefix));
  if (!prefixOk || name.length === 0 || name.length > 63 || !LABEL_NAME.test(name)) {
    return `${field} key "${oneLine(key)}" is not a valid label or annotation key: use an optional DNS-1123 subdomain prefix and '/', then 1-63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit (for example "example.com/team")`;
  }
  return undefined;
}

/** Kubernetes labels: valid keys, and values of at most 63 letters, digits, '-', '_' or '.' (or empty). */
export function checkLabels(field: string, labels: Readonly<Record<string, string>> | undefined): string[] {
  const problems: string[] = [];
  for (const [key, value] of Object.entries(labels ?? {})) {
    const keyProblem = checkQualifiedName(field, key);
    if (keyProblem) problems.push(keyProblem);
    if (typeof value !== 'string' || value.length > 63 || (value !== '' && !LABEL_NAME.test(value))) {
      problems.push(`${field} "${oneLine(key)}" has the value "${oneLine(String(value))}", which is not a valid label value: use at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit, or ""`);
    }
  }
  return problems;
}

/** One label value a prop becomes (`partOf` becomes `app.kubernetes.io/part-of`): at most 63 letters, digits, '-', '_' or '.'. */
export function checkLabelValue(field: string, value: string, label: string): string | undefined {
  if (typeof value !== 'string' || value.length > 63 || (value !== '' && !LABEL_NAME.test(value))) {
    return `${field} "${oneLine(String(value))}" is not a valid label value (it becomes the label ${label}): use at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit`;
  }
  return undefined;
}

/** The API server's limit on a ConfigMap's data (keys and values together). */
export const MAX_CONFIGMAP_BYTES = 1024 * 1024;

/** A ConfigMap's data: keys of letters, digits, '-', '_' or '.', and at most 1 MiB of keys and values together. */
export function checkConfigMapData(field: string, data: Readonly<Record<string, string>>): string[] {
  const problems: string[] = [];
  for (const key of Object.keys(data)) {
    if (key.length === 0 || key.length > 253 || !/^[-._a-zA-Z0-9]+$/.test(key)) {
      problems.push(`${field} key "${oneLine(key)}" is not a valid ConfigMap key: use 1-253 letters, digits, '-', '_' or '.'`);
    }
  }
  const bytes = configMapBytes(data);
  if (bytes > MAX_CONFIGMAP_BYTES) {
    problems.push(`${field} holds ${bytes} bytes of keys and values: a ConfigMap holds at most ${MAX_CONFIGMAP_BYTES} bytes (1 MiB); move the large values elsewhere (an image, a volume)`);
  }
  return problems;
}

/**
 * A ConfigMap this library generates (a dashboard, a policy, a rule file, an agent's
 * configuration), held to the same 1 MiB as a user's: its content grows with the props
 * (namespaces, rules, patterns), and the API server would refuse it only at the first sync.
 * `fix` says which props make it smaller.
 */
export function checkGeneratedConfigMap(what: string, data: Readonly<Record<string, string>> | undefined, fix: string): string | undefined {
  const bytes = configMapBytes(data ?? {});
  return bytes > MAX_CONFIGMAP_BYTES
    ? `${what} would hold ${bytes} bytes of keys and values: a ConfigMap holds at most ${MAX_CONFIGMAP_BYTES} bytes (1 MiB) and the API server would refuse it; ${fix}`
    : undefined;
}

function configMapBytes(data: Readonly<Record<string, string>>): number {
  return Object.entries(data).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(String(v)), 0);
}

/** The API server's limit on the total size of an object's annotations (keys and values). */
export const MAX_ANNOTATIONS_BYTES = 256 * 1024;

/** Kubernetes annotations: valid keys, and at most 256 KiB of keys and values together. */
export function checkAnnotations(field: string, annotations: Readonly<Record<string, string>> | undefined): string[] {
  const entries = Object.entries(annotations ?? {});
  const problems = entries.map(([key]) => checkQualifiedName(field, key)).filter((p): p is string => p !== undefined);
  const bytes = entries.reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(String(v)), 0);
  if (bytes > MAX_ANNOTATIONS_BYTES) {
    problems.push(`${field} total ${bytes} bytes: Kubernetes allows at most ${MAX_ANNOTATIONS_BYTES} bytes (256 KiB) of annotation keys and values on one object`);
  }
  return problems;
}

/** A URL where one is meant: it parses, has one of `schemes` and a host, and holds no whitespace. */
export function checkUrl(field: string, value: string, schemes: readonly string[] = ['https', 'http']): string | undefined {
  const wanted = `an absolute ${schemes.join(' or ')} URL with a host (for example "${schemes[0]}://example.com/path")`;
  if (typeof value !== 'string' || /\s/.test(value)) return `${field} "${oneLine(String(value))}" is not ${wanted}: it holds whitespace`;
  // WHATWG URL parsing forgives "https:/host" and "https:host"; a Go client does not.
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/\\]/.test(value)) return `${field} "${oneLine(value)}" is not ${wanted}`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `${field} "${oneLine(value)}" is not ${wanted}`;
  }
  if (!schemes.includes(url.protocol.replace(/:$/, '')) || url.hostname === '') {
    return `${field} "${oneLine(value)}" is not ${wanted}`;
  }
  return undefined;
}

/** A Git branch, tag or commit as Argo CD passes it to git: non-empty, no whitespace or characters git refuses in a ref. */
export function checkGitRevision(field: string, value: string): string | undefined {
  // eslint-disable-next-line no-control-regex
  if (value === '' || /[\s\x00-\x1f\x7f~^:?*[\\]|\.\.|@\{|^[-/.]|\/$|\.lock$|\/\/|\.$/.test(value)) {
    return `${field} "${oneLine(value)}" is not a Git revision: name a branch, tag or commit without whitespace or any of ~ ^ : ? * [ \\ .. @{ (for example "main" or "v1.2.0")`;
  }
  return undefined;
}

/** A value chosen from a fixed set, as JavaScript callers may pass any string. */
export function checkOneOf(field: string, value: unknown, allowed: readonly string[]): string | undefined {
  if (typeof value !== 'string' || !allowed.includes(value)) {
    return `${field} "${oneLine(String(value))}" is not one of ${allowed.map((a) => `"${a}"`).join(', ')}`;
  }
  return undefined;
}

/** A list whose entries must not be empty strings. */
export function checkNoEmptyEntries(field: string, values: readonly string[]): string | undefined {
  const at = values.findIndex((v) => typeof v !== 'string' || v.trim() === '');
  return at < 0 ? undefined : `${field}[${at}] is empty: every entry must be a non-empty string (remove it or fill it in)`;
}

/**
 * A regular expression a Go program (Loki, Prometheus) compiles with RE2. Checked by
 * compiling it with JavaScript's RegExp after rewriting the RE2 syntax JavaScript lacks
 * (flag groups such as `(?i)`, `(?P<name>`, `\A`, `\z`, `\Q...\E`), which refuses what does not
 * compile (unbalanced groups and classes, nothing to repeat, bad counts); RE2's refusal of
 * lookarounds and backreferences is checked by pattern.
 */
export function checkRe2(field: string, value: string): string | undefined {
  if (typeof value !== 'string') return `${field} (${oneLine(String(value))}) must be a string holding a regular expression`;
  if (/\(\?<?[=!]|(^|[^\\])\\[1-9]/.test(value)) {
    return `${field} "${oneLine(value)}" uses a lookaround or a backreference, which RE2 (Loki, Prometheus) does not support: rewrite the pattern without it`;
  }
  try {
    new RegExp(re2ToJavaScript(value));
  } catch (e) {
    const reason = (e instanceof Error ? e.message : String(e)).replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, '');
    return `${field} "${oneLine(value)}" does not compile as a regular expression (${oneLine(reason)}): fix the pattern (RE2 syntax)`;
  }
  return undefined;
}

/** The RE2 constructs JavaScript spells otherwise, rewritten so that only real errors fail to compile. */
function re2ToJavaScript(pattern: string): string {
  return pattern
    .replace(/\\Q([\s\S]*?)(\\E|$)/g, (_m, literal: string) => literal.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'))
    .replace(/\(\?[imsU-]+\)/g, '')
    .replace(/\(\?[imsU-]+:/g, '(?:')
    .replace(/\(\?P</g, '(?<')
    .replace(/\\A/g, '^')
    .replace(/\\z/g, '$');
}
