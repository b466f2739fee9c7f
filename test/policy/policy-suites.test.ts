import * as fs from 'fs';
import * as path from 'path';
import { renderPolicySuites } from './support/suites';

const ROOT = path.resolve(__dirname, '..', '..');
const POLICIES = path.join(ROOT, 'policies');

function readTree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  if (!fs.existsSync(dir)) return out;
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) {
      const full = path.join(entry.parentPath, entry.name);
      out.set(path.relative(ROOT, full).split(path.sep).join('/'), fs.readFileSync(full, 'utf8'));
    }
  }
  return out;
}

describe('policies/: the gator verify and opa test suites', () => {
  const files = renderPolicySuites();

  if (process.env.UPDATE_POLICY_SUITES) {
    fs.rmSync(path.join(POLICIES, 'gator'), { recursive: true, force: true });
    fs.rmSync(path.join(POLICIES, 'opa'), { recursive: true, force: true });
    for (const f of files) {
      fs.mkdirSync(path.dirname(path.join(ROOT, f.path)), { recursive: true });
      fs.writeFileSync(path.join(ROOT, f.path), f.content);
    }
  }

  test('every template has a gator suite with allowed and disallowed cases', () => {
    const suite = files.find((f) => f.path === 'policies/gator/suite.yaml')!.content;
    const templates = files.filter((f) => f.path.endsWith('/template.yaml'));
    expect(templates).toHaveLength(13);
    for (const t of templates) {
      expect(suite).toContain(`template: ${t.path.split('/')[2]}/template.yaml`);
    }
    expect(suite.match(/- violations: no/g)!.length).toBeGreaterThanOrEqual(13);
  });

  test('the committed policies/ folder is what the generator writes (run with UPDATE_POLICY_SUITES=1 to refresh)', () => {
    const committed = readTree(POLICIES);
    committed.delete('policies/README.md');
    expect([...committed.keys()].sort()).toEqual(files.map((f) => f.path));
    for (const f of files) {
      expect({ path: f.path, content: committed.get(f.path) }).toEqual({ path: f.path, content: f.content });
    }
  });
});
