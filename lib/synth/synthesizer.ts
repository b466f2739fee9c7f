import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import { oneLine } from '../core/names';
import { dependencyOrder } from './dependency-order';
import { NestedApp } from './nested-app';
import { duplicateObjectProblems } from './duplicate-objects';
import { OutputArtifact } from './output-artifact';
import { YamlEmitter } from './yaml-emitter';
import { constructsOf, forgetRendered, isValidated, markValidated, renderedJson, withSynthSession } from './synth-session';

/** One file of synthesized output. */
export interface RenderedFile {
  /** Path relative to the output folder, `/`-separated. */
  readonly path: string;
  /** File content. */
  readonly content: string;
}

/** Options for {@link renderApp}. */
export interface RenderOptions {
  /**
   * Where each chart's manifests go, relative to the output folder.
   * @default - `<chart id in kebab-case>/<chart id in kebab-case>.k8s.yaml`: one folder per chart, for one Argo CD Application each
   */
  readonly chartPath?: (chart: Chart) => string;
}

/** Thrown when one or more constructs fail validation; lists every problem with its construct path. */
export class SynthValidationError extends Error {
  constructor(public readonly problems: readonly string[]) {
    super(`Synthesis failed with ${problems.length} problem${problems.length === 1 ? '' : 's'}; nothing was written:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'SynthValidationError';
  }
}

/** `PriceFunctions` -> `price-functions`. */
export function kebabCase(id: string): string {
  return id
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/([A-Z])([A-Z][a-z])/g, '$1-$2')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .toLowerCase();
}

/** The default output path of a chart. */
export function defaultChartPath(chart: Chart): string {
  const name = kebabCase(chart.node.id);
  return `${name}/${name}.k8s.yaml`;
}

/**
 * Runs every construct's validations and returns all problems, each prefixed with its
 * construct path, so one synth reports everything that is wrong.
 */
export function collectProblems(root: IConstruct): string[] {
  return withSynthSession(root, () => {
    const problems: string[] = [];
    for (const c of constructsOf(root)) {
      for (const message of c.node.validate()) {
        // One problem, one line: a newline a message carries (from a user's value) is
        // escaped, so it cannot print a line that looks like another problem.
        problems.push(`[${c.node.path}] ${message.replace(/\r?\n|\r/g, (m) => oneLine(m))}`);
      }
    }
    problems.push(...duplicateObjectProblems(root));
    for (const nested of NestedApp.all(root)) {
      // A nested app's problems name its folder before the construct path: the same path
      // exists in every cluster of a fleet.
      problems.push(...collectProblems(nested.app).map((p) => p.replace(/^\[/, `[${nested.folder}/`)));
    }
    if (problems.length === 0) markValidated(root);
    // One cause, one line: a message two validations of one construct both report is listed once.
    return [...new Set(problems)];
  });
}

/**
 * YAML for a list of objects, one document each, as js-yaml writes them. Deterministic: the
 * objects' own key order is kept. Pass one `emitter` to every call of a synthesis so that
 * scalar styles are decided once.
 */
export function toYamlDocuments(objects: readonly unknown[], emitter: YamlEmitter = new YamlEmitter()): string {
  return emitter.dumpAll(objects);
}

/**
 * The objects of every chart, in cdk8s's dependency order.
 *
 * `Chart.toJson()` prepares the whole app on every call (it infers dependencies and runs
 * every validation in the app, not only the chart's), so calling it per chart — as
 * `App.synth()` does — costs O(charts × app), and even once it validates the app a second
 * time after {@link collectProblems}. Here the app is prepared once, the way `toJson()`
 * prepares it, validated only if this synthesis has not validated it yet, and every chart is
 * resolved from its dependency graph the way `toJson()` itself does.
 */
export function resolveCharts(app: App): { chart: Chart; objects: unknown[] }[] {
  return withSynthSession(app, () => {
    // The chart order is the app's before dependencies are prepared, as it always was here
    // (`app.charts`, ordered without building cdk8s's graph of the whole app).
    const charts = dependencyOrder(app, constructsOf(app)).filter((c): c is Chart => c instanceof Chart);
    prepareDependencies(app);
    if (!isValidated(app)) {
      const problems = collectProblems(app);
      // What cdk8s's own validation throws.
      if (problems.length > 0) throw new Error(`Validation failed with the following errors:\n  ${problems.join('\n  ')}`);
    }
    return charts.map((chart) => ({
      chart,
      objects: dependencyOrder(chart, chart.node.findAll())
        .filter((c): c is ApiObject => c instanceof ApiObject && Chart.of(c) === chart)
        .map((o) => renderedJson(o)),
    }));
  });
}

/**
 * cdk8s's `resolveDependencies` (run by `Chart.toJson()` before it renders, not exported):
 * a chart depends on its nested charts and on the charts of what its constructs depend on,
 * and an object on the objects of the constructs its construct depends on.
 */
function prepareDependencies(app: App): void {
  const all = constructsOf(app);
  const subtree = new Map<IConstruct, IConstruct[]>();
  const findAll = (c: IConstruct): IConstruct[] => {
    let found = subtree.get(c);
    if (!found) subtree.set(c, found = c.node.findAll());
    return found;
  };
  for (const parentChart of all.filter((x): x is Chart => x instanceof Chart)) {
    for (const childChart of parentChart.node.children.filter((x) => x instanceof Chart)) {
      parentChart.node.addDependency(childChart);
    }
  }
  const dependencies = (): { source: IConstruct; target: IConstruct }[] =>
    all.flatMap((source) => source.node.dependencies.map((target) => ({ source, target })));
  for (const dep of dependencies()) {
    const sourceChart = Chart.of(dep.source);
    const targetChart = Chart.of(dep.target);
    if (sourceChart !== targetChart) sourceChart.node.addDependency(targetChart);
  }
  for (const dep of dependencies()) {
    const sourceChart = Chart.of(dep.source);
    const targetChart = Chart.of(dep.target);
    const targets = findAll(dep.target).filter((c) => c instanceof ApiObject && Chart.of(c) === targetChart);
    const sources = findAll(dep.source).filter((c) => c instanceof ApiObject && Chart.of(c) === sourceChart);
    for (const target of targets) {
      for (const source of sources) {
        if (target !== source) source.node.addDependency(target);
      }
    }
  }
}

/** Every OutputArtifact of the app, rendered. */
export function renderArtifacts(app: App): RenderedFile[] {
  return withSynthSession(app, () => OutputArtifact.all(app).map((a) => ({ path: a.path, content: a.render() })));
}

/**
 * Receives the files of a synthesis one by one, as each is rendered: its path and its
 * content in pieces, to be concatenated in order. The pieces can be read only once.
 */
export type RenderedFileSink = (path: string, content: Iterable<string>) => void;

/**
 * Validates the app and renders every chart and artifact to file contents, in memory.
 * Throws {@link SynthValidationError} (listing every problem) before anything is rendered.
 */
export function renderApp(app: App, options: RenderOptions = {}): RenderedFile[] {
  const files: RenderedFile[] = [];
  renderAppTo(app, (path, content) => {
    files.push({ path, content: [...content].join('') });
  }, options);
  return files;
}

/**
 * {@link renderApp}, handing each file to `sink` as it is rendered instead of holding them
 * all: the synthesizer writes each to disk as it goes, so the YAML of the whole platform is
 * never in memory at once. Throws {@link SynthValidationError} before `sink` receives
 * anything when the app is invalid, and after the last file when two files share a path
 * (the sink's files are then to be discarded).
 */
export function renderAppTo(app: App, sink: RenderedFileSink, options: RenderOptions = {}): void {
  const seen = new Set<string>();
  const clashes: string[] = [];
  renderInto(app, (path, content) => {
    if (seen.size === seen.add(path).size) clashes.push(path);
    sink(path, content);
  }, options);
  if (clashes.length > 0) {
    throw new SynthValidationError(clashes.map((p) => `two outputs would be written to "${p}": give the charts or artifacts distinct ids or paths`));
  }
}

function renderInto(app: App, sink: RenderedFileSink, options: RenderOptions): void {
  withNestedSessions(app, () => withSynthSession(app, () => {
    // Validated already when this is a nested app: its parent's validation ran it.
    const problems = isValidated(app) ? [] : collectProblems(app);
    if (problems.length > 0) {
      throw new SynthValidationError(problems);
    }
    const chartPath = options.chartPath ?? defaultChartPath;
    const emitter = new YamlEmitter();
    const charts = resolveCharts(app);
    // Artifacts first (they read the session's rendered JSON), handed over after the charts;
    // then each object's JSON is let go of as soon as its YAML is written, so the JSON of the
    // whole platform and its YAML are not all held at once.
    const artifacts = renderArtifacts(app);
    forgetRendered(app);
    for (let next = charts.shift(); next !== undefined; next = charts.shift()) {
      if (next.objects.length > 0) sink(chartPath(next.chart), yamlPieces(next.objects, emitter));
    }
    for (const artifact of artifacts) sink(artifact.path, [artifact.content]);
    for (const nested of NestedApp.all(app)) {
      renderInto(nested.app, (path, content) => sink(`${nested.folder}/${path}`, content), {});
    }
  }));
}

/**
 * The YAML of `objects` in pieces, one document and one separator at a time: the pieces of
 * {@link toYamlDocuments}. Each object is let go of (its slot in `objects` emptied) once its
 * document is written.
 */
export function* yamlPieces(objects: unknown[], emitter: YamlEmitter = new YamlEmitter()): Generator<string> {
  for (let i = 0; i < objects.length; i++) {
    if (i > 0) yield '---\n';
    const document = emitter.dump(objects[i]);
    objects[i] = undefined;
    yield document;
  }
}

/**
 * Runs `fn` with a synthesis session open on every app nested in `app`, so that each is
 * validated once (by the parent's validation) and rendered from that same session.
 */
function withNestedSessions<T>(app: App, fn: () => T): T {
  const nested = NestedApp.all(app).map((n) => n.app);
  const run = (i: number): T => (i === nested.length ? fn() : withSynthSession(nested[i], () => run(i + 1)));
  return run(0);
}

/**
 * The file the synthesizer writes into every folder it publishes: the list of what it
 * wrote. A folder is replaced only when everything in it is on that list, so a user's own
 * files are never deleted (an `outdir` of `.` or of a folder holding other work is refused).
 */
export const OUTPUT_MANIFEST = '.synth-manifest';

const MANIFEST_HEADER = '# Written by @ecommerce-platform/wasm-functions: every file below is replaced by the next synth. Do not add files to this folder.';

/** The content of {@link OUTPUT_MANIFEST} for `files`. */
export function outputManifest(files: readonly RenderedFile[]): string {
  return manifestOf(files.map((f) => f.path));
}

function manifestOf(paths: readonly string[]): string {
  return [MANIFEST_HEADER, ...[...paths].sort()].join('\n') + '\n';
}

function isInside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * Why the synthesizer may not replace `dir` (described as `field`), or nothing when it may:
 * it must not be the working folder, one of its parents, a repository or project root, a
 * file, or a folder holding anything the synthesizer did not write there itself.
 */
export function outdirProblems(dir: string, field = 'outdir'): string[] {
  const target = path.resolve(dir);
  const shown = `${field} "${oneLine(dir)}"`;
  const fix = 'choose a folder of its own, new or written only by this synthesizer (for example "dist")';
  const cwd = process.cwd();
  if (isInside(cwd, target)) {
    return [`${shown} is the working folder${target === cwd ? '' : ' or one of its parents'} (${oneLine(cwd)}): synth replaces the whole folder, so ${fix}`];
  }
  if (target === path.resolve(os.homedir())) return [`${shown} is the home folder: ${fix}`];
  if (!fs.existsSync(target)) return [];
  if (!fs.statSync(target).isDirectory()) return [`${shown} is a file, not a folder: ${fix}`];
  for (const root of ['.git', 'package.json']) {
    if (fs.existsSync(path.join(target, root))) {
      return [`${shown} holds ${root}: it is a repository or project root, and synth replaces the whole folder, so ${fix}`];
    }
  }
  const entries = fs.readdirSync(target, { recursive: true, withFileTypes: true });
  if (entries.length === 0) return [];
  const manifestPath = path.join(target, OUTPUT_MANIFEST);
  const written = fs.existsSync(manifestPath)
    ? fs.readFileSync(manifestPath, 'utf8').split('\n').filter((l) => l !== '' && !l.startsWith('#'))
    : [];
  const ours = new Set<string>([OUTPUT_MANIFEST, ...written]);
  for (const file of written) {
    for (let d = path.posix.dirname(file); d !== '.'; d = path.posix.dirname(d)) ours.add(d);
  }
  const foreign = entries
    .map((e) => path.relative(target, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
    .filter((rel) => !ours.has(rel))
    .sort();
  if (foreign.length === 0) return [];
  const listed = foreign.slice(0, 3).map((f) => `"${oneLine(f)}"`).join(', ') + (foreign.length > 3 ? ` and ${foreign.length - 3} more` : '');
  return [fs.existsSync(manifestPath)
    ? `${shown} holds ${listed}, which this synthesizer did not write (not in its ${OUTPUT_MANIFEST}): synth would delete them, so move them out or ${fix}`
    : `${shown} holds ${listed} and no ${OUTPUT_MANIFEST}, so this synthesizer did not write it: synth would delete its content, so ${fix} (delete an old output folder yourself once)`];
}

/** Pieces are gathered up to this many characters before a write: few writes, little held. */
const WRITE_CHUNK = 1 << 20;

/**
 * A folder's replacement, written file by file into a fresh sibling folder and swapped in
 * by {@link publish} only once every file is on disk; {@link discard} removes whatever was
 * written and leaves the folder as it was. Used by {@link writeAtomically} and by
 * {@link synthesizeApp}, which writes each file as it is rendered.
 */
export class StagedFolder {
  private readonly target: string;
  private readonly swap: string;
  private readonly staging: string;
  private readonly paths: string[] = [];
  private readonly made = new Set<string>();
  private done = false;

  /**
   * Refuses (throws {@link SynthValidationError}) a folder that {@link outdirProblems} names
   * a problem for, before anything is written.
   * @param outdir the folder to replace
   * @param field how problems name it
   */
  constructor(outdir: string, field = 'outdir') {
    const problems = outdirProblems(outdir, field);
    if (problems.length > 0) throw new SynthValidationError(problems);
    this.target = path.resolve(outdir);
    fs.mkdirSync(path.dirname(this.target), { recursive: true });
    // Fresh names from mkdtemp: nothing of the user's can be there, so only what this
    // class created is ever removed.
    this.swap = fs.mkdtempSync(`${this.target}.synth-`);
    this.staging = path.join(this.swap, 'new');
    fs.mkdirSync(this.staging);
    this.made.add(this.staging);
  }

  /** Writes one file of the replacement (`file` is `/`-separated, relative), from its pieces. */
  public write(file: string, content: Iterable<string>): void {
    this.writeEach([this], file, content);
  }

  /**
   * Writes the same file, read once from `content`, into every folder of `folders`: the
   * pieces of a rendering can be read only once.
   */
  public static writeAll(folders: readonly StagedFolder[], file: string, content: Iterable<string>): void {
    if (folders.length > 0) folders[0].writeEach(folders, file, content);
  }

  private writeEach(folders: readonly StagedFolder[], file: string, content: Iterable<string>): void {
    const fds = folders.map((f) => f.open(file));
    try {
      let pending: string[] = [];
      let size = 0;
      const flush = () => {
        const bytes = Buffer.from(pending.join(''));
        for (const fd of fds) {
          for (let offset = 0; offset < bytes.length;) offset += fs.writeSync(fd, bytes, offset);
        }
        pending = [];
        size = 0;
      };
      for (const piece of content) {
        pending.push(piece);
        size += piece.length;
        if (size >= WRITE_CHUNK) flush();
      }
      if (size > 0) flush();
    } finally {
      for (const fd of fds) fs.closeSync(fd);
    }
  }

  private open(file: string): number {
    const target = path.join(this.staging, ...file.split('/'));
    const parent = path.dirname(target);
    if (!this.made.has(parent)) {
      fs.mkdirSync(parent, { recursive: true });
      this.made.add(parent);
    }
    this.paths.push(file);
    return fs.openSync(target, 'w');
  }

  /** Writes the {@link OUTPUT_MANIFEST} and swaps the replacement in for the folder. */
  public publish(): void {
    if (this.done) throw new Error(`${this.target} was already published or discarded`);
    fs.writeFileSync(path.join(this.staging, OUTPUT_MANIFEST), manifestOf(this.paths));
    const previous = path.join(this.swap, 'old');
    const hadPrevious = fs.existsSync(this.target);
    if (hadPrevious) fs.renameSync(this.target, previous);
    try {
      fs.renameSync(this.staging, this.target);
    } catch (e) {
      if (hadPrevious) fs.renameSync(previous, this.target);
      throw e;
    }
    this.discard();
  }

  /** Removes what was staged (and the folder replaced by {@link publish}); the target is untouched. */
  public discard(): void {
    this.done = true;
    fs.rmSync(this.swap, { recursive: true, force: true });
  }
}

/**
 * Replaces `outdir` with exactly `files` (and the {@link OUTPUT_MANIFEST} listing them),
 * atomically from a reader's point of view: the files are written to a fresh sibling folder
 * first and swapped in by rename only when all of them are on disk. If anything fails,
 * `outdir` is left as it was. Refuses (throws {@link SynthValidationError}) a folder that
 * {@link outdirProblems} names a problem for, before anything is written.
 */
export function writeAtomically(files: readonly RenderedFile[], outdir: string, field = 'outdir'): void {
  const staged = new StagedFolder(outdir, field);
  try {
    for (const file of files) staged.write(file.path, [file.content]);
    staged.publish();
  } finally {
    staged.discard();
  }
}

/** Options for {@link synthesizeApp}. */
export interface SynthesizeOptions extends RenderOptions {
  /** The folder the manifests are published to (the one committed and applied by Argo CD). */
  readonly outdir: string;
  /**
   * A second folder that receives a copy, for the `cdk8s synth` CLI: it deletes its
   * `output` folder before running the app and expects manifests there afterwards. It must
   * not be `outdir` (nor inside it, nor hold it): see {@link synthesizeApp}.
   * @default - the CLI's output folder (`CDK8S_OUTDIR`) when run by `cdk8s synth`, else no copy
   */
  readonly stagingDir?: string;
}

/**
 * Why `cdk8s synth` would destroy `outdir`: the CLI deletes its own `output` folder before
 * it runs the app, so an app that publishes into that folder loses it on every failed synth.
 */
function cliOutputProblems(outdir: string, cliOutdir: string | undefined): string[] {
  if (!cliOutdir) return [];
  const a = path.resolve(outdir);
  const b = path.resolve(cliOutdir);
  if (!isInside(a, b) && !isInside(b, a)) return [];
  return [`outdir "${oneLine(outdir)}" is (or overlaps) the output folder of \`cdk8s synth\` ("${oneLine(cliOutdir)}"), which the CLI deletes before it runs the app: `
    + `a failed synth would leave no manifests. Set \`output: .cdk8s.out\` in cdk8s.yaml (a staging folder the CLI may delete) and keep outdir "${oneLine(outdir)}"; `
    + `the CLI has already deleted "${oneLine(cliOutdir)}" on this run, so restore it from git (\`git checkout -- ${oneLine(cliOutdir)}\`) or with a synth after the fix`];
}

/**
 * Validates, renders and publishes the app, writing each file as soon as it is rendered
 * into a folder that replaces `outdir` only once every file is written. On any error
 * nothing in `outdir` changes. Returns the paths written, relative to `outdir`.
 */
export function synthesizeApp(app: App, options: SynthesizeOptions): string[] {
  const cliOutdir = process.env.CDK8S_OUTDIR;
  const stagingDir = options.stagingDir ?? cliOutdir;
  const setup = [
    ...cliOutputProblems(options.outdir, cliOutdir),
    ...(stagingDir !== undefined && stagingDir !== cliOutdir ? cliOutputProblems(options.outdir, stagingDir) : []),
  ];
  if (setup.length > 0) throw new SynthValidationError(setup.slice(0, 1));
  const folders = [...outdirProblems(options.outdir), ...(stagingDir !== undefined ? outdirProblems(stagingDir, 'stagingDir') : [])];
  if (folders.length > 0) throw new SynthValidationError(folders);
  const staged: StagedFolder[] = [];
  try {
    if (stagingDir !== undefined) staged.push(new StagedFolder(stagingDir, 'stagingDir'));
    staged.push(new StagedFolder(options.outdir));
    const written: string[] = [];
    renderAppTo(app, (file, content) => {
      written.push(file);
      StagedFolder.writeAll(staged, file, content);
    }, options);
    for (const s of staged) s.publish();
    return written;
  } finally {
    for (const s of staged) s.discard();
  }
}

/**
 * Entry point for a `main.ts`: synthesizes and, on failure, prints the problems to stderr
 * and fails the process instead of throwing a stack trace at the user.
 *
 * Under `cdk8s synth` (which prints a stack trace of its own for any app that exits
 * non-zero), a failure exits 0 without creating the CLI's output folder, which the CLI had
 * deleted: the CLI then fails with exit code 1 and the one line "app expected to create" the
 * folder, after the problem list, instead of a stack trace.
 */
export function synthesizeMain(app: App, options: SynthesizeOptions): boolean {
  try {
    synthesizeApp(app, options);
    return true;
  } catch (e) {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    const cliOutdir = process.env.CDK8S_OUTDIR;
    let cliWillFail = false;
    if (cliOutdir !== undefined) {
      // `cdk8s synth --stdout` hands the app an empty temporary folder; an empty folder
      // holds nothing to lose.
      try { fs.rmdirSync(cliOutdir); } catch { /* absent already, or not empty */ }
      cliWillFail = !fs.existsSync(cliOutdir);
    }
    process.exitCode = cliWillFail ? 0 : 1;
    return false;
  }
}
