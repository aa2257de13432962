/**
 * Text-level clean-up of a LaTeX (or plain) answer before tokenizing: spacing commands, `\left`/`\right`, dollar
 * signs, degree marks, units, thousands-separator spellings, doubled backslashes from double-escaped text, and the
 * words "and"/"or" between answers. Each rule is one regex with a comment on why it exists.
 */

/** Commands that double-escaped text (`\\frac`) spells with two backslashes; we undo that only for these names. */
const KNOWN_COMMANDS =
  'frac|dfrac|tfrac|cfrac|sqrt|left|right|boxed|text|textbf|mathrm|mbox|cdot|times|div|pi|infty|in|cup|cap|le|leq|ge|geq|lt|gt|ne|neq|pm|mp|sin|cos|tan|log|ln|begin|end|quad|qquad|approx|circ|theta|alpha|beta|gamma|sqrt|dots|ldots|cdots|vert|lvert|rvert|mid';

const DOUBLE_BACKSLASH = new RegExp(String.raw`(?<!\\)\\\\(?=(?:${KNOWN_COMMANDS})(?![a-zA-Z]))`, 'g');

/** Unit words stripped when they trail a value (`15 cm^2`, `125 miles`, `0.06 yuan`). */
export const UNIT_WORDS = [
  'centimeters',
  'centimeter',
  'millimeters',
  'millimeter',
  'kilometers',
  'kilometer',
  'meters',
  'meter',
  'metres',
  'metre',
  'inches',
  'inch',
  'feet',
  'foot',
  'yards',
  'yard',
  'miles',
  'mile',
  'mph',
  'cm',
  'mm',
  'km',
  'm',
  'kg',
  'g',
  'grams',
  'gram',
  'kilograms',
  'pounds',
  'pound',
  'lbs',
  'ounces',
  'liters',
  'liter',
  'litres',
  'ml',
  'seconds',
  'second',
  'sec',
  's',
  'minutes',
  'minute',
  'min',
  'hours',
  'hour',
  'hrs',
  'days',
  'day',
  'weeks',
  'week',
  'months',
  'month',
  'years',
  'year',
  'degrees',
  'degree',
  'deg',
  'dollars',
  'dollar',
  'cents',
  'cent',
  'yuan',
  'euros',
  'units',
  'unit',
  'square',
  'sq',
  'cubic',
  'meters',
  'people',
  'students',
  'apples',
];

const UNIT_ALT = UNIT_WORDS.join('|');
/** `\text{ cm}^2`, `\mbox{ miles}`, `\textnormal{ miles}` etc. after a value. */
const TEXT_UNIT = new RegExp(
  String.raw`\\(?:text|mbox|textnormal|textbf|textit|mathrm|mathit|operatorname)\s*\{\s*(?:(?:${UNIT_ALT})\.?\s*)+\}(?:\s*\^\s*\{?\s*[23]\s*\}?)?`,
  'g',
);
/** A unit word trailing a number or closing brace at the very end (`1cm`, `\frac{1}{2} cm`, `3s`). */
const TRAILING_UNIT = new RegExp(String.raw`(?<=[\d}.)\s])\s*(?:(?:${UNIT_ALT})(?:\s*\^\s*\{?[23]\}?)?\s*)+$`);
/** A multi-letter unit word ending a list item (`{35 cm, 4}`). */
const ITEM_UNIT = new RegExp(
  String.raw`(?<=\d)\s*(?:${UNIT_WORDS.filter((u) => u.length > 1).join('|')})(?:\s*\^\s*\{?[23]\}?)?(?=\s*(?:[,;}]|\\\}))`,
  'g',
);

export function normalizeLatex(input: string): string {
  let s = input;
  const hasCommand = s.includes('\\');
  if (hasCommand) s = s.replace(DOUBLE_BACKSLASH, '\\');
  // Unicode look-alikes that models emit.
  if (NON_ASCII.test(s)) {
    s = s
      .replace(/[\u2212\u2013\u2014\uFE63\uFF0D]/g, '-')
      .replace(/[\u00D7\u22C5\u00B7]/g, '*')
      .replace(/\u00F7/g, '/')
      .replace(/\u2264/g, '\\le ')
      .replace(/\u2265/g, '\\ge ')
      .replace(/\u2260/g, '\\ne ')
      .replace(/\u03C0/g, '\\pi ')
      .replace(/\u221E/g, '\\infty ')
      .replace(/\u00B1/g, '\\pm ')
      .replace(/\u221A/g, '\\sqrt ')
      .replace(/\u222A/g, '\\cup ')
      .replace(/\u2229/g, '\\cap ')
      .replace(/\u2205/g, '\\emptyset ')
      .replace(/\u00B2/g, '^2')
      .replace(/\u00B3/g, '^3')
      .replace(/°/g, '')
      .replace(/[\u200B-\u200F\u202A-\u202E\u2066-\u2069\uFEFF]/g, '');
  }
  if (hasCommand || s.includes('\\')) {
    s = s
      .replace(/\\lgroup|\\lbrack(?![a-zA-Z])/g, (m) => (m === '\\lgroup' ? '(' : '['))
      .replace(/\\rgroup|\\rbrack(?![a-zA-Z])/g, (m) => (m === '\\rgroup' ? ')' : ']'));
    // Thousands separators written as `{,}` or `,\!` (MATH style) become plain digits.
    s = s.replace(/(\d),\\!\s*(?=\d)/g, '$1');
    // Sizing and spacing commands carry no value.
    s = s.replace(/\\(?:left|right|mleft|mright|bigl|bigr|Bigl|Bigr|biggl|biggr|big|Big|bigg|Bigg)(?![a-zA-Z])/g, '');
    s = s.replace(/\\(?:displaystyle|limits|nolimits|textstyle|scriptstyle)(?![a-zA-Z])/g, '');
    s = s.replace(/\\q?quad/g, ' ');
    s = s.replace(/(?<!\\)\\[!,;:> ]/g, ' ');
    s = s.replace(/\\(?:dfrac|tfrac|cfrac)(?![a-zA-Z])/g, '\\frac');
    // Degrees.
    s = s.replace(/\^\s*\{\s*\\circ\s*\}|\^\s*\\circ|\\circ|\\degree(?![a-zA-Z])/g, '');
    s = s.replace(/\\\$/g, '');
    s = s.replace(/\\%/g, '%');
    // "and"/"or" written as text between answers
    s = s.replace(/\\(?:text|mbox|textnormal|mathrm)\s*\{\s*(?:,\s*)?(?:and|or)\s*\}/g, ' and ');
    s = s.replace(TEXT_UNIT, ' ');
  }
  if (s.includes('{')) s = s.replace(/(\d)\s*\{,\s*\}\s*(?=\d)/g, '$1');
  if (s.includes('~')) s = s.replace(/~/g, ' ');
  // Math-mode dollars.
  if (s.includes('$')) s = s.replace(/\$/g, '');
  if (HAS_LETTER.test(s)) {
    // "and"/"or" between answers; an Oxford comma stays one separator.
    s = s.replace(/,\s*(?:and|or)\s+/g, ', ');
    s = s.replace(/(?<=[\s)\]}\d])(?:and|or)(?=[\s([{\\\d-])/g, ';');
    // Units after a value.
    s = s.replace(TRAILING_UNIT, '');
    s = s.replace(ITEM_UNIT, '');
  }
  // a sentence's closing period
  if (s.includes('.')) s = s.replace(/(?<=[\d}a-zA-Z)\]])\.\s*$/, '');
  return s.trim();
}

const NON_ASCII = /[\u0080-\uFFFF]/;
const HAS_LETTER = /[a-zA-Z]/;
