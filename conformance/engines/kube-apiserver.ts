// The real API server: every object of dist/ applied the way Argo CD applies it (server-side,
// Argo CD's field manager, wave by wave, with strict field validation), and the reference
// admission rules enforced for real as ValidatingAdmissionPolicies on the policy corpus.
import { App, Chart } from 'cdk8s';
import { readdirSync, writeFileSync } from 'fs';
import * as yaml from 'js-yaml';
import * as path from 'path';
import { AdmissionEngine, PolicyBundle } from '../../lib';
import { ARGO_CD_KIND_ORDER, SYNC_WAVE_ANNOTATION } from '../../lib/gitops/sync-wave';
import { referenceRules } from '../../platform/policy';
import { CORPUS } from '../../test/policy/fixtures/corpus';
import { kubeValidator } from '../../test/support/kube-schema';
import { Engine, EngineResult } from '../support/context';
import { ApiResponse, KubeCluster } from '../support/kube-cluster';
import { Manifest, ManifestEntry, objectRef, readManifests } from '../support/manifests';
import { runCommand, waitFor } from '../support/process';

/** The field manager Argo CD's application controller applies with (server-side apply). */
export const ARGO_CD_FIELD_MANAGER = 'argocd-controller';

export const kubeApiserver: Engine = {
  name: 'kube-apiserver',
  async run(ctx) {
    const version = ctx.versions.KUBERNETES;
    const cluster = await KubeCluster.start(ctx, 'kube-apiserver');
    try {
      ctx.log(`kube-apiserver ${version} and etcd ${ctx.versions.ETCD} serving on 127.0.0.1:${cluster.port}`);
      await installCrds(cluster, path.join(ctx.root, 'crds'), ctx.log);

      // K3s's bundled wasmedge class, and a non-Wasm class a cluster may also have, so that a
      // pod naming either reaches the admission rules instead of being refused by the
      // RuntimeClass admission plugin for naming a class that does not exist.
      const runtimeClasses = ['wasmedge', 'runc'].map((name) => ({
        file: '(on the cluster before the platform)',
        object: { apiVersion: 'node.k8s.io/v1', kind: 'RuntimeClass', metadata: { name }, handler: name } as Manifest,
      }));
      const rcFailures = await applyGroup(cluster, runtimeClasses, ctx.work);
      if (rcFailures.length > 0) {
        throw new Error(rcFailures.join('; '));
      }

      const entries = readManifests(ctx.dist);
      await installConstraintCrds(cluster, entries, ctx.tool('gatekeeper-crds'), ctx.work, ctx.log);

      // The reference rules as ValidatingAdmissionPolicies, enforced before anything of dist/ is
      // applied: every function of the reference platform must be admitted by them too.
      const vapObjects = referenceVapObjects();
      const vapEntries = vapObjects.map((object) => ({ file: '(PolicyBundle, VALIDATING_ADMISSION_POLICY)', object }));
      const vapFailures = await applyGroup(cluster, vapEntries, ctx.work);
      let corpus = { checked: 0, failures: [] as string[] };
      if (vapFailures.length === 0) {
        vapFailures.push(...(await waitForPolicies(cluster, vapObjects, ctx.log)));
        // The corpus meets a cluster holding the platform's namespaces and nothing else, as in
        // the model's test; its cases are dry runs and leave nothing behind.
        vapFailures.push(...(await applyGroup(cluster, entries.filter((e) => e.object.kind === 'Namespace'), ctx.work)));
        corpus = await reviewCorpus(cluster, vapObjects, ctx.work, ctx.log);
        // Back to the bindings as synthesized (Deny) before the platform is applied under them.
        vapFailures.push(...(await applyGroup(cluster, vapEntries, ctx.work)));
        await waitForDenial(cluster, 'the bindings to deny again');
      }

      const applied = await applyLikeArgoCd(cluster, entries, ctx.work, ctx.log);
      const opinion = await compareWithValidator(cluster, entries, ctx.log);
      const api: EngineResult = { engine: 'kube-apiserver', version, checked: entries.length + opinion.checked, failures: [...applied, ...opinion.failures] };
      const vap: EngineResult = {
        engine: 'vap',
        version,
        checked: corpus.checked + vapObjects.filter((o) => o.kind === 'ValidatingAdmissionPolicy').length,
        failures: [...vapFailures, ...corpus.failures],
      };
      return [api, vap];
    } finally {
      await cluster.stop();
    }
  },
};

/** Applies every CRD file in `folder` (as the operators' Helm charts would) and waits until each is Established. */
async function installCrds(cluster: KubeCluster, folder: string, log: (m: string) => void): Promise<void> {
  const files = readdirSync(folder).filter((f) => f.endsWith('.yaml')).sort();
  const result = await cluster.kubectl(['apply', '--server-side', '--field-manager=helm', ...files.flatMap((f) => ['-f', path.join(folder, f)])], undefined, 180_000);
  if (result.code !== 0) {
    throw new Error(`the CRDs in crds/ were not accepted: ${oneLine(result.stderr)}`);
  }
  await waitEstablished(cluster, 'crds/');
  log(`${files.length} CRDs from crds/ installed and Established`);
}

/**
 * The constraint CRDs Gatekeeper's controller creates from the ConstraintTemplates, derived by
 * Gatekeeper's own code (tools/gatekeeper-crds), so that constraints are validated against the
 * schema a cluster with Gatekeeper would have.
 */
async function installConstraintCrds(cluster: KubeCluster, entries: readonly ManifestEntry[], bin: string, work: string, log: (m: string) => void): Promise<void> {
  const templates = entries.filter((e) => e.object.kind === 'ConstraintTemplate').map((e) => e.object);
  if (templates.length === 0) {
    return;
  }
  const derived = await runCommand(bin, [], { input: templates.map((t) => yaml.dump(t, { noRefs: true })).join('---\n') });
  if (derived.code !== 0) {
    throw new Error(`gatekeeper-crds could not derive the constraint CRDs: ${oneLine(derived.stderr)}`);
  }
  const file = path.join(work, 'constraint-crds.yaml');
  writeFileSync(file, derived.stdout);
  const result = await cluster.kubectl(['apply', '--server-side', '--field-manager=gatekeeper', '-f', file], undefined, 120_000);
  if (result.code !== 0) {
    throw new Error(`the constraint CRDs derived from the ConstraintTemplates were not accepted: ${oneLine(result.stderr)}`);
  }
  await waitEstablished(cluster, 'the constraint CRDs');
  log(`${templates.length} constraint CRDs derived from the ConstraintTemplates by Gatekeeper's code and Established`);
}

async function waitEstablished(cluster: KubeCluster, what: string): Promise<void> {
  const result = await cluster.kubectl(['wait', '--for=condition=Established', 'crd', '--all', '--timeout=90s'], undefined, 120_000);
  if (result.code !== 0) {
    throw new Error(`${what}: not every CRD became Established: ${oneLine(result.stderr || result.stdout)}`);
  }
}

/** One Argo CD Application of dist/: its wave, destination and the objects of its path. */
interface Application {
  readonly name: string;
  readonly wave: number;
  readonly namespace?: string;
  readonly createNamespace?: { name: string; labels: Record<string, string>; annotations: Record<string, string> };
  readonly entries: ManifestEntry[];
}

/**
 * Applies dist/ in the order Argo CD would: the bootstrap files by hand, then the root
 * Application's folder, then each child Application in wave order; inside one Application by
 * sync wave, then Argo CD's kind order, then name. Namespaces that the platform expects to be
 * there already (installed by the Helm charts of Argo CD, Gatekeeper, KEDA, ...) are created
 * first, unlabelled. Returns one line per object the server refused.
 */
async function applyLikeArgoCd(cluster: KubeCluster, entries: readonly ManifestEntry[], work: string, log: (m: string) => void): Promise<string[]> {
  const applications = entries.filter((e) => e.object.kind === 'Application');
  const byFolder = new Map<string, Application>();
  for (const { file, object } of applications) {
    const spec = object.spec as { source?: { path?: string }; destination: { namespace?: string }; syncPolicy?: { syncOptions?: string[]; managedNamespaceMetadata?: { labels?: Record<string, string>; annotations?: Record<string, string> } } };
    const folder = (spec.source?.path ?? '').replace(/^dist\//, '');
    const create = spec.syncPolicy?.syncOptions?.includes('CreateNamespace=true') && spec.destination.namespace;
    byFolder.set(folder, {
      name: object.metadata.name,
      // The root Application, applied by hand from bootstrap/, syncs before any child.
      wave: file.startsWith('bootstrap/') ? -Infinity : waveOf(object),
      namespace: spec.destination.namespace,
      createNamespace: create ? {
        name: spec.destination.namespace!,
        labels: spec.syncPolicy?.managedNamespaceMetadata?.labels ?? {},
        annotations: spec.syncPolicy?.managedNamespaceMetadata?.annotations ?? {},
      } : undefined,
      entries: [],
    });
  }
  const bootstrap: ManifestEntry[] = [];
  for (const entry of entries) {
    const folder = entry.file.split('/')[0];
    const app = byFolder.get(folder);
    if (app) {
      app.entries.push(entry);
    } else if (folder === 'bootstrap') {
      bootstrap.push(entry);
    } else {
      throw new Error(`${entry.file}: no Application of dist/gitops syncs this folder, so Argo CD would never apply ${objectRef(entry.object)}`);
    }
  }

  const defined = new Set(entries.filter((e) => e.object.kind === 'Namespace').map((e) => e.object.metadata.name));
  const created = new Set([...byFolder.values()].flatMap((a) => (a.createNamespace ? [a.createNamespace.name] : [])));
  const preinstalled = [...new Set(entries.map((e) => e.object.metadata.namespace).filter((n): n is string => !!n))]
    .filter((n) => !defined.has(n) && !created.has(n)).sort();
  const failures = await applyGroup(cluster, preinstalled.map((name) => ({ file: '(installed before the platform)', object: namespace(name) })), work);
  log(`namespaces the platform expects to exist already: ${preinstalled.join(', ')}`);

  failures.push(...(await applyGroup(cluster, sortForSync(bootstrap), work)));
  const ordered = [...byFolder.values()].sort((a, b) => (a.wave === b.wave ? 0 : a.wave < b.wave ? -1 : 1) || a.name.localeCompare(b.name));
  for (const app of ordered) {
    if (app.createNamespace) {
      const { name, labels, annotations } = app.createNamespace;
      const ns = namespace(name, labels, annotations);
      failures.push(...(await applyGroup(cluster, [{ file: `(CreateNamespace of Application ${app.name})`, object: ns }], work)));
    }
    // One apply per sync wave, as Argo CD waits for a wave to be healthy before the next.
    const waves = new Map<number, ManifestEntry[]>();
    for (const e of sortForSync(app.entries)) {
      const w = waveOf(e.object);
      waves.set(w, [...(waves.get(w) ?? []), e]);
    }
    for (const group of waves.values()) {
      failures.push(...(await applyGroup(cluster, group, work, { namespace: app.namespace })));
    }
  }
  log(`${entries.length} objects of dist/ applied in ${ordered.length} Applications (plus the bootstrap files)`);
  return failures;
}

/** Argo CD's order inside one Application: sync wave, kind (built-ins in its order, then the rest), name. */
function sortForSync(entries: readonly ManifestEntry[]): ManifestEntry[] {
  const rank = (kind: string): number => {
    const i = ARGO_CD_KIND_ORDER.indexOf(kind);
    return i < 0 ? ARGO_CD_KIND_ORDER.length : i;
  };
  return [...entries].sort((a, b) => waveOf(a.object) - waveOf(b.object)
    || rank(a.object.kind) - rank(b.object.kind)
    || a.object.kind.localeCompare(b.object.kind)
    || a.object.metadata.name.localeCompare(b.object.metadata.name));
}

function waveOf(o: Manifest): number {
  return Number(o.metadata.annotations?.[SYNC_WAVE_ANNOTATION] ?? '0');
}

function namespace(name: string, labels: Record<string, string> = {}, annotations: Record<string, string> = {}): Manifest {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, ...(Object.keys(labels).length ? { labels } : {}), ...(Object.keys(annotations).length ? { annotations } : {}) } };
}

let applyCount = 0;

/**
 * `kubectl apply --server-side` of each object in turn (as Argo CD applies them, one by one),
 * with Argo CD's field manager and strict field validation. Every refusal and every warning
 * (a PodSecurity warning on a workload means its pods would be refused) is a failure naming
 * the file, the object and the server's message.
 */
async function applyGroup(cluster: KubeCluster, group: readonly ManifestEntry[], work: string, options: ApplyOptions = {}): Promise<string[]> {
  const failures: string[] = [];
  for (const entry of group) {
    const file = path.join(work, `apply-${applyCount++}.yaml`);
    writeFileSync(file, yaml.dump(entry.object, { noRefs: true, lineWidth: -1 }));
    // Like Argo CD, the destination namespace only for objects that name none.
    const ns = options.namespace && !entry.object.metadata.namespace ? ['--namespace', options.namespace] : [];
    const r = await cluster.kubectl(['apply', '--server-side', `--field-manager=${ARGO_CD_FIELD_MANAGER}`, '--validate=strict', ...ns, '-f', file], undefined, 120_000);
    if (r.code !== 0) {
      failures.push(`${entry.file}: ${objectRef(entry.object)} was refused: ${oneLine(r.stderr || r.stdout)}`);
    }
    for (const warning of warningsOf(r.stderr)) {
      failures.push(`${entry.file}: ${objectRef(entry.object)}: the server warned: ${warning}`);
    }
  }
  return failures;
}

interface ApplyOptions {
  /** The namespace of objects that name none (the Application's destination). @default - kubectl's default */
  readonly namespace?: string;
}

/** The `Warning:` lines kubectl printed. */
function warningsOf(stderr: string): string[] {
  return stderr.split('\n').filter((l) => l.startsWith('Warning: ')).map((l) => l.slice('Warning: '.length).trim());
}

/** A change that makes an object schema-invalid, for comparing the server with the project's validator. */
interface Mutation {
  readonly name: string;
  /** Returns the mutated copy, or undefined when the object has no such field. */
  apply(o: Manifest): Manifest | undefined;
}

const copy = (o: Manifest): Manifest & Record<string, unknown> => JSON.parse(JSON.stringify(o)) as Manifest & Record<string, unknown>;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const MUTATIONS: readonly Mutation[] = [
  {
    name: 'an unknown field under spec (or at the top for kinds without spec)',
    apply: (o) => {
      const c = copy(o);
      (isObject(c.spec) ? c.spec : c).conformanceUnknownField = 'x';
      return c;
    },
  },
  {
    name: 'a label value that is a number',
    apply: (o) => {
      const c = copy(o);
      (c.metadata as { labels?: Record<string, unknown> }).labels = { ...o.metadata.labels, 'conformance.example/bad': 7 };
      return c;
    },
  },
  {
    name: 'an unknown field in the first container of a pod template',
    apply: (o) => {
      const c = copy(o);
      const containers = ((c.spec as { template?: { spec?: { containers?: Record<string, unknown>[] } } } | undefined)?.template?.spec?.containers);
      if (!containers?.length) {
        return undefined;
      }
      containers[0].conformanceUnknownField = 'x';
      return c;
    },
  },
];

/**
 * The second opinion on the project's strict-schema validator (test/support/kube-schema.ts):
 * every object of dist/ it knows, and three schema-breaking mutations of each, sent to the
 * server as a dry-run server-side apply with strict field validation. Wherever the two
 * disagree (one accepts what the other refuses) the run fails, naming both verdicts.
 */
async function compareWithValidator(cluster: KubeCluster, entries: readonly ManifestEntry[], log: (m: string) => void): Promise<{ checked: number; failures: string[] }> {
  const validator = kubeValidator();
  const discovery = new Discovery(cluster);
  const failures: string[] = [];
  let checked = 0;
  for (const entry of entries) {
    const o = entry.object;
    if (!validator.knows(o.apiVersion, o.kind)) {
      continue;
    }
    const cases: [string, Manifest][] = [['as synthesized', o]];
    for (const m of MUTATIONS) {
      const mutated = m.apply(o);
      if (mutated) {
        cases.push([m.name, mutated]);
      }
    }
    for (const [what, object] of cases) {
      checked++;
      const violations = validator.validate(object);
      const url = `${await discovery.collection(object)}/${object.metadata.name}?dryRun=All&fieldManager=${ARGO_CD_FIELD_MANAGER}&fieldValidation=Strict&force=true`;
      const r = await cluster.request('PATCH', url, object, 'application/apply-patch+yaml');
      const serverRefused = r.status >= 300;
      if (serverRefused !== violations.length > 0) {
        const ours = violations.length > 0 ? `refuses it (${violations.map((v) => `${v.path}: ${v.message}`).join('; ')})` : 'accepts it';
        const theirs = serverRefused ? `refuses it (${r.status}: ${messageOf(r.body)})` : 'accepts it';
        failures.push(`${entry.file}: ${objectRef(o)} (${what}): the project's validator ${ours}, kube-apiserver ${theirs}`);
      }
    }
  }
  log(`strict-schema second opinion: ${checked} objects and mutations judged by both the server and the project's validator`);
  return { checked, failures };
}

/** The reference bundle's rules, synthesized with the ValidatingAdmissionPolicy engine. */
function referenceVapObjects(): Manifest[] {
  const app = new App();
  const chart = new Chart(app, 'Policies');
  new PolicyBundle(chart, 'Bundle', { engine: AdmissionEngine.VALIDATING_ADMISSION_POLICY, rules: referenceRules() });
  return JSON.parse(JSON.stringify(chart.toJson())) as Manifest[];
}

/** Waits until the server has type-checked every policy; a CEL type warning is a failure. */
async function waitForPolicies(cluster: KubeCluster, objects: readonly Manifest[], log: (m: string) => void): Promise<string[]> {
  const failures: string[] = [];
  const policies = objects.filter((o) => o.kind === 'ValidatingAdmissionPolicy');
  for (const policy of policies) {
    let status: { observedGeneration?: number; typeChecking?: { expressionWarnings?: { fieldRef: string; warning: string }[] } } = {};
    await waitFor(`ValidatingAdmissionPolicy ${policy.metadata.name} to be type-checked`, async () => {
      const r = await cluster.request('GET', `/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicies/${policy.metadata.name}`);
      const body = JSON.parse(r.body) as { metadata: { generation: number }; status?: typeof status };
      status = body.status ?? {};
      return status.observedGeneration === body.metadata.generation && status.typeChecking !== undefined;
    }, 60_000);
    for (const w of status.typeChecking?.expressionWarnings ?? []) {
      failures.push(`ValidatingAdmissionPolicy ${policy.metadata.name}: ${w.fieldRef}: ${oneLine(w.warning)}`);
    }
  }
  log(`${policies.length} ValidatingAdmissionPolicies type-checked by the server${failures.length ? `, ${failures.length} with warnings` : ' without warnings'}`);
  return failures;
}

/** Where the API serves a kind: its collection path, from the server's own discovery. */
class Discovery {
  private readonly cache = new Map<string, { name: string; kind: string; namespaced: boolean }[]>();
  constructor(private readonly cluster: KubeCluster) {}

  async collection(o: Manifest): Promise<string> {
    const groupVersion = o.apiVersion;
    let resources = this.cache.get(groupVersion);
    if (!resources) {
      const base = groupVersion.includes('/') ? `/apis/${groupVersion}` : `/api/${groupVersion}`;
      const r = await this.cluster.request('GET', base);
      if (r.status !== 200) {
        throw new Error(`the server does not serve ${groupVersion} (${r.status})`);
      }
      resources = (JSON.parse(r.body) as { resources: { name: string; kind: string; namespaced: boolean }[] }).resources;
      this.cache.set(groupVersion, resources);
    }
    const resource = resources.find((r) => r.kind === o.kind && !r.name.includes('/'));
    if (!resource) {
      throw new Error(`the server serves no ${o.kind} in ${groupVersion}`);
    }
    const base = groupVersion.includes('/') ? `/apis/${groupVersion}` : `/api/${groupVersion}`;
    return resource.namespaced ? `${base}/namespaces/${o.metadata.namespace ?? 'default'}/${resource.name}` : `${base}/${resource.name}`;
  }
}

/**
 * Every corpus case sent to the server as a dry-run create, twice: with the bindings as
 * synthesized (Deny), a bad manifest must be refused by one of the rules expected to deny it,
 * with that rule's message, and a good one admitted; then with every binding switched to Warn,
 * where the server reports each failed validation, the set of rules and messages must be
 * exactly the expected set (with Deny the server names only the first).
 */
async function reviewCorpus(cluster: KubeCluster, vapObjects: readonly Manifest[], work: string, log: (m: string) => void): Promise<{ checked: number; failures: string[] }> {
  const discovery = new Discovery(cluster);
  const failures: string[] = [];
  const namespaces = [...new Set(CORPUS.map((c) => c.object.metadata.namespace).filter((n): n is string => !!n))];
  for (const ns of namespaces) {
    const r = await cluster.request('GET', `/api/v1/namespaces/${ns}`);
    if (r.status === 404) {
      await cluster.request('POST', '/api/v1/namespaces', namespace(ns));
    }
  }
  const policyName = (rule: string): string => `wasm-platform-${rule}`;
  const create = (object: Manifest) => submit(cluster, discovery, object);

  await waitForDenial(cluster, 'the ValidatingAdmissionPolicies to be enforced');

  for (const c of CORPUS) {
    const object = c.object as Manifest;
    // Bindings reach the server's admission through informers, one by one: a verdict that
    // could be a binding not seen yet is asked again for a few seconds before it counts.
    const r = await settled(() => create(object), (x) => (c.denials.length === 0 ? x.status < 300 : x.status >= 400));
    if (c.denials.length === 0) {
      if (r.status >= 300) {
        failures.push(`corpus ${c.name}: ${objectRef(object)} must be admitted, the server refused it: ${messageOf(r.body)}`);
      }
      // A warning on an admitted object is a refusal later: PodSecurity warns on a workload
      // whose pods the namespace's enforced level would refuse.
      for (const w of r.warnings) {
        failures.push(`corpus ${c.name}: ${objectRef(object)} is admitted with a warning: ${oneLine(w)}`);
      }
      continue;
    }
    const message = messageOf(r.body);
    const matched = c.denials.some((d) => message.includes(`ValidatingAdmissionPolicy '${policyName(d.rule)}'`) && message.endsWith(`denied request: ${d.message}`));
    if (r.status < 400 || !matched) {
      failures.push(`corpus ${c.name}: ${objectRef(object)} must be denied by ${c.denials.map((d) => policyName(d.rule)).join(' or ')}; the server answered ${r.status}: ${message || '(admitted)'}`);
    }
  }

  // The same corpus with every binding in Warn mode: every failed validation comes back as a warning.
  // Applied by the same field manager as the bindings themselves, so that re-applying them as
  // synthesized afterwards owns validationActions again without a conflict.
  const warnBindings = vapObjects.filter((o) => o.kind === 'ValidatingAdmissionPolicyBinding').map((b) => {
    const c = copy(b) as Manifest & { spec: { validationActions: string[] } };
    c.spec.validationActions = ['Warn'];
    return { file: '(bindings switched to Warn)', object: c as Manifest };
  });
  const switched = await applyGroup(cluster, warnBindings, work);
  if (switched.length > 0) {
    throw new Error(`could not switch the bindings to Warn: ${switched.join('; ')}`);
  }
  await waitFor('the bindings to warn instead of deny', async () => {
    const r = await dryRunCreate(cluster, discovery, SENTINEL.object as Manifest);
    return r.status < 300 && r.warnings.some((w) => w.startsWith('Validation failed for ValidatingAdmissionPolicy'));
  }, 60_000);
  for (const c of CORPUS) {
    const object = c.object as Manifest;
    const r = await settled(() => create(object), (x) => x.status < 300);
    const re = /^Validation failed for ValidatingAdmissionPolicy '([^']+)' with binding '[^']+': ([\s\S]*)$/;
    const got = r.warnings.flatMap((w) => {
      const m = re.exec(w);
      return m ? [`${m[1]}: ${m[2]}`] : [];
    }).sort();
    const want = c.denials.map((d) => `${policyName(d.rule)}: ${d.message}`).sort();
    if (r.status >= 300) {
      failures.push(`corpus ${c.name} (Warn): ${objectRef(object)} was refused: ${messageOf(r.body)}`);
    } else if (JSON.stringify(got) !== JSON.stringify(want)) {
      failures.push(`corpus ${c.name} (Warn): ${objectRef(object)}: expected [${want.join(' | ')}], the server reported [${got.join(' | ')}]`);
    }
  }
  log(`${CORPUS.length} corpus cases reviewed by the server's ValidatingAdmissionPolicy admission, with Deny and with Warn bindings`);
  return { checked: CORPUS.length * 2, failures };
}

/** Asks again (for up to 10 s) until `ok` holds, and returns the last answer either way. */
async function settled(ask: () => Promise<ApiResponse>, ok: (r: ApiResponse) => boolean): Promise<ApiResponse> {
  const deadline = Date.now() + 10_000;
  let r = await ask();
  while (!ok(r) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    r = await ask();
  }
  return r;
}

/** A dry-run create with strict field validation: admission runs, nothing is stored. */
async function dryRunCreate(cluster: KubeCluster, discovery: Discovery, object: Manifest): Promise<ApiResponse> {
  return cluster.request('POST', `${await discovery.collection(object)}?dryRun=All&fieldValidation=Strict`, object);
}

/**
 * A corpus object as a cluster would receive it: a dry-run create, except for a Pod with
 * ephemeral containers, which the API refuses on create (`kubectl debug` adds them later): the
 * Pod without them is created for real and, if admitted cleanly, the full Pod is sent as a
 * dry-run update of its pods/ephemeralcontainers subresource, the request the policies must
 * then review. The Pod is deleted again either way.
 */
async function submit(cluster: KubeCluster, discovery: Discovery, object: Manifest): Promise<ApiResponse> {
  const spec = (object as { spec?: { ephemeralContainers?: unknown[] } }).spec;
  if (object.kind !== 'Pod' || !spec?.ephemeralContainers) return dryRunCreate(cluster, discovery, object);
  const collection = await discovery.collection(object);
  const pod = `${collection}/${object.metadata.name}`;
  const remove = () => cluster.request('DELETE', pod, { apiVersion: 'v1', kind: 'DeleteOptions', gracePeriodSeconds: 0 });
  await remove();
  const base = copy(object) as Manifest & { spec: Record<string, unknown> };
  delete base.spec.ephemeralContainers;
  const created = await cluster.request('POST', `${collection}?fieldValidation=Strict`, base);
  try {
    if (created.status >= 300 || created.warnings.length > 0) return created;
    return await cluster.request('PUT', `${pod}/ephemeralcontainers?dryRun=All&fieldValidation=Strict`, object);
  } finally {
    if (created.status < 300) await remove();
  }
}

/** The first corpus case that must be denied: a probe of whether the policies are enforced. */
const SENTINEL = CORPUS.find((c) => c.denials.length > 0)!;

/** The policies are enforced once the server's informers have seen them: wait for the probe to be denied. */
async function waitForDenial(cluster: KubeCluster, what: string): Promise<void> {
  const discovery = new Discovery(cluster);
  await waitFor(what, async () => (await dryRunCreate(cluster, discovery, SENTINEL.object as Manifest)).status >= 400, 60_000);
}

function messageOf(body: string): string {
  try {
    return oneLine((JSON.parse(body) as { message?: string }).message ?? body);
  } catch {
    return oneLine(body);
  }
}

/** A tool's output on one line, so a failure stays one line of the run's log. */
function oneLine(text: string): string {
  return text.trim().replace(/\s*\n\s*/g, ' | ');
}

