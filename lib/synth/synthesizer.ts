import * as fs from 'fs';
import * as path from 'path';
import { ApiObject, App, Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import { dependencyOrder } from './dependency-order';
import { OutputArtifact } from './output-artifact';
import { YamlEmitter } from './yaml-emitter';
import { constructsOf, isValidated, markValidated, renderedJson, withSynthSession } from './synth-session';

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
        problems.push(`[${c.node.path}] ${message}`);
      }
    }
    if (problems.length === 0) markValidated(root);
    return problems;
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
 * Validates the app and renders every chart and artifact to file contents, in memory.
 * Throws {@link SynthValidationError} (listing every problem) before anything is rendered.
 */
export function renderApp(app: App, options: RenderOptions = {}): RenderedFile[] {
  return withSynthSession(app, () => {
    const problems = collectProblems(app);
    if (problems.length > 0) {
      throw new SynthValidationError(problems);
    }
    const chartPath = options.chartPath ?? defaultChartPath;
    const files: RenderedFile[] = [];
    const emitter = new YamlEmitter();
    for (const { chart, objects } of resolveCharts(app)) {
      if (objects.length > 0) {
        files.push({ path: chartPath(chart), content: toYamlDocuments(objects, emitter) });
      }
    }
    files.push(...renderArtifacts(app));
    const seen = new Set<string>();
    const clashes = files.filter((f) => seen.size === seen.add(f.path).size).map((f) => f.path);
    if (clashes.length > 0) {
      throw new SynthValidationError(clashes.map((p) => `two outputs would be written to "${p}": give the charts or artifacts distinct ids or paths`));
    }
    return files;
  });
}

/** Writes `files` into a fresh folder `dir` (which must not exist). */
function writeTree(files: readonly RenderedFile[], dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  const made = new Set<string>([dir]);
  for (const file of files) {
    const target = path.join(dir, ...file.path.split('/'));
    const parent = path.dirname(target);
    if (!made.has(parent)) {
      fs.mkdirSync(parent, { recursive: true });
      made.add(parent);
    }
    fs.writeFileSync(target, file.content);
  }
}

/**
 * Replaces `outdir` with exactly `files`, atomically from a reader's point of view: the
 * files are written to a sibling folder first and swapped in by rename only when all of
 * them are on disk. If anything fails, `outdir` is left as it was.
 */
export function writeAtomically(files: readonly RenderedFile[], outdir: string): void {
  const target = path.resolve(outdir);
  const staging = `${target}.tmp-${process.pid}`;
  const previous = `${target}.old-${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  try {
    writeTree(files, staging);
  } catch (e) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw e;
  }
  const hadPrevious = fs.existsSync(target);
  if (hadPrevious) {
    fs.renameSync(target, previous);
  }
  try {
    fs.renameSync(staging, target);
  } catch (e) {
    if (hadPrevious) fs.renameSync(previous, target);
    fs.rmSync(staging, { recursive: true, force: true });
    throw e;
  }
  if (hadPrevious) {
    fs.rmSync(previous, { recursive: true, force: true });
  }
}

/** Options for {@link synthesizeApp}. */
export interface SynthesizeOptions extends RenderOptions {
  /** The folder the manifests are published to (the one committed and applied by Argo CD). */
  readonly outdir: string;
  /**
   * A second folder that receives a copy, for the `cdk8s synth` CLI: it deletes its
   * `output` folder before running the app and expects manifests there afterwards.
   * @default - no copy
   */
  readonly stagingDir?: string;
}

/** Validates, renders and publishes the app. On any error nothing in `outdir` changes. */
export function synthesizeApp(app: App, options: SynthesizeOptions): RenderedFile[] {
  const files = renderApp(app, options);
  if (options.stagingDir && path.resolve(options.stagingDir) !== path.resolve(options.outdir)) {
    fs.rmSync(options.stagingDir, { recursive: true, force: true });
    writeTree(files, options.stagingDir);
  }
  writeAtomically(files, options.outdir);
  return files;
}

/**
 * Entry point for a `main.ts`: synthesizes and, on failure, prints the problems to stderr
 * and sets a non-zero exit code instead of throwing a stack trace at the user.
 */
export function synthesizeMain(app: App, options: SynthesizeOptions): boolean {
  try {
    synthesizeApp(app, options);
    return true;
  } catch (e) {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
    return false;
  }
}
