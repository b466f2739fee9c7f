// Where the time of one synthesis goes: runs run-size.ts under the V8 CPU profiler and
// splits the samples of the synthesis (validate + resolve + yaml + artifacts) by what
// they were doing. Used by bench.ts for the "Where the time goes" section of BENCHMARKS.md.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

interface CallFrame { functionName: string; url: string }
interface ProfileNode { id: number; callFrame: CallFrame; children?: number[] }
interface CpuProfile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }

/** One row: a share of the synthesis. */
export interface ProfileRow { readonly what: string; readonly ms: number }

/**
 * Buckets, first match wins (a sample inside js-yaml called from validation counts as
 * YAML, and YAML emitted while a file is written counts as YAML, not writing). `frame`
 * matches one frame of the sample's stack.
 */
const BUCKETS: { what: string; frame: (f: CallFrame) => boolean; notSynth?: boolean }[] = [
  {
    what: 'YAML emission (`YamlEmitter`, and js-yaml for the scalar styles it decides)',
    frame: (f) => f.url.includes('/js-yaml/') || f.url.includes('/lib/synth/yaml-emitter.') || f.functionName === 'toYamlDocuments',
  },
  {
    what: 'writing each file into the staged output folder as it is rendered (`StagedFolder`: joining pieces, encoding, writing; the table\'s write, not in the total)',
    frame: (f) => f.functionName === 'writeEach' && f.url.includes('/lib/synth/synthesizer.'),
    notSynth: true,
  },
  {
    what: 'the generated `toJson_*` converters of the bindings, run on every rendered object (once per object)',
    frame: (f) => f.functionName.startsWith('toJson_'),
  },
  {
    what: 'the rest of rendering objects: resolution and key sorting (cdk8s\'s `ApiObject.toJson()`, or the one pass of `plainlyRendered`), metadata, JSON patches and the Lazy producers they call (once per object)',
    frame: (f) => f.functionName === 'renderedJson' || (f.functionName === 'toJson' && f.url.endsWith('cdk8s/lib/api-object.js')),
  },
  { what: 'PromQL syntax checks of generated rules and dashboards (lezer parser)', frame: (f) => f.functionName === 'promQlSyntaxError' },
  { what: 'other validation (every `node.addValidation`)', frame: (f) => f.functionName === 'collectProblems' },
  { what: 'dependency graph, chart order and the rest of resolve', frame: (f) => f.functionName === 'resolveCharts' },
  { what: 'artifacts (capacity report, bootstrap files)', frame: (f) => f.functionName === 'renderArtifacts' },
];

/** Profiles one synthesis of `functions` functions; rows sorted by time, GC last. */
export function whereTheTimeGoes(root: string, functions: number): { rows: ProfileRow[]; totalMs: number } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-prof-'));
  try {
    execFileSync(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${dir}`, '-r', '@swc-node/register', path.join(__dirname, 'run-size.ts'), String(functions)], { cwd: root, encoding: 'utf8' });
    const file = fs.readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    if (!file) throw new Error('no CPU profile written');
    return split(JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as CpuProfile);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function split(profile: CpuProfile): { rows: ProfileRow[]; totalMs: number } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const timeOf = new Map<number, number>();
  profile.samples.forEach((id, i) => timeOf.set(id, (timeOf.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));

  const ms = new Map<string, number>();
  let totalMs = 0;
  let gcMs = 0;
  for (const [id, micros] of timeOf) {
    const stack: CallFrame[] = [];
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) stack.push(byId.get(cur)!.callFrame);
    if (stack[0].functionName === '(garbage collector)') {
      gcMs += micros / 1000;
      continue;
    }
    if (!stack.some((f) => f.functionName === 'withSynthSession')) continue;
    const bucket = BUCKETS.find((b) => stack.some(b.frame));
    if (!bucket?.notSynth) totalMs += micros / 1000;
    const what = bucket?.what ?? 'other';
    ms.set(what, (ms.get(what) ?? 0) + micros / 1000);
  }
  const notSynth = new Set(BUCKETS.filter((b) => b.notSynth).map((b) => b.what));
  const rows = [...ms].map(([what, t]) => ({ what, ms: t }))
    .sort((a, b) => Number(notSynth.has(a.what)) - Number(notSynth.has(b.what)) || b.ms - a.ms);
  // GC samples carry no stack: they are the whole process's, construction included.
  rows.push({ what: 'garbage collection (whole process, no stack: not in the total)', ms: gcMs });
  return { rows, totalMs };
}
