import {
  checkAnnotations, checkConfigMapData, checkGitRevision, checkLabels, checkLabelValue, checkNoEmptyEntries, checkOneOf,
  checkQualifiedName, checkRe2, checkUrl, MAX_CONFIGMAP_BYTES, oneLine,
} from '../../lib';

describe('value checks shared by every construct', () => {
  test('oneLine escapes newlines and quotes, so a value cannot start a line of its own', () => {
    expect(oneLine('a\n  - [Fake/Path] all good\r\n"x"')).toBe('a\\n  - [Fake/Path] all good\\r\\n\\"x\\"');
    expect(oneLine('plain')).toBe('plain');
  });

  test('label and annotation keys: optional DNS-1123 prefix, then 1-63 characters', () => {
    expect(checkQualifiedName('labels', 'example.com/team')).toBeUndefined();
    expect(checkQualifiedName('labels', 'team')).toBeUndefined();
    for (const bad of ['', 'Example.com/team', 'example.com/', '/team', 'team name', 'x'.repeat(64), '-team', 'a/b/c']) {
      expect(checkQualifiedName('labels', bad)).toBe(
        `labels key "${oneLine(bad)}" is not a valid label or annotation key: use an optional DNS-1123 subdomain prefix and '/', then 1-63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit (for example "example.com/team")`);
    }
  });

  test('label values: at most 63 letters, digits, -, _ or ., no newlines or quotes', () => {
    expect(checkLabels('labels', { team: 'catalog', empty: '', 'example.com/v': 'v1.2_3' })).toEqual([]);
    expect(checkLabels('labels', { team: 'x'.repeat(64), quote: '"catalog"', line: 'a\nb', 'bad key': 'ok' })).toEqual([
      `labels "team" has the value "${'x'.repeat(64)}", which is not a valid label value: use at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit, or ""`,
      'labels "quote" has the value "\\"catalog\\"", which is not a valid label value: use at most 63 letters, digits, \'-\', \'_\' or \'.\', starting and ending with a letter or digit, or ""',
      'labels "line" has the value "a\\nb", which is not a valid label value: use at most 63 letters, digits, \'-\', \'_\' or \'.\', starting and ending with a letter or digit, or ""',
      'labels key "bad key" is not a valid label or annotation key: use an optional DNS-1123 subdomain prefix and \'/\', then 1-63 letters, digits, \'-\', \'_\' or \'.\', starting and ending with a letter or digit (for example "example.com/team")',
    ]);
    expect(checkLabelValue('partOf', 'shop platform', 'app.kubernetes.io/part-of')).toBe(
      'partOf "shop platform" is not a valid label value (it becomes the label app.kubernetes.io/part-of): use at most 63 letters, digits, \'-\', \'_\' or \'.\', starting and ending with a letter or digit');
  });

  test('annotations: at most 256 KiB of keys and values on one object', () => {
    expect(checkAnnotations('annotations', { note: 'x'.repeat(1000) })).toEqual([]);
    expect(checkAnnotations('annotations', { note: 'x'.repeat(256 * 1024) })).toEqual([
      'annotations total 262148 bytes: Kubernetes allows at most 262144 bytes (256 KiB) of annotation keys and values on one object',
    ]);
  });

  test('a ConfigMap holds at most 1 MiB of keys and values', () => {
    expect(checkConfigMapData('config', { A: 'x'.repeat(MAX_CONFIGMAP_BYTES - 1) })).toEqual([]);
    expect(checkConfigMapData('config', { A: 'x'.repeat(MAX_CONFIGMAP_BYTES - 2), B: 'y' })).toEqual([
      'config holds 1048577 bytes of keys and values: a ConfigMap holds at most 1048576 bytes (1 MiB); move the large values elsewhere (an image, a volume)',
    ]);
    expect(checkConfigMapData('config', { 'a/b': '1' })).toEqual(['config key "a/b" is not a valid ConfigMap key: use 1-253 letters, digits, \'-\', \'_\' or \'.\'']);
  });

  test('URLs: absolute, with a host, of the schemes meant, without whitespace', () => {
    expect(checkUrl('grafanaUrl', 'https://grafana.example.com/')).toBeUndefined();
    expect(checkUrl('grafanaUrl', 'http://grafana.monitoring.svc:3000')).toBeUndefined();
    expect(checkUrl('grafanaUrl', 'grafana.example.com')).toBe('grafanaUrl "grafana.example.com" is not an absolute https or http URL with a host (for example "https://example.com/path")');
    expect(checkUrl('grafanaUrl', 'ftp://grafana.example.com')).toBe('grafanaUrl "ftp://grafana.example.com" is not an absolute https or http URL with a host (for example "https://example.com/path")');
    expect(checkUrl('grafanaUrl', 'https://grafana.example.com/\n')).toBe('grafanaUrl "https://grafana.example.com/\\n" is not an absolute https or http URL with a host (for example "https://example.com/path"): it holds whitespace');
    expect(checkUrl('jwksUrl', 'http://idp/jwks', ['https'])).toBe('jwksUrl "http://idp/jwks" is not an absolute https URL with a host (for example "https://example.com/path")');
  });

  test('Git revisions: a branch, tag or commit without whitespace', () => {
    for (const ok of ['main', 'v1.2.0', 'release/2026-02', '86c59df33204c79db3663f084b5dc26819d10d16', 'HEAD']) {
      expect(checkGitRevision('targetRevision', ok)).toBeUndefined();
    }
    for (const bad of ['', 'main ', 'feature x', 'main\n', 'a..b', 'x~1', 'refs/heads/', '-main']) {
      expect(checkGitRevision('targetRevision', bad)).toBe(
        `targetRevision "${oneLine(bad)}" is not a Git revision: name a branch, tag or commit without whitespace or any of ~ ^ : ? * [ \\ .. @{ (for example "main" or "v1.2.0")`);
    }
  });

  test('enum-like strings name the allowed values, whatever JavaScript passes', () => {
    expect(checkOneOf('effect', 'NoSchedule', ['NoSchedule', 'NoExecute'])).toBeUndefined();
    expect(checkOneOf('effect', 'noschedule', ['NoSchedule', 'NoExecute'])).toBe('effect "noschedule" is not one of "NoSchedule", "NoExecute"');
    expect(checkOneOf('effect', undefined, ['NoSchedule'])).toBe('effect "undefined" is not one of "NoSchedule"');
  });

  test('lists without empty entries', () => {
    expect(checkNoEmptyEntries('roles', ['user', 'admin'])).toBeUndefined();
    expect(checkNoEmptyEntries('roles', ['user', ' '])).toBe('roles[1] is empty: every entry must be a non-empty string (remove it or fill it in)');
  });

  test('RE2 patterns: the RE2 syntax JavaScript lacks is accepted, what does not compile is refused', () => {
    for (const ok of ['(?i)\\b(error|panic|fatal)\\b', '(?i:error)', '(?P<level>error)', '\\Aerror\\z', 'level=(warn|error)']) {
      expect(checkRe2('pattern', ok)).toBeUndefined();
    }
    expect(checkRe2('pattern', '(error|panic')).toBe('pattern "(error|panic" does not compile as a regular expression (Unterminated group): fix the pattern (RE2 syntax)');
    expect(checkRe2('pattern', '[error')).toBe('pattern "[error" does not compile as a regular expression (Unterminated character class): fix the pattern (RE2 syntax)');
    expect(checkRe2('pattern', '*error')).toBe('pattern "*error" does not compile as a regular expression (Nothing to repeat): fix the pattern (RE2 syntax)');
    expect(checkRe2('pattern', 'error(?!: none)')).toBe('pattern "error(?!: none)" uses a lookaround or a backreference, which RE2 (Loki, Prometheus) does not support: rewrite the pattern without it');
  });
});
