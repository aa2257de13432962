import type { Rng } from '../core/index.ts';
import { makeChoices, numberChoices } from './choices.ts';
import { type Family, generatedProblem } from './family.ts';
import type { QuestionSpec } from './question.ts';
import { type ClockScene, type RectangleScene, styleOffset, type TriangleScene, timeText, wrapHour } from './scene.ts';

/** Labelled geometry (triangle angles, rectangle sides) and clocks. */

/** Angles in tens, each 30-110 degrees, so every vertex has room for its label. */
function triangleScene(rng: Rng): TriangleScene {
  for (;;) {
    const a = rng.range(3, 10) * 10;
    const b = rng.range(3, 10) * 10;
    const c = 180 - a - b;
    if (c < 30 || c > 110) continue;
    return { type: 'triangle', angles: [a, b, c], hidden: rng.int(3) as 0 | 1 | 2, mirrored: rng.chance(0.5) };
  }
}

export const triangleFamily: Family = {
  name: 'triangle-angle',
  description: 'angles of a labelled triangle: the missing angle (medium), the largest angle (hard)',
  tiers: ['medium', 'hard'],
  generate(rng, tier) {
    const scene = triangleScene(rng);
    const known = scene.angles.filter((_, i) => i !== scene.hidden);
    const missing = scene.angles[scene.hidden];
    if (tier === 'medium') {
      const spec: QuestionSpec = { kind: 'third-angle' };
      // read, read, add, subtract from 180
      if (rng.chance(0.5)) {
        const slips = [known[0] + known[1], 180 - known[0], 180 - known[1], 90 - known[0]].filter((v) => v > 0);
        const set = numberChoices(rng, missing, slips, 10, 10);
        return generatedProblem('triangle-angle', tier, 4, scene, spec, set.answer, 'choice', set.choices);
      }
      return generatedProblem('triangle-angle', tier, 4, scene, spec, String(missing), 'number');
    }
    const spec: QuestionSpec = { kind: 'largest-angle' };
    return generatedProblem('triangle-angle', tier, 5, scene, spec, String(Math.max(...scene.angles)), 'number');
  },
};

export const rectangleFamily: Family = {
  name: 'rectangle',
  description: 'a rectangle with labelled sides: one side (easy), area or wider-than-tall (medium), perimeter (hard)',
  tiers: ['easy', 'medium', 'hard'],
  generate(rng, tier) {
    const width = rng.range(2, 9);
    let height = rng.range(2, 9);
    while (height === width) height = rng.range(2, 9);
    const scene: RectangleScene = {
      type: 'rectangle',
      width,
      height,
      dx: styleOffset(rng.next, 0.06),
      dy: styleOffset(rng.next, 0.06),
    };
    if (tier === 'easy') {
      const side = rng.pick(['width', 'height'] as const);
      return generatedProblem('rectangle', tier, 1, scene, { kind: 'rect-side', side }, String(scene[side]), 'number');
    }
    if (tier === 'medium') {
      if (rng.chance(0.3)) {
        return generatedProblem(
          'rectangle',
          tier,
          3,
          scene,
          { kind: 'rect-wider' },
          width > height ? 'yes' : 'no',
          'yesno',
        );
      }
      return generatedProblem('rectangle', tier, 3, scene, { kind: 'rect-area' }, String(width * height), 'number');
    }
    // read both sides, infer the two opposite sides, add the four
    const spec: QuestionSpec = { kind: 'rect-perimeter' };
    return generatedProblem('rectangle', tier, 5, scene, spec, String(2 * (width + height)), 'number');
  },
};

function addTime(hour: number, minute: number, dh: number, dm: number): { hour: number; minute: number } {
  const total = minute + dm;
  return { hour: wrapHour(hour + dh + Math.floor(total / 60)), minute: total % 60 };
}

function clockStyle(rng: Rng) {
  return { radius: rng.range(36, 46) / 100, dx: styleOffset(rng.next, 0.04), dy: styleOffset(rng.next, 0.04) };
}

/**
 * Hour arithmetic on a clock at the full hour: read the hour hand, add 2-11 hours, wrap past 12 (about half the sums
 * pass 12). The steps are what make it learnable: written out, a model reuses what it learned reading hours and one
 * addition table; asked for the answer alone, it must learn 12 x 10 image-offset pairs at once. 2-11, not 2-5: with
 * the smaller table the tiny VLM learned the family in one round and the loop had nothing left to improve.
 */
export const clockArithFamily: Family = {
  name: 'clock-arith',
  description: 'the hour a clock will show some hours later: read the hour hand, add, wrap past 12 (medium)',
  tiers: ['medium'],
  generate(rng, tier) {
    const hour = rng.range(1, 12);
    const scene: ClockScene = { type: 'clock', hour, minute: 0, ...clockStyle(rng) };
    const hours = rng.range(2, 11);
    const spec: QuestionSpec = { kind: 'clock-hour-later', hours };
    return generatedProblem('clock-arith', tier, 3, scene, spec, String(wrapHour(hour + hours)), 'number');
  },
};

export const clockFamily: Family = {
  name: 'clock',
  description:
    'read an analogue clock: the hour (easy), the time (medium), the time some hours and minutes later (hard)',
  tiers: ['easy', 'medium', 'hard'],
  generate(rng, tier) {
    const hour = rng.range(1, 12);
    const style = clockStyle(rng);
    if (tier === 'easy') {
      const scene: ClockScene = { type: 'clock', hour, minute: 0, ...style };
      return generatedProblem('clock', tier, 1, scene, { kind: 'clock-hour' }, String(hour), 'number');
    }
    const minute = rng.pick([0, 15, 30, 45]);
    const scene: ClockScene = { type: 'clock', hour, minute, ...style };
    const randomTime = () => timeText(rng.range(1, 12), rng.pick([0, 15, 30, 45]));
    if (tier === 'medium') {
      // read the hour hand, read the minute hand, turn its number into minutes
      const slips = [
        timeText(wrapHour(hour + 1), minute),
        timeText(hour, (minute + 30) % 60),
        timeText(wrapHour(minute === 0 ? 12 : minute / 5), (hour % 12) * 5),
        timeText(wrapHour(hour - 1), minute),
      ];
      const set = makeChoices(rng, timeText(hour, minute), rng.shuffle(slips), randomTime);
      return generatedProblem('clock', tier, 3, scene, { kind: 'clock-time' }, set.answer, 'choice', set.choices);
    }
    const dh = rng.range(1, 4);
    const dm = rng.pick([15, 30, 45]);
    const later = addTime(hour, minute, dh, dm);
    const noCarry = addTime(hour, minute % 60, dh, dm - (minute + dm >= 60 ? 60 : 0));
    const slips = [
      timeText(noCarry.hour, later.minute),
      timeText(wrapHour(later.hour + 1), later.minute),
      timeText(later.hour, (later.minute + 15) % 60),
      timeText(wrapHour(hour + dh), minute),
    ];
    const set = makeChoices(rng, timeText(later.hour, later.minute), rng.shuffle(slips), randomTime);
    const spec: QuestionSpec = { kind: 'clock-later', hours: dh, minutes: dm };
    // read hour, read minutes, add minutes, carry an hour, add hours, wrap past 12
    return generatedProblem('clock', tier, 6, scene, spec, set.answer, 'choice', set.choices);
  },
};
