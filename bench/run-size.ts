// One benchmark measurement in a process of its own, so that peak RSS belongs to one size.
// Prints a JSON line; bench.ts runs it once per size.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdk8s';
import {
  collectProblems, defaultChartPath, OUTPUT_MANIFEST, renderApp, renderArtifacts, RenderedFile, resolveCharts, StagedFolder, withSynthSession,
  YamlEmitter, yamlPieces,
} from '../lib';
import { forgetRendered } from '../lib/synth/synth-session';
import { buildFleet } from './fleet';

const count = Number(process.argv[2]);
const ms = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;

let t = process.hrtime.bigint();
const app = new App({ outdir: os.tmpdir() });
buildFleet(app, count);
const constructMs = ms(t);

// The phases of synthesizeApp, timed one by one (the same functions it calls, in one
// synthesis session as renderAppTo runs them): each chart's YAML is written to the staged
// output folder as it is rendered, as synthesizeApp writes it.
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-'));
let objects = 0;
let writeNs = 0n;
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
  // before the charts' YAML and written after it, as renderAppTo does.
  t = process.hrtime.bigint();
  const artifacts = renderArtifacts(app);
  forgetRendered(app);
  const artifactsMs = ms(t);

  let yamlNs = 0n;
  const emitter = new YamlEmitter();
  const staged = new StagedFolder(path.join(dir, 'dist'));
  for (let next = perChart.shift(); next !== undefined; next = perChart.shift()) {
    const { chart, objects: chartObjects } = next;
    if (chartObjects.length === 0) continue;
    objects += chartObjects.length;
    const pieces = yamlPieces(chartObjects, emitter);
    // Time spent producing pieces is YAML; the rest of the file's write is writing.
    const timed = {
      [Symbol.iterator]: () => ({
        next: () => {
          const t = process.hrtime.bigint();
          const r = pieces.next();
          yamlNs += process.hrtime.bigint() - t;
          return r;
        },
      }),
    };
    const t = process.hrtime.bigint();
    const before = yamlNs;
    staged.write(defaultChartPath(chart), timed);
    writeNs += process.hrtime.bigint() - t - (yamlNs - before);
  }
  return { staged, artifacts, validateMs, resolveMs, yamlMs: Number(yamlNs) / 1e6, artifactsMs };
});
// All of it, with the session's own walks of the tree, less the writing.
const synthMs = ms(t) - Number(writeNs) / 1e6;
const { staged, artifacts, validateMs, resolveMs, yamlMs, artifactsMs } = phases;

t = process.hrtime.bigint();
for (const a of artifacts) staged.write(a.path, [a.content]);
staged.publish();
const writeMs = ms(t) + Number(writeNs) / 1e6;
// Peak RSS of construct + synth + write.
const peakRssMb = process.resourceUsage().maxRSS / 1024;
const files: RenderedFile[] = fs.readFileSync(path.join(dir, 'dist', OUTPUT_MANIFEST), 'utf8').split('\n')
  .filter((l) => l !== '' && !l.startsWith('#'))
  .map((p) => ({ path: p, content: fs.readFileSync(path.join(dir, 'dist', p), 'utf8') }));

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
  const sorted = (f: RenderedFile[]) => JSON.stringify([...f].sort((x, y) => (x.path < y.path ? -1 : 1)));
  if (sorted(reference) !== sorted(files)) throw new Error('benchmark phases diverge from renderApp');
}
fs.rmSync(dir, { recursive: true, force: true });

const bytes = files.reduce((n, f) => n + Buffer.byteLength(f.content), 0);
process.stdout.write(JSON.stringify({
  functions: count, objects, bytes, constructMs, validateMs, resolveMs, yamlMs, artifactsMs, writeMs, floorMs,
  synthMs,
  peakRssMb,
}) + '\n');
