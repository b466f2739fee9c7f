// One benchmark measurement in a process of its own, so that peak RSS belongs to one size.
// Prints a JSON line; bench.ts runs it once per size.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdk8s';
import { collectProblems, defaultChartPath, renderApp, renderArtifacts, RenderedFile, resolveCharts, toYamlDocuments, withSynthSession, writeAtomically, YamlEmitter } from '../lib';
import { forgetRendered } from '../lib/synth/synth-session';
import { buildFleet } from './fleet';

const count = Number(process.argv[2]);
const ms = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;

let t = process.hrtime.bigint();
const app = new App({ outdir: os.tmpdir() });
buildFleet(app, count);
const constructMs = ms(t);

// The phases of renderApp, timed one by one (the same functions it calls, in one
// synthesis session as renderApp runs them).
let objects = 0;
t = process.hrtime.bigint();
const phases = withSynthSession(app, () => {
  let t = process.hrtime.bigint();
  const problems = collectProblems(app);
  const validateMs = ms(t);
  if (problems.length > 0) throw new Error(problems.join('\n'));

  t = process.hrtime.bigint();
  const perChart = resolveCharts(app);
  const resolveMs = ms(t);

  // Files that are not charts (the capacity report, the GitOps bootstrap files), rendered
  // before the charts' YAML and listed after it, as renderApp does.
  t = process.hrtime.bigint();
  const artifacts = renderArtifacts(app);
  forgetRendered(app);
  const artifactsMs = ms(t);

  let yamlNs = 0n;
  const emitter = new YamlEmitter();
  const files: RenderedFile[] = [];
  for (let next = perChart.shift(); next !== undefined; next = perChart.shift()) {
    const { chart, objects: chartObjects } = next;
    if (chartObjects.length === 0) continue;
    objects += chartObjects.length;
    const t = process.hrtime.bigint();
    files.push({ path: defaultChartPath(chart), content: toYamlDocuments(chartObjects, emitter) });
    yamlNs += process.hrtime.bigint() - t;
  }
  files.push(...artifacts);
  return { files, validateMs, resolveMs, yamlMs: Number(yamlNs) / 1e6, artifactsMs };
});
// All of it, with the session's own walks of the tree.
const synthMs = ms(t);
const { files, validateMs, resolveMs, yamlMs, artifactsMs } = phases;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-'));
t = process.hrtime.bigint();
writeAtomically(files, path.join(dir, 'dist'));
const writeMs = ms(t);
// Peak RSS of construct + synth + write.
const peakRssMb = process.resourceUsage().maxRSS / 1024;

// The floor: the least any synthesizer must do with the same objects — serialize them
// (JSON.stringify) and write the bytes. renderApp lets go of each chart's JSON once its YAML
// is written, so the same objects are built and rendered again for it (not timed).
const again = new App({ outdir: os.tmpdir() });
buildFleet(again, count);
const sameObjects = withSynthSession(again, () => resolveCharts(again)).map((c) => c.objects);
t = process.hrtime.bigint();
fs.writeFileSync(path.join(dir, 'floor.json'), sameObjects.map((chart) => chart.map((o) => JSON.stringify(o)).join('\n')).join('\n'));
const floorMs = ms(t);

// Guard: the timed phases produce exactly what renderApp produces.
if (count <= 100) {
  const check = new App({ outdir: os.tmpdir() });
  buildFleet(check, count);
  const reference = renderApp(check);
  if (JSON.stringify(reference) !== JSON.stringify(files)) throw new Error('benchmark phases diverge from renderApp');
}
fs.rmSync(dir, { recursive: true, force: true });

const bytes = files.reduce((n, f) => n + Buffer.byteLength(f.content), 0);
process.stdout.write(JSON.stringify({
  functions: count, objects, bytes, constructMs, validateMs, resolveMs, yamlMs, artifactsMs, writeMs, floorMs,
  synthMs,
  peakRssMb,
}) + '\n');
