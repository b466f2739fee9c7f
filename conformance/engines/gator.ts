/**
 * Gatekeeper's own engine on the bundle: gator v3.15 (the seed's Gatekeeper) evaluates the
 * templates' Rego, gator v3.18 their CEL (K8sNativeValidation). Each runs `gator verify` on
 * policies/gator and `gator test` on the whole dist/ (self-conformance) and on the corpus of
 * bad manifests; the two languages must then agree case by case.
 */
import { cpSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'fs';
import * as yaml from 'js-yaml';
import * as path from 'path';
import { toYamlDocuments } from '../../lib';
import { CORPUS } from '../../test/policy/fixtures/corpus';
import { ConformanceContext, Engine, EngineResult } from '../support/context';
import { Manifest, namespacesFor, objectRef, readManifests } from '../support/manifests';
import { runCommand } from '../support/process';

type Language = 'rego' | 'cel';

interface Target {
  rego?: string;
  libs?: string[];
  code?: { engine: string; source: unknown }[];
}

/**
 * The template with only one language's code, so the engine cannot fall back to the other:
 * gator v3.15's `gator test` always loads its prototype CEL driver first (its
 * --experimental-enable-k8s-native-validation flag is read but never used), while the 3.15
 * webhook with its default flags runs only the Rego; gator v3.18 prefers CEL when both exist.
 */
export function templateFor(template: Manifest, language: Language): Manifest {
  const copy = JSON.parse(JSON.stringify(template)) as Manifest & { spec: { targets: Target[] } };
  for (const target of copy.spec.targets) {
    if (language === 'rego') {
      target.code = (target.code ?? []).filter((c) => c.engine !== 'K8sNativeValidation');
      if (target.code.length === 0) delete target.code;
      if (target.rego === undefined) throw new Error(`template ${template.metadata.name} has no Rego`);
    } else {
      if (!(target.code ?? []).some((c) => c.engine === 'K8sNativeValidation')) throw new Error(`template ${template.metadata.name} has no K8sNativeValidation code`);
      delete target.rego;
      delete target.libs;
    }
  }
  return copy;
}

const isTemplate = (o: Manifest): boolean => o.kind === 'ConstraintTemplate';
const isConstraint = (o: Manifest): boolean => o.apiVersion === 'constraints.gatekeeper.sh/v1beta1';

/** One violation gator reported. */
interface GatorViolation {
  readonly rule: string;
  readonly object: string;
  readonly message: string;
}

interface GatorJson {
  msg: string;
  constraint: { metadata: { name: string } };
  violatingObject?: Manifest;
}

/** Runs `gator test -o json` on the files; violations sorted by object, rule and message. */
async function gatorTest(binary: string, files: string[]): Promise<GatorViolation[]> {
  const result = await runCommand(binary, ['test', '-o', 'json', ...files.flatMap((f) => ['-f', f])], { timeoutMs: 300_000 });
  // gator exits 1 when it finds violations; anything it cannot print as JSON is an error.
  let parsed: GatorJson[];
  try {
    parsed = result.stdout.trim() === '' ? [] : (JSON.parse(result.stdout) as GatorJson[] | null) ?? [];
  } catch {
    throw new Error(`gator test failed (exit ${result.code}): ${result.stderr.trim() || result.stdout.trim()}`);
  }
  if (result.code !== 0 && parsed.length === 0) throw new Error(`gator test failed (exit ${result.code}): ${result.stderr.trim()}`);
  return parsed
    .map((v) => ({ rule: v.constraint.metadata.name, object: v.violatingObject ? objectRef(v.violatingObject) : '<none>', message: v.msg }))
    .sort((a, b) => `${a.object}\0${a.rule}\0${a.message}`.localeCompare(`${b.object}\0${b.rule}\0${b.message}`));
}

/** `gator verify` of a suite folder: each case a check, each failed case with gator's reason. */
async function gatorVerify(binary: string, suite: string): Promise<{ checked: number; failures: string[] }> {
  const result = await runCommand(binary, ['verify', '-v', suite], { timeoutMs: 300_000 });
  const lines = result.stdout.split('\n').concat(result.stderr.split('\n'));
  let test = '';
  let checked = 0;
  const failures: string[] = [];
  lines.forEach((line, i) => {
    const top = /^--- (PASS|FAIL): (\S+)/.exec(line);
    if (top) test = top[2];
    const run = /^=== RUN\s+(\S+)/.exec(line);
    if (run) test = run[1];
    const c = /^ {4}--- (PASS|FAIL): (\S+)/.exec(line);
    if (c) {
      checked += 1;
      if (c[1] === 'FAIL') failures.push(`gator verify ${test}/${c[2]}: ${(lines[i + 1] ?? '').trim()}`);
    }
  });
  if (checked === 0) failures.push(`gator verify ran no case (exit ${result.code}): ${result.stderr.trim() || result.stdout.trim()}`);
  else if (result.code !== 0 && failures.length === 0) failures.push(`gator verify failed (exit ${result.code}): ${(result.stderr || result.stdout).trim().slice(-500)}`);
  return { checked, failures };
}

/** The version a gator binary reports (`gator version v3.15.1 ...`). */
async function gatorVersion(binary: string): Promise<string> {
  const out = await runCommand(binary, ['--version']);
  const match = /gator version (v\d+\.\d+\.\d+)/.exec(out.stdout + out.stderr);
  if (!match) throw new Error(`${binary} --version did not name a release: ${(out.stdout + out.stderr).trim()}`);
  return match[1];
}

interface LanguageRun {
  readonly result: EngineResult;
  /** Per corpus case, what the engine denied (rule: message), sorted. */
  readonly corpus: Map<string, string[]>;
}

/** The corpus, each object named after its case so one gator run reviews them all. */
function corpusObjects(): { name: string; object: Manifest }[] {
  return CORPUS.map((c) => {
    const object = JSON.parse(JSON.stringify(c.object)) as Manifest & { metadata: { name: string } };
    object.metadata.name = c.name;
    return { name: c.name, object };
  });
}

async function runLanguage(ctx: ConformanceContext, language: Language, engine: string, binaryName: string): Promise<LanguageRun> {
  const binary = ctx.tool(binaryName);
  const version = await gatorVersion(binary);
  const failures: string[] = [];
  let checked = 0;
  const dir = path.join(ctx.work, engine);
  mkdirSync(dir, { recursive: true });

  // 1. gator verify on policies/gator, each template reduced to this language.
  const suite = path.join(dir, 'suite');
  cpSync(path.join(ctx.root, 'policies', 'gator'), suite, { recursive: true });
  for (const name of readdirSync(suite)) {
    const file = path.join(suite, name, 'template.yaml');
    if (statSync(path.join(suite, name)).isDirectory()) {
      writeFileSync(file, toYamlDocuments([templateFor(yaml.load(readFileSync(file, 'utf8')) as Manifest, language)]));
    }
  }
  const verify = await gatorVerify(binary, suite);
  checked += verify.checked;
  failures.push(...verify.failures);

  // 2. gator test on dist/: the reference platform is admitted.
  const manifests = readManifests(ctx.dist);
  const templates = manifests.map((m) => m.object).filter(isTemplate).map((t) => templateFor(t, language));
  const constraints = manifests.map((m) => m.object).filter(isConstraint);
  if (templates.length === 0 || constraints.length === 0) throw new Error('dist/ has no ConstraintTemplates or constraints');
  const policyFile = path.join(dir, 'policy.yaml');
  writeFileSync(policyFile, toYamlDocuments([...templates, ...constraints]));
  const workloads = manifests.map((m) => m.object).filter((o) => !isTemplate(o) && !isConstraint(o) && o.kind !== 'Namespace');
  const namespaces = namespacesFor(manifests.map((m) => m.object));
  const platformFile = path.join(dir, 'platform.yaml');
  writeFileSync(platformFile, toYamlDocuments([...namespaces, ...workloads]));
  const platform = await gatorTest(binary, [policyFile, platformFile]);
  checked += workloads.length;
  for (const v of platform) failures.push(`self-conformance: ${v.rule} denies ${v.object} from dist/: ${v.message}`);

  // 3. The same objects are really reviewed: each function Deployment without its RuntimeClass is denied.
  const functionDeployments = workloads.filter((o) => o.kind === 'Deployment' && o.metadata.labels?.['app.kubernetes.io/component'] === 'function');
  if (functionDeployments.length === 0) failures.push('dist/ has no function Deployment to break');
  const broken = functionDeployments.map((d) => {
    const copy = JSON.parse(JSON.stringify(d)) as Manifest & { spec: { template: { spec: { runtimeClassName?: string } } } };
    delete copy.spec.template.spec.runtimeClassName;
    return copy;
  });
  const brokenFile = path.join(dir, 'broken.yaml');
  writeFileSync(brokenFile, toYamlDocuments([...namespaces, ...broken]));
  const brokenFound = await gatorTest(binary, [policyFile, brokenFile]);
  for (const d of broken) {
    checked += 1;
    const found = brokenFound.filter((v) => v.object === objectRef(d));
    if (found.length !== 1 || found[0].rule !== 'functions-wasm-runtime-class') {
      failures.push(`${objectRef(d)} without runtimeClassName: expected one denial by functions-wasm-runtime-class, got ${JSON.stringify(found)}`);
    }
  }

  // 4. The corpus: exactly the expected rules deny each manifest, with the expected messages.
  const cases = corpusObjects();
  const corpusFile = path.join(dir, 'corpus.yaml');
  writeFileSync(corpusFile, toYamlDocuments([...namespacesFor([...namespaces, ...cases.map((c) => c.object)]), ...cases.map((c) => c.object)]));
  const corpusFound = await gatorTest(binary, [policyFile, corpusFile]);
  const corpus = new Map<string, string[]>();
  for (const c of CORPUS) {
    checked += 1;
    const ref = objectRef(cases.find((x) => x.name === c.name)!.object);
    const got = corpusFound.filter((v) => v.object === ref).map((v) => `${v.rule}: ${v.message}`).sort();
    const want = c.denials.map((d) => `${d.rule}: ${d.message}`).sort();
    corpus.set(c.name, got);
    if (JSON.stringify(got) !== JSON.stringify(want)) {
      failures.push(`corpus ${c.name}: expected ${JSON.stringify(want)}, ${language} denied with ${JSON.stringify(got)}`);
    }
  }
  const stray = corpusFound.filter((v) => !cases.some((c) => objectRef(c.object) === v.object));
  for (const v of stray) failures.push(`corpus: ${v.rule} denies ${v.object}, which is not a corpus case: ${v.message}`);
  ctx.log(`${engine} ${version}: verify ${verify.checked} cases, dist ${workloads.length} objects, ${broken.length} broken copies, corpus ${CORPUS.length} cases`);
  return { result: { engine, version, checked, failures }, corpus };
}

async function run(ctx: ConformanceContext): Promise<EngineResult[]> {
  const rego = await runLanguage(ctx, 'rego', 'gator-rego', 'gator-3.15');
  const cel = await runLanguage(ctx, 'cel', 'gator-cel', 'gator-3.18');
  // Rego and CEL must agree on every case, rule by rule and message by message.
  const disagreements: string[] = [];
  for (const c of CORPUS) {
    const r = rego.corpus.get(c.name) ?? [];
    const l = cel.corpus.get(c.name) ?? [];
    const rules = new Set([...r, ...l].map((v) => v.split(': ')[0]));
    for (const rule of [...rules].sort()) {
      const rr = r.filter((v) => v.startsWith(`${rule}: `));
      const ll = l.filter((v) => v.startsWith(`${rule}: `));
      if (JSON.stringify(rr) !== JSON.stringify(ll)) {
        disagreements.push(`Rego and CEL disagree: rule ${rule} on manifest ${c.name}: Rego ${JSON.stringify(rr)}, CEL ${JSON.stringify(ll)}`);
      }
    }
  }
  return [rego.result, { ...cel.result, checked: cel.result.checked + CORPUS.length, failures: [...cel.result.failures, ...disagreements] }];
}

export const GATOR_ENGINE: Engine = { name: 'gator', run };
