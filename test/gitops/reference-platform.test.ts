import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as yaml from 'js-yaml';
import { describeObject, findDependencies, isOrderRespected, KubeManifest, renderApp, waveOfManifest } from '../../lib';
import { buildReferencePlatform } from '../../platform';
import { formatViolations, kubeValidator } from '../support/kube-schema';
import { testApp } from '../support/synth';

const ROOT = path.resolve(__dirname, '..', '..');

function render() {
  const app = testApp();
  const platform = buildReferencePlatform(app);
  return { platform, files: renderApp(app) };
}

const { platform, files } = render();
const folder = (p: string) => p.slice(0, p.lastIndexOf('/'));
const manifests = files.filter((f) => f.path.endsWith('.k8s.yaml'))
  .flatMap((f) => (yaml.loadAll(f.content) as KubeManifest[]).map((m) => ({ folder: folder(f.path), m })));
const gitops = yaml.loadAll(files.find((f) => f.path === 'gitops/gitops.k8s.yaml')!.content) as Record<string, any>[];
const applications = gitops.filter((d) => d.kind === 'Application');

describe('reference platform delivery', () => {
  test('the Argo CD objects and bootstrap files match their snapshots', () => {
    expect(files.filter((f) => f.path.startsWith('gitops/') || f.path.startsWith('bootstrap/')).map((f) => [f.path, f.content])).toMatchSnapshot();
  });

  test('one Application per chart folder, each pointing at a folder the synth writes, nothing else in those folders', () => {
    const chartFolders = [...new Set(manifests.map((x) => x.folder))].filter((f) => f !== 'gitops').sort();
    const paths = applications.flatMap((a) => (a.spec.sources ?? [a.spec.source]).map((s: { path: string }) => s.path)).sort();
    expect(paths).toEqual(chartFolders.map((f) => `dist/${f}`));
    for (const a of applications) {
      expect(a.spec.source?.repoURL ?? a.spec.sources[0].repoURL).toBe('https://git.shop.example.com/platform/wasm-functions.git');
    }
    const strays = files.filter((f) => [...chartFolders, 'gitops'].includes(folder(f.path)) && !f.path.endsWith('.k8s.yaml'));
    expect(strays.map((f) => f.path)).toEqual([]);
    expect(platform.gitops.delivery.rootFolder).toBe('gitops');
  });

  test('every object carries a sync wave, and every dependency between objects is ordered by the waves', () => {
    expect(manifests.filter((x) => waveOfManifest(x.m) === undefined).map((x) => describeObject(x.m))).toEqual([]);
    const folderOf = new Map(manifests.map((x) => [x.m, x.folder]));
    const appWave = (m: KubeManifest) => Number(applications.find((a) => a.spec.source?.path === `dist/${folderOf.get(m)}`
      || a.spec.sources?.some((s: { path: string }) => s.path === `dist/${folderOf.get(m)}`))!.metadata.annotations['argocd.argoproj.io/sync-wave']);
    const objects = manifests.map((x) => x.m).filter((m) => folderOf.get(m) !== 'gitops');
    const deps = findDependencies(objects);
    expect(deps.length).toBeGreaterThan(0);
    const broken = deps.filter((d) => (folderOf.get(d.from) === folderOf.get(d.to)
      ? !isOrderRespected(d, waveOfManifest(d.from)!, waveOfManifest(d.to)!)
      : !(appWave(d.from) > appWave(d.to))));
    expect(broken.map((d) => `${describeObject(d.from)} -> ${describeObject(d.to)}`)).toEqual([]);
  });

  test('across Applications, policy templates come before constraints, and constraints before every workload', () => {
    // Argo CD syncs the child Applications in their waves; inside one Application, objects in
    // theirs. The effective order of an object is (Application wave, object wave).
    const folderOf = new Map(manifests.map((x) => [x.m, x.folder]));
    const appWave = (m: KubeManifest) => Number(applications.find((a) => a.spec.source?.path === `dist/${folderOf.get(m)}`)!
      .metadata.annotations['argocd.argoproj.io/sync-wave']);
    const order = (m: KubeManifest) => [appWave(m), waveOfManifest(m)!] as const;
    const before = (a: readonly [number, number], b: readonly [number, number]) => a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);
    const objects = manifests.map((x) => x.m).filter((m) => folderOf.get(m) !== 'gitops');
    const templates = objects.filter((m) => m.kind === 'ConstraintTemplate');
    const constraints = objects.filter((m) => m.apiVersion === 'constraints.gatekeeper.sh/v1beta1');
    const workloads = objects.filter((m) => ['Deployment', 'StatefulSet', 'DaemonSet', 'Job'].includes(m.kind));
    expect([templates.length, constraints.length, workloads.length].every((n) => n > 0)).toBe(true);
    const late = [
      ...constraints.flatMap((c) => templates.filter((t) => !before(order(t), order(c))).map((t) => `${describeObject(t)} not before ${describeObject(c)}`)),
      ...workloads.flatMap((w) => constraints.filter((c) => !before(order(c), order(w))).map((c) => `${describeObject(c)} not before ${describeObject(w)}`)),
    ];
    expect(late).toEqual([]);
  });

  test('the AppProject, Applications, root Application and argocd-cm patch are valid, strictly', () => {
    const bootstrap = files.filter((f) => f.path.startsWith('bootstrap/')).flatMap((f) => yaml.loadAll(f.content) as object[]);
    const validator = kubeValidator();
    expect([...gitops, ...bootstrap].map((d) => formatViolations(d, validator.validate(d))).filter((t) => t !== '')).toEqual([]);
  });
});

describe('npm run diff', () => {
  test('prints a Markdown summary and never writes to dist/', () => {
    const dist = path.join(ROOT, 'dist');
    const snapshot = () => fs.readdirSync(dist, { recursive: true, withFileTypes: true }).filter((e) => e.isFile())
      .map((e) => { const p = path.join(e.parentPath, e.name); return `${p}:${fs.statSync(p).mtimeMs}:${fs.readFileSync(p, 'utf8').length}`; }).sort();
    const before = snapshot();
    const result = spawnSync(process.execPath, ['-r', '@swc-node/register', 'scripts/diff.ts', '--worktree'], { cwd: ROOT, encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^### Manifest diff\n\n/);
    expect(result.stdout).toMatch(/dist\/ in the working tree|No changes/);
    expect(snapshot()).toEqual(before);
  }, 60_000);
});
