import type { Rng } from '../core/index.ts';
import { makeChoices, numberChoices } from './choices.ts';
import { type Family, generatedProblem } from './family.ts';
import type { QuestionSpec } from './question.ts';
import { type BarsScene, COLORS } from './scene.ts';

/** Bar charts: 2-4 bars told apart by colour, values 1-6 read against unit gridlines. */

const MAX_VALUE = 6;

function barsScene(rng: Rng, min: number, max: number, distinct: boolean): BarsScene {
  const n = rng.range(min, max);
  const colors = rng.shuffle(COLORS).slice(0, n);
  const values = distinct
    ? rng.shuffle(Array.from({ length: MAX_VALUE }, (_, i) => i + 1)).slice(0, n)
    : colors.map(() => rng.range(1, MAX_VALUE));
  return { type: 'bars', maxValue: MAX_VALUE, bars: colors.map((color, i) => ({ color, value: values[i] })) };
}

export const barValueFamily: Family = {
  name: 'bar-value',
  description: 'read one bar of a bar chart',
  tiers: ['easy'],
  generate(rng, tier) {
    const scene = barsScene(rng, 2, 4, false);
    const bar = rng.pick(scene.bars);
    const spec: QuestionSpec = { kind: 'bar-value', color: bar.color };
    if (rng.chance(0.3)) {
      const others = scene.bars.filter((b) => b !== bar).map((b) => b.value);
      const set = numberChoices(rng, bar.value, others, 1, 1);
      return generatedProblem('bar-value', tier, 1, scene, spec, set.answer, 'choice', set.choices);
    }
    return generatedProblem('bar-value', tier, 1, scene, spec, String(bar.value), 'number');
  },
};

export const barCompareFamily: Family = {
  name: 'bar-compare',
  description: 'compare bars: is one taller than another (medium), which is the tallest / shortest (medium, hard)',
  tiers: ['medium', 'hard'],
  generate(rng, tier) {
    if (tier === 'medium' && rng.chance(0.5)) {
      const scene = barsScene(rng, 2, 4, true);
      const [a, b] = rng.shuffle(scene.bars);
      const spec: QuestionSpec = { kind: 'bar-taller', a: a.color, b: b.color };
      return generatedProblem('bar-compare', tier, 3, scene, spec, a.value > b.value ? 'yes' : 'no', 'yesno');
    }
    // n reads and one pick: 3 bars -> 4 steps (medium), 4 bars -> 5 steps (hard)
    const n = tier === 'medium' ? 3 : 4;
    const scene = barsScene(rng, n, n, true);
    const which = rng.pick(['tallest', 'shortest'] as const);
    const sorted = [...scene.bars].sort((x, y) => x.value - y.value);
    const gold = (which === 'tallest' ? sorted[sorted.length - 1] : sorted[0]).color;
    const set = makeChoices(rng, gold, rng.shuffle(COLORS), () => rng.pick(COLORS));
    const spec: QuestionSpec = { kind: 'bar-extreme', which };
    return generatedProblem('bar-compare', tier, n + 1, scene, spec, set.answer, 'choice', set.choices);
  },
};

export const barArithFamily: Family = {
  name: 'bar-arith',
  description: 'arithmetic over bars: a difference (medium); the sum of all bars, tallest minus shortest (hard)',
  tiers: ['medium', 'hard'],
  generate(rng, tier) {
    if (tier === 'medium') {
      const scene = barsScene(rng, 2, 4, true);
      const [x, y] = rng.shuffle(scene.bars);
      const [a, b] = x.value > y.value ? [x, y] : [y, x];
      const spec: QuestionSpec = { kind: 'bar-diff', a: a.color, b: b.color };
      return generatedProblem('bar-arith', tier, 3, scene, spec, String(a.value - b.value), 'number');
    }
    if (rng.chance(0.5)) {
      const scene = barsScene(rng, 3, 4, false);
      const sum = scene.bars.reduce((s, b) => s + b.value, 0);
      const spec: QuestionSpec = { kind: 'bar-sum' };
      return generatedProblem('bar-arith', tier, 2 * scene.bars.length - 1, scene, spec, String(sum), 'number');
    }
    const scene = barsScene(rng, 3, 4, true);
    const values = scene.bars.map((b) => b.value);
    const spec: QuestionSpec = { kind: 'bar-range' };
    const answer = Math.max(...values) - Math.min(...values);
    return generatedProblem('bar-arith', tier, scene.bars.length + 3, scene, spec, String(answer), 'number');
  },
};
