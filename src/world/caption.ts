import type { Rng } from '../core/index.ts';
import {
  type BarsScene,
  type ClockScene,
  COLORS,
  type Color,
  POSITION_NAMES,
  type RectangleScene,
  type Scene,
  SHAPES,
  type Shape,
  type ShapesScene,
  type TriangleScene,
  wrapHour,
} from './scene.ts';

/**
 * Captions: the scene told as plain sentences, the role of the paper's captioner. Every fact is one sentence or list
 * item; with `noise` each fact is, with that probability, dropped (half the time) or corrupted (a count or value off
 * by one step, a colour swapped, an object moved to a neighbouring cell), as a weak captioner would.
 *
 * Lowercase, punctuation as its own token ("there are 3 red circles ."), so a word-level tokenizer reads it directly.
 */

export interface CaptionOptions {
  /** Probability that each fact is dropped or corrupted, in [0, 1]. 0 gives a faithful caption. */
  readonly noise: number;
  readonly rng: Rng;
}

/** Sentence templates; `{x}` are slots. Exported for the vocabulary. */
export const CAPTION_TEMPLATES = {
  countOpen: ['the image shows {list} .', 'in the picture there are {list} .', 'i can see {list} .'],
  countEmpty: ['the image shows some shapes .'],
  gridOpen: ['the image shows {n} shapes on a 3 by 3 grid .', 'there are {n} shapes placed on a 3 by 3 grid .'],
  place: ['a {obj} is {at} .', 'there is a {obj} {at} .', '{at} there is a {obj} .'],
  barsOpen: ['the image is a bar chart with {n} bars .', 'this is a bar chart with {n} bars .'],
  bar: [
    'the {color} bar has a value of {v} .',
    'the {color} bar reaches {v} .',
    'the {color} bar goes up to {v} .',
    'the value of the {color} bar is {v} .',
  ],
  triangleOpen: ['the image shows a triangle .', 'the picture is a triangle with its angles labelled .'],
  angle: [
    'one angle is labelled {v} degrees .',
    'one corner shows {v} degrees .',
    'an angle of {v} degrees is marked .',
  ],
  hiddenAngle: ['one angle is marked with a question mark .', 'one corner shows a question mark .'],
  rectOpen: ['the image shows a rectangle .', 'the picture is a rectangle with its sides labelled .'],
  width: ['its width is labelled {v} .', 'the bottom side is labelled {v} .', 'the width is {v} .'],
  height: ['its height is labelled {v} .', 'the right side is labelled {v} .', 'the height is {v} .'],
  clockOpen: ['the image shows a clock .', 'the picture is a round clock face .'],
  hourAt: ['the short hour hand points to {h} .', 'the hour hand is at {h} .'],
  hourBetween: ['the short hour hand is between {h} and {h2} .', 'the hour hand is between {h} and {h2} .'],
  minuteAt: ['the long minute hand points to {m} .', 'the minute hand is at {m} .'],
} as const;

export function fill(template: string, slots: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (_, key: string) => {
    const v = slots[key];
    if (v === undefined) throw new Error(`template slot '${key}' missing in '${template}'`);
    return String(v);
  });
}

type Fate = 'keep' | 'drop' | 'corrupt';
function fate(opts: CaptionOptions): Fate {
  if (opts.noise <= 0 || !opts.rng.chance(opts.noise)) return 'keep';
  return opts.rng.chance(0.5) ? 'drop' : 'corrupt';
}

const other = <T>(rng: Rng, items: readonly T[], not: T): T => rng.pick(items.filter((x) => x !== not));

function countItem(n: number, color: Color, shape: Shape): string {
  return `${n} ${color} ${n === 1 ? shape : `${shape}s`}`;
}

function joinList(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(' , ')} and ${items[items.length - 1]}`;
}

function captionCounts(scene: ShapesScene, opts: CaptionOptions): string {
  const groups = new Map<string, { color: Color; shape: Shape; n: number }>();
  for (const o of scene.objects) {
    const key = `${o.color} ${o.shape}`;
    const g = groups.get(key);
    if (g) g.n++;
    else groups.set(key, { color: o.color, shape: o.shape, n: 1 });
  }
  const items: string[] = [];
  for (const g of groups.values()) {
    const f = fate(opts);
    if (f === 'drop') continue;
    if (f === 'keep') items.push(countItem(g.n, g.color, g.shape));
    else {
      const how = opts.rng.int(3);
      if (how === 0) items.push(countItem(g.n === 1 ? 2 : g.n + opts.rng.pick([-1, 1]), g.color, g.shape));
      else if (how === 1) items.push(countItem(g.n, other(opts.rng, COLORS, g.color), g.shape));
      else items.push(countItem(g.n, g.color, other(opts.rng, SHAPES, g.shape)));
    }
  }
  if (items.length === 0) return opts.rng.pick(CAPTION_TEMPLATES.countEmpty);
  return fill(opts.rng.pick(CAPTION_TEMPLATES.countOpen), { list: joinList(items) });
}

/** "at the top left", "in the middle", "on the left". */
export function locationPhrase(row: number, col: number): string {
  const name = POSITION_NAMES[row][col];
  if (name === 'middle') return 'in the middle';
  if (name === 'left' || name === 'right') return `on the ${name}`;
  return `at the ${name}`;
}

function captionPositions(scene: ShapesScene, opts: CaptionOptions): string {
  const out = [fill(opts.rng.pick(CAPTION_TEMPLATES.gridOpen), { n: scene.objects.length })];
  for (const o of scene.objects) {
    const f = fate(opts);
    if (f === 'drop') continue;
    let { row, col, color } = o;
    if (f === 'corrupt') {
      if (opts.rng.chance(0.5)) color = other(opts.rng, COLORS, o.color);
      else {
        const moves = [
          [row - 1, col],
          [row + 1, col],
          [row, col - 1],
          [row, col + 1],
        ].filter(([r, c]) => r >= 0 && r < 3 && c >= 0 && c < 3);
        [row, col] = opts.rng.pick(moves);
      }
    }
    const sentence = fill(opts.rng.pick(CAPTION_TEMPLATES.place), {
      obj: `${color} ${o.shape}`,
      at: locationPhrase(row, col),
    });
    out.push(sentence);
  }
  return out.join(' ');
}

function captionBars(scene: BarsScene, opts: CaptionOptions): string {
  const out = [fill(opts.rng.pick(CAPTION_TEMPLATES.barsOpen), { n: scene.bars.length })];
  for (const b of scene.bars) {
    const f = fate(opts);
    if (f === 'drop') continue;
    let v = b.value;
    if (f === 'corrupt') v = v === 1 ? 2 : v === scene.maxValue ? v - 1 : v + opts.rng.pick([-1, 1]);
    out.push(fill(opts.rng.pick(CAPTION_TEMPLATES.bar), { color: b.color, v }));
  }
  return out.join(' ');
}

function captionTriangle(scene: TriangleScene, opts: CaptionOptions): string {
  const out: string[] = [opts.rng.pick(CAPTION_TEMPLATES.triangleOpen)];
  scene.angles.forEach((angle, i) => {
    const f = fate(opts);
    if (f === 'drop') return;
    if (i === scene.hidden) {
      out.push(opts.rng.pick(CAPTION_TEMPLATES.hiddenAngle));
      return;
    }
    const v = f === 'corrupt' ? angle + opts.rng.pick([-10, 10]) : angle;
    out.push(fill(opts.rng.pick(CAPTION_TEMPLATES.angle), { v }));
  });
  return out.join(' ');
}

function captionRectangle(scene: RectangleScene, opts: CaptionOptions): string {
  const out: string[] = [opts.rng.pick(CAPTION_TEMPLATES.rectOpen)];
  for (const side of ['width', 'height'] as const) {
    const f = fate(opts);
    if (f === 'drop') continue;
    const v = f === 'corrupt' ? scene[side] + opts.rng.pick([-1, 1]) : scene[side];
    out.push(fill(opts.rng.pick(CAPTION_TEMPLATES[side]), { v }));
  }
  return out.join(' ');
}

function captionClock(scene: ClockScene, opts: CaptionOptions): string {
  const out: string[] = [opts.rng.pick(CAPTION_TEMPLATES.clockOpen)];
  const fh = fate(opts);
  if (fh !== 'drop') {
    const h = fh === 'corrupt' ? wrapHour(scene.hour + opts.rng.pick([-1, 1])) : scene.hour;
    const templates = scene.minute === 0 ? CAPTION_TEMPLATES.hourAt : CAPTION_TEMPLATES.hourBetween;
    out.push(fill(opts.rng.pick(templates), { h, h2: wrapHour(h + 1) }));
  }
  const fm = fate(opts);
  if (fm !== 'drop') {
    const mark = scene.minute === 0 ? 12 : scene.minute / 5;
    const m = fm === 'corrupt' ? wrapHour(mark + opts.rng.pick([-3, 3])) : mark;
    out.push(fill(opts.rng.pick(CAPTION_TEMPLATES.minuteAt), { m }));
  }
  return out.join(' ');
}

/** The caption of a scene; with noise > 0 some facts are dropped or wrong. Deterministic given the rng state. */
export function captionScene(scene: Scene, opts: CaptionOptions): string {
  if (!(opts.noise >= 0 && opts.noise <= 1)) throw new RangeError(`caption noise must be in [0, 1], got ${opts.noise}`);
  switch (scene.type) {
    case 'shapes':
      return scene.positional ? captionPositions(scene, opts) : captionCounts(scene, opts);
    case 'bars':
      return captionBars(scene, opts);
    case 'triangle':
      return captionTriangle(scene, opts);
    case 'rectangle':
      return captionRectangle(scene, opts);
    case 'clock':
      return captionClock(scene, opts);
  }
}
