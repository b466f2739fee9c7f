import { readdirSync, readFileSync, statSync } from 'fs';
import * as yaml from 'js-yaml';
import * as path from 'path';

/** A Kubernetes object read from a manifest file. */
export interface Manifest {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly labels?: Record<string, string>;
    readonly annotations?: Record<string, string>;
  };
  readonly [field: string]: unknown;
}

/** One object with the file it came from (relative to the folder read). */
export interface ManifestEntry {
  readonly file: string;
  readonly object: Manifest;
}

/** Every YAML document of every `.yaml` file under `folder`, in sorted file order. */
export function readManifests(folder: string): ManifestEntry[] {
  const entries: ManifestEntry[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const full = path.join(dir, name);
      if (statSync(full).isDirectory()) {
        walk(full);
      } else if (name.endsWith('.yaml') || name.endsWith('.yml')) {
        for (const doc of yaml.loadAll(readFileSync(full, 'utf8'))) {
          if (doc && typeof doc === 'object') {
            entries.push({ file: path.relative(folder, full), object: doc as Manifest });
          }
        }
      }
    }
  };
  walk(folder);
  return entries;
}

/** `Kind/namespace/name` (or `Kind/name` for a cluster-scoped object). */
export function objectRef(o: Manifest): string {
  return o.metadata.namespace ? `${o.kind}/${o.metadata.namespace}/${o.metadata.name}` : `${o.kind}/${o.metadata.name}`;
}

/**
 * The Namespaces as the API server holds them: one for every namespace the objects declare or
 * use, each labelled `kubernetes.io/metadata.name` (the API server sets it; selectors match it).
 */
export function namespacesFor(objects: readonly Manifest[]): Manifest[] {
  const declared = new Map<string, Manifest>();
  for (const o of objects.filter((x) => x.kind === 'Namespace')) declared.set(o.metadata.name, o);
  const names = new Set<string>([...declared.keys(), ...objects.map((o) => o.metadata.namespace).filter((n): n is string => !!n)]);
  return [...names].sort().map((name) => {
    const ns = declared.get(name);
    const labels = { ...(ns?.metadata.labels ?? {}), 'kubernetes.io/metadata.name': name };
    return { apiVersion: 'v1', kind: 'Namespace', metadata: { ...(ns?.metadata ?? { name }), name, labels } } as Manifest;
  });
}
