/** A deterministic pseudo-random sequence in [0, 1), so a failure can be replayed. */
export function random(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
}

/**
 * `count` DNS labels of every shape: `fixed` first (for example the stand-ins of a template,
 * one character, 63 characters, digits first, dots), then random ones of 1 to 30 characters,
 * hyphens only inside.
 */
export function generatedNames(next: () => number, count: number, fixed: readonly string[]): string[] {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const out = [...fixed];
  while (out.length < count) {
    const length = 1 + Math.floor(next() * 30);
    let s = '';
    for (let i = 0; i < length; i++) {
      const inner = i > 0 && i < length - 1;
      s += inner && next() < 0.2 ? '-' : alphabet[Math.floor(next() * alphabet.length)];
    }
    out.push(s);
  }
  return out;
}
