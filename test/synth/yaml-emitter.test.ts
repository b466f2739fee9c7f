import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdk8s';
import * as yaml from 'js-yaml';
import { resolveCharts, withSynthSession, YAML_DUMP_OPTIONS, YamlEmitter } from '../../lib';
import { buildReferenceFleet, buildReferencePlatform } from '../../platform';
import { renderApp } from '../../lib';
import { buildFleet } from '../../bench/fleet';

const jsYaml = (doc: unknown): string => yaml.dump(doc, YAML_DUMP_OPTIONS);

/** Every synthesized object of an app, rendered as the synthesizer renders them. */
function objectsOfApp(build: (app: App) => void): unknown[] {
  const app = new App({ outdir: fs.mkdtempSync(path.join(require('os').tmpdir(), 'yaml-emitter-')) });
  build(app);
  return withSynthSession(app, () => resolveCharts(app).flatMap((c) => c.objects));
}

/** Scalars YAML reads as something other than the string, or that need quoting or escaping. */
const TRICKY_STRINGS: readonly string[] = [
  '', ' ', '  ', 'a', 'A', 'plain', 'kebab-case', 'dotted.name', 'path/to/x', 'under_score', 'x-', 'x.', 'x/',
  // YAML 1.2 core and YAML 1.1 words, every case.
  'null', 'Null', 'NULL', 'nULL', '~', 'true', 'True', 'TRUE', 'tRUE', 'false', 'False', 'FALSE',
  'y', 'Y', 'yes', 'Yes', 'YES', 'yEs', 'n', 'N', 'no', 'No', 'NO', 'on', 'On', 'ON', 'oN', 'off', 'Off', 'OFF',
  'nan', '.nan', '.NaN', '.NAN', 'inf', '.inf', '-.inf', '+.Inf', '.INF', '<<', '=',
  // Numbers and number-likes.
  '0', '1', '-1', '+1', '007', '0x1F', '0o17', '0b101', '1_000', '1.5', '-1.5', '1e3', '1E-3', '1.', '.5', '1:20', '-1:20:30.5', '190:20:30',
  '10m', '32Mi', '64Mi', '100m', '1.4.2', '25%', '0.0.0.0/0', '10.0.0.0/8', '1h30m',
  // Timestamps.
  '2026-11-27', '2026-11-27T20:00:00Z', '2026-11-27 20:00:00.5 +01:00', '2026-1-1',
  // Indicators at the start, in the middle and at the end.
  '-', '- a', '-a', '?', '? a', '?a', ':', ': a', ':a', 'a:', 'a: b', 'a:b', 'http://x.svc:8080', 'a :b', ',', 'a,b', '[a]', ']', '{a}', '}',
  '#', '# c', 'a #c', 'a#c', '&a', '*a', '!a', '!!str', '|', '>', "'", "it's", '"', 'say "hi"', '%', '@a', '`a', 'a@sha256:0f',
  ' leading', 'trailing ', 'in side', '\ttab', 'a\tb', 'a\\b',
  // Line breaks and what literal blocks do with them.
  '\n', '\n\n', 'a\n', 'a\n\n', 'a\n\n\n', '\na', '\n\na', 'a\nb', 'a\n\nb', 'a\nb\n', ' a\nb', '\n a', '  indented\nlines\n',
  'a\r\nb', 'a\rb', 'x\n\ty', 'sum(rate(x[5m]))\n  by (le)\n', '{\n  "json": true\n}',
  // Beyond ASCII: printable, separators, BOM, control characters, astral planes.
  'é', 'ünïcode\nlines', '≥ 99.9 %', '—', '\u00a0', '\u0085', '\u2028', 'a\u2029b', '\ufeff', 'a\ufeffb', '\u0000', '\u0007', '\u001b[0m', '\u007f',
  '😀', 'a😀\nb', '\ud800', 'x\udfff',
];

const TRICKY_NUMBERS: readonly number[] = [0, -0, 1, -1, 42, 1.5, -0.25, 0.1, 1e21, 1e-7, 2 ** 53, Number.MAX_VALUE, Number.MIN_VALUE, NaN, Infinity, -Infinity];

/** A small deterministic PRNG, so the generated documents are the same on every run. */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function generatedDocument(random: () => number, depth: number): unknown {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)];
  const alphabet = ['a', 'b', 'Z', '0', '9', '-', '.', '/', '_', ' ', ':', '#', '\n', "'", '"', '\t', 'é', '{', ',', '?', '|'];
  const randomString = (): string => {
    if (random() < 0.5) return pick(TRICKY_STRINGS);
    let s = '';
    const n = Math.floor(random() * 12);
    for (let i = 0; i < n; i++) s += pick(alphabet);
    return s;
  };
  const r = random();
  if (depth <= 0 || r < 0.35) {
    const leaf = random();
    if (leaf < 0.6) return randomString();
    if (leaf < 0.8) return pick(TRICKY_NUMBERS);
    if (leaf < 0.9) return random() < 0.5;
    if (leaf < 0.95) return null;
    return random() < 0.5 ? {} : [];
  }
  if (r < 0.65) {
    const out: Record<string, unknown> = {};
    const n = Math.floor(random() * 5);
    for (let i = 0; i < n; i++) out[randomString()] = random() < 0.1 ? undefined : generatedDocument(random, depth - 1);
    return out;
  }
  const n = Math.floor(random() * 4);
  return Array.from({ length: n }, () => (random() < 0.1 ? undefined : generatedDocument(random, depth - 1)));
}

describe('YamlEmitter', () => {
  test('writes every object of the reference platform exactly as js-yaml does', () => {
    const objects = objectsOfApp(buildReferencePlatform);
    expect(objects.length).toBeGreaterThan(100);
    const emitter = new YamlEmitter();
    for (const o of objects) expect(emitter.dump(o)).toBe(jsYaml(o));
  });

  test('renderApp of the reference fleet writes every chart exactly as js-yaml does', () => {
    // GIVEN the reference fleet (a cluster per region, each a nested app)
    const app = new App({ outdir: fs.mkdtempSync(path.join(require('os').tmpdir(), 'yaml-emitter-')) });
    buildReferenceFleet(app);
    // WHEN it is rendered
    const files = renderApp(app).filter((f) => f.path.endsWith('.k8s.yaml'));
    // THEN every chart file is what js-yaml writes for the documents it holds
    expect(files.length).toBeGreaterThan(20);
    for (const f of files) {
      const docs = yaml.loadAll(f.content);
      expect(f.content).toBe(docs.map(jsYaml).join('---\n'));
    }
  });

  test('every string of up to three characters from YAML\'s indicators, digits and letters, as a value and a key', () => {
    // GIVEN every such string (the scalar styles the emitter decides without js-yaml are decided by them)
    const alphabet = [' ', '-', '?', ':', ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '=', '>', "'", '"', '%', '@', '`', '~', '<', '.', '_', '+', '0', '1', 'e', 'E', 'n', 'N', 'o', 'y', 'Y', 'x', 'b', '\\', '/', '$'];
    const strings: string[] = [...alphabet];
    for (const a of alphabet) for (const b of alphabet) strings.push(a + b);
    for (const a of alphabet) for (const b of alphabet) for (const c of alphabet) strings.push(a + b + c);
    const emitter = new YamlEmitter();
    const differing = strings.filter((s) => emitter.dump({ [s]: s }) !== jsYaml({ [s]: s }));
    // THEN each is written as js-yaml writes it
    expect(differing).toEqual([]);
  });

  test('long lines are never folded, as js-yaml does with lineWidth -1', () => {
    const emitter = new YamlEmitter();
    const long = Array.from({ length: 400 }, (_, i) => `word${i}`).join(' ');
    const docs = [{ long }, { [`k ${long}`.slice(0, 1000)]: long }, { quoted: `${long}: x #y 'z'` }, [`- ${long}`]];
    for (const doc of docs) expect(emitter.dump(doc)).toBe(jsYaml(doc));
  });

  test('writes every object of a generated fleet exactly as js-yaml does', () => {
    const objects = objectsOfApp((app) => buildFleet(app, 12));
    const emitter = new YamlEmitter();
    expect(emitter.dumpAll(objects)).toBe(objects.map(jsYaml).join('---\n'));
  });

  test.each(TRICKY_STRINGS.map((s) => [JSON.stringify(s), s]))('string %s as a value, a key and an item, at every depth', (_, s) => {
    const docs: unknown[] = [
      s,
      { value: s },
      { [s]: 'value' },
      { [s]: { [s]: [s, { [s]: s }] } },
      [s, [s, [s]]],
      { a: { b: { c: [{ d: s, e: [s] }] } } },
    ];
    const emitter = new YamlEmitter();
    for (const doc of docs) expect(emitter.dump(doc)).toBe(jsYaml(doc));
  });

  test('numbers, booleans, null, empty collections and undefined members', () => {
    const emitter = new YamlEmitter();
    const docs: unknown[] = [
      ...TRICKY_NUMBERS, ...TRICKY_NUMBERS.map((n) => ({ n, list: [n] })),
      true, false, null, {}, [], { a: {} }, { a: [] }, [[]], [{}], [[[]]],
      { gone: undefined }, { a: { gone: undefined } }, { a: 1, gone: undefined, b: 2 }, [undefined, 1], { list: [undefined] },
      // eslint-disable-next-line no-sparse-arrays
      [1, , 3],
      { '1': 'numeric key', 'b': 2, '0': 'sorted first by JavaScript' },
    ];
    for (const doc of docs) expect(emitter.dump(doc)).toBe(jsYaml(doc));
  });

  test('leaves shapes JSON does not have to js-yaml', () => {
    const emitter = new YamlEmitter();
    class Thing { public readonly a = 1; }
    const longKey = 'k'.repeat(1025);
    const docs: unknown[] = [
      { when: new Date(Date.UTC(2026, 10, 27)) },
      { thing: new Thing() },
      { [longKey]: 1 },
      { ['k'.repeat(1024)]: 1 },
      { 'multi\nline key': 1 },
      { bytes: new Uint8Array([1, 2, 3]) },
      Object.assign(Object.create(null), { a: 1 }),
      undefined,
    ];
    for (const doc of docs) expect(emitter.dump(doc)).toBe(jsYaml(doc));
    expect(() => emitter.dump({ f: () => 1 })).toThrow(/unacceptable kind of an object to dump/);
  });

  test('tells mappings and sequences apart as js-yaml does, by their toString tag', () => {
    const emitter = new YamlEmitter();
    const docs: unknown[] = [
      { [Symbol.toStringTag]: 'Boolean' },
      { [Symbol.toStringTag]: 'Number', a: 1 },
      { [Symbol.toStringTag]: 'Array', a: 1 },
      Object.assign([1, 2], { [Symbol.toStringTag]: 'Object' }),
    ];
    for (const doc of docs) expect(emitter.dump(doc)).toBe(jsYaml(doc));
    for (const doc of [Math, { a: JSON }, { [Symbol.toStringTag]: 'X', a: 1 }]) {
      expect(() => jsYaml(doc)).toThrow(/unacceptable kind of an object to dump/);
      expect(() => emitter.dump(doc)).toThrow(/unacceptable kind of an object to dump/);
    }
  });

  test('reads every value once and only own keys, as js-yaml does', () => {
    const changing = (first: unknown, then: unknown) => {
      let reads = 0;
      return { a: { get x() { return ++reads === 1 ? first : then; } } };
    };
    expect(new YamlEmitter().dump(changing('first', 'second'))).toBe('a:\n  x: first\n');
    expect(new YamlEmitter().dump(changing(undefined, 'v'))).toBe('a: {}\n');
    const proto = Object.prototype as Record<string, unknown>;
    try {
      proto.inherited = 1;
      expect(new YamlEmitter().dump({ a: 1 })).toBe(jsYaml({ a: 1 }));
    } finally {
      delete proto.inherited;
    }
  });

  test('matches js-yaml on 3,000 generated documents (seeded)', () => {
    const random = mulberry32(8);
    const emitter = new YamlEmitter();
    for (let i = 0; i < 3000; i++) {
      const doc = generatedDocument(random, 5);
      const expected = jsYaml(doc);
      const actual = emitter.dump(doc);
      if (actual !== expected) {
        throw new Error(`document ${i} differs:\n${JSON.stringify(doc)}\njs-yaml:\n${expected}\nemitter:\n${actual}`);
      }
    }
  });

  test('a reused emitter writes what a fresh one writes', () => {
    const random = mulberry32(21);
    const docs = Array.from({ length: 200 }, () => generatedDocument(random, 4));
    const shared = new YamlEmitter();
    expect(shared.dumpAll(docs)).toBe(docs.map((d) => new YamlEmitter().dump(d)).join('---\n'));
  });
});
