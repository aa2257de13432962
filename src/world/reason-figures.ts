import type { Rng } from '../core/index.ts';
import type { CaptionFacts } from './caption-facts.ts';
import type { QuestionSpec } from './question.ts';
import { say } from './reader-phrases.ts';
import type { Reasoning } from './reason-shapes.ts';
import { type Color, timeText, wrapHour } from './scene.ts';

/** The reader on bar charts, labelled triangles and rectangles, and clocks. Missing facts become guesses. */

function readBar(rng: Rng, facts: CaptionFacts, color: Color, lines: string[]): number {
  const v = facts.bars.get(color);
  if (v !== undefined) {
    lines.push(say(rng, 'readBar', { color, v }));
    return v;
  }
  const guess = rng.range(1, 6);
  lines.push(say(rng, 'guessBar', { color, v: guess }));
  return guess;
}

/** Every bar the caption gives, plus a guess for each bar it announced but did not describe. */
function readAllBars(rng: Rng, facts: CaptionFacts, lines: string[]): { color: Color | null; v: number }[] {
  const out: { color: Color | null; v: number }[] = [];
  for (const [color, v] of facts.bars) {
    lines.push(say(rng, 'readBar', { color, v }));
    out.push({ color, v });
  }
  const missing = (facts.barCount ?? out.length) - out.length;
  for (let i = 0; i < missing; i++) {
    const v = rng.range(1, 6);
    lines.push(say(rng, 'guessOtherBar', { v }));
    out.push({ color: null, v });
  }
  return out;
}

export function reasonBars(rng: Rng, spec: QuestionSpec, facts: CaptionFacts): Reasoning | null {
  const lines: string[] = [];
  switch (spec.kind) {
    case 'bar-value': {
      const v = readBar(rng, facts, spec.color, lines);
      const line = say(rng, 'barValue', { color: spec.color, v });
      lines.push(line);
      return { lines, check: [line], value: String(v), summary: `the ${spec.color} bar is at ${v} .` };
    }
    case 'bar-taller': {
      const a = readBar(rng, facts, spec.a, lines);
      const b = readBar(rng, facts, spec.b, lines);
      const line = say(rng, a > b ? 'compareBars' : 'compareBarsNo', { a, b });
      lines.push(line);
      return {
        lines,
        check: [line],
        value: a > b ? 'yes' : 'no',
        summary: `the ${spec.a} bar is ${a} and the ${spec.b} bar is ${b} .`,
      };
    }
    case 'bar-extreme': {
      const bars = readAllBars(rng, facts, lines).filter((b) => b.color !== null);
      if (bars.length === 0) return null;
      const pick = bars.reduce((best, b) =>
        spec.which === 'tallest' ? (b.v > best.v ? b : best) : b.v < best.v ? b : best,
      );
      const color = pick.color ?? 'red';
      const line = say(rng, 'extreme', { which: spec.which, color, v: pick.v });
      lines.push(line);
      return { lines, check: [line], value: color, summary: `the ${color} bar is the ${spec.which} .` };
    }
    case 'bar-diff': {
      const a = readBar(rng, facts, spec.a, lines);
      const b = readBar(rng, facts, spec.b, lines);
      const [hi, lo] = a >= b ? [a, b] : [b, a];
      const line = say(rng, 'barDiff', { a: hi, b: lo, n: hi - lo });
      lines.push(line);
      return { lines, check: [line], value: String(hi - lo), summary: `${hi} - ${lo} = ${hi - lo} .` };
    }
    case 'bar-sum': {
      const bars = readAllBars(rng, facts, lines);
      const n = bars.reduce((s, b) => s + b.v, 0);
      const line = say(rng, 'barSum', { expr: bars.map((b) => b.v).join(' + ') || '0', n });
      lines.push(line);
      return { lines, check: [line], value: String(n), summary: `the bars add up to ${n} .` };
    }
    case 'bar-range': {
      const values = readAllBars(rng, facts, lines).map((b) => b.v);
      if (values.length === 0) return null;
      const hi = Math.max(...values);
      const lo = Math.min(...values);
      const line = say(rng, 'barRange', { a: hi, b: lo, n: hi - lo });
      lines.push(line);
      return { lines, check: [line], value: String(hi - lo), summary: `${hi} - ${lo} = ${hi - lo} .` };
    }
    default:
      return null;
  }
}

export function reasonGeometry(rng: Rng, spec: QuestionSpec, facts: CaptionFacts): Reasoning | null {
  const lines: string[] = [];
  switch (spec.kind) {
    case 'third-angle':
    case 'largest-angle': {
      lines.push(say(rng, 'angleRule'));
      let [a, b] = facts.angles;
      if (a === undefined) {
        [a, b] = [60, 60];
        lines.push(say(rng, 'noAngle', { a, b }));
      } else if (b === undefined) {
        b = 60;
        lines.push(say(rng, 'oneAngle', { a, b }));
      } else lines.push(say(rng, 'knownAngles', { a, b }));
      const s = a + b;
      lines.push(say(rng, 'angleSum', { a, b, s }));
      const m = 180 - s;
      const rest = say(rng, 'angleRest', { s, m });
      lines.push(rest);
      if (spec.kind === 'third-angle') {
        return { lines, check: [rest], value: String(m), summary: `the missing angle is ${m} degrees .` };
      }
      const max = Math.max(a, b, m);
      const line = say(rng, 'largest', { a, b, c: m, m: max });
      lines.push(line);
      return { lines, check: [line], value: String(max), summary: `the largest angle is ${max} degrees .` };
    }
    case 'rect-side':
    case 'rect-area':
    case 'rect-wider':
    case 'rect-perimeter':
      return reasonRectangle(rng, spec, facts, lines);
    case 'clock-hour':
    case 'clock-time':
    case 'clock-hour-later':
    case 'clock-later':
      return reasonClock(rng, spec, facts, lines);
    default:
      return null;
  }
}

function readSide(rng: Rng, facts: CaptionFacts, side: 'width' | 'height', lines: string[]): number {
  const v = facts[side];
  if (v !== null) {
    lines.push(say(rng, 'readSide', { side, v }));
    return v;
  }
  const guess = rng.range(2, 9);
  lines.push(say(rng, 'guessSide', { side, v: guess }));
  return guess;
}

function reasonRectangle(rng: Rng, spec: QuestionSpec, facts: CaptionFacts, lines: string[]): Reasoning | null {
  if (spec.kind === 'rect-side') {
    const v = readSide(rng, facts, spec.side, lines);
    return { lines, check: [lines[lines.length - 1]], value: String(v), summary: `the ${spec.side} is ${v} .` };
  }
  const w = readSide(rng, facts, 'width', lines);
  const h = readSide(rng, facts, 'height', lines);
  if (spec.kind === 'rect-area') {
    const line = say(rng, 'area', { w, h, n: w * h });
    lines.push(line);
    return { lines, check: [line], value: String(w * h), summary: `the area is ${w * h} .` };
  }
  if (spec.kind === 'rect-wider') {
    const line = say(rng, w > h ? 'widerYes' : 'widerNo', { w, h });
    lines.push(line);
    return { lines, check: [line], value: w > h ? 'yes' : 'no', summary: `the width is ${w} and the height is ${h} .` };
  }
  lines.push(say(rng, 'opposite', { a: 'bottom', b: 'top', v: w }));
  lines.push(say(rng, 'opposite', { a: 'right', b: 'left', v: h }));
  const p = 2 * (w + h);
  const line = say(rng, 'perimeter', { w, h, n: p });
  lines.push(line);
  return { lines, check: [line], value: String(p), summary: `the perimeter is ${p} .` };
}

function reasonClock(rng: Rng, spec: QuestionSpec, facts: CaptionFacts, lines: string[]): Reasoning | null {
  let h = facts.hour;
  if (h === null || h < 1 || h > 12) {
    h = 12;
    lines.push(say(rng, 'guessHour', { h }));
  } else
    lines.push(say(rng, facts.minuteMark === null || facts.minuteMark === 12 ? 'hourHand' : 'hourHandPast', { h }));
  if (spec.kind === 'clock-hour') {
    const line = say(rng, 'hourIs', { h });
    lines.push(line);
    return { lines, check: [line], value: String(h), summary: `the clock shows ${h} .` };
  }
  if (spec.kind === 'clock-hour-later') {
    const raw = h + spec.hours;
    lines.push(say(rng, 'addHours', { h, dh: spec.hours, n: raw }));
    const hour = wrapHour(raw);
    if (raw > 12) lines.push(say(rng, 'wrap', { n: raw, w: hour }));
    const line = say(rng, 'hourWillBe', { h: hour });
    lines.push(line);
    return { lines, check: [line], value: String(hour), summary: `it will be ${hour} .` };
  }
  let mark = facts.minuteMark;
  if (mark === null || mark < 1 || mark > 12) {
    mark = 12;
    lines.push(say(rng, 'guessMinute'));
  } else lines.push(say(rng, 'minuteHand', { m: mark }));
  const mm = mark === 12 ? 0 : mark * 5;
  lines.push(mark === 12 ? say(rng, 'minuteTop') : say(rng, 'minutes', { m: mark, mm }));
  if (spec.kind === 'clock-time') {
    const t = timeText(h, mm);
    const line = say(rng, 'timeIs', { t });
    lines.push(line);
    return { lines, check: [line], value: t, summary: `the time is ${t} .` };
  }
  if (spec.kind !== 'clock-later') return null;
  let total = mm + spec.minutes;
  lines.push(say(rng, 'addMinutes', { mm, dm: spec.minutes, t: total }));
  let hours = spec.hours;
  if (total >= 60) {
    lines.push(say(rng, 'carry', { total, t: total - 60 }));
    total -= 60;
    hours += 1;
  }
  const raw = h + hours;
  lines.push(say(rng, 'addHours', { h, dh: hours, n: raw }));
  const hour = wrapHour(raw);
  if (raw > 12) lines.push(say(rng, 'wrap', { n: raw, w: hour }));
  const t = timeText(hour, total);
  const line = say(rng, 'timeIs', { t });
  lines.push(line);
  return { lines, check: [line], value: t, summary: `the time will be ${t} .` };
}
