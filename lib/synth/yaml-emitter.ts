import * as yaml from 'js-yaml';

/**
 * The js-yaml options of every document this library writes: no anchors, no line folding.
 * (Typed without js-yaml's types, which a user of the package need not install.)
 */
export const YAML_DUMP_OPTIONS = { noRefs: true, lineWidth: -1 } as const;

/**
 * Strings js-yaml writes as they are, without asking it: a letter, then letters, digits and
 * `_./-` (names, labels, kinds, API versions: most scalars of a manifest). No implicit YAML
 * type starts with a letter except the words in {@link QUOTED_WORDS}, and none of these
 * characters needs quoting in plain style.
 */
const PLAIN_AS_IS = /^[A-Za-z][A-Za-z0-9_./-]*$/;

/**
 * The words of that shape js-yaml quotes: YAML 1.2 null and booleans, and the YAML 1.1
 * booleans it quotes for older parsers (go-yaml, which Kubernetes tooling uses, reads
 * `on` and `yes` as booleans).
 */
const QUOTED_WORDS: ReadonlySet<string> = new Set([
  'null', 'Null', 'NULL', 'true', 'True', 'TRUE', 'false', 'False', 'FALSE',
  'y', 'Y', 'yes', 'Yes', 'YES', 'n', 'N', 'no', 'No', 'NO', 'on', 'On', 'ON', 'off', 'Off', 'OFF',
]);

/** Multi-line strings that js-yaml writes as a literal block without asking it: printable ASCII and newlines. */
const LITERAL_AS_IS = /^[\n\x20-\x7E]*$/;

const TO_STRING = Object.prototype.toString;

/**
 * First characters of every string an implicit type of js-yaml's default schema could read
 * (null's `~`, integers, floats, timestamps, merge keys `<<`, YAML 1.1 base-60 numbers),
 * besides the words in {@link QUOTED_WORDS}: such strings are left to js-yaml.
 */
const MAYBE_IMPLICIT = /^[-+.0-9_~<]/;

const SPACE = 0x20;
const SHARP = 0x23;
const COLON = 0x3a;

/**
 * Characters js-yaml's plain style may start with, among printable ASCII: not a space nor a YAML
 * indicator (`isPlainSafeFirst`).
 */
const PLAIN_FIRST: readonly boolean[] = Array.from({ length: 0x7f }, (_, c) => c > SPACE && !'-?:,[]{}#&*!|=>\'"%@`'.includes(String.fromCharCode(c)));

/**
 * js-yaml's scalar style (`chooseScalarStyle` and `writeScalar`, block context, no line width)
 * for a non-empty single-line string of printable ASCII that no implicit type reads: plain,
 * unless it starts with an indicator or a space, ends with a space or a colon, or holds `: `
 * or ` #`; then single-quoted, with `'` doubled. Anything else is left to js-yaml (undefined).
 */
function plainOrQuoted(value: string): string | undefined {
  if (MAYBE_IMPLICIT.test(value) || QUOTED_WORDS.has(value)) return undefined;
  let plain = PLAIN_FIRST[value.charCodeAt(0)] === true;
  let prev = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < SPACE || c > 0x7e) return undefined;
    if ((c === SHARP && prev === SPACE) || (c === SPACE && prev === COLON)) plain = false;
    prev = c;
  }
  if (prev === SPACE || prev === COLON) plain = false;
  return plain ? value : `'${value.replace(/'/g, "''")}'`;
}

/** A document the emitter leaves to js-yaml whole (a shape manifests do not have). */
class NotJsonShaped extends Error {}

/**
 * Writes JSON-shaped documents exactly as `yaml.dump(doc, YAML_DUMP_OPTIONS)` (js-yaml 4) does,
 * about twice as fast on manifests.
 *
 * js-yaml spends most of its time deciding, for every scalar, which style it needs: it tests
 * each string against every implicit type of its schema and scans it character by character.
 * A platform of 1,000 functions has about half a million scalars, mostly the same few thousand
 * strings. Here the style of a single-line printable ASCII string no implicit type reads
 * (plain or single-quoted) is decided by js-yaml's own rules, restated in {@link plainOrQuoted};
 * js-yaml decides every other style, once per distinct string. The emitter lays out mappings
 * and sequences with js-yaml's own rules (two spaces, sequences indented under their key, `{}`
 * and `[]` when empty, undefined members left out and undefined items written as null). Anything outside JSON's shapes (class
 * instances, keys on several lines or over 1,024 characters, functions) sends the whole
 * document to js-yaml. The test suite checks the emitter against js-yaml on every synthesized
 * object and on generated documents full of YAML's corner cases.
 */
export class YamlEmitter {
  private readonly scalars = new Map<string | number, string>();
  private readonly indents: string[] = [];
  /** The pieces of the document being written, joined once at its end. */
  private out: string[] = [];

  /** One document, ending with a newline, byte for byte what js-yaml's `dump` returns. */
  public dump(doc: unknown): string {
    const pieces: string[] = [];
    this.out = pieces;
    try {
      this.node(doc, 0, true, '');
    } catch (e) {
      if (e instanceof NotJsonShaped) return yaml.dump(doc, YAML_DUMP_OPTIONS);
      throw e;
    } finally {
      // The pieces are garbage once joined or abandoned.
      this.out = [];
    }
    pieces.push('\n');
    return pieces.join('');
  }

  /** Documents separated by `---`, as one file. */
  public dumpAll(docs: readonly unknown[]): string {
    return docs.map((d) => this.dump(d)).join('---\n');
  }

  /**
   * Writes `value`. `lead` goes before it unless it starts on a line of its own: a mapping's
   * value follows `key:` with a space, unless it is a non-empty mapping or sequence (as in js-yaml).
   */
  private node(value: unknown, level: number, compact: boolean, lead: string): void {
    switch (typeof value) {
      case 'string':
        this.string(value, level, lead);
        return;
      case 'number':
        this.out.push(lead, Number.isInteger(value) && !Object.is(value, -0) ? String(value) : this.askJsYaml(value));
        return;
      case 'boolean':
        this.out.push(lead, value ? 'true' : 'false');
        return;
      case 'object':
        // js-yaml tells mappings and sequences by their toString tag, which Symbol.toStringTag can change.
        if (value === null) this.out.push(lead, 'null');
        else if (Array.isArray(value) && TO_STRING.call(value) === '[object Array]') this.sequence(value, level, compact, lead);
        else if (Object.getPrototypeOf(value) === Object.prototype && TO_STRING.call(value) === '[object Object]') this.mapping(value as Record<string, unknown>, level, compact, lead);
        else throw new NotJsonShaped();
        return;
      default:
        throw new NotJsonShaped();
    }
  }

  private sequence(items: readonly unknown[], level: number, compact: boolean, lead: string): void {
    if (items.length === 0) {
      this.out.push(lead, '[]');
      return;
    }
    const newline = this.newline(level);
    for (let i = 0; i < items.length; i++) {
      this.out.push(!compact || i > 0 ? newline : lead);
      const item = items[i];
      if (item === undefined) {
        this.out.push('- null');
        continue;
      }
      // An item never starts on a line of its own: mappings and sequences in it are compact.
      this.out.push('-');
      this.node(item, level + 1, true, ' ');
    }
  }

  private mapping(members: Record<string, unknown>, level: number, compact: boolean, lead: string): void {
    const newline = this.newline(level);
    const keys = Object.keys(members);
    let written = 0;
    for (let i = 0; i < keys.length; i++) {
      // Each value is read once, as js-yaml reads it.
      const value = members[keys[i]];
      if (value === undefined) continue;
      this.out.push(!compact || written > 0 ? newline : lead, this.key(keys[i]), ':');
      written++;
      this.node(value, level + 1, false, ' ');
    }
    if (written === 0) this.out.push(lead, '{}');
  }

  private key(key: string): string {
    // js-yaml writes keys on several lines or over 1,024 characters as explicit `? ` pairs.
    if (key.includes('\n')) throw new NotJsonShaped();
    const text = key === '' ? "''" : PLAIN_AS_IS.test(key) && !QUOTED_WORDS.has(key) ? key : this.scalar(key);
    if (text.length > 1024) throw new NotJsonShaped();
    return text;
  }

  private string(value: string, level: number, lead: string): void {
    if (value === '') {
      this.out.push(lead, "''");
    } else if (PLAIN_AS_IS.test(value) && !QUOTED_WORDS.has(value)) {
      this.out.push(lead, value);
    } else if (!value.includes('\n')) {
      this.out.push(lead, this.scalar(value));
    } else if (LITERAL_AS_IS.test(value)) {
      this.literal(value, level, lead);
    } else {
      // Beyond ASCII js-yaml decides: a literal block (laid out here at this level), or, for
      // characters a literal block cannot hold, one escaped double-quoted line.
      const text = yaml.dump(value, YAML_DUMP_OPTIONS).slice(0, -1);
      if (text.startsWith('|')) this.literal(value, level, lead);
      else this.out.push(lead, text);
    }
  }

  /** js-yaml's literal block: its header, then every line indented (empty lines stay empty). */
  private literal(value: string, level: number, lead: string): void {
    const clip = value.endsWith('\n');
    const keep = clip && (value[value.length - 2] === '\n' || value === '\n');
    this.out.push(lead, '|', /^\n* /.test(value) ? '2' : '', keep ? '+' : clip ? '' : '-');
    const indent = this.newline(Math.max(1, level));
    const end = clip ? value.length - 1 : value.length;
    let start = 0;
    for (;;) {
      let stop = value.indexOf('\n', start);
      if (stop === -1) stop = end;
      if (stop > start) this.out.push(indent, value.slice(start, stop));
      else this.out.push('\n');
      if (stop >= end) return;
      start = stop + 1;
    }
  }

  /**
   * How js-yaml writes a single-line string, non-empty, as a key or a value: decided here
   * ({@link plainOrQuoted}) when it can be, else by js-yaml; once per distinct string.
   */
  private scalar(value: string): string {
    let text = this.scalars.get(value);
    if (text === undefined) {
      text = plainOrQuoted(value) ?? yaml.dump(value, YAML_DUMP_OPTIONS).slice(0, -1);
      this.scalars.set(value, text);
    }
    return text;
  }

  /** How js-yaml writes a number that is not a plain integer; once per distinct number. */
  private askJsYaml(value: number): string {
    let text = this.scalars.get(value);
    if (text === undefined) {
      text = yaml.dump(value, YAML_DUMP_OPTIONS).slice(0, -1);
      this.scalars.set(value, text);
    }
    return text;
  }

  /** A line break and the indentation of `level`. */
  private newline(level: number): string {
    return this.indents[level] ??= '\n' + '  '.repeat(level);
  }
}
