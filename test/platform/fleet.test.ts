import * as path from 'path';
import * as yaml from 'js-yaml';
import { OUTPUT_MANIFEST, outputManifest, renderApp, RenderedFile } from '../../lib';
import { buildReferenceFleet, buildReferencePlatform, FLEET_CLUSTERS } from '../../platform';
import { formatViolations, kubeValidator } from '../support/kube-schema';
import { KubeObject, testApp, readTree } from '../support/synth';

const ROOT = path.resolve(__dirname, '..', '..');
const DIST = path.join(ROOT, 'dist');

function renderFleet(): RenderedFile[] {
  const app = testApp();
  buildReferenceFleet(app);
  return renderApp(app);
}

const files = renderFleet();
const single = (() => {
  const app = testApp();
  buildReferencePlatform(app);
  return new Map(renderApp(app).map((f) => [f.path, f.content]));
})();
const objects = (predicate: (p: string) => boolean): KubeObject[] =>
  files.filter((f) => predicate(f.path) && f.path.endsWith('.yaml')).flatMap((f) => yaml.loadAll(f.content) as KubeObject[]);

describe('reference fleet', () => {
  test.each(files.filter((f) => !f.path.startsWith('clusters/')).map((f) => [f.path, f] as const))('fleet layer: %s matches its snapshot', (_p, file) => {
    expect(file.content).toMatchSnapshot();
  });

  // A cluster is the single-cluster platform, sized and named for it: what differs is
  // snapshotted per cluster, and everything else must be byte-identical to the platform's.
  test.each(FLEET_CLUSTERS.map((c) => [c.name] as const))('cluster %s: what differs from the single-cluster platform matches its snapshot, the rest is identical', (name) => {
    const prefix = `clusters/${name}/`;
    const mine = files.filter((f) => f.path.startsWith(prefix)).map((f) => ({ path: f.path.slice(prefix.length), content: f.content }));
    expect(mine.map((f) => f.path).filter((p) => !p.startsWith('bootstrap/')).sort())
      .toEqual([...single.keys()].filter((p) => !p.startsWith('bootstrap/')).sort());
    const differing = mine.filter((f) => single.get(f.path) !== f.content);
    expect(Object.fromEntries(differing.map((f) => [f.path, f.content]))).toMatchSnapshot();
  });

  test('every object of every cluster and of the fleet layer is valid against the Kubernetes 1.30 and CRD schemas, strictly', () => {
    const report: string[] = [];
    // Gatekeeper constraints have no CRD file: platform.test.ts checks them against the schema
    // their templates generate, and each cluster's are the platform's (the test above).
    for (const o of objects(() => true).filter((x) => !x.apiVersion.startsWith('constraints.gatekeeper.sh/'))) {
      const text = formatViolations(o, kubeValidator().validate(o));
      if (text !== '') report.push(text);
    }
    expect(report).toEqual([]);
  });

  test('the ApplicationSet delivers every chart folder of every cluster exactly once, staging first, then eu-central, then eu-west', () => {
    const [set] = objects((p) => p.startsWith('fleet/')).filter((o) => o.kind === 'ApplicationSet');
    const elements = (set.spec as { generators: { list: { elements: { path: string; cluster: string; step: string }[] } }[] }).generators[0].list.elements;
    const chartFolders = files.filter((f) => f.path.startsWith('clusters/') && f.path.endsWith('.k8s.yaml')).map((f) => `dist/${path.posix.dirname(f.path)}`);
    expect(elements.map((e) => e.path).sort()).toEqual([...new Set(chartFolders)].sort());
    const firstStep = (cluster: string) => elements.filter((e) => e.cluster === cluster).map((e) => e.step).sort()[0];
    const lastStep = (cluster: string) => elements.filter((e) => e.cluster === cluster).map((e) => e.step).sort().slice(-1)[0];
    expect(lastStep('staging') < firstStep('prod-eu-central')).toBe(true);
    expect(lastStep('prod-eu-central') < firstStep('prod-eu-west')).toBe(true);
  });

  test('staging runs at 5 % of production\'s replica bounds; each production region keeps the bounds that carry the whole peak', () => {
    const maxOf = (cluster: string, name: string) => {
      const so = objects((p) => p.startsWith(`clusters/${cluster}/catalog-autoscaling/`)).find((o) => o.kind === 'ScaledObject' && o.metadata.name === name)!;
      return (so.spec as { maxReplicaCount: number }).maxReplicaCount;
    };
    expect(maxOf('staging', 'product-detail')).toBe(30);
    expect(maxOf('prod-eu-central', 'product-detail')).toBe(600);
    expect(maxOf('prod-eu-west', 'product-detail')).toBe(600);
    const report = files.find((f) => f.path === 'reports/fleet.md')!.content;
    expect(report).toContain('When eu-central fails, the other clusters absorb its traffic within their maxReplicas.');
    expect(report).toContain('When eu-west fails, the other clusters absorb its traffic within their maxReplicas.');
  });

  test('synthesis is deterministic: a second render is byte-identical', () => {
    expect(renderFleet()).toEqual(files);
  });

  test('the committed dist/ is exactly what synth writes (run `npm run synth` and commit dist/ if this fails)', () => {
    const committed = readTree(DIST);
    expect([...committed.keys()].sort()).toEqual([...files.map((f) => f.path), OUTPUT_MANIFEST].sort());
    expect(committed.get(OUTPUT_MANIFEST)).toBe(outputManifest(files));
    for (const file of files) {
      expect({ path: file.path, content: committed.get(file.path) }).toEqual({ path: file.path, content: file.content });
    }
  });
});
