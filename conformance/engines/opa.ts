/**
 * OPA v0.60 (the seed's) on every Rego module the library generates: `opa check --strict`
 * and `opa fmt` on each, `opa test` on policies/opa with real signed tokens, and the request
 * policy served by OPA's Envoy plugin build answering ext_authz Check calls (opa-served.ts).
 */
import { readFileSync, writeFileSync, mkdirSync } from 'fs';
import * as path from 'path';
import { ConformanceContext, Engine, EngineResult } from '../support/context';
import { readManifests } from '../support/manifests';
import { runCommand } from '../support/process';
import { RequestAuthorizationPolicy, RequestIdentity, RequestQuota } from '../../lib';
import { servedChecks } from './opa-served';
import { regoModules, tabIndented } from './rego-modules';
import { generateTestKeys, opaTestData, TestKeys } from './test-keys';

/** The version a built OPA reports (`Version: 0.60.0` becomes `v0.60.0`). */
export async function reportedVersion(binary: string): Promise<string> {
  const out = await runCommand(binary, ['version']);
  const match = /^Version: (\S+)/m.exec(out.stdout);
  if (out.code !== 0 || !match) throw new Error(`${binary} version failed: ${out.stderr || out.stdout}`);
  return `v${match[1]}`;
}

interface OpaTestResult {
  package: string;
  name: string;
  fail?: boolean;
  error?: { message: string };
}

/** RequestAuthorizationPolicy's other identities and quota clause, with path prefixes and several rules. */
function policyVariants(keys: TestKeys): [string, RequestAuthorizationPolicy][] {
  const rules = [
    { methods: ['GET', 'POST'], paths: ['/api/price', '/api/cart/*'], roles: ['user', 'admin'] },
    { methods: ['DELETE'], paths: ['/api/admin/*'], roles: ['admin'] },
  ];
  return [
    ['trusted-header-and-quota', new RequestAuthorizationPolicy({ packageName: 'shop.authz', rules, identity: RequestIdentity.trustedHeader('x-user-role'), quota: RequestQuota.remainingHeader('x-quota-remaining') })],
    ['shipped-jwks', new RequestAuthorizationPolicy({ packageName: 'shipped', rules, identity: RequestIdentity.jwt({ issuer: 'https://issuer.example.com/', roleClaim: 'groups-role', jwks: keys.jwks }) })],
  ];
}

async function run(ctx: ConformanceContext): Promise<EngineResult[]> {
  const opa = ctx.tool('opa');
  const version = await reportedVersion(opa);
  const failures: string[] = [];
  let checked = 0;
  const manifests = readManifests(ctx.dist);
  const modules = regoModules(manifests);
  if (modules.length < 10) throw new Error(`only ${modules.length} Rego modules found in dist/; expected every ConstraintTemplate's and the request policy's`);
  const dir = path.join(ctx.work, 'opa');
  mkdirSync(dir, { recursive: true });

  for (const m of modules) {
    const file = path.join(dir, m.file);
    writeFileSync(file, m.source);
    // --strict: unused variables and imports, shadowed or deprecated built-ins are errors.
    const checkResult = await runCommand(opa, ['check', '--strict', file]);
    checked += 1;
    if (checkResult.code !== 0) failures.push(`opa check --strict ${m.origin}: ${(checkResult.stderr || checkResult.stdout).trim()}`);
    // opa fmt prints the canonical form; a template's two-space indent is read as its tab.
    const canonical = tabIndented(m.source);
    const tabbed = path.join(dir, `fmt-${m.file}`);
    writeFileSync(tabbed, canonical);
    const fmt = await runCommand(opa, ['fmt', tabbed]);
    checked += 1;
    if (fmt.code !== 0) {
      failures.push(`opa fmt ${m.origin}: ${fmt.stderr.trim()}`);
    } else if (fmt.stdout !== canonical) {
      const diff = await runCommand(opa, ['fmt', '--diff', tabbed]);
      failures.push(`opa fmt would change ${m.origin}:\n${diff.stdout.replace(/\x1b\[[0-9;]*m/g, '')}`);
    }
  }
  // The request policy modules together, as OPA loads them from the mounted ConfigMap.
  const together = modules.filter((m) => !m.indentedWithSpaces).map((m) => path.join(dir, m.file));
  const all = await runCommand(opa, ['check', '--strict', ...together]);
  checked += 1;
  if (all.code !== 0) failures.push(`opa check --strict of the request policy's modules together: ${all.stderr.trim()}`);

  // policies/opa holds the shipped module: the tests run on exactly what OPA is given.
  const shipped = modules.find((m) => m.file.endsWith('-opa-policy-policy.rego'));
  const suite = path.join(ctx.root, 'policies', 'opa');
  checked += 1;
  if (!shipped || readFileSync(path.join(suite, 'serverless.rego'), 'utf8') !== shipped.source) {
    failures.push('policies/opa/serverless.rego is not the policy.rego of the opa-policy ConfigMap in dist/: refresh with UPDATE_POLICY_SUITES=1 npx jest test/policy/policy-suites.test.ts');
  }
  const keys = generateTestKeys();
  const keysFile = path.join(dir, 'test-keys.json');
  writeFileSync(keysFile, opaTestData(keys));
  for (const file of ['serverless.rego', 'serverless_test.rego']) {
    const c = await runCommand(opa, ['check', '--strict', path.join(suite, file)]);
    checked += 1;
    if (c.code !== 0) failures.push(`opa check --strict policies/opa/${file}: ${c.stderr.trim()}`);
    const fmt = await runCommand(opa, ['fmt', '--fail', '--list', path.join(suite, file)]);
    checked += 1;
    if (fmt.code !== 0) failures.push(`opa fmt would change policies/opa/${file}`);
  }
  const test = await runCommand(opa, ['test', '--format=json', suite, keysFile]);
  let results: OpaTestResult[] = [];
  try {
    results = JSON.parse(test.stdout) as OpaTestResult[];
  } catch {
    failures.push(`opa test policies/opa printed no results: ${test.stderr.trim() || test.stdout.trim()}`);
  }
  if (results.length === 0) failures.push('opa test policies/opa ran no test');
  for (const r of results) {
    checked += 1;
    if (r.fail || r.error) failures.push(`opa test ${r.package}.${r.name}: ${r.error?.message ?? 'failed'}`);
  }
  // The identity and quota variants the reference platform does not use, generated and tested the same way.
  let variantTests = 0;
  for (const [name, policy] of policyVariants(keys)) {
    const variantDir = path.join(dir, `variant-${name}`);
    mkdirSync(variantDir, { recursive: true });
    writeFileSync(path.join(variantDir, 'policy.rego'), policy.rego());
    writeFileSync(path.join(variantDir, 'policy_test.rego'), policy.regoTests());
    for (const file of ['policy.rego', 'policy_test.rego']) {
      const c = await runCommand(opa, ['check', '--strict', path.join(variantDir, file)]);
      const fmt = await runCommand(opa, ['fmt', '--fail', '--list', path.join(variantDir, file)]);
      checked += 2;
      if (c.code !== 0) failures.push(`opa check --strict of the ${name} variant's ${file}: ${c.stderr.trim()}`);
      if (fmt.code !== 0) failures.push(`opa fmt would change the ${name} variant's ${file}`);
    }
    const t = await runCommand(opa, ['test', '--format=json', variantDir, keysFile]);
    let variant: OpaTestResult[] = [];
    try {
      variant = JSON.parse(t.stdout) as OpaTestResult[];
    } catch {
      failures.push(`opa test of the ${name} variant printed no results: ${t.stderr.trim() || t.stdout.trim()}`);
    }
    if (variant.length === 0) failures.push(`opa test of the ${name} variant ran no test`);
    for (const r of variant) {
      checked += 1;
      variantTests += 1;
      if (r.fail || r.error) failures.push(`opa test (${name} variant) ${r.package}.${r.name}: ${r.error?.message ?? 'failed'}`);
    }
  }
  ctx.log(`opa check/fmt on ${modules.length} modules, opa test ${results.length} tests, ${variantTests} tests of the other identity and quota variants`);

  const served = await servedChecks(ctx, manifests);
  ctx.log(`opa-envoy (${await reportedVersion(ctx.tool('opa-envoy'))}): ${served.checked} served checks`);
  checked += served.checked;
  failures.push(...served.failures);
  return [{ engine: 'opa', version, checked, failures }];
}

export const OPA_ENGINE: Engine = { name: 'opa', run };
