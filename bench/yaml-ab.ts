// In-process A/B of YAML emission: the objects of a fleet are emitted by the current
// YamlEmitter and by the one of an earlier commit (its lib/synth/yaml-emitter.ts, taken with
// git show), alternately, under the same load; the current one's output is checked against
// js-yaml's dump with the same options.
// Usage: node -r @swc-node/register bench/yaml-ab.ts [functions] [commit, default HEAD~1]
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdk8s';
import * as yaml from 'js-yaml';
import { resolveCharts, withSynthSession, YAML_DUMP_OPTIONS, YamlEmitter } from '../lib';
import { buildFleet } from './fleet';

const count = Number(process.argv[2] ?? 1000);
const before = process.argv[3] ?? 'HEAD~1';
// Next to this file, so that it resolves js-yaml as the library does; removed once loaded.
const beforeFile = path.join(__dirname, `.yaml-emitter-${process.pid}.ts`);
fs.writeFileSync(beforeFile, execFileSync('git', ['show', `${before}:lib/synth/yaml-emitter.ts`], { encoding: 'utf8' }));
let BeforeEmitter: typeof YamlEmitter;
try {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  BeforeEmitter = (require(beforeFile) as { YamlEmitter: typeof YamlEmitter }).YamlEmitter;
} finally {
  fs.rmSync(beforeFile);
}
const app = new App({ outdir: os.tmpdir() });
buildFleet(app, count);
const charts = withSynthSession(app, () => resolveCharts(app)).map((c) => c.objects);
const ns = () => process.hrtime.bigint();
const emit = (e: { dumpAll(docs: readonly unknown[]): string }) => charts.map((objects) => e.dumpAll(objects));

const now = emit(new YamlEmitter());
const reference = charts.map((objects) => objects.map((o) => yaml.dump(o, YAML_DUMP_OPTIONS)).join('---\n'));
if (JSON.stringify(now) !== JSON.stringify(reference)) throw new Error('YamlEmitter differs from js-yaml');
const afterMs: number[] = [];
const beforeMs: number[] = [];
for (let round = 0; round < 6; round++) {
  const runs: [number[], () => unknown][] = [[afterMs, () => emit(new YamlEmitter())], [beforeMs, () => emit(new BeforeEmitter())]];
  if (round % 2 === 1) runs.reverse();
  for (const [times, run] of runs) {
    const t = ns();
    run();
    times.push(Number(ns() - t) / 1e6);
  }
}
const fmt = (xs: number[]) => xs.map((x) => x.toFixed(0)).join(', ');
process.stdout.write(`${charts.flat().length} objects, output identical to js-yaml; now ${fmt(afterMs)} ms; ${before} ${fmt(beforeMs)} ms\n`);
