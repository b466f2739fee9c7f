import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Chart, Testing } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { kebabCase, OutputArtifact, renderApp, resolveCharts, synthesizeApp, SynthValidationError, writeAtomically } from '../../lib';

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'synth-test-'));
}

function readTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) {
      const full = path.join(entry.parentPath, entry.name);
      out[path.relative(dir, full)] = fs.readFileSync(full, 'utf8');
    }
  }
  return out;
}

function appWithNamespace(name: string) {
  const app = Testing.app();
  const chart = new Chart(app, 'PlatformBase');
  new k8s.KubeNamespace(chart, 'Ns', { metadata: { name } });
  return app;
}

describe('synthesizer', () => {
  test('writes one folder per chart with stable names, and artifacts where asked', () => {
    const app = appWithNamespace('a');
    new OutputArtifact(app, 'Report', { path: 'reports/summary.md', render: () => '# hi\n' });
    const files = renderApp(app);
    expect(files.map((f) => f.path)).toEqual(['platform-base/platform-base.k8s.yaml', 'reports/summary.md']);
    expect(files[0].content).toBe('apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n');
  });

  test('kebab-cases chart ids', () => {
    expect(kebabCase('OrdersFunctions')).toBe('orders-functions');
    expect(kebabCase('GitOps')).toBe('git-ops');
    expect(kebabCase('HTTPRoutes')).toBe('http-routes');
  });

  test('replaces the output folder with exactly the new files', () => {
    const dir = path.join(tempDir(), 'dist');
    fs.mkdirSync(path.join(dir, 'stale'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'stale', 'old.yaml'), 'old');
    synthesizeApp(appWithNamespace('b'), { outdir: dir });
    expect(readTree(dir)).toEqual({ 'platform-base/platform-base.k8s.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: b\n' });
    expect(fs.readdirSync(path.dirname(dir))).toEqual(['dist']);
  });

  test('a validation failure leaves the output folder untouched', () => {
    const dir = path.join(tempDir(), 'dist');
    synthesizeApp(appWithNamespace('c'), { outdir: dir });
    const before = readTree(dir);
    const app = appWithNamespace('d');
    app.charts[0].node.addValidation({ validate: () => ['broken on purpose'] });
    expect(() => synthesizeApp(app, { outdir: dir })).toThrow(SynthValidationError);
    expect(readTree(dir)).toEqual(before);
  });

  test('a write failure leaves the output folder untouched and no staging folder behind', () => {
    const dir = path.join(tempDir(), 'dist');
    synthesizeApp(appWithNamespace('e'), { outdir: dir });
    const before = readTree(dir);
    // A file path that cannot be created (a file where a folder must go) fails mid-write.
    expect(() => writeAtomically([
      { path: 'x/one.yaml', content: '1' },
      { path: 'x/one.yaml/two.yaml', content: '2' },
    ], dir)).toThrow();
    expect(readTree(dir)).toEqual(before);
    expect(fs.readdirSync(path.dirname(dir))).toEqual(['dist']);
  });

  test('two outputs at one path are refused', () => {
    const app = appWithNamespace('f');
    new OutputArtifact(app, 'A', { path: 'reports/x.md', render: () => 'a' });
    new OutputArtifact(app, 'B', { path: 'reports/x.md', render: () => 'b' });
    expect(() => renderApp(app)).toThrow(/two outputs would be written to "reports\/x.md"/);
  });

  test('artifact paths must stay inside the output folder', () => {
    const app = appWithNamespace('g');
    new OutputArtifact(app, 'Escape', { path: '../outside.md', render: () => 'x' });
    expect(() => renderApp(app)).toThrow(/\[Escape\] path "..\/outside.md" must be a relative path/);
  });

  test('resolves charts exactly as cdk8s Chart.toJson() does, dependencies included', () => {
    // GIVEN two apps with construct dependencies inside a chart and across charts
    const build = () => {
      const app = Testing.app();
      const first = new Chart(app, 'First');
      const second = new Chart(app, 'Second', { namespace: 'b' });
      const config = new k8s.KubeConfigMap(second, 'Config', { metadata: { name: 'config' } });
      const account = new k8s.KubeServiceAccount(second, 'Account', { metadata: { name: 'account' } });
      const ns = new k8s.KubeNamespace(first, 'Ns', { metadata: { name: 'b' } });
      config.node.addDependency(account);
      second.node.addDependency(first);
      account.node.addDependency(ns);
      return app;
    };
    // WHEN one is resolved by the synthesizer and the other chart by chart with cdk8s
    const ours = resolveCharts(build()).map(({ chart, objects }) => [chart.node.id, objects]);
    const reference = build();
    const theirs = reference.charts.map((chart) => [chart.node.id, chart.toJson()]);
    // THEN both give the same objects in the same order (the ServiceAccount before the ConfigMap)
    expect(ours).toEqual(theirs);
    expect((ours[1][1] as { kind: string }[]).map((o) => o.kind)).toEqual(['ServiceAccount', 'ConfigMap']);
  });
});
