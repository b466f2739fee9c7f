import * as fs from 'fs';
import * as path from 'path';
import { isDeepStrictEqual } from 'util';
import * as yaml from 'js-yaml';
import { ReachConnection, sortConnections } from '../core/reach';
import { KubeManifest, objectKey } from './manifest';

/** One file of an output folder, path relative to it with `/` separators. */
export interface ManifestFile {
  readonly path: string;
  readonly content: string;
}

/** Every file under `dir` (for example a checked-out dist/), with `/`-separated relative paths; [] when it does not exist. */
export function readManifestFolder(dir: string): ManifestFile[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => {
      const full = path.join(e.parentPath, e.name);
      return { path: path.relative(dir, full).split(path.sep).join('/'), content: fs.readFileSync(full, 'utf8') };
    });
}

/** Which object, as people name it. */
export interface ObjectRef {
  readonly kind: string;
  readonly name: string;
  /** '' for a cluster-scoped object. */
  readonly namespace: string;
  /** The file the object is in. */
  readonly file: string;
  /**
   * The fleet cluster whose folder (`clusters/<cluster>/`) holds the file.
   * @default - none: a single cluster's output, or a fleet's own layer
   */
  readonly cluster?: string;
}

/** One field that moved. Paths are dotted, list items by name where they have one: `spec.template.spec.containers[function].image`. */
export interface FieldChange {
  readonly path: string;
  /** Undefined when the field was added. */
  readonly before?: unknown;
  /** Undefined when the field was removed. */
  readonly after?: unknown;
}

/** An object present on both sides whose content or file differs. */
export interface ObjectChange {
  readonly before: ObjectRef;
  readonly after: ObjectRef;
  readonly fields: readonly FieldChange[];
}

/** What changed between two output folders. */
export interface ManifestDiff {
  readonly added: readonly ObjectRef[];
  readonly removed: readonly ObjectRef[];
  readonly changed: readonly ObjectChange[];
  /** Files that hold no Kubernetes objects (reports), by what happened to them. */
  readonly otherFiles: { readonly added: readonly string[]; readonly removed: readonly string[]; readonly changed: readonly string[] };
  /**
   * Connections the reach report (`reach.json`) allows after and not before, and the other
   * way round: a change of who may reach what, named connection by connection.
   */
  readonly reach: { readonly allowed: readonly ReachConnection[]; readonly denied: readonly ReachConnection[] };
  /**
   * The fleet clusters (folders `clusters/<cluster>/`) anything changed in, sorted; empty
   * for a single cluster's output.
   */
  readonly clusters: readonly string[];
  /** Whether anything outside every cluster's folder changed (a fleet's own layer, or a single cluster's output). */
  readonly outsideClusters: boolean;
  /** Whether either side is a fleet's output (has `clusters/<cluster>/` folders). */
  readonly fleet: boolean;
}

const CLUSTER_FOLDER = /^clusters\/([^/]+)\//;

/** The fleet cluster whose folder holds `file`, if any. */
export function clusterOfPath(file: string): string | undefined {
  return CLUSTER_FOLDER.exec(file)?.[1];
}

/** The file name of the machine-readable reach report ({@link ReachReport}). */
const REACH_FILE = /(^|\/)reach\.json$/;

/** The connections of a reach report, none when it is absent or not one. */
function reachConnections(others: ReadonlyMap<string, string>): Map<string, ReachConnection> {
  const out = new Map<string, ReachConnection>();
  for (const [p, content] of others) {
    if (!REACH_FILE.test(p)) continue;
    let parsed: { connections?: ReachConnection[] };
    try {
      parsed = JSON.parse(content) as { connections?: ReachConnection[] };
    } catch {
      continue;
    }
    // A fleet has a reach report per cluster: the same connection in two clusters is two.
    const cluster = clusterOfPath(p);
    for (const c of Array.isArray(parsed.connections) ? parsed.connections : []) {
      out.set(`${cluster ?? ''} ${c.from} ${c.to} ${c.protocol} ${c.port}`, cluster ? { ...c, from: `${cluster}: ${c.from}` } : c);
    }
  }
  return out;
}

interface Located {
  readonly manifest: KubeManifest;
  readonly ref: ObjectRef;
}

const MANIFEST_FILE = /\.(ya?ml|json)$/;

function isManifest(doc: unknown): doc is KubeManifest {
  return doc !== null && typeof doc === 'object' && !Array.isArray(doc)
    && typeof (doc as Record<string, unknown>).kind === 'string' && typeof (doc as Record<string, unknown>).apiVersion === 'string';
}

/**
 * Splits files into Kubernetes objects (keyed by group, kind, namespace and name) and other
 * files. An object that appears twice (the AppProject in `bootstrap/` and in the GitOps
 * folder) is keyed by its file from the second occurrence on, in path order.
 */
export function indexManifests(files: readonly ManifestFile[]): { objects: Map<string, Located>; others: Map<string, string> } {
  const objects = new Map<string, Located>();
  const others = new Map<string, string>();
  for (const file of [...files].sort((a, b) => a.path.localeCompare(b.path))) {
    const docs = MANIFEST_FILE.test(file.path) ? yaml.loadAll(file.content).filter((d) => d !== null && d !== undefined) : [];
    if (docs.length === 0 || !docs.every(isManifest)) {
      others.set(file.path, file.content);
      continue;
    }
    for (const manifest of docs) {
      const cluster = clusterOfPath(file.path);
      const ref: ObjectRef = {
        kind: manifest.kind,
        name: manifest.metadata?.name ?? '',
        namespace: manifest.metadata?.namespace ?? '',
        file: file.path,
        ...(cluster ? { cluster } : {}),
      };
      // Every cluster of a fleet holds the same objects: each is its cluster's.
      const key = cluster ? `clusters/${cluster}|${objectKey(manifest)}` : objectKey(manifest);
      objects.set(objects.has(key) ? `${key}@${file.path}` : key, { manifest, ref });
    }
  }
  return { objects, others };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function keySegment(key: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$-]*$/.test(key) ? `.${key}` : `["${key}"]`;
}

/** Items matched by `name` when every item of both lists has a distinct one. */
function namedItems(list: readonly unknown[]): Map<string, unknown> | undefined {
  const byName = new Map<string, unknown>();
  for (const item of list) {
    const name = isPlainObject(item) ? item.name : undefined;
    if (typeof name !== 'string' || byName.has(name)) return undefined;
    byName.set(name, item);
  }
  return byName;
}

function diffValues(path: string, a: unknown, b: unknown, out: FieldChange[]): void {
  if (isDeepStrictEqual(a, b)) return;
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = [...Object.keys(a), ...Object.keys(b).filter((k) => !(k in a))];
    for (const k of keys) diffValues(`${path}${keySegment(k)}`, a[k], b[k], out);
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    const na = namedItems(a);
    const nb = namedItems(b);
    if (na && nb && (na.size > 0 || nb.size > 0)) {
      const names = [...na.keys(), ...[...nb.keys()].filter((k) => !na.has(k))];
      for (const n of names) diffValues(`${path}[${n}]`, na.get(n), nb.get(n), out);
      return;
    }
    if (a.length === b.length && a.some((x) => isPlainObject(x) || Array.isArray(x))) {
      a.forEach((x, i) => diffValues(`${path}[${i}]`, x, b[i], out));
      return;
    }
  }
  out.push({ path: path.replace(/^\./, ''), before: a, after: b });
}

/** Every field that differs between two objects, in document order. */
export function diffObjects(before: unknown, after: unknown): FieldChange[] {
  const out: FieldChange[] = [];
  diffValues('', before, after, out);
  return out;
}

function byRef(a: ObjectRef, b: ObjectRef): number {
  return a.file.localeCompare(b.file) || a.kind.localeCompare(b.kind) || a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name);
}

/**
 * Compares two output folders object by object: what was added, removed, and for the
 * objects on both sides the fields that moved (and the file, if the object moved).
 * A pure function: give it the files of each side.
 */
export function diffManifests(before: readonly ManifestFile[], after: readonly ManifestFile[]): ManifestDiff {
  const a = indexManifests(before);
  const b = indexManifests(after);
  const added: ObjectRef[] = [];
  const removed: ObjectRef[] = [];
  const changed: ObjectChange[] = [];
  for (const [key, x] of a.objects) {
    const y = b.objects.get(key);
    if (!y) {
      removed.push(x.ref);
      continue;
    }
    const fields = diffObjects(x.manifest, y.manifest);
    if (fields.length > 0 || x.ref.file !== y.ref.file) changed.push({ before: x.ref, after: y.ref, fields });
  }
  for (const [key, y] of b.objects) if (!a.objects.has(key)) added.push(y.ref);
  const otherAdded = [...b.others.keys()].filter((p) => !a.others.has(p)).sort();
  const otherRemoved = [...a.others.keys()].filter((p) => !b.others.has(p)).sort();
  const otherChanged = [...a.others.keys()].filter((p) => b.others.has(p) && b.others.get(p) !== a.others.get(p)).sort();
  const reachBefore = reachConnections(a.others);
  const reachAfter = reachConnections(b.others);
  const touched = [
    ...added.map((r) => r.file), ...removed.map((r) => r.file), ...changed.flatMap((c) => [c.before.file, c.after.file]),
    ...otherAdded, ...otherRemoved, ...otherChanged,
  ];
  return {
    added: added.sort(byRef),
    removed: removed.sort(byRef),
    changed: changed.sort((p, q) => byRef(p.after, q.after)),
    otherFiles: { added: otherAdded, removed: otherRemoved, changed: otherChanged },
    reach: {
      allowed: sortConnections([...reachAfter].filter(([k]) => !reachBefore.has(k)).map(([, c]) => c)),
      denied: sortConnections([...reachBefore].filter(([k]) => !reachAfter.has(k)).map(([, c]) => c)),
    },
    clusters: [...new Set(touched.map(clusterOfPath).filter((c): c is string => c !== undefined))].sort(),
    outsideClusters: touched.some((f) => clusterOfPath(f) === undefined),
    fleet: [...before, ...after].some((f) => clusterOfPath(f.path) !== undefined),
  };
}

/** True when nothing differs. */
export function isEmptyDiff(diff: ManifestDiff): boolean {
  return diff.added.length + diff.removed.length + diff.changed.length
    + diff.otherFiles.added.length + diff.otherFiles.removed.length + diff.otherFiles.changed.length === 0;
}

/** Options for {@link formatManifestDiff}. */
export interface FormatDiffOptions {
  /**
   * What the old side is, for the summary line.
   * @default "dist/ at HEAD"
   */
  readonly beforeLabel?: string;
  /**
   * What the new side is.
   * @default "a fresh synth"
   */
  readonly afterLabel?: string;
  /**
   * Most fields listed per changed object; the rest are counted.
   * @default 10
   */
  readonly maxFieldsPerObject?: number;
}

const DIGEST = /sha256:([0-9a-f]{12})[0-9a-f]{52}/g;
const MAX_VALUE_CHARS = 60;
/** From this many objects with identical changes on, they are listed as one line. */
const GROUP_AT = 4;
/** Above this many objects added or removed in one file, the file is listed instead. */
const FILE_SUMMARY_AT = 8;

/** Drops the nesting every reader already knows: `spec.`, and the pod template's `template.spec.`. */
export function shortFieldPath(path: string): string {
  return path
    .replace(/^spec\.jobTemplate\.spec\.template\.spec\./, '')
    .replace(/^spec\.template\.spec\./, '')
    .replace(/^spec\./, '');
}

function formatScalar(v: unknown): string {
  if (v === undefined) return '(none)';
  if (typeof v === 'string') {
    if (v.includes('\n')) return `(${v.split('\n').length} lines)`;
    const s = v.replace(DIGEST, 'sha256:$1…');
    return `\`${s.length > MAX_VALUE_CHARS ? `${s.slice(0, MAX_VALUE_CHARS - 1)}…` : s}\``;
  }
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return `\`${String(v)}\``;
  const json = JSON.stringify(v);
  if (json.length <= MAX_VALUE_CHARS) return `\`${json}\``;
  return Array.isArray(v) ? `(${v.length} items)` : '(an object)';
}

/** `registry/x@sha256:ab…` on both sides with the same repository: only the digests differ, so show only them. */
function formatPair(before: unknown, after: unknown): [string, string] {
  if (typeof before === 'string' && typeof after === 'string') {
    const [repoA, digestA] = before.split('@');
    const [repoB, digestB] = after.split('@');
    if (digestA && digestB && repoA === repoB) return [formatScalar(digestA), formatScalar(digestB)];
  }
  return [formatScalar(before), formatScalar(after)];
}

function formatField(change: FieldChange): string {
  const path = `\`${shortFieldPath(change.path)}\``;
  if (change.before === undefined) return `${path} added: ${formatScalar(change.after)}`;
  if (change.after === undefined) return `${path} removed (was ${formatScalar(change.before)})`;
  const [b, a] = formatPair(change.before, change.after);
  return `${path} ${b} → ${a}`;
}

function formatRef(ref: ObjectRef): string {
  return `\`${ref.name}\` ${ref.kind}${ref.namespace ? ` in \`${ref.namespace}\`` : ''}${ref.cluster ? ` on ${ref.cluster}` : ''}`;
}

/** One line per object, or, for a file with many (a new chart), one line for the file with its kinds. */
function listRefs(refs: readonly ObjectRef[]): string[] {
  const byFile = new Map<string, ObjectRef[]>();
  for (const r of refs) byFile.set(r.file, [...(byFile.get(r.file) ?? []), r]);
  const lines: string[] = [];
  for (const [file, rs] of byFile) {
    if (rs.length > FILE_SUMMARY_AT) {
      const kinds = new Map<string, number>();
      for (const r of rs) kinds.set(r.kind, (kinds.get(r.kind) ?? 0) + 1);
      lines.push(`- ${rs.length} objects in \`${file}\`: ${[...kinds].map(([k, n]) => `${n} ${k}`).join(', ')}`);
    } else {
      for (const r of rs) lines.push(`- ${formatRef(r)} (\`${file}\`)`);
    }
  }
  return lines;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/**
 * A short Markdown summary of a {@link ManifestDiff}, for a pull-request comment:
 * counts, then the objects added, removed and changed, with the fields that moved.
 */
export function formatManifestDiff(diff: ManifestDiff, options: FormatDiffOptions = {}): string {
  const beforeLabel = options.beforeLabel ?? 'dist/ at HEAD';
  const afterLabel = options.afterLabel ?? 'a fresh synth';
  const maxFields = options.maxFieldsPerObject ?? 10;
  const lines: string[] = ['### Manifest diff', ''];
  if (isEmptyDiff(diff)) {
    lines.push(`No changes: ${afterLabel} is identical to ${beforeLabel}.`);
    return `${lines.join('\n')}\n`;
  }
  const other = diff.otherFiles;
  const otherCount = other.added.length + other.removed.length + other.changed.length;
  lines.push(
    `${beforeLabel} → ${afterLabel}: ${plural(diff.added.length, 'object')} added, ${diff.removed.length} removed, ` +
    `${diff.changed.length} changed${otherCount > 0 ? `; ${plural(otherCount, 'other file')} changed` : ''}.`,
  );
  if (diff.fleet) {
    lines.push('', diff.clusters.length > 0
      ? `Clusters touched: ${diff.clusters.join(', ')}${diff.outsideClusters ? '; and the fleet\'s own layer' : ''}.`
      : 'Clusters touched: none (only the fleet\'s own layer).');
  }
  if (diff.added.length > 0) {
    lines.push('', '#### Added');
    lines.push(...listRefs(diff.added));
  }
  if (diff.removed.length > 0) {
    lines.push('', '#### Removed');
    lines.push(...listRefs(diff.removed));
  }
  if (diff.changed.length > 0) {
    lines.push('', '#### Changed');
    // Objects with exactly the same changes (a label or annotation on everything) read as one line.
    const groups = new Map<string, { refs: ObjectRef[]; items: string[] }>();
    for (const c of diff.changed) {
      const items = c.fields.map(formatField);
      if (c.before.file !== c.after.file) items.unshift(`moved from \`${c.before.file}\` to \`${c.after.file}\``);
      const key = items.join('\n');
      const group = groups.get(key) ?? { refs: [], items };
      group.refs.push(c.after);
      groups.set(key, group);
    }
    for (const { refs, items } of groups.values()) {
      const shown = items.slice(0, maxFields);
      if (items.length > shown.length) shown.push(`… and ${plural(items.length - shown.length, 'more field')}`);
      const who = refs.length >= GROUP_AT
        ? `${refs.length} objects (${refs.slice(0, 3).map(formatRef).join(', ')} and ${refs.length - 3} more)`
        : undefined;
      for (const ref of who ? [undefined] : refs) {
        const subject = who ?? formatRef(ref!);
        if (shown.length === 1) {
          lines.push(`- ${subject}: ${shown[0]}`);
        } else {
          lines.push(`- ${subject}:`);
          for (const item of shown) lines.push(`  - ${item}`);
        }
      }
    }
  }
  if (diff.reach.allowed.length + diff.reach.denied.length > 0) {
    const conn = (c: ReachConnection): string => `${c.from} → ${c.to} ${c.protocol} ${c.port}`;
    lines.push('', '#### Reach');
    for (const c of diff.reach.allowed) lines.push(`- now allowed: ${conn(c)}`);
    for (const c of diff.reach.denied) lines.push(`- no longer allowed: ${conn(c)}`);
  }
  if (otherCount > 0) {
    lines.push('', '#### Other files');
    for (const p of other.added) lines.push(`- \`${p}\` added`);
    for (const p of other.removed) lines.push(`- \`${p}\` removed`);
    for (const p of other.changed) lines.push(`- \`${p}\` changed`);
  }
  return `${lines.join('\n')}\n`;
}
