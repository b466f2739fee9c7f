import { groupKindName, groupOf } from './sync-wave';

/** A Kubernetes object as synthesized or as read back from YAML. */
export interface KubeManifest {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata?: {
    readonly name?: string;
    readonly namespace?: string;
    readonly labels?: Readonly<Record<string, string>>;
    readonly annotations?: Readonly<Record<string, string>>;
  };
  readonly [field: string]: unknown;
}

/** The identity of an object in a cluster: group, kind, namespace and name (never the version). */
export function objectKey(o: KubeManifest): string {
  return `${groupOf(o.apiVersion)}/${o.kind}/${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
}

/** `Deployment.apps functions-catalog/price`, `Namespace functions-catalog`: for messages. */
export function describeObject(o: KubeManifest): string {
  const gk = groupKindName({ group: groupOf(o.apiVersion), kind: o.kind });
  const ns = o.metadata?.namespace;
  return `${gk} ${ns ? `${ns}/` : ''}${o.metadata?.name ?? '(unnamed)'}`;
}

/** The object's `argocd.argoproj.io/sync-wave` as a number, or undefined when absent or not an integer. */
export function waveOfManifest(o: KubeManifest): number | undefined {
  const raw = o.metadata?.annotations?.['argocd.argoproj.io/sync-wave'];
  if (raw === undefined || !/^-?\d+$/.test(raw.trim())) return undefined;
  return Number(raw);
}

/** A field read through a path of keys, or undefined. Keeps the callers free of casts. */
export function field(value: unknown, ...keys: (string | number)[]): unknown {
  let v = value;
  for (const k of keys) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[k];
  }
  return v;
}

/** A string field, or undefined. */
export function stringField(value: unknown, ...keys: (string | number)[]): string | undefined {
  const v = field(value, ...keys);
  return typeof v === 'string' ? v : undefined;
}

/** An array field, or []. */
export function arrayField(value: unknown, ...keys: (string | number)[]): unknown[] {
  const v = field(value, ...keys);
  return Array.isArray(v) ? v : [];
}
