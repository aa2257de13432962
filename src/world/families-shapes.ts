import type { Rng } from '../core/index.ts';
import type { Tier } from '../data/types.ts';
import { numberChoices } from './choices.ts';
import { type Family, type FamilyName, type GeneratedProblem, generatedProblem } from './family.ts';
import type { ObjectRef, QuestionSpec, Relation, ShapeFilter } from './question.ts';
import { COLORS, type Color, SHAPES, type Shape, type ShapeObject, type ShapesScene } from './scene.ts';

/** Counting, arithmetic over counts, and relative positions: all drawn as shapes on a grid. */

function matches(o: { color: Color; shape: Shape }, f: ShapeFilter): boolean {
  return (f.color === undefined || o.color === f.color) && (f.shape === undefined || o.shape === f.shape);
}

function countOf(scene: ShapesScene, f: ShapeFilter): number {
  return scene.objects.filter((o) => matches(o, f)).length;
}

/** Distinct (colour, shape) groups present that a filter covers. */
function groupsOf(scene: ShapesScene, f: ShapeFilter): number {
  const keys = new Set(scene.objects.filter((o) => matches(o, f)).map((o) => `${o.color} ${o.shape}`));
  return keys.size;
}

// + 0 turns -0 into 0 (JSON cannot keep -0, so a reloaded scene would differ)
const jitter = (rng: Rng) => Math.round((rng.next() * 0.2 - 0.1) * 100) / 100 + 0;

/** A 4 x 4 counting scene: 3-9 objects from 2-3 colours and 2-3 shapes, so groups repeat and counts stay small. */
function countingScene(rng: Rng): ShapesScene {
  const colors = rng.shuffle(COLORS).slice(0, rng.range(2, 3));
  const shapes = rng.shuffle(SHAPES).slice(0, rng.range(2, 3));
  const n = rng.range(3, 9);
  const cells = rng.shuffle(Array.from({ length: 16 }, (_, i) => i)).slice(0, n);
  const objects: ShapeObject[] = cells
    .sort((a, b) => a - b)
    .map((cell) => ({
      color: rng.pick(colors),
      shape: rng.pick(shapes),
      row: Math.floor(cell / 4),
      col: cell % 4,
      dx: jitter(rng),
      dy: jitter(rng),
    }));
  return { type: 'shapes', rows: 4, cols: 4, positional: false, objects };
}

type Group = { color: Color; shape: Shape; n: number };

/**
 * A 4 x 4 counting scene with planted groups of given sizes plus 0-`maxExtra` distractors that share a colour or a
 * shape with them (so a count must attend to both). Planting keeps answers spread out: in random scenes most groups
 * have one member, and a model could answer "1" without looking.
 */
function plantedScene(rng: Rng, planted: readonly Group[], maxExtra: number): ShapesScene {
  const keys = new Set(planted.map((g) => `${g.color} ${g.shape}`));
  const colors = [...new Set([...planted.map((g) => g.color), rng.pick(COLORS)])];
  const shapes = [...new Set([...planted.map((g) => g.shape), rng.pick(SHAPES)])];
  const others = colors
    .flatMap((color) => shapes.map((shape) => ({ color, shape })))
    .filter((o) => !keys.has(`${o.color} ${o.shape}`));
  const total = planted.reduce((s, g) => s + g.n, 0);
  const extra = others.length === 0 ? 0 : rng.range(0, Math.min(maxExtra, 16 - total));
  const items = [
    ...planted.flatMap((g) => Array.from({ length: g.n }, () => ({ color: g.color, shape: g.shape }))),
    ...Array.from({ length: extra }, () => rng.pick(others)),
  ];
  const cells = rng.shuffle(Array.from({ length: 16 }, (_, i) => i)).slice(0, items.length);
  const objects: ShapeObject[] = rng
    .shuffle(items)
    .map((it, i) => ({ ...it, row: Math.floor(cells[i] / 4), col: cells[i] % 4, dx: jitter(rng), dy: jitter(rng) }))
    .sort((a, b) => a.row * 4 + a.col - (b.row * 4 + b.col));
  return { type: 'shapes', rows: 4, cols: 4, positional: false, objects };
}

function build(
  family: FamilyName,
  tier: Tier,
  steps: number,
  scene: ShapesScene,
  spec: QuestionSpec,
  answer: string,
  answerType: 'number' | 'yesno' | 'text',
  mc: { rng: Rng; slips: number[] } | null = null,
): GeneratedProblem {
  if (mc && answerType === 'number') {
    const set = numberChoices(mc.rng, Number(answer), mc.slips);
    return generatedProblem(family, tier, steps, scene, spec, set.answer, 'choice', set.choices);
  }
  return generatedProblem(family, tier, steps, scene, spec, answer, answerType);
}

/** Every filter of one kind (colour only or shape only) present in the scene with at least `minGroups` groups. */
function partialFilters(scene: ShapesScene, minGroups: number, maxGroups: number): ShapeFilter[] {
  const all: ShapeFilter[] = [...COLORS.map((color) => ({ color })), ...SHAPES.map((shape) => ({ shape }))];
  return all.filter((f) => {
    const g = groupsOf(scene, f);
    return g >= minGroups && g <= maxGroups;
  });
}

/** Sum over g groups: g counts and g - 1 additions. */
const sumSteps = (groups: number) => 2 * groups - 1;

export const countFamily: Family = {
  name: 'count',
  description: 'count shapes by colour and kind (easy: one group; medium: a colour or a kind; hard: "not red")',
  tiers: ['easy', 'medium', 'hard'],
  generate(rng, tier) {
    const mc = rng.chance(0.25) ? { rng, slips: [] } : null;
    if (tier === 'easy') {
      // the asked group has 1-6 members (or, one time in ten, none), among 0-6 distractors
      const target = { color: rng.pick(COLORS), shape: rng.pick(SHAPES) };
      const n = rng.chance(0.1) ? 0 : rng.range(1, 6);
      // a group of 0 still keeps the asked combination out of the distractors
      const scene = plantedScene(rng, [{ ...target, n }], 6);
      if (scene.objects.length === 0) return countFamily.generate(rng, tier);
      const spec: QuestionSpec = { kind: 'count', filter: target };
      return build('count', tier, 1, scene, spec, String(countOf(scene, target)), 'number', mc);
    }
    for (;;) {
      const scene = countingScene(rng);
      if (tier === 'medium') {
        const options = partialFilters(scene, 2, 2);
        if (options.length === 0) continue;
        const filter = rng.pick(options);
        const spec: QuestionSpec = { kind: 'count', filter };
        return build('count', tier, sumSteps(2), scene, spec, String(countOf(scene, filter)), 'number', mc);
      }
      const colors = COLORS.filter((c) => countOf(scene, { color: c }) > 0);
      const color = rng.pick(colors);
      const others = groupsOf(scene, {}) - groupsOf(scene, { color });
      if (others < 3) continue;
      const spec: QuestionSpec = { kind: 'count-not', color };
      const answer = scene.objects.length - countOf(scene, { color });
      return build('count', tier, sumSteps(others), scene, spec, String(answer), 'number', mc);
    }
  },
};

export const countArithFamily: Family = {
  name: 'count-arith',
  description: 'arithmetic over counts: "are there more A than B", "how many more A than B"',
  tiers: ['medium', 'hard'],
  generate(rng, tier) {
    for (;;) {
      if (tier === 'medium') {
        // two planted groups, sizes 1-6 with a difference of 1-4, and a few distractors
        const [ka, kb] = rng.shuffle(COLORS.flatMap((color) => SHAPES.map((shape) => ({ color, shape }))));
        const lo = rng.range(1, 4);
        const hi = lo + rng.range(1, Math.min(4, 6 - lo));
        const [na, nb] = rng.chance(0.5) ? [hi, lo] : [lo, hi];
        const scene = plantedScene(
          rng,
          [
            { ...ka, n: na },
            { ...kb, n: nb },
          ],
          3,
        );
        const a: ShapeFilter = ka;
        const b: ShapeFilter = kb;
        if (rng.chance(0.5)) {
          const spec: QuestionSpec = { kind: 'more-than', a, b };
          return build('count-arith', tier, 3, scene, spec, na > nb ? 'yes' : 'no', 'yesno');
        }
        const [big, small] = na > nb ? [a, b] : [b, a];
        const spec: QuestionSpec = { kind: 'count-more', a: big, b: small };
        const mc = rng.chance(0.25) ? { rng, slips: [Math.abs(na - nb) + Math.min(na, nb) * 2] } : null;
        return build('count-arith', tier, 3, scene, spec, String(Math.abs(na - nb)), 'number', mc);
      }
      const scene = countingScene(rng);
      const options = partialFilters(scene, 1, 3);
      const colorOnly = options.filter((f) => f.color !== undefined);
      const shapeOnly = options.filter((f) => f.shape !== undefined);
      const pool = rng.chance(0.5) && colorOnly.length >= 2 ? colorOnly : shapeOnly;
      if (pool.length < 2) continue;
      const [a, b] = rng.shuffle(pool);
      const na = countOf(scene, a);
      const nb = countOf(scene, b);
      const steps = sumSteps(groupsOf(scene, a)) + sumSteps(groupsOf(scene, b)) + 1;
      if (na === nb || steps < 5) continue;
      // small differences dominate random scenes; thin them so the answer is not guessable
      if (!rng.chance(Math.abs(na - nb) <= 2 ? 0.35 : Math.abs(na - nb) === 3 ? 0.7 : 1)) continue;
      const [big, small] = na > nb ? [a, b] : [b, a];
      const spec: QuestionSpec = { kind: 'count-more', a: big, b: small };
      return build('count-arith', tier, steps, scene, spec, String(Math.abs(na - nb)), 'number');
    }
  },
};

/** A 3 x 3 position scene: 3-5 objects, every (colour, shape) pair at most once so "the red circle" is unambiguous. */
function positionScene(rng: Rng, min: number, max: number): ShapesScene {
  const n = rng.range(min, max);
  const pairs = rng.shuffle(COLORS.flatMap((color) => SHAPES.map((shape) => ({ color, shape })))).slice(0, n);
  const cells = rng.shuffle(Array.from({ length: 9 }, (_, i) => i)).slice(0, n);
  const objects: ShapeObject[] = pairs
    .map((p, i) => ({ ...p, row: Math.floor(cells[i] / 3), col: cells[i] % 3, dx: 0, dy: 0 }))
    .sort((a, b) => a.row * 3 + a.col - (b.row * 3 + b.col));
  return { type: 'shapes', rows: 3, cols: 3, positional: true, objects };
}

/** Whether `o` lies strictly in direction `rel` of `ref` (columns for left/right, rows for above/below). */
export function liesIn(o: { row: number; col: number }, rel: Relation, ref: { row: number; col: number }): boolean {
  switch (rel) {
    case 'left':
      return o.col < ref.col;
    case 'right':
      return o.col > ref.col;
    case 'above':
      return o.row < ref.row;
    case 'below':
      return o.row > ref.row;
  }
}

const STEP: Record<Relation, [number, number]> = { left: [0, -1], right: [0, 1], above: [-1, 0], below: [1, 0] };
const RELATIONS: readonly Relation[] = ['left', 'right', 'above', 'below'];
const refOf = (o: ShapeObject): ObjectRef => ({ color: o.color, shape: o.shape });

export const positionFamily: Family = {
  name: 'position',
  description: 'relative positions on a 3 x 3 grid: what is where, left/right/above/below, counting in a direction',
  tiers: ['easy', 'medium', 'hard'],
  generate(rng, tier) {
    for (;;) {
      if (tier === 'easy') {
        const scene = positionScene(rng, 2, 4);
        const o = rng.pick(scene.objects);
        const spec: QuestionSpec = { kind: 'pos-at', row: o.row, col: o.col };
        return build('position', tier, 1, scene, spec, `${o.color} ${o.shape}`, 'text');
      }
      if (tier === 'medium') {
        const scene = positionScene(rng, 3, 5);
        if (rng.chance(0.5)) {
          // draw the answer first, then a pair and relation that give it, so yes and no come equally often
          const want = rng.chance(0.5);
          const pairs = scene.objects.flatMap((a) =>
            scene.objects.flatMap((b) => (a === b ? [] : RELATIONS.map((rel) => ({ a, b, rel })))),
          );
          const fitting = pairs.filter((p) => liesIn(p.a, p.rel, p.b) === want);
          if (fitting.length === 0) continue;
          const { a, b, rel } = rng.pick(fitting);
          const answer = want ? 'yes' : 'no';
          const spec: QuestionSpec = { kind: 'pos-relation', a: refOf(a), rel, b: refOf(b) };
          return build('position', tier, 3, scene, spec, answer, 'yesno');
        }
        const pairs = scene.objects.flatMap((ref) =>
          RELATIONS.flatMap((rel) => {
            const [dr, dc] = STEP[rel];
            const hit = scene.objects.find((o) => o.row === ref.row + dr && o.col === ref.col + dc);
            return hit ? [{ ref, rel, hit }] : [];
          }),
        );
        if (pairs.length === 0) continue;
        const { ref, rel, hit } = rng.pick(pairs);
        const spec: QuestionSpec = { kind: 'pos-neighbor', rel, ref: refOf(ref) };
        return build('position', tier, 3, scene, spec, `${hit.color} ${hit.shape}`, 'text');
      }
      const scene = positionScene(rng, 4, 5);
      const ref = rng.pick(scene.objects);
      const rel = rng.pick(RELATIONS);
      const answer = scene.objects.filter((o) => o !== ref && liesIn(o, rel, ref)).length;
      if (answer === 0 && rng.chance(0.6)) continue; // zero would otherwise be the most common answer
      const spec: QuestionSpec = { kind: 'pos-count', rel, ref: refOf(ref) };
      // locate the reference, check each other object, then count
      return build('position', tier, scene.objects.length + 1, scene, spec, String(answer), 'number');
    }
  },
};
