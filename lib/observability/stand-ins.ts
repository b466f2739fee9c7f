import { ServiceLevelObjective } from './objectives';

// What the dashboard and rule templates share: texts built once per shape with stand-in
// strings, cut at the stand-ins and filled with each function's own strings.

/**
 * Values that pass unchanged through every way the dashboards and rules write a function's
 * strings: concatenation, `quote` (JSON.stringify) and a final JSON.stringify leave lowercase
 * letters, digits, '-' and '.' alone. DNS labels and names, and the UIDs made of them, are
 * such values; anything else is built the direct way. @internal
 */
export const VERBATIM = /^[a-z0-9][a-z0-9.-]*$/;

/** A text cut at every stand-in: literal parts, and between them the index of the slot that goes there. @internal */
export type Pieces = readonly (string | number)[];

/** `text` cut at every occurrence of one of `standIns`; a piece's number is the stand-in's index. @internal */
export function cut(text: string, standIns: readonly string[]): Pieces {
  const pattern = new RegExp(standIns.join('|'), 'g');
  const out: (string | number)[] = [];
  let from = 0;
  for (let m = pattern.exec(text); m !== null; m = pattern.exec(text)) {
    out.push(text.slice(from, m.index), standIns.indexOf(m[0]));
    from = m.index + m[0].length;
  }
  out.push(text.slice(from));
  return out;
}

/** The text of `pieces` with `slots` put in. @internal */
export function fill(pieces: Pieces, slots: readonly string[]): string {
  let out = '';
  for (const p of pieces) out += typeof p === 'number' ? slots[p] : p;
  return out;
}

/** A number as a key: every value that prints differently gets its own (JSON would make NaN and undefined both null). @internal */
export function numberKey(n: number | undefined): string {
  return Object.is(n, -0) ? '-0' : String(n);
}

/**
 * Keys of objectives for a shape key, each computed once: the objectives are mostly shared
 * by the functions (a stack's defaults) and do not change during a synthesis. @internal
 */
export class ObjectiveKeys {
  private readonly keys = new Map<ServiceLevelObjective, string>();

  /** The key of `o`: what of it a template depends on. */
  public readonly of = (o: ServiceLevelObjective): string => {
    let key = this.keys.get(o);
    if (key === undefined) {
      key = JSON.stringify([o.kind, o.name, numberKey(o.targetPercent), numberKey(o.thresholdMilliseconds)]);
      this.keys.set(o, key);
    }
    return key;
  };
}
