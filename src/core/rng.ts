import { fnv1a } from './hash.ts';
/**
 * Seeded random numbers: xoshiro128** seeded through splitmix32 (hand-written: 30 lines, no dependency, and its
 * whole state is four integers that checkpoints save and restore exactly).
 *
 * Every random choice in vlthink comes from an Rng made from a seed; `fork(label)` derives an independent stream
 * (e.g. one per problem) so adding a consumer never shifts another's numbers.
 */
export type RngState = readonly [number, number, number, number];

export interface Rng {
  /** Uniform float in [0, 1) with 32 bits of randomness. */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** Uniform integer in [lo, hi] inclusive. */
  range(lo: number, hi: number): number;
  /** Standard normal (Box-Muller). */
  normal(): number;
  /** True with probability p. */
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
  /** A shuffled copy (Fisher-Yates). */
  shuffle<T>(items: readonly T[]): T[];
  /** An independent stream derived from this one's seed and a label; does not advance this stream. */
  fork(label: string | number): Rng;
  /** The exact state, to save in a checkpoint. */
  state(): RngState;
}

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

function seedState(seed: number): [number, number, number, number] {
  const sm = splitmix32(seed);
  const s: [number, number, number, number] = [sm(), sm(), sm(), sm()];
  if ((s[0] | s[1] | s[2] | s[3]) === 0) s[0] = 1;
  return s;
}

const rotl = (x: number, k: number) => ((x << k) | (x >>> (32 - k))) >>> 0;

/** Make a generator from an integer seed, or restore one from a saved state. */
export function createRng(seed: number | RngState): Rng {
  const s: [number, number, number, number] =
    typeof seed === 'number'
      ? seedState(Math.trunc(seed))
      : [seed[0] >>> 0, seed[1] >>> 0, seed[2] >>> 0, seed[3] >>> 0];
  const origin = typeof seed === 'number' ? Math.trunc(seed) >>> 0 : (s[0] ^ s[1] ^ s[2] ^ s[3]) >>> 0;
  let spare: number | undefined;

  const nextU32 = (): number => {
    const result = Math.imul(rotl(Math.imul(s[1], 5) >>> 0, 7), 9) >>> 0;
    const t = (s[1] << 9) >>> 0;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] = (s[2] ^ t) >>> 0;
    s[3] = rotl(s[3], 11);
    s[0] >>>= 0;
    s[1] >>>= 0;
    s[2] >>>= 0;
    return result;
  };

  const rng: Rng = {
    next: () => nextU32() / 4294967296,
    int: (n) => {
      if (!(n >= 1)) throw new RangeError(`rng.int needs n >= 1, got ${n}`);
      return Math.floor((nextU32() / 4294967296) * n);
    },
    range: (lo, hi) => lo + rng.int(hi - lo + 1),
    normal: () => {
      if (spare !== undefined) {
        const v = spare;
        spare = undefined;
        return v;
      }
      let u = 0;
      while (u === 0) u = rng.next();
      const v = rng.next();
      const r = Math.sqrt(-2 * Math.log(u));
      spare = r * Math.sin(2 * Math.PI * v);
      return r * Math.cos(2 * Math.PI * v);
    },
    chance: (p) => rng.next() < p,
    pick: (items) => {
      if (items.length === 0) throw new RangeError('rng.pick on an empty list');
      return items[rng.int(items.length)] as (typeof items)[number];
    },
    shuffle: (items) => {
      const out = items.slice();
      for (let i = out.length - 1; i > 0; i--) {
        const j = rng.int(i + 1);
        const tmp = out[i] as (typeof out)[number];
        out[i] = out[j] as (typeof out)[number];
        out[j] = tmp;
      }
      return out;
    },
    fork: (label) => createRng((origin ^ fnv1a(String(label))) >>> 0),
    state: () => [s[0], s[1], s[2], s[3]] as const,
  };
  return rng;
}
