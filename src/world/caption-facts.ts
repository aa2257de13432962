import { COLORS, type Color, POSITION_NAMES, positionOf, SHAPES, type Shape } from './scene.ts';

/**
 * What the caption reader knows after reading a caption: only what the sentences say (possibly wrong or missing).
 * Parsing is forgiving: unknown sentences are ignored, never an error (captions may come from a real captioner).
 */
export interface CaptionFacts {
  /** Counted groups, "red circle" -> n, in caption order (repeated mentions add up). */
  readonly counts: Map<string, number>;
  /** Placed objects (position captions), with 0-based row and column. */
  readonly objects: { color: Color; shape: Shape; row: number; col: number }[];
  /** Bar values in caption order, and the number of bars the caption announces. */
  readonly bars: Map<Color, number>;
  barCount: number | null;
  /** Labelled angles in caption order. */
  readonly angles: number[];
  width: number | null;
  height: number | null;
  /** The hour the hour hand is at (or just past), and the number the minute hand points to. */
  hour: number | null;
  minuteMark: number | null;
}

const COLOR_RE = COLORS.join('|');
const SHAPE_RE = SHAPES.join('|');
const COUNT_RE = new RegExp(`(\\d+) (${COLOR_RE}) (${SHAPE_RE})s?\\b`, 'g');
const OBJECT_RE = new RegExp(`\\b(${COLOR_RE}) (${SHAPE_RE})\\b`);
const PLACE_RE = new RegExp(
  `\\b(${POSITION_NAMES.flat()
    .sort((a, b) => b.length - a.length)
    .join('|')})\\b`,
);
const BAR_RE = new RegExp(`\\b(${COLOR_RE}) bar\\b\\D*(\\d+)`);
const firstNumber = (s: string): number | null => {
  const m = s.match(/\d+/);
  return m ? Number(m[0]) : null;
};

export function parseCaption(caption: string): CaptionFacts {
  const facts: CaptionFacts = {
    counts: new Map(),
    objects: [],
    bars: new Map(),
    barCount: null,
    angles: [],
    width: null,
    height: null,
    hour: null,
    minuteMark: null,
  };
  const text = caption.toLowerCase().replace(/\s+/g, ' ');
  const sentences = text
    .split(/ ?[.!?](?: |$)/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  for (const s of sentences) {
    let counted = false;
    for (const m of s.matchAll(COUNT_RE)) {
      const key = `${m[2]} ${m[3]}`;
      facts.counts.set(key, (facts.counts.get(key) ?? 0) + Number(m[1]));
      counted = true;
    }
    if (counted) continue;
    const barChart = s.match(/bar chart with (\d+) bars/);
    if (barChart) {
      facts.barCount = Number(barChart[1]);
      continue;
    }
    const bar = s.match(BAR_RE);
    if (bar) {
      facts.bars.set(bar[1] as Color, Number(bar[2]));
      continue;
    }
    if (s.includes('degrees') && !s.includes('question mark')) {
      const v = firstNumber(s);
      if (v !== null) facts.angles.push(v);
      continue;
    }
    if (/\b(width|bottom side)\b/.test(s)) {
      facts.width = firstNumber(s);
      continue;
    }
    if (/\b(height|right side)\b/.test(s)) {
      facts.height = firstNumber(s);
      continue;
    }
    if (s.includes('hour hand')) {
      facts.hour = firstNumber(s);
      continue;
    }
    if (s.includes('minute hand')) {
      facts.minuteMark = firstNumber(s);
      continue;
    }
    const obj = s.match(OBJECT_RE);
    const place = s.match(PLACE_RE);
    if (obj && place) {
      facts.objects.push({ color: obj[1] as Color, shape: obj[2] as Shape, ...positionOf(place[1]) });
    }
  }
  return facts;
}
