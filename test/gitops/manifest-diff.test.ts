import * as fs from 'fs';
import * as path from 'path';
import { diffManifests, diffObjects, formatManifestDiff, isEmptyDiff, readManifestFolder } from '../../lib';

const FIXTURES = path.join(__dirname, 'fixtures', 'diff');

const readTree = readManifestFolder;

describe('diffManifests on fixture pairs', () => {
  test.each(['added', 'removed', 'changed'])('%s: the summary is exactly the expected one', (name) => {
    // GIVEN the dist/ before and after a change
    const before = readTree(path.join(FIXTURES, name, 'before'));
    const after = readTree(path.join(FIXTURES, name, 'after'));
    // WHEN compared
    const summary = formatManifestDiff(diffManifests(before, after));
    // THEN the Markdown is the expected summary, to the character
    expect(summary).toBe(fs.readFileSync(path.join(FIXTURES, name, 'expected.md'), 'utf8'));
  });

  test('the same folder on both sides is no change', () => {
    const files = readTree(path.join(FIXTURES, 'changed', 'before'));
    const diff = diffManifests(files, files);
    expect(isEmptyDiff(diff)).toBe(true);
    expect(formatManifestDiff(diff)).toBe('### Manifest diff\n\nNo changes: a fresh synth is identical to dist/ at HEAD.\n');
  });

  test('key order and YAML formatting are not changes', () => {
    const a = [{ path: 'x/x.k8s.yaml', content: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: n}\ndata: {k: "1", j: "2"}\n' }];
    const b = [{ path: 'x/x.k8s.yaml', content: 'kind: ConfigMap\napiVersion: v1\nmetadata:\n  namespace: n\n  name: a\ndata:\n  j: "2"\n  k: "1"\n' }];
    expect(isEmptyDiff(diffManifests(a, b))).toBe(true);
  });

  test('an object that moves to another folder is a change, not a removal and an addition', () => {
    const cm = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: n}\n';
    const diff = diffManifests([{ path: 'a/a.k8s.yaml', content: cm }], [{ path: 'b/b.k8s.yaml', content: cm }]);
    expect(formatManifestDiff(diff)).toBe(
      '### Manifest diff\n\ndist/ at HEAD → a fresh synth: 0 objects added, 0 removed, 1 changed.\n\n#### Changed\n' +
      '- `a` ConfigMap in `n`: moved from `a/a.k8s.yaml` to `b/b.k8s.yaml`\n',
    );
  });

  test('many objects with the same change read as one line', () => {
    const cms = (wave?: string) => Array.from({ length: 5 }, (_, i) =>
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c${i}\n  namespace: n\n${wave ? `  annotations:\n    argocd.argoproj.io/sync-wave: "${wave}"\n` : ''}`).join('---\n');
    const diff = diffManifests([{ path: 'x/x.k8s.yaml', content: cms('3') }], [{ path: 'x/x.k8s.yaml', content: cms('4') }]);
    expect(formatManifestDiff(diff, { beforeLabel: 'dist/ at origin/main' })).toBe(
      '### Manifest diff\n\ndist/ at origin/main → a fresh synth: 0 objects added, 0 removed, 5 changed.\n\n#### Changed\n' +
      '- 5 objects (`c0` ConfigMap in `n`, `c1` ConfigMap in `n`, `c2` ConfigMap in `n` and 2 more): ' +
      '`metadata.annotations["argocd.argoproj.io/sync-wave"]` `3` → `4`\n',
    );
  });
});

describe('diffObjects', () => {
  test('list items with names are matched by name, whatever their position', () => {
    const before = { spec: { containers: [{ name: 'a', image: 'x' }, { name: 'b', image: 'y' }] } };
    const after = { spec: { containers: [{ name: 'b', image: 'z' }, { name: 'a', image: 'x' }] } };
    expect(diffObjects(before, after)).toEqual([{ path: 'spec.containers[b].image', before: 'y', after: 'z' }]);
  });

  test('lists of scalars change as a whole', () => {
    expect(diffObjects({ args: ['a', 'b'] }, { args: ['a', 'c', 'd'] })).toEqual([{ path: 'args', before: ['a', 'b'], after: ['a', 'c', 'd'] }]);
  });
});

describe('diffManifests on a fleet', () => {
  const deployment = (replicas: number) => `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: price\n  namespace: functions\nspec:\n  replicas: ${replicas}\n`;
  const fleet = (west: number) => [
    { path: 'fleet/fleet.k8s.yaml', content: 'apiVersion: argoproj.io/v1alpha1\nkind: AppProject\nmetadata:\n  name: fleet\n  namespace: argocd\n' },
    { path: 'clusters/prod-central/functions/functions.k8s.yaml', content: deployment(3) },
    { path: 'clusters/prod-west/functions/functions.k8s.yaml', content: deployment(west) },
  ];

  test('the same object in two clusters is two objects: a change in one names that cluster only', () => {
    // WHEN
    const diff = diffManifests(fleet(3), fleet(5));

    // THEN
    expect(diff.clusters).toEqual(['prod-west']);
    expect(diff.outsideClusters).toBe(false);
    expect(diff.changed).toEqual([expect.objectContaining({ after: expect.objectContaining({ cluster: 'prod-west', name: 'price' }) })]);
    const text = formatManifestDiff(diff);
    expect(text).toContain('Clusters touched: prod-west.');
    expect(text).toContain('- `price` Deployment in `functions` on prod-west: `replicas` `3` → `5`');
  });

  test('a change of the fleet\'s own layer only touches no cluster', () => {
    const after = fleet(3).map((f) => (f.path.startsWith('fleet/') ? { ...f, content: f.content.replace('name: fleet', 'name: fleet2') } : f));
    const diff = diffManifests(fleet(3), after);
    expect(diff.clusters).toEqual([]);
    expect(formatManifestDiff(diff)).toContain('Clusters touched: none (only the fleet\'s own layer).');
  });
});
