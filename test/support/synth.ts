import * as fs from 'fs';
import * as path from 'path';
import { App, Chart, Testing } from 'cdk8s';
import { collectProblems } from '../../lib';

/** A Kubernetes object as synthesized. */
export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name?: string; readonly namespace?: string; readonly labels?: Record<string, string>; readonly annotations?: Record<string, string> };
  readonly [field: string]: unknown;
}

/** A fresh app for a test, with no output folder side effects. */
export function testApp(): App {
  return Testing.app();
}

/** Every validation problem in `app`, each prefixed with its construct path. */
export function problemsOf(app: App): string[] {
  return collectProblems(app);
}

/** The objects a chart synthesizes, after validation (throws if any construct is invalid). */
export function objectsOf(chart: Chart): KubeObject[] {
  return Testing.synth(chart) as KubeObject[];
}

/** Every object of every chart in the app, in output order. */
export function allObjects(app: App): KubeObject[] {
  return app.charts.flatMap((c) => c.toJson() as KubeObject[]);
}

/** The one object of `kind` (and `name`, when given) in `objects`; fails the test if not exactly one. */
export function findOne(objects: readonly KubeObject[], kind: string, name?: string): KubeObject {
  const found = objects.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  if (found.length !== 1) {
    throw new Error(`expected exactly one ${kind}${name ? ` named ${name}` : ''}, found ${found.length}`);
  }
  return found[0];
}

/**
 * The value at a dotted path in a synthesized object (`at(obj, 'spec.template.spec.containers.0.image')`),
 * for assertions; undefined when any step is missing.
 */
export function at(obj: unknown, path: string): unknown {
  let current: unknown = obj;
  for (const key of path.split('.')) {
    if (current === null || typeof current !== 'object') {
      return undefined;
    }
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** Every file under `dir`, by its `/`-separated path relative to `dir`. */
export function readTree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) {
      const full = path.join(entry.parentPath, entry.name);
      out.set(path.relative(dir, full).split(path.sep).join('/'), fs.readFileSync(full, 'utf8'));
    }
  }
  return out;
}
