import type { Rng } from '../src/core/index.ts';

/**
 * One seeded gold answer of the mix the verifier benches score (`bench cli`, `bench reward-server`): kind 0 a number,
 * 1 a LaTeX fraction, 2 an option letter, 3 yes/no.
 */
export function seededGold(rng: Rng): { kind: number; gold: string } {
  const kind = rng.int(4);
  const gold =
    kind === 0
      ? String(rng.int(200))
      : kind === 1
        ? `\\frac{${1 + rng.int(9)}}{${2 + rng.int(9)}}`
        : kind === 2
          ? rng.pick(['A', 'B', 'C', 'D'])
          : rng.pick(['yes', 'no']);
  return { kind, gold };
}
