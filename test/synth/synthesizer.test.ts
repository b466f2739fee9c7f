import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Chart, Testing } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import {
  kebabCase, OUTPUT_MANIFEST, OutputArtifact, renderApp, renderAppTo, resolveCharts, StagedFolder, synthesizeApp, synthesizeMain,
  SynthValidationError, writeAtomically, YamlEmitter, yamlPieces,
} from '../../lib';
import { problemsOf } from '../support/synth';

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

  test('replaces the output folder with exactly the new files, and lists them in its manifest', () => {
    const dir = path.join(tempDir(), 'dist');
    synthesizeApp(appWithNamespace('a'), { outdir: dir });
    expect(readTree(dir)).toEqual({
      'platform-base/platform-base.k8s.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n',
      [OUTPUT_MANIFEST]: expect.stringMatching(/^# Written by @ecommerce-platform\/wasm-functions.*\nplatform-base\/platform-base.k8s.yaml\n$/),
    });
    // A file a previous synth wrote and this one does not is removed.
    const app = appWithNamespace('b');
    new OutputArtifact(app, 'Report', { path: 'reports/summary.md', render: () => '# hi\n' });
    synthesizeApp(app, { outdir: dir });
    synthesizeApp(appWithNamespace('b'), { outdir: dir });
    expect(Object.keys(readTree(dir)).sort()).toEqual([OUTPUT_MANIFEST, 'platform-base/platform-base.k8s.yaml']);
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

  test('two outputs at one path stop synthesizeApp after it has written both: the output folder is untouched', () => {
    const dir = path.join(tempDir(), 'dist');
    synthesizeApp(appWithNamespace('g'), { outdir: dir });
    const before = readTree(dir);
    const app = appWithNamespace('h');
    new OutputArtifact(app, 'A', { path: 'reports/x.md', render: () => 'a' });
    new OutputArtifact(app, 'B', { path: 'reports/x.md', render: () => 'b' });
    expect(() => synthesizeApp(app, { outdir: dir })).toThrow(/two outputs would be written to "reports\/x.md"/);
    expect(readTree(dir)).toEqual(before);
    expect(fs.readdirSync(path.dirname(dir))).toEqual(['dist']);
  });

  test('renderAppTo hands over each chart as it renders it, and lets go of each object once its YAML is written', () => {
    const app = Testing.app();
    for (const id of ['First', 'Second']) {
      const chart = new Chart(app, id);
      for (const n of ['a', 'b']) new k8s.KubeNamespace(chart, n, { metadata: { name: `${id.toLowerCase()}-${n}` } });
    }
    const events: string[] = [];
    const contents: Record<string, string> = {};
    renderAppTo(app, (file, content) => {
      events.push(`open ${file}`);
      contents[file] = [...content].join('');
      events.push(`done ${file}`);
    });
    // The second chart's file starts after the first one's pieces were all read.
    expect(events).toEqual([
      'open first/first.k8s.yaml', 'done first/first.k8s.yaml', 'open second/second.k8s.yaml', 'done second/second.k8s.yaml',
    ]);
    expect(contents).toEqual(Object.fromEntries(renderApp(app).map((f) => [f.path, f.content])));

    const objects: unknown[] = [{ a: 1 }, { b: [2] }];
    const pieces = yamlPieces(objects);
    expect(pieces.next().value).toBe('a: 1\n');
    expect(objects[0]).toBeUndefined();
    expect(objects[1]).toEqual({ b: [2] });
    expect([...pieces].join('')).toBe('---\nb:\n  - 2\n');
    expect(objects).toEqual([undefined, undefined]);
  });

  test('a failure while a file is being written discards everything staged: the folder and the CLI copy are untouched', () => {
    const work = tempDir();
    const dir = path.join(work, 'dist');
    const cli = path.join(work, 'cli');
    synthesizeApp(appWithNamespace('i'), { outdir: dir, stagingDir: cli });
    const before = readTree(dir);
    const cliBefore = readTree(cli);
    const app = appWithNamespace('j');
    // Rendered after the chart's YAML was written: the staged folders hold files by then.
    new OutputArtifact(app, 'Late', { path: 'reports/late.md', render: () => 'late' });
    let written = 0;
    const staged = new StagedFolder(path.join(work, 'other'));
    try {
      staged.write('a.yaml', (function* () {
        yield 'one\n';
        written++;
        throw new Error('broken mid-file');
      })());
    } catch (e) {
      expect(String(e)).toMatch(/broken mid-file/);
    } finally {
      staged.discard();
    }
    expect(written).toBe(1);
    expect(fs.readdirSync(work).sort()).toEqual(['cli', 'dist']);
    // The same through synthesizeApp: an object whose YAML cannot be written fails after the
    // first chart was written to disk.
    const late = new Chart(app, 'ZLate');
    new k8s.KubeConfigMap(late, 'Cm', { metadata: { name: 'x' }, data: { k: 'v' } });
    late.addDependency(app.charts[0]);
    const dump = YamlEmitter.prototype.dump;
    const dumped: string[] = [];
    const spy = jest.spyOn(YamlEmitter.prototype, 'dump').mockImplementationOnce(function (this: YamlEmitter, doc: unknown) {
      dumped.push(dump.call(this, doc));
      return dumped[0];
    }).mockImplementationOnce(() => { throw new Error('emitter broke'); });
    try {
      expect(() => synthesizeApp(app, { outdir: dir, stagingDir: cli })).toThrow(/emitter broke/);
    } finally {
      spy.mockRestore();
    }
    expect(dumped).toEqual(['apiVersion: v1\nkind: Namespace\nmetadata:\n  name: j\n']);
    expect(readTree(dir)).toEqual(before);
    expect(readTree(cli)).toEqual(cliBefore);
    expect(fs.readdirSync(work).sort()).toEqual(['cli', 'dist']);
  });

  test('artifact paths must stay inside the output folder', () => {
    const app = appWithNamespace('g');
    new OutputArtifact(app, 'Escape', { path: '../outside.md', render: () => 'x' });
    expect(() => renderApp(app)).toThrow(/\[Escape\] path "..\/outside.md" must be a relative path/);
  });

  test('an artifact path with quotes or a newline is printed on one line', () => {
    const app = appWithNamespace('g');
    new OutputArtifact(app, 'Odd', { path: 'reports/"x"\n.md', render: () => 'x' });
    expect(problemsOf(app)).toEqual([
      '[Odd] path "reports/\\"x\\"\\n.md" must be a relative path of letters, digits, \'.\', \'_\', \'-\' and \'/\' inside the output folder',
    ]);
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

describe('the synthesizer deletes only what it wrote', () => {
  const originalCliOutdir = process.env.CDK8S_OUTDIR;
  afterEach(() => {
    if (originalCliOutdir === undefined) delete process.env.CDK8S_OUTDIR;
    else process.env.CDK8S_OUTDIR = originalCliOutdir;
  });

  function refusal(outdir: string, cliOutdir?: string): string {
    if (cliOutdir === undefined) delete process.env.CDK8S_OUTDIR;
    else process.env.CDK8S_OUTDIR = cliOutdir;
    try {
      synthesizeApp(appWithNamespace('x'), { outdir });
    } catch (e) {
      expect(e).toBeInstanceOf(SynthValidationError);
      return (e as SynthValidationError).problems.join('\n');
    }
    throw new Error('synth was not refused');
  }

  test('a folder holding a user\'s files is refused and the files survive', () => {
    // GIVEN a folder with the user's own work in it
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'notes.md'), 'mine');
    fs.mkdirSync(path.join(dir, 'src'));
    fs.writeFileSync(path.join(dir, 'src', 'app.ts'), 'mine too');
    // WHEN it is given as outdir THEN synth refuses, naming the files, and deletes nothing
    expect(refusal(dir)).toBe(`outdir "${dir}" holds "notes.md", "src", "src/app.ts" and no ${OUTPUT_MANIFEST}, so this synthesizer did not write it: synth would delete its content, so choose a folder of its own, new or written only by this synthesizer (for example "dist") (delete an old output folder yourself once)`);
    expect(readTree(dir)).toEqual({ 'notes.md': 'mine', [path.join('src', 'app.ts')]: 'mine too' });
    expect(fs.readdirSync(path.dirname(dir)).filter((n) => n.startsWith(path.basename(dir)))).toEqual([path.basename(dir)]);
  });

  test('a file added to a synthesized folder is refused and survives', () => {
    const dir = path.join(tempDir(), 'dist');
    synthesizeApp(appWithNamespace('y'), { outdir: dir });
    fs.writeFileSync(path.join(dir, 'platform-base', 'kustomization.yaml'), 'mine');
    expect(refusal(dir)).toBe(`outdir "${dir}" holds "platform-base/kustomization.yaml", which this synthesizer did not write (not in its ${OUTPUT_MANIFEST}): synth would delete them, so move them out or choose a folder of its own, new or written only by this synthesizer (for example "dist")`);
    expect(fs.readFileSync(path.join(dir, 'platform-base', 'kustomization.yaml'), 'utf8')).toBe('mine');
  });

  test('".", the working folder\'s parents and a project root are refused', () => {
    const cwd = process.cwd();
    expect(refusal('.')).toBe(`outdir "." is the working folder (${cwd}): synth replaces the whole folder, so choose a folder of its own, new or written only by this synthesizer (for example "dist")`);
    expect(refusal('..')).toMatch(/^outdir "\.\." is the working folder or one of its parents/);
    expect(refusal('/')).toMatch(/^outdir "\/" is the working folder or one of its parents/);
    const project = tempDir();
    fs.writeFileSync(path.join(project, 'package.json'), '{}');
    expect(refusal(project)).toMatch(/holds package.json: it is a repository or project root/);
    expect(fs.readdirSync(project)).toEqual(['package.json']);
  });

  test('a repository root (a folder holding .git) is refused and its history survives', () => {
    // GIVEN a repository: a .git folder and nothing else, so no other rule would catch it
    const repo = tempDir();
    fs.mkdirSync(path.join(repo, '.git'));
    fs.writeFileSync(path.join(repo, '.git', 'HEAD'), 'ref: refs/heads/main\n');
    // WHEN it is given as outdir THEN synth refuses, naming .git, and deletes nothing
    expect(refusal(repo)).toBe(`outdir "${repo}" holds .git: it is a repository or project root, and synth replaces the whole folder, so choose a folder of its own, new or written only by this synthesizer (for example "dist")`);
    expect(readTree(repo)).toEqual({ [path.join('.git', 'HEAD')]: 'ref: refs/heads/main\n' });
    expect(fs.readdirSync(path.dirname(repo)).filter((n) => n.startsWith(path.basename(repo)))).toEqual([path.basename(repo)]);
  });

  test('a synthesized folder someone made a repository of is refused, though its manifest lists every other file', () => {
    const dir = path.join(tempDir(), 'dist');
    synthesizeApp(appWithNamespace('z'), { outdir: dir });
    fs.mkdirSync(path.join(dir, '.git'));
    expect(refusal(dir)).toMatch(/^outdir ".*" holds \.git: it is a repository or project root/);
    expect(fs.existsSync(path.join(dir, '.git'))).toBe(true);
  });

  test('an outdir that is the CLI\'s own output folder is refused with the fix', () => {
    // GIVEN `cdk8s synth` run with `output: dist` (it deleted dist/ before the app ran)
    const dir = path.join(tempDir(), 'dist');
    expect(refusal(dir, dir)).toBe(`outdir "${dir}" is (or overlaps) the output folder of \`cdk8s synth\` ("${dir}"), which the CLI deletes before it runs the app: a failed synth would leave no manifests. Set \`output: .cdk8s.out\` in cdk8s.yaml (a staging folder the CLI may delete) and keep outdir "${dir}"; the CLI has already deleted "${dir}" on this run, so restore it from git (\`git checkout -- ${dir}\`) or with a synth after the fix`);
    expect(refusal(dir, path.join(dir, 'staging'))).toMatch(/is \(or overlaps\) the output folder of `cdk8s synth`/);
    expect(fs.existsSync(dir)).toBe(false);
  });

  test('a value with a newline is printed on one line', () => {
    const dir = path.join(tempDir(), 'a\n  - [Fake] problem');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'x'), '');
    expect(refusal(dir).split('\n')).toHaveLength(1);
    expect(refusal(dir)).toContain('a\\n  - [Fake] problem');
  });

  test('synthesizeMain under the CLI fails by leaving the CLI\'s folder uncreated, so the CLI prints no stack trace', () => {
    const work = tempDir();
    const staging = path.join(work, 'staging');
    process.env.CDK8S_OUTDIR = staging;
    const app = appWithNamespace('z');
    app.charts[0].node.addValidation({ validate: () => ['broken on purpose'] });
    const write = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const exitCode = process.exitCode;
    try {
      expect(synthesizeMain(app, { outdir: path.join(work, 'dist') })).toBe(false);
      expect(write).toHaveBeenCalledWith('Synthesis failed with 1 problem; nothing was written:\n  - [PlatformBase] broken on purpose\n');
      expect(process.exitCode).toBe(0);
      expect(fs.readdirSync(work)).toEqual([]);
      // Without the CLI, the process itself fails.
      delete process.env.CDK8S_OUTDIR;
      expect(synthesizeMain(app, { outdir: path.join(work, 'dist') })).toBe(false);
      expect(process.exitCode).toBe(1);
    } finally {
      process.exitCode = exitCode;
      write.mockRestore();
    }
  });
});
