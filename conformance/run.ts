// `npm run conformance`: the real engines (built by `npm run tools`) run on the synthesized
// output. Each engine prints one summary line; the run fails if any check failed or any engine
// could not run. `npm run conformance -- <engine> ...` runs only the engines named;
// CONFORMANCE_KEEP=1 keeps the work folder (inputs the engines read, outputs they wrote). On a
// fleet's dist/ every engine checks each cluster's folder, and kube-apiserver also the fleet's
// own layer; CONFORMANCE_TARGETS=fleet,staging limits the run to those.
import { mkdirSync, mkdtempSync, rmSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ENGINES } from './engines/index';
import { ConformanceContext, EngineResult, readVersions, summaryLine, toolPath } from './support/context';
import { fleetClusters, fleetLayer, generatedApplications } from './support/fleet';

async function main(): Promise<number> {
  const root = path.resolve(__dirname, '..');
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((w) => !ENGINES.some((e) => e.name === w));
  if (unknown.length > 0) {
    console.error(`conformance: unknown engine ${unknown.join(', ')}; the engines are ${ENGINES.map((e) => e.name).join(', ')}`);
    return 2;
  }
  const work = mkdtempSync(path.join(os.tmpdir(), 'conformance-'));
  const dist = path.join(root, 'dist');
  const ctx: ConformanceContext = {
    root,
    dist,
    repoFolder: 'dist',
    work,
    versions: readVersions(root),
    tool: (name) => toolPath(root, name),
    log: (message) => console.error(`  ${message}`),
  };
  const lines: string[] = [];
  let failed = 0;
  try {
    // A fleet's dist/: its own layer (bootstrap/, gitops/, fleet/) goes to the API server as the
    // hub applies it; every engine checks each cluster's folder as it checks a single cluster.
    const clusters = fleetClusters(dist);
    const layer = clusters.length === 0 ? undefined : fleetLayer(dist, work);
    const targets: { label: string; ctx: ConformanceContext; engines: string[] | undefined }[] = layer === undefined
      ? [{ label: '', ctx, engines: undefined }]
      : [
        { label: 'fleet', ctx: { ...ctx, dist: layer }, engines: ['kube-apiserver'] },
        ...clusters.map((cluster) => ({
          label: cluster,
          ctx: {
            ...ctx, dist: path.join(dist, 'clusters', cluster), repoFolder: `dist/clusters/${cluster}`, cluster,
            applications: generatedApplications(layer, cluster),
          },
          engines: undefined,
        })),
      ];
    // CONFORMANCE_TARGETS=fleet,staging checks only those parts of a fleet's dist/.
    const only = process.env.CONFORMANCE_TARGETS?.split(',').map((t) => t.trim()).filter((t) => t !== '');
    const runs = targets.filter((t) => only === undefined || t.label === '' || only.includes(t.label)).flatMap((t) => ENGINES
      .filter((e) => (wanted.length === 0 || wanted.includes(e.name)) && (t.engines === undefined || t.engines.includes(e.name)))
      .map((engine) => ({ engine, target: t })));
    for (const { engine, target } of runs) {
      const start = Date.now();
      const name = target.label === '' ? engine.name : `${engine.name} [${target.label}]`;
      console.error(`conformance: ${name} ...`);
      let results: EngineResult[];
      try {
        // Each target gets a work folder of its own: an engine's data (etcd's, for one) must
        // not carry over from one cluster's check to the next.
        const targetWork = target.label === '' ? work : path.join(work, target.label);
        mkdirSync(targetWork, { recursive: true });
        results = (await engine.run({ ...target.ctx, work: targetWork, log: (m) => ctx.log(`[${name}] ${m}`) }))
          .map((r) => (target.label === '' ? r : { ...r, engine: `${r.engine} [${target.label}]` }));
      } catch (e) {
        // An engine that cannot run is a failure with its reason, never a skip.
        const reason = e instanceof Error ? e.message : String(e);
        results = [{ engine: name, version: 'not run', checked: 0, failures: [`${name} could not run: ${reason}`] }];
      }
      for (const result of results) {
        for (const failure of result.failures) {
          console.error(`FAIL ${result.engine}: ${failure}`);
        }
        failed += result.failures.length;
        lines.push(summaryLine(result));
      }
      console.error(`conformance: ${name} took ${((Date.now() - start) / 1000).toFixed(1)} s`);
    }
  } finally {
    // CONFORMANCE_KEEP=1 keeps the engines' inputs and outputs to read after a failure.
    if (process.env.CONFORMANCE_KEEP === '1') console.error(`conformance: work files kept in ${work}`);
    else rmSync(work, { recursive: true, force: true });
  }
  for (const line of lines) {
    console.log(line);
  }
  return failed === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
