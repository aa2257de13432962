import { COLORS, type Color, POSITION_NAMES, positionOf, SHAPES, type Shape } from './scene.ts';

/**
 * Question specs: what a question asks, as data. Generators build a spec and render it to text with `questionText`;
 * the caption reader and the oracle recover the spec from the text alone with `parseQuestion` (one fixed template per
 * spec, so the round trip is exact and a tiny model sees short, regular questions).
 */

/** Which shapes a count covers: both fields set -> "red circles", one -> "circles" / "red shapes", none -> "shapes". */
export interface ShapeFilter {
  readonly color?: Color;
  readonly shape?: Shape;
}

export type Relation = 'left' | 'right' | 'above' | 'below';

export interface ObjectRef {
  readonly color: Color;
  readonly shape: Shape;
}

export type QuestionSpec =
  | { readonly kind: 'count'; readonly filter: ShapeFilter }
  | { readonly kind: 'count-not'; readonly color: Color }
  | { readonly kind: 'count-more'; readonly a: ShapeFilter; readonly b: ShapeFilter }
  | { readonly kind: 'more-than'; readonly a: ShapeFilter; readonly b: ShapeFilter }
  | { readonly kind: 'bar-value'; readonly color: Color }
  | { readonly kind: 'bar-taller'; readonly a: Color; readonly b: Color }
  | { readonly kind: 'bar-extreme'; readonly which: 'tallest' | 'shortest' }
  | { readonly kind: 'bar-diff'; readonly a: Color; readonly b: Color }
  | { readonly kind: 'bar-sum' }
  | { readonly kind: 'bar-range' }
  | { readonly kind: 'third-angle' }
  | { readonly kind: 'largest-angle' }
  | { readonly kind: 'rect-wider' }
  | { readonly kind: 'rect-side'; readonly side: 'width' | 'height' }
  | { readonly kind: 'rect-area' }
  | { readonly kind: 'rect-perimeter' }
  | { readonly kind: 'clock-hour' }
  | { readonly kind: 'clock-time' }
  | { readonly kind: 'clock-hour-later'; readonly hours: number }
  | { readonly kind: 'clock-later'; readonly hours: number; readonly minutes: number }
  | { readonly kind: 'pos-at'; readonly row: number; readonly col: number }
  | { readonly kind: 'pos-relation'; readonly a: ObjectRef; readonly rel: Relation; readonly b: ObjectRef }
  | { readonly kind: 'pos-neighbor'; readonly rel: Relation; readonly ref: ObjectRef }
  | { readonly kind: 'pos-count'; readonly rel: Relation; readonly ref: ObjectRef };

export function filterText(f: ShapeFilter): string {
  return `${f.color ? `${f.color} ` : ''}${f.shape ? `${f.shape}s` : 'shapes'}`;
}

const REL_TEXT: Record<Relation, string> = {
  left: 'to the left of',
  right: 'to the right of',
  above: 'above',
  below: 'below',
};

const ref = (o: ObjectRef) => `the ${o.color} ${o.shape}`;

export function questionText(q: QuestionSpec): string {
  switch (q.kind) {
    case 'count':
      return `how many ${filterText(q.filter)} are there ?`;
    case 'count-not':
      return `how many shapes are not ${q.color} ?`;
    case 'count-more':
      return `how many more ${filterText(q.a)} than ${filterText(q.b)} are there ?`;
    case 'more-than':
      return `are there more ${filterText(q.a)} than ${filterText(q.b)} ?`;
    case 'bar-value':
      return `what is the value of the ${q.color} bar ?`;
    case 'bar-taller':
      return `is the ${q.a} bar taller than the ${q.b} bar ?`;
    case 'bar-extreme':
      return `which bar is the ${q.which} ?`;
    case 'bar-diff':
      return `what is the difference between the ${q.a} bar and the ${q.b} bar ?`;
    case 'bar-sum':
      return 'what is the sum of all the bars ?';
    case 'bar-range':
      return 'how much taller is the tallest bar than the shortest bar ?';
    case 'third-angle':
      return 'what is the angle marked with a question mark , in degrees ?';
    case 'largest-angle':
      return 'what is the largest angle of the triangle , in degrees ?';
    case 'rect-wider':
      return 'is the rectangle wider than it is tall ?';
    case 'rect-side':
      return `what is the ${q.side} of the rectangle ?`;
    case 'rect-area':
      return 'what is the area of the rectangle ?';
    case 'rect-perimeter':
      return 'what is the perimeter of the rectangle ?';
    case 'clock-hour':
      return 'what hour does the clock show ?';
    case 'clock-time':
      return 'what time does the clock show ?';
    case 'clock-hour-later':
      return `what hour will it be ${q.hours} hours later ?`;
    case 'clock-later':
      return `what time will it be ${q.hours} hours and ${q.minutes} minutes later ?`;
    case 'pos-at':
      return `what shape is in the ${POSITION_NAMES[q.row][q.col]} cell ?`;
    case 'pos-relation':
      return `is ${ref(q.a)} ${REL_TEXT[q.rel]} ${ref(q.b)} ?`;
    case 'pos-neighbor':
      return `what shape is directly ${REL_TEXT[q.rel]} ${ref(q.ref)} ?`;
    case 'pos-count':
      return `how many shapes are ${REL_TEXT[q.rel]} ${ref(q.ref)} ?`;
  }
}

// ---- parsing: the inverse of questionText, from the text alone ----

const COLOR_RE = COLORS.join('|');
const SHAPE_RE = SHAPES.join('|');
const FILTER_RE = `(?:(${COLOR_RE}) )?(${SHAPE_RE}|shape)s`;
const REL_RE = 'to the left of|to the right of|above|below';
const OBJ_RE = `the (${COLOR_RE}) (${SHAPE_RE})`;

function toFilter(color: string | undefined, shape: string): ShapeFilter {
  return {
    ...(color ? { color: color as Color } : {}),
    ...(shape !== 'shape' ? { shape: shape as Shape } : {}),
  };
}

function toRel(text: string): Relation {
  if (text === 'to the left of') return 'left';
  if (text === 'to the right of') return 'right';
  return text as Relation;
}

type Rule = readonly [RegExp, (m: RegExpMatchArray) => QuestionSpec];

const RULES: readonly Rule[] = [
  [new RegExp(`^how many shapes are not (${COLOR_RE}) \\?$`), (m) => ({ kind: 'count-not', color: m[1] as Color })],
  [
    new RegExp(`^how many more ${FILTER_RE} than ${FILTER_RE} are there \\?$`),
    (m) => ({ kind: 'count-more', a: toFilter(m[1], m[2]), b: toFilter(m[3], m[4]) }),
  ],
  [new RegExp(`^how many ${FILTER_RE} are there \\?$`), (m) => ({ kind: 'count', filter: toFilter(m[1], m[2]) })],
  [
    new RegExp(`^are there more ${FILTER_RE} than ${FILTER_RE} \\?$`),
    (m) => ({ kind: 'more-than', a: toFilter(m[1], m[2]), b: toFilter(m[3], m[4]) }),
  ],
  [
    new RegExp(`^what is the value of the (${COLOR_RE}) bar \\?$`),
    (m) => ({ kind: 'bar-value', color: m[1] as Color }),
  ],
  [
    new RegExp(`^is the (${COLOR_RE}) bar taller than the (${COLOR_RE}) bar \\?$`),
    (m) => ({ kind: 'bar-taller', a: m[1] as Color, b: m[2] as Color }),
  ],
  [/^which bar is the (tallest|shortest) \?$/, (m) => ({ kind: 'bar-extreme', which: m[1] as 'tallest' | 'shortest' })],
  [
    new RegExp(`^what is the difference between the (${COLOR_RE}) bar and the (${COLOR_RE}) bar \\?$`),
    (m) => ({ kind: 'bar-diff', a: m[1] as Color, b: m[2] as Color }),
  ],
  [/^what is the sum of all the bars \?$/, () => ({ kind: 'bar-sum' })],
  [/^how much taller is the tallest bar than the shortest bar \?$/, () => ({ kind: 'bar-range' })],
  [/^what is the angle marked with a question mark , in degrees \?$/, () => ({ kind: 'third-angle' })],
  [/^what is the largest angle of the triangle , in degrees \?$/, () => ({ kind: 'largest-angle' })],
  [/^is the rectangle wider than it is tall \?$/, () => ({ kind: 'rect-wider' })],
  [
    /^what is the (width|height) of the rectangle \?$/,
    (m) => ({ kind: 'rect-side', side: m[1] as 'width' | 'height' }),
  ],
  [/^what is the area of the rectangle \?$/, () => ({ kind: 'rect-area' })],
  [/^what is the perimeter of the rectangle \?$/, () => ({ kind: 'rect-perimeter' })],
  [/^what hour does the clock show \?$/, () => ({ kind: 'clock-hour' })],
  [/^what time does the clock show \?$/, () => ({ kind: 'clock-time' })],
  [/^what hour will it be (\d+) hours later \?$/, (m) => ({ kind: 'clock-hour-later', hours: Number(m[1]) })],
  [
    /^what time will it be (\d+) hours and (\d+) minutes later \?$/,
    (m) => ({ kind: 'clock-later', hours: Number(m[1]), minutes: Number(m[2]) }),
  ],
  [
    new RegExp(`^what shape is in the (${POSITION_NAMES.flat().join('|')}) cell \\?$`),
    (m) => {
      const at = positionOf(m[1]);
      return { kind: 'pos-at', row: at.row, col: at.col };
    },
  ],
  [
    new RegExp(`^is ${OBJ_RE} (${REL_RE}) ${OBJ_RE} \\?$`),
    (m) => ({
      kind: 'pos-relation',
      a: { color: m[1] as Color, shape: m[2] as Shape },
      rel: toRel(m[3]),
      b: { color: m[4] as Color, shape: m[5] as Shape },
    }),
  ],
  [
    new RegExp(`^what shape is directly (${REL_RE}) ${OBJ_RE} \\?$`),
    (m) => ({ kind: 'pos-neighbor', rel: toRel(m[1]), ref: { color: m[2] as Color, shape: m[3] as Shape } }),
  ],
  [
    new RegExp(`^how many shapes are (${REL_RE}) ${OBJ_RE} \\?$`),
    (m) => ({ kind: 'pos-count', rel: toRel(m[1]), ref: { color: m[2] as Color, shape: m[3] as Shape } }),
  ],
];

/** The spec a question asks, or null when the text is not one of the world's questions. */
export function parseQuestion(text: string): QuestionSpec | null {
  const norm = text.trim().toLowerCase().replace(/\s+/g, ' ');
  for (const [re, build] of RULES) {
    const m = norm.match(re);
    if (m) return build(m);
  }
  return null;
}

/** Every literal question template, for the vocabulary. */
export const QUESTION_WORDS: readonly string[] = [
  'how many are there ? shapes not more than are',
  'what is the value of bar ? is taller which tallest shortest difference between and sum all bars',
  'how much',
  'angle marked with a question mark , in degrees largest triangle',
  'rectangle wider it tall area perimeter',
  'hour does clock show time will be hours minutes later',
  'to left right above below shape directly cell width height of',
];
