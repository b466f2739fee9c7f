// promtool of the pinned Prometheus release on the rules of dist/: `check rules` on the groups
// of every PrometheusRule, and `test rules` on the unit tests the library builds from the
// objectives (functionRuleTests) for the reference platform's functions.
import { App } from 'cdk8s';
import { createHash } from 'crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'fs';
import * as yaml from 'js-yaml';
import * as os from 'os';
import * as path from 'path';
import { functionRuleTests, ObjectiveKind } from '../../lib';
import { buildReferencePlatform, platformTargetOf } from '../../platform';
import { Engine, EngineResult } from '../support/context';
import { readManifests } from '../support/manifests';
import { runCommand } from '../support/process';

/** The Prometheus release of the pinned module: module v0.54.1 is Prometheus 2.54.1. */
export function prometheusRelease(moduleVersion: string): string {
  return moduleVersion.replace(/^v0\./, 'v2.');
}

/** The rule tests run in this process, by a hash of their test and rule files: what they found, and where. */
const TESTED = new Map<string, { where: string; failures: string[] }>();

export const promtoolEngine: Engine = {
  name: 'promtool',
  async run(ctx) {
    const promtool = ctx.tool('promtool');
    const dir = path.join(ctx.work, 'promtool');
    mkdirSync(dir, { recursive: true });
    const failures: string[] = [];
    let checked = 0;

    // Every PrometheusRule of dist/ as a plain rule file, with the names of its groups.
    const ruleFiles: string[] = [];
    const groupsOf = new Map<string, string[]>();
    for (const { file, object } of readManifests(ctx.dist)) {
      if (object.kind !== 'PrometheusRule') continue;
      const name = `${object.metadata.namespace ?? 'cluster'}.${object.metadata.name}.rules.yaml`;
      const spec = object.spec as { groups?: unknown[] } | undefined;
      writeFileSync(path.join(dir, name), yaml.dump({ groups: spec?.groups ?? [] }, { lineWidth: -1, noRefs: true }));
      ruleFiles.push(name);
      groupsOf.set(name, ((spec?.groups ?? []) as { name?: string }[]).map((g) => String(g.name)));
      checked++;
      const r = await runCommand(promtool, ['check', 'rules', name], { cwd: dir });
      if (r.code !== 0) failures.push(`check rules ${file} ${object.metadata.name}: ${(r.stdout + r.stderr).trim()}`);
    }
    if (ruleFiles.length === 0) failures.push('no PrometheusRule in dist/');
    ctx.log(`checked ${ruleFiles.length} rule files`);

    // The unit tests, built in-process from the same platform that dist/ was synthesized from;
    // one function of each distinct set of objectives.
    const app = new App({ outdir: path.join(ctx.work, 'promtool-synth') });
    // A fleet cluster's folder is checked against that cluster's platform (its sizing moves
    // the thresholds that read replica bounds).
    const target = ctx.cluster === undefined ? {} : platformTargetOf(ctx.cluster);
    if (target === undefined) throw new Error(`cluster ${ctx.cluster} of dist/ is not one of the reference fleet's clusters`);
    const platform = buildReferencePlatform(app, target);
    const stack = platform.observability.stack;
    const seen = new Set<string>();
    const runs: { name: string; run: () => Promise<void> }[] = [];
    for (const fn of stack.functions) {
      const key = fn.objectives.map((o) => `${o.name}:${o.targetPercent}:${o.thresholdMilliseconds ?? ''}`).join(',') + `|${fn.fn.autoscalerAttachments.length > 0}`;
      if (seen.has(key) || !fn.objectives.some((o) => o.kind === ObjectiveKind.AVAILABILITY)) continue;
      seen.add(key);
      // Only the files that hold the stack's and this function's groups: the tests feed one
      // function's series, and every other function's rules would be evaluated for nothing at
      // each of the thousands of steps (they are checked above). A group the tests need that no
      // file of dist/ holds is a failure: the tests would otherwise run against rules dist/ lacks.
      const needed = [...stack.sloGroups(), ...fn.ruleGroups()].map((g) => g.name);
      const missing = needed.filter((g) => ![...groupsOf.values()].some((names) => names.includes(g)));
      if (missing.length > 0) {
        failures.push(`rule groups ${missing.join(', ')} of ${fn.fn.namespace}/${fn.fn.name} are in no PrometheusRule of dist/`);
        continue;
      }
      const files = ruleFiles.filter((f) => (groupsOf.get(f) ?? []).some((g) => needed.includes(g)));
      const file = functionRuleTests(stack, fn, { ruleFiles: files });
      const name = `${fn.fn.namespace}.${fn.fn.name}.test.yaml`;
      // promtool reads test cases strictly: the scenario name goes into a comment.
      const body = file.tests.map(({ name: scenario, ...test }) => ({ scenario, test }));
      const text = [
        yaml.dump({ rule_files: file.rule_files, evaluation_interval: file.evaluation_interval }, { lineWidth: -1 }),
        'tests:',
        ...body.map(({ scenario, test }) => `  # ${scenario}\n` + yaml.dump([test], { lineWidth: -1, noRefs: true }).replace(/^/gm, '  ').trimEnd()),
      ].join('\n') + '\n';
      writeFileSync(path.join(dir, name), text);
      const cases = file.tests.reduce((n, t) => n + t.alert_rule_test.length, 0);
      checked += cases;
      ctx.log(`${name}: ${file.tests.length} scenarios, ${cases} alert checks`);
      // A fleet's clusters often hold the same rules (the production regions do): a test file
      // and rule files identical to ones already tested in this run give the same result.
      const inputs = createHash('sha256').update(text);
      for (const f of file.rule_files) inputs.update('\0').update(readFileSync(path.join(dir, f)));
      const digest = inputs.digest('hex');
      runs.push({
        name,
        run: async () => {
          const earlier = TESTED.get(digest);
          if (earlier) {
            ctx.log(`${name}: the same test and rule files as ${earlier.where}, tested in this run: its result stands`);
            failures.push(...earlier.failures);
            return;
          }
          const start = Date.now();
          const r = await runCommand(promtool, ['test', 'rules', name], { cwd: dir, timeoutMs: 900_000 });
          ctx.log(`${name}: promtool test rules took ${((Date.now() - start) / 1000).toFixed(1)} s`);
          const found = r.code !== 0 ? [`test rules ${name}: ${(r.stdout + r.stderr).trim().split('\n').slice(0, 60).join('\n')}`] : [];
          failures.push(...found);
          TESTED.set(digest, { where: `${ctx.cluster ?? 'dist'}/${name}`, failures: found });
        },
      });
    }
    // promtool evaluates a file's tests on about one core, with pauses (GC, storage); the files are
    // independent: two per core keep the cores busy without running a large fleet's files all at once.
    const queue = [...runs];
    await Promise.all(Array.from({ length: Math.max(1, Math.min(2 * os.cpus().length, queue.length)) }, async () => {
      for (let next = queue.shift(); next !== undefined; next = queue.shift()) await next.run();
    }));
    if (seen.size === 0) failures.push('no function with an availability objective to build rule tests for');
    const result: EngineResult = { engine: 'promtool', version: prometheusRelease(ctx.versions.PROMETHEUS), checked, failures };
    return [result];
  },
};
