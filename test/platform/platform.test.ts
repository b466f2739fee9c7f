import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as yaml from 'js-yaml';
import { renderApp, RenderedFile } from '../../lib';
import { buildReferencePlatform } from '../../platform';
import { validateConstraints } from '../policy/support/constraint-schema';
import { formatViolations, kubeValidator } from '../support/kube-schema';
import { KubeObject, testApp, readTree } from '../support/synth';

const ROOT = path.resolve(__dirname, '..', '..');
const DIST = path.join(ROOT, 'dist');

function render(): RenderedFile[] {
  const app = testApp();
  buildReferencePlatform(app);
  return renderApp(app);
}

function manifests(files: readonly RenderedFile[]): { file: string; object: KubeObject }[] {
  return files
    .filter((f) => f.path.endsWith('.yaml'))
    .flatMap((f) => yaml.loadAll(f.content).map((object) => ({ file: f.path, object: object as KubeObject })));
}

const files = render();

describe('reference platform', () => {
  test.each(files.map((f) => [f.path, f] as const))('%s matches its snapshot', (_path, file) => {
    expect(file.content).toMatchSnapshot();
  });

  test('every object is valid against the Kubernetes 1.30 and CRD schemas, strictly', () => {
    const validator = kubeValidator();
    const all = manifests(files);
    const report = all
      // Gatekeeper constraint kinds have no CRD file: Gatekeeper generates their CRD from
      // each ConstraintTemplate, so they are validated against that schema below.
      .filter(({ object }) => object.apiVersion !== 'constraints.gatekeeper.sh/v1beta1')
      .map(({ file, object }) => {
        const text = formatViolations(object, validator.validate(object));
        return text ? `${file}: ${text}` : '';
      })
      .filter((line) => line !== '');
    expect(report).toEqual([]);
    expect(all.length).toBeGreaterThan(100);
  });

  test('every Gatekeeper constraint is valid against the schema its template generates', () => {
    const objects = manifests(files).map((m) => m.object);
    expect(objects.filter((o) => o.apiVersion === 'constraints.gatekeeper.sh/v1beta1').length).toBeGreaterThan(0);
    expect(validateConstraints(objects)).toEqual([]);
  });

  test('every function runs under the wasmedge RuntimeClass with requests and limits', () => {
    const deployments = manifests(files).map((m) => m.object)
      .filter((o) => o.kind === 'Deployment' && o.metadata.labels?.['app.kubernetes.io/component'] === 'function');
    expect(deployments.length).toBeGreaterThanOrEqual(8);
    for (const d of deployments) {
      const spec = (d.spec as { template: { spec: { runtimeClassName?: string; containers: { resources: object }[] } } }).template.spec;
      expect(spec.runtimeClassName).toBe('wasmedge');
      for (const c of spec.containers) {
        expect(c.resources).toEqual({
          requests: { cpu: expect.any(String), memory: expect.any(String) },
          limits: { cpu: expect.any(String), memory: expect.any(String) },
        });
      }
    }
  });

  test('every request-rate window holds at least four scrapes of the ServiceMonitor that scrapes its function', () => {
    // GIVEN the ServiceMonitor interval per function, as Prometheus reads it
    const objects = manifests(files).map((m) => m.object);
    type Monitor = { spec: { namespaceSelector: { matchNames: string[] }; selector: { matchLabels: Record<string, string> }; endpoints: { interval: string }[] } };
    const intervalOf = new Map<string, number>();
    for (const m of objects.filter((o) => o.kind === 'ServiceMonitor') as unknown as Monitor[]) {
      const key = `${m.spec.namespaceSelector.matchNames[0]}/${m.spec.selector.matchLabels['app.kubernetes.io/name']}`;
      intervalOf.set(key, Number(m.spec.endpoints[0].interval.replace(/s$/, '')));
    }
    // WHEN every KEDA request-rate query is read
    type Scaled = { metadata: { namespace: string }; spec: { scaleTargetRef: { name: string }; triggers: { name?: string; metadata: { query?: string } }[] } };
    const windows = (objects.filter((o) => o.kind === 'ScaledObject') as unknown as Scaled[]).flatMap((so) => so.spec.triggers
      .filter((t) => t.name === 'request-rate')
      .map((t) => ({ fn: `${so.metadata.namespace}/${so.spec.scaleTargetRef.name}`, window: Number(/\[(\d+)s\]/.exec(t.metadata.query!)![1]) })));
    // THEN (the 60 s windows beside 30 s scrapes held two samples)
    expect(windows.length).toBeGreaterThanOrEqual(7);
    const short = windows.filter(({ fn, window }) => !(intervalOf.get(fn)! > 0 && window >= 4 * intervalOf.get(fn)!));
    expect(short.map(({ fn, window }) => `${fn}: [${window}s] at ${intervalOf.get(fn)} s scrapes`)).toEqual([]);
  });

  test('the K3s-bundled wasmedge RuntimeClass is never emitted', () => {
    const runtimeClasses = manifests(files).map((m) => m.object).filter((o) => o.kind === 'RuntimeClass');
    expect(runtimeClasses.map((o) => o.metadata.name)).not.toContain('wasmedge');
  });

  test('synthesis is deterministic: a second render is byte-identical', () => {
    expect(render()).toEqual(files);
  });

});

describe('cdk8s synth from the CLI', () => {
  test('a failing synth reports every problem and leaves the output folder unchanged', () => {
    // GIVEN an output folder holding a good synth
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'atomic-synth-'));
    const outdir = path.join(work, 'dist');
    fs.cpSync(DIST, outdir, { recursive: true });
    const before = readTree(outdir);
    // WHEN the CLI runs an app with a broken function
    const result = spawnSync(
      path.join(ROOT, 'node_modules', '.bin', 'cdk8s'),
      ['synth', '--no-check-upgrade', '-o', path.join(work, 'staging'), '-a', 'node -r @swc-node/register test/platform/fixtures/failing-app.ts'],
      { cwd: ROOT, env: { ...process.env, PLATFORM_OUTDIR: outdir }, encoding: 'utf8' },
    );
    // THEN it fails, says why (the problem list and the CLI's one line, no stack trace),
    // and the output folder is exactly as it was
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/\[CatalogFunctions\/Broken\] name "Broken_Function" is not a DNS-1123 label/);
    expect(result.stderr).toMatch(/\[CatalogFunctions\/Broken\] image "registry.example.com\/broken:latest" uses the mutable tag latest/);
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^Synthesis failed with \d+ problems?; nothing was written:$/);
    expect(lines.slice(1, -1).every((l) => l.startsWith('  - ['))).toBe(true);
    expect(lines[lines.length - 1]).toBe(`ERROR: synthesis failed, app expected to create "${path.join(work, 'staging')}"`);
    expect(result.stderr).not.toMatch(/^\s+at /m);
    expect(readTree(outdir)).toEqual(before);
    // No staging or swap folder is left beside it.
    expect(fs.readdirSync(work)).toEqual(['dist']);
  }, 60_000);

  test('`output: dist` (the CLI deletes its output folder first) is refused with the fix, and a user\'s files survive', () => {
    // GIVEN a cdk8s.yaml whose output is the folder the app publishes to, as `cdk8s init` writes it
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-output-'));
    const outdir = path.join(work, 'dist');
    fs.writeFileSync(path.join(work, 'notes.md'), 'mine');
    // WHEN the CLI runs a good app with output and outdir the same folder
    const result = spawnSync(
      path.join(ROOT, 'node_modules', '.bin', 'cdk8s'),
      ['synth', '--no-check-upgrade', '-o', outdir, '-a', 'node -r @swc-node/register main.ts'],
      { cwd: ROOT, env: { ...process.env, PLATFORM_OUTDIR: outdir }, encoding: 'utf8' },
    );
    // THEN it fails loudly with the fix, not with a stack trace, and nothing else is touched
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('is (or overlaps) the output folder of `cdk8s synth`');
    expect(result.stderr).toContain('Set `output: .cdk8s.out` in cdk8s.yaml');
    expect(result.stderr).not.toMatch(/^\s+at /m);
    expect(fs.readdirSync(work)).toEqual(['notes.md']);
  }, 60_000);
});
