// `npm run bench`: synth time and memory at fleet scale, written to BENCHMARKS.md.
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { whereTheTimeGoes } from './profile';

interface Measurement {
  functions: number; objects: number; bytes: number;
  constructMs: number; validateMs: number; resolveMs: number; yamlMs: number; artifactsMs: number; writeMs: number;
  floorMs: number; synthMs: number; peakRssMb: number;
}

const ROOT = path.resolve(__dirname, '..');
const SIZES = (process.env.BENCH_SIZES ?? '1,100,1000,5000').split(',').map(Number);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);

function measure(size: number): Measurement {
  // Best of RUNS: the machine is shared, and the minimum is the least noisy estimate.
  const runs: Measurement[] = [];
  for (let r = 0; r < RUNS; r++) {
    const out = execFileSync(process.execPath, ['-r', '@swc-node/register', path.join(__dirname, 'run-size.ts'), String(size)], { cwd: ROOT, encoding: 'utf8' });
    runs.push(JSON.parse(out.trim().split('\n').pop()!) as Measurement);
  }
  return runs.reduce((best, m) => (m.synthMs < best.synthMs ? m : best));
}

function coldSynth(): number[] {
  const walls: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-cli-'));
    const start = process.hrtime.bigint();
    const result = spawnSync(path.join(ROOT, 'node_modules', '.bin', 'cdk8s'), ['synth', '--no-check-upgrade', '-o', path.join(work, 'staging')], {
      cwd: ROOT, env: { ...process.env, PLATFORM_OUTDIR: path.join(work, 'dist') }, encoding: 'utf8',
    });
    walls.push(Number(process.hrtime.bigint() - start) / 1e6);
    fs.rmSync(work, { recursive: true, force: true });
    if (result.status !== 0) throw new Error(`cdk8s synth failed:\n${result.stderr}`);
  }
  return walls;
}

// Read with the tables above: why the targets that are not met are not (from the profile).
const NOTES = `What was fixed (each at its cause; output byte-identical unless said otherwise):

- Quadratic work (earlier): every autoscaler walked the whole tree and rendered scaling objects
  to look for foreign scalers, and the GitOps delivery walked the tree on every inventory read
  and recomputed waves, dependencies, sync options and ignored differences for each
  Application (24.4 s at 1,000 functions). A synthesis session (\`lib/synth/synth-session.ts\`)
  now walks the tree once, computes whole-app values once and renders each object once.
- Output that was waste, not substance (earlier, a deliberate change of the YAML): each
  function's PrometheusRule held 57 recording rules and up to 8 alerts (about 30 KiB); the
  windows, burn rates and alerts are now shared by the fleet, and a function records only its
  5-minute SLI rates and objectives (13 rules, about 5 KiB). 57 MB of YAML became 34 MB.
- YAML emission: js-yaml tests every scalar against each implicit type of its schema and scans
  it character by character, about half a million times at 1,000 functions, for a few
  thousand distinct strings. \`YamlEmitter\` (\`lib/synth/yaml-emitter.ts\`) writes the same bytes,
  asks js-yaml once per distinct string whose style is not obvious, and lays out mappings and
  sequences with js-yaml's rules; the tests compare the two byte for byte. YAML went from about
  0.9 s to about 0.48 s on this machine.
- Ordering: \`app.charts\` and \`DependencyGraph\` built cdk8s's graph of the whole app and then
  one per chart, each walking its subtree twice and checking for cycles on every edge, though
  nearly no construct has a dependency. \`lib/synth/dependency-order.ts\` gives the same order
  from the edges alone (a test compares it with cdk8s's on 300 random trees; cycles still go
  to cdk8s). The GitOps delivery found the inventory's dependencies twice (waves, then the
  wave-order check) and rendered the AppProject, with its inventory-wide spec, a second time
  for the bootstrap file. Resolve went from about 260 ms to about 130 ms on this machine.

Measured against the commit before this round (1b804e4), alternating runs on this machine
(\`node -r @swc-node/register bench/run-size.ts 1000\` in a worktree of each): synth 2,762 /
2,876 / 2,905 ms before, 2,156 / 2,180 / 2,202 ms after (-24 %). This machine is slower than
the one of the previous table (1,488 ms before this round there): its \`JSON.stringify\` of the
same objects, the floor, takes about 4.5 times as long, and the rest about twice as long,
which is why synth / floor is far below 10x here while synth is above 1.0 s. Do not read the
ratio at 1,000 functions here as the target met: the floor grows far faster than the objects
from 100 to 1,000 functions on this machine (about 25 times for 10 times the objects, the
\`JSON.stringify\` of 33 MB in a process holding the whole platform), while at 100 functions,
where it does not, synth / floor is about 10-11x. The same holds for
the cold \`cdk8s synth\`: 832 ms there; here 2.6-3.3 s for the commit before this round and 2.2-2.5 s for
this one; most of it is loading code (the cdk8s CLI about 0.9 s, @swc-node/register about 0.5 s
because it loads TypeScript to read tsconfig.json; sucrase and tsx, tried instead, start faster
but transpile slower and the app took as long, the library and its imports about 0.3 s)
and about 0.2 s is the synthesis. Timings on this machine also vary by 10-20 % from run to run.

What remains is linear (see the growth), done once per object, and most of it is cdk8s's
rendering: \`ApiObject.toJson()\` resolves every value through a new resolution context, copies
its key path and walks up to the app for the resolvers, then sorts and copies the object again
(\`sanitizeValue\`), and the generated \`toJson_\` converters copy it a third time. That is about
40 % of synth and much of the garbage collection. A resolve that skips the per-value context,
key path and walk to the app when the app has only cdk8s's own resolvers renders the same JSON
about 24 % faster (measured on these objects), but it can only be had by replacing cdk8s's
\`resolve\` at run time, which this library does not do; it belongs in cdk8s. The rest of
validation (GitOps waves and dependencies, Grafana dashboards and rule groups built once and
reused by rendering, PromQL syntax checks, capacity) is work the output or its checks need.
Peak RSS starts at about 170 MB before anything is constructed (Node.js, the transpiler,
cdk8s-plus and the imported CRD types) and then holds the construct tree, every object's JSON
(the GitOps inventory keeps it for its checks) and the YAML strings.
`;

const f = (n: number, digits = 0) => n.toFixed(digits);
const results = SIZES.map((size) => {
  const m = measure(size);
  process.stderr.write(`${size} functions: ${m.objects} objects, synth ${f(m.synthMs)} ms, RSS ${f(m.peakRssMb)} MB\n`);
  return m;
});
const walls = coldSynth();
const sortedWalls = [...walls].sort((a, b) => a - b);
const coldMedian = sortedWalls[Math.floor(sortedWalls.length / 2)];
const PROFILE_SIZE = 1000;
const profile = whereTheTimeGoes(ROOT, PROFILE_SIZE);

const rows = results.map((m) => `| ${m.functions} | ${m.objects} | ${f(m.bytes / 1024)} | ${f(m.constructMs)} | ${f(m.synthMs)} (${f(m.validateMs)} + ${f(m.resolveMs)} + ${f(m.yamlMs)} + ${f(m.artifactsMs)}) | ${f(m.writeMs)} | ${f(m.floorMs)} | ${f(m.synthMs / m.floorMs, 1)}× | ${f(m.peakRssMb)} |`);
const at = (n: number) => results.find((m) => m.functions === n);
const growthValue = at(1000) && at(5000) ? at(5000)!.synthMs / at(1000)!.synthMs : undefined;
const growth = growthValue !== undefined ? `${f(growthValue, 2)}×` : 'n/a';

// The issue's targets, judged on this run.
const k = at(1000);
const verdict = (ok: boolean | undefined) => (ok === undefined ? 'not measured' : ok ? '**met**' : '**not met**');
const targets = [
  `| 1,000 functions (≥ 8,000 objects): synth ≤ 1.0 s | ${k ? `${f(k.synthMs)} ms (${k.objects} objects)` : 'n/a'} | ${verdict(k && k.synthMs <= 1000)} |`,
  `| 1,000 functions: synth ≤ 10× the floor | ${k ? `${f(k.synthMs / k.floorMs, 1)}×` : 'n/a'} | ${verdict(k && k.synthMs <= 10 * k.floorMs)} |`,
  `| 1,000 functions: peak RSS ≤ 400 MB | ${k ? `${f(k.peakRssMb)} MB` : 'n/a'} | ${verdict(k && k.peakRssMb <= 400)} |`,
  `| growth 1,000 → 5,000 functions ≤ 5.5× | ${growth} | ${verdict(growthValue === undefined ? undefined : growthValue <= 5.5)} |`,
  `| reference platform: cold \`cdk8s synth\` ≤ 1.5 s wall | ${f(coldMedian)} ms (median) | ${verdict(coldMedian <= 1500)} |`,
];
const profileRows = profile.rows.map((r) => `| ${r.what} | ${f(r.ms)} | ${r.what.startsWith('garbage') ? '' : `${f(100 * r.ms / profile.totalMs)} %`} |`);

const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
const report = `# Benchmarks

Synth time and memory of generated platforms, measured by \`npm run bench\`
(\`bench/bench.ts\`; each size runs in a process of its own, best of ${RUNS} runs by synth time).
Not part of \`npm test\`: timings are measurements, not assertions.

Machine: ${cpu}, ${os.cpus().length} cores, ${f(os.totalmem() / 2 ** 30)} GiB, ${os.platform()} ${os.release()}, Node.js ${process.version}.

Each generated function has the full stack the library gives it (\`bench/fleet.ts\`, composed
as \`platform/\` composes the reference platform): WasmFunction (Deployment, Service,
ServiceAccount, ConfigMap, PodDisruptionBudget, NetworkPolicy), a KEDA request-rate
autoscaler, an Envoy Gateway route with a rate limit (HTTPRoute, BackendTrafficPolicy) and
monitoring (ServiceMonitor, PrometheusRule with the function's SLI rates and objectives,
dashboard ConfigMap): 12 objects per function; plus one ClusterCapacity, PolicyBundle,
OpaAuthorizer, FunctionGateway, ObservabilityStack (with the shared SLO rules and burn-rate
alerts) and a GitOpsDelivery created last (an Application per chart).

**synth** = what \`renderApp\` does, in one synthesis session: validate (every
\`node.addValidation\`, including the GitOps inventory, which renders every delivered object) +
resolve (dependency order and every object's JSON not yet rendered) + yaml (\`YamlEmitter\`) +
artifacts (capacity report, bootstrap files), plus the session's walks of the tree.
**floor** = \`JSON.stringify\` of the same objects plus writing the bytes: what any
synthesizer must at least do. **write** = the atomic write of \`dist/\`. **peak RSS** = of
construct + synth + write (taken before the floor, which holds a JSON copy of everything).

| functions | objects | KiB | construct ms | synth ms (validate + resolve + yaml + artifacts) | write ms | floor ms | synth / floor | peak RSS MB |
|---:|---:|---:|---:|---|---:|---:|---:|---:|
${rows.join('\n')}

Growth of synth time from 1,000 to 5,000 functions: ${growth}.

Cold \`cdk8s synth\` of the reference platform (\`npm run synth\`, new process each time, wall):
${walls.map((w) => `${f(w)} ms`).join(', ')} (median ${f(coldMedian)} ms).

## Targets (issue #8)

| target | measured | |
|---|---|---|
${targets.join('\n')}

## Where the time goes

CPU profile of one synthesis of ${PROFILE_SIZE} functions (\`bench/profile.ts\`: \`node --cpu-prof\`
over \`bench/run-size.ts ${PROFILE_SIZE}\`; each sample counted once, in the first matching row;
the profiler slows everything down a little, so the total is above the table's):

| what | ms | share of synth |
|---|---:|---:|
${profileRows.join('\n')}
| **total synth (profiled)** | **${f(profile.totalMs)}** | |

${NOTES}
Reproduce: \`npm run bench\` (sizes and runs: \`BENCH_SIZES=1,100 BENCH_RUNS=1 npm run bench\`).
Profile one size yourself: \`node --cpu-prof --cpu-prof-dir=/tmp/prof -r @swc-node/register bench/run-size.ts 1000\`.
`;
fs.writeFileSync(path.join(ROOT, 'BENCHMARKS.md'), report);
process.stdout.write(report);
