import { choiceIndex } from '../../core/index.ts';
import type { MathVistaRecord } from '../../data/adapters/mathvista.ts';
import { closestChoice } from '../levenshtein.ts';
import {
  pyFloatRepr,
  pyParseFloat,
  pyParseInt,
  pyRound,
  pyRoundToInt,
  pyStr,
  pyStrip,
  pyTruncToInt,
} from '../python-compat.ts';

/**
 * MathVista's normalization of an extracted answer into a prediction, then `prediction == answer`.
 *
 * Integer answers have two rules: `current` is today's official `str(int(float(x)))` ('3.0' -> '3'); `legacy` is the
 * `str(int(x))` that the published output files were scored with ('3.0' -> None, so wrong).
 */
export type IntegerRule = 'current' | 'legacy';

/** Python `int(v)` for a JSON value: strings parse as int literals, numbers truncate, anything else fails. */
function pyIntOf(v: unknown): bigint | null {
  if (typeof v === 'string') return pyParseInt(v);
  if (typeof v === 'number') return pyTruncToInt(v);
  if (typeof v === 'boolean') return v ? 1n : 0n;
  return null;
}

/** Python `float(v)` for a JSON value. */
function pyFloatOf(v: unknown): number | null {
  if (typeof v === 'string') return pyParseFloat(v);
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  return null;
}

function normalizeChoice(extraction: unknown, choices: readonly string[]): string | null {
  let text = typeof extraction === 'string' ? pyStrip(extraction) : pyStr(extraction);
  // "(B) text" -> "B"
  const letter = /\(([a-zA-Z])\)/.exec(text);
  if (letter) text = (letter[1] ?? '').toUpperCase();
  const index = choiceIndex(text);
  if (index >= 0 && index < choices.length) return choices[index] ?? null;
  return closestChoice(text, choices);
}

/** The official normalization: the prediction (a string), or null where the official code yields None. */
export function normalizeMathVista(extraction: unknown, record: MathVistaRecord, rule: IntegerRule): string | null {
  if (record.question_type === 'multi_choice') return normalizeChoice(extraction, record.choices ?? []);
  switch (record.answer_type) {
    case 'integer': {
      if (rule === 'legacy') return pyIntOf(extraction)?.toString() ?? null;
      const x = pyFloatOf(extraction);
      return x === null ? null : (pyTruncToInt(x)?.toString() ?? null);
    }
    case 'float': {
      const x = pyFloatOf(extraction);
      if (x === null) return null;
      const precision = record.precision ?? null;
      // round(x, None) is an int in Python; round(x, n) a float.
      if (precision === null) return pyRoundToInt(x)?.toString() ?? null;
      return Number.isFinite(x) ? pyFloatRepr(pyRound(x, precision)) : pyFloatRepr(x);
    }
    case 'list':
      return pyStr(extraction);
    default:
      return typeof extraction === 'string' ? extraction : pyStr(extraction);
  }
}

/** `safe_equal(prediction, answer)`: plain equality; a None prediction is never right. */
export function mathVistaCorrect(prediction: string | null, answer: string): boolean {
  return prediction !== null && prediction === answer;
}
