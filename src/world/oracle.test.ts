import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  FAMILIES,
  FAMILY_TABLE,
  generateDataset,
  parseQuestion,
  type QuestionSpec,
  type Scene,
  type ShapesScene,
  tierForSteps,
} from './index.ts';

/**
 * The oracle: every answer recomputed from the scene alone, by code written apart from the generators (it shares
 * only the question parser). A generator bug that produced a wrong gold answer shows up here as a disagreement.
 */

type Obj = ShapesScene['objects'][number];
const where = (s: ShapesScene, color: string, shape: string): Obj => {
  const hits = s.objects.filter((o) => o.color === color && o.shape === shape);
  if (hits.length !== 1) throw new Error(`oracle: ${color} ${shape} appears ${hits.length} times`);
  return hits[0];
};
const fits = (o: Obj, f: { color?: string; shape?: string }) =>
  (!f.color || o.color === f.color) && (!f.shape || o.shape === f.shape);
const direction = (o: Obj, rel: string, r: Obj) =>
  rel === 'left' ? o.col < r.col : rel === 'right' ? o.col > r.col : rel === 'above' ? o.row < r.row : o.row > r.row;
const hhmm = (h: number, m: number) => `${h} : ${m < 10 ? '0' : ''}${m}`;

function solve(scene: Scene, q: QuestionSpec): string {
  if (scene.type === 'shapes') {
    const n = (f: { color?: string; shape?: string }) => scene.objects.filter((o) => fits(o, f)).length;
    switch (q.kind) {
      case 'count':
        return String(n(q.filter));
      case 'count-not':
        return String(scene.objects.length - n({ color: q.color }));
      case 'count-more':
        return String(n(q.a) - n(q.b));
      case 'more-than':
        return n(q.a) > n(q.b) ? 'yes' : 'no';
      case 'pos-at': {
        const o = scene.objects.find((x) => x.row === q.row && x.col === q.col);
        return o ? `${o.color} ${o.shape}` : 'nothing';
      }
      case 'pos-relation':
        return direction(where(scene, q.a.color, q.a.shape), q.rel, where(scene, q.b.color, q.b.shape)) ? 'yes' : 'no';
      case 'pos-neighbor': {
        const r = where(scene, q.ref.color, q.ref.shape);
        const row = r.row + (q.rel === 'below' ? 1 : q.rel === 'above' ? -1 : 0);
        const col = r.col + (q.rel === 'right' ? 1 : q.rel === 'left' ? -1 : 0);
        const o = scene.objects.find((x) => x.row === row && x.col === col);
        return o ? `${o.color} ${o.shape}` : 'nothing';
      }
      case 'pos-count': {
        const r = where(scene, q.ref.color, q.ref.shape);
        return String(scene.objects.filter((o) => o !== r && direction(o, q.rel, r)).length);
      }
    }
  }
  if (scene.type === 'bars') {
    const v = (c: string) => scene.bars.filter((b) => b.color === c).map((b) => b.value)[0];
    const values = scene.bars.map((b) => b.value);
    switch (q.kind) {
      case 'bar-value':
        return String(v(q.color));
      case 'bar-taller':
        return v(q.a) > v(q.b) ? 'yes' : 'no';
      case 'bar-extreme': {
        const target = q.which === 'tallest' ? Math.max(...values) : Math.min(...values);
        const hits = scene.bars.filter((b) => b.value === target);
        return hits.length === 1 ? hits[0].color : 'tie';
      }
      case 'bar-diff':
        return String(Math.abs(v(q.a) - v(q.b)));
      case 'bar-sum':
        return String(values.reduce((a, b) => a + b, 0));
      case 'bar-range':
        return String(Math.max(...values) - Math.min(...values));
    }
  }
  if (scene.type === 'triangle') {
    // Only the two labelled angles are read from the scene: the hidden one is what a triangle's sum leaves.
    const shown = scene.angles.filter((_, i) => i !== scene.hidden);
    const third = 180 - shown.reduce((a, b) => a + b, 0);
    if (q.kind === 'third-angle') return String(third);
    if (q.kind === 'largest-angle') return String(Math.max(...shown, third));
  }
  if (scene.type === 'rectangle') {
    if (q.kind === 'rect-side') return String(q.side === 'width' ? scene.width : scene.height);
    if (q.kind === 'rect-area') return String(scene.width * scene.height);
    if (q.kind === 'rect-perimeter') return String(scene.width + scene.height + scene.width + scene.height);
    if (q.kind === 'rect-wider') return scene.width > scene.height ? 'yes' : 'no';
  }
  if (scene.type === 'clock') {
    if (q.kind === 'clock-hour') return String(scene.hour);
    if (q.kind === 'clock-time') return hhmm(scene.hour, scene.minute);
    if (q.kind === 'clock-hour-later') return String(((scene.hour + q.hours - 1) % 12) + 1);
    if (q.kind === 'clock-later') {
      const minutes = (scene.hour % 12) * 60 + scene.minute + q.hours * 60 + q.minutes;
      const h = Math.floor(minutes / 60) % 12;
      return hhmm(h === 0 ? 12 : h, minutes % 60);
    }
  }
  throw new Error(`oracle: question ${q.kind} does not fit a ${scene.type} scene`);
}

describe('every family answer agrees with the oracle', () => {
  const records = generateDataset({ n: 1800, seed: 11, split: 'train', imageSize: 16 });

  it('covers every family and every tier it declares', () => {
    for (const f of FAMILIES) {
      const tiers = new Set(records.filter((r) => r.problem.source === f).map((r) => r.problem.tier));
      expect([...tiers].sort()).toEqual([...FAMILY_TABLE[f].tiers].sort());
    }
  });

  it.each(FAMILIES)('%s', (family) => {
    const mine = records.filter((r) => r.problem.source === family);
    expect(mine.length).toBeGreaterThan(100);
    for (const { problem, scene } of mine) {
      const spec = parseQuestion(problem.question);
      expect(spec, problem.question).not.toBeNull();
      const value = solve(scene, spec as QuestionSpec);
      if (problem.answerType === 'choice') {
        const choices = problem.choices ?? [];
        expect(choices).toHaveLength(4);
        expect(new Set(choices).size).toBe(4);
        expect(choices[problem.answer.charCodeAt(0) - 65], problem.question).toBe(value);
      } else {
        expect(problem.answer, `${problem.id}: ${problem.question}`).toBe(value);
        expect(problem.choices).toBeNull();
      }
    }
  });

  it('spreads answers: no family and tier has a shortcut answer a model could give without looking', () => {
    const groups = new Map<string, string[]>();
    for (const { problem } of records) {
      const key = `${problem.source}/${problem.tier}/${problem.answerType}`;
      groups.set(key, [...(groups.get(key) ?? []), problem.answer]);
    }
    for (const [key, answers] of groups) {
      if (answers.length < 40) continue;
      const counts = new Map<string, number>();
      for (const a of answers) counts.set(a, (counts.get(a) ?? 0) + 1);
      const top = Math.max(...counts.values()) / answers.length;
      expect(top, `${key}: ${JSON.stringify([...counts])}`).toBeLessThan(key.endsWith('yesno') ? 0.68 : 0.45);
    }
  });

  it('tiers follow the number of reasoning steps', () => {
    for (const { problem } of records) {
      expect(problem.tier).toBe(tierForSteps(z.number().parse(problem.metadata.steps)));
    }
  });
});
