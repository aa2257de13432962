import { CHOICE_LETTERS, type Rng } from '../core/index.ts';

/** Multiple choice: four options A-D, the gold among plausible distractors, in a seeded order. */
export const LETTERS: readonly string[] = CHOICE_LETTERS.slice(0, 4).split('');

export interface ChoiceSet {
  readonly choices: string[];
  /** The gold option's letter. */
  readonly answer: string;
}

/**
 * Options from the gold text and candidate distractors (tried in order, duplicates skipped); `filler` supplies more
 * when the candidates run out. Throws if it cannot find three distinct distractors (a generator bug, not bad input).
 */
export function makeChoices(rng: Rng, gold: string, candidates: readonly string[], filler: () => string): ChoiceSet {
  const options = [gold];
  for (const c of candidates) {
    if (options.length === 4) break;
    if (!options.includes(c)) options.push(c);
  }
  for (let tries = 0; options.length < 4 && tries < 200; tries++) {
    const c = filler();
    if (!options.includes(c)) options.push(c);
  }
  if (options.length < 4) throw new Error(`makeChoices: could not find 3 distractors for '${gold}'`);
  const shuffled = rng.shuffle(options);
  return { choices: shuffled, answer: LETTERS[shuffled.indexOf(gold)] };
}

/** Numeric distractors: near misses (off by one step) first, then the family's typical slips. */
export function numberChoices(rng: Rng, gold: number, slips: readonly number[], step = 1, min = 0): ChoiceSet {
  const near = rng.shuffle([gold + step, gold - step, gold + 2 * step, gold - 2 * step]);
  const candidates = [...rng.shuffle(slips), ...near].filter((v) => v >= min && v !== gold).map(String);
  return makeChoices(rng, String(gold), candidates, () => String(Math.max(min, gold + step * rng.range(-4, 4))));
}
