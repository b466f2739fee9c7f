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
const LINE_FEED = 10;

/** A document the emitter leaves to js-yaml whole (a shape manifests do not have). */
class NotJsonShaped extends Error {}

/**
 * Writes JSON-shaped documents exactly as `yaml.dump(doc, YAML_DUMP_OPTIONS)` (js-yaml 4) does,
 * about twice as fast on manifests.
 *
 * js-yaml spends most of its time deciding, for every scalar, which style it needs: it tests
 * each string against every implicit type of its schema and scans it character by character.
 * A platform of 1,000 functions has about half a million scalars, mostly the same few thousand
 * strings. Here js-yaml still decides every style that is not obvious, once per distinct
 * string; the emitter only lays out mappings and sequences with js-yaml's own rules (two
 * spaces, sequences indented under their key, `{}` and `[]` when empty, undefined members
 * left out and undefined items written as null). Anything outside JSON's shapes (class
 * instances, keys on several lines or over 1,024 characters, functions) sends the whole
 * document to js-yaml. The test suite checks the emitter against js-yaml on every synthesized
 * object and on generated documents full of YAML's corner cases.
 */
export class YamlEmitter {
  private readonly scalars = new Map<string | number, string>();
  private readonly indents: string[] = [];
  private out: string[] = [];

  /** One document, ending with a newline, byte for byte what js-yaml's `dump` returns. */
  public dump(doc: unknown): string {
    this.out = [];
    try {
      this.node(doc, 0, true);
    } catch (e) {
      if (e instanceof NotJsonShaped) return yaml.dump(doc, YAML_DUMP_OPTIONS);
      throw e;
    }
    this.out.push('\n');
    const text = this.out.join('');
    this.out = [];
    return text;
  }

  /** Documents separated by `---`, as one file. */
  public dumpAll(docs: readonly unknown[]): string {
    return docs.map((d) => this.dump(d)).join('---\n');
  }

  private node(value: unknown, level: number, compact: boolean): void {
    switch (typeof value) {
      case 'string':
        this.string(value, level);
        return;
      case 'number':
        this.out.push(Number.isInteger(value) && !Object.is(value, -0) ? String(value) : this.askJsYaml(value));
        return;
      case 'boolean':
        this.out.push(value ? 'true' : 'false');
        return;
      case 'object':
        // js-yaml tells mappings and sequences by their toString tag, which Symbol.toStringTag can change.
        if (value === null) this.out.push('null');
        else if (Array.isArray(value) && TO_STRING.call(value) === '[object Array]') this.sequence(value, level, compact);
        else if (Object.getPrototypeOf(value) === Object.prototype && TO_STRING.call(value) === '[object Object]') this.mapping(value as Record<string, unknown>, level, compact);
        else throw new NotJsonShaped();
        return;
      default:
        throw new NotJsonShaped();
    }
  }

  private sequence(items: readonly unknown[], level: number, compact: boolean): void {
    if (items.length === 0) {
      this.out.push('[]');
      return;
    }
    const newline = this.newline(level);
    for (let i = 0; i < items.length; i++) {
      if (!compact || i > 0) this.out.push(newline);
      const item = items[i];
      if (item === undefined) {
        this.out.push('- null');
        continue;
      }
      // An item never starts on a line of its own: mappings and sequences in it are compact.
      this.out.push('- ');
      this.node(item, level + 1, true);
    }
  }

  private mapping(members: Record<string, unknown>, level: number, compact: boolean): void {
    const newline = this.newline(level);
    const keys = Object.keys(members);
    let written = 0;
    for (let i = 0; i < keys.length; i++) {
      // Each value is read once, as js-yaml reads it.
      const value = members[keys[i]];
      if (value === undefined) continue;
      if (!compact || written > 0) this.out.push(newline);
      written++;
      this.out.push(this.key(keys[i]));
      const separator = this.out.push('') - 1;
      this.node(value, level + 1, false);
      // What follows the colon depends on what the value wrote, as in js-yaml: a space, unless
      // the value (a non-empty mapping or sequence) starts on the next line.
      this.out[separator] = this.out[separator + 1].charCodeAt(0) === LINE_FEED ? ':' : ': ';
    }
    if (written === 0) this.out.push('{}');
  }

  private key(key: string): string {
    // js-yaml writes keys on several lines or over 1,024 characters as explicit `? ` pairs.
    if (key.includes('\n')) throw new NotJsonShaped();
    const text = key === '' ? "''" : PLAIN_AS_IS.test(key) && !QUOTED_WORDS.has(key) ? key : this.askJsYaml(key);
    if (text.length > 1024) throw new NotJsonShaped();
    return text;
  }

  private string(value: string, level: number): void {
    if (value === '') {
      this.out.push("''");
    } else if (PLAIN_AS_IS.test(value) && !QUOTED_WORDS.has(value)) {
      this.out.push(value);
    } else if (!value.includes('\n')) {
      this.out.push(this.askJsYaml(value));
    } else if (LITERAL_AS_IS.test(value)) {
      this.literal(value, level);
    } else {
      // Beyond ASCII js-yaml decides: a literal block (laid out here at this level), or, for
      // characters a literal block cannot hold, one escaped double-quoted line.
      const text = yaml.dump(value, YAML_DUMP_OPTIONS).slice(0, -1);
      if (text.startsWith('|')) this.literal(value, level);
      else this.out.push(text);
    }
  }

  /** js-yaml's literal block: its header, then every line indented (empty lines stay empty). */
  private literal(value: string, level: number): void {
    const clip = value.endsWith('\n');
    const keep = clip && (value[value.length - 2] === '\n' || value === '\n');
    this.out.push('|', /^\n* /.test(value) ? '2' : '', keep ? '+' : clip ? '' : '-');
    const indent = this.newline(Math.max(1, level));
    const end = clip ? value.length - 1 : value.length;
    let start = 0;
    for (;;) {
      let stop = value.indexOf('\n', start);
      if (stop === -1) stop = end;
      this.out.push(stop > start ? indent + value.slice(start, stop) : '\n');
      if (stop >= end) return;
      start = stop + 1;
    }
  }

  /** How js-yaml writes a scalar on its own; the same text wherever a single-line scalar stands. */
  private askJsYaml(value: string | number): string {
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
