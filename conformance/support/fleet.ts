// The fleet's layout of dist/: the fleet's own layer (bootstrap/, gitops/, fleet/) and one
// folder per cluster under clusters/. The engines check each cluster's folder as they check a
// single-cluster dist/; the kube-apiserver engine applies it through the Applications the
// fleet's ApplicationSet generates for that cluster.
//
// Which Applications the ApplicationSet generates is computed here by a small model of its
// list generator and Go templates (`{{.key}}`, `{{ toJson .key }}`, `{{- if .key }}`): Argo
// CD's applicationset controller is not among the engines built here, so the rendering itself
// is not proven by Argo CD's code; the generated Applications are then applied to the real API
// server, which checks them against the Application CRD.
import { cpSync, existsSync, mkdirSync, readdirSync } from 'fs';
import * as yaml from 'js-yaml';
import * as path from 'path';
import { Manifest, readManifests } from './manifests';

/** The clusters of a fleet's dist/, or none when dist/ is a single cluster's. */
export function fleetClusters(dist: string): string[] {
  const folder = path.join(dist, 'clusters');
  return existsSync(folder) ? readdirSync(folder).filter((n) => !n.startsWith('.')).sort() : [];
}

/** A copy of dist/ without clusters/ in `work`: the fleet's own layer, as the hub applies it. */
export function fleetLayer(dist: string, work: string): string {
  const target = path.join(work, 'fleet-layer');
  mkdirSync(target, { recursive: true });
  for (const name of readdirSync(dist)) {
    if (name !== 'clusters' && !name.startsWith('.')) cpSync(path.join(dist, name), path.join(target, name), { recursive: true });
  }
  return target;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * The Applications every ApplicationSet of the fleet's layer (see {@link fleetLayer}: dist/
 * without the clusters' folders) generates for `cluster` (elements whose `cluster` is it).
 */
export function generatedApplications(layer: string, cluster: string): Manifest[] {
  const sets = readManifests(layer).map((e) => e.object).filter((o) => o.kind === 'ApplicationSet' && o.apiVersion === 'argoproj.io/v1alpha1');
  const apps: Manifest[] = [];
  for (const set of sets) {
    const spec = set.spec as { generators: { list?: { elements?: Record<string, Json>[] } }[]; template: Json; templatePatch?: string; goTemplate?: boolean };
    if (!spec.goTemplate) throw new Error(`ApplicationSet ${set.metadata.name}: the model reads Go templates only (goTemplate: true)`);
    for (const generator of spec.generators) {
      for (const element of generator.list?.elements ?? []) {
        if (element.cluster !== cluster) continue;
        const app = substitute(spec.template, element) as { metadata: Record<string, Json>; spec: Record<string, Json> };
        if (spec.templatePatch) merge(app as unknown as Record<string, Json>, yaml.load(renderTemplate(spec.templatePatch, element)) as Record<string, Json>);
        apps.push({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', ...app, metadata: { ...app.metadata, namespace: set.metadata.namespace } } as unknown as Manifest);
      }
    }
  }
  return apps;
}

function substitute(value: Json, element: Record<string, Json>): Json {
  if (typeof value === 'string') return renderTemplate(value, element);
  if (Array.isArray(value)) return value.map((v) => substitute(v, element));
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, element)]));
  return value;
}

/** `{{.key}}`, `{{ toJson .key }}` and `{{- if .key }} ... {{- end }}`; a missing key is an error (missingkey=error). */
function renderTemplate(text: string, element: Record<string, Json>): string {
  const get = (key: string): Json => {
    if (!(key in element)) throw new Error(`template reads .${key}, which an element lacks (missingkey=error)`);
    return element[key];
  };
  const withIfs = text.replace(/\s*\{\{-\s*if\s+\.(\w+)\s*\}\}([\s\S]*?)\s*\{\{-\s*end\s*\}\}/g, (_m, key: string, body: string) => {
    const v = key in element ? element[key] : undefined;
    const truthy = v !== undefined && v !== null && v !== false && v !== '' && !(Array.isArray(v) && v.length === 0);
    return truthy ? body : '';
  });
  return withIfs
    .replace(/\{\{\s*toJson\s+\.(\w+)\s*\}\}/g, (_m, key: string) => JSON.stringify(get(key)))
    .replace(/\{\{\s*\.(\w+)\s*\}\}/g, (_m, key: string) => String(get(key)));
}

function merge(target: Record<string, Json>, patch: Record<string, Json>): void {
  for (const [k, v] of Object.entries(patch ?? {})) {
    const t = target[k];
    if (v !== null && typeof v === 'object' && !Array.isArray(v) && t !== null && typeof t === 'object' && !Array.isArray(t)) merge(t, v);
    else target[k] = v;
  }
}
