import { choiceIndex } from '../../core/index.ts';
import type { MathVisionRecord } from '../../data/adapters/mathvision.ts';
import { pyFloatRepr, pyRound } from '../python-compat.ts';
import type { ScoredRow } from '../types.ts';
import { extractMathVision, MATH_VISION_LETTERS } from './extract.ts';
import { mathVisionIsEqual } from './is-equal.ts';

export * from './extract.ts';
export * from './is-equal.ts';
export * from './latex-value.ts';

/**
 * MATH-Vision scoring: extraction (official rules), then correct when the model answer equals the gold answer
 * (a letter for multiple choice) or the gold option's text. The result file maps keys to "correct/total=acc%":
 * '-all', '-level{L}', '{subject}', '{subject}_level{L}', '-level{L}_{subject}', sorted by key; acc is Python's
 * round(100 * correct / total, 2) printed as a float ("12.7", "0.0").
 */

/** The official prompt wording, in our words: answer in one \boxed{}, a single letter for multiple choice. */
export function mathVisionPrompt(record: Pick<MathVisionRecord, 'question' | 'options'>): string {
  const options =
    record.options.length > 0 && record.options.join('') !== MATH_VISION_LETTERS
      ? `${record.options.map((o, i) => `(${MATH_VISION_LETTERS[i]}) ${o}`).join('\n')}\n`
      : '';
  return (
    'Solve the problem and give the final answer in a single "\\boxed{}". For a multiple-choice question, put only the ' +
    'option letter in the "\\boxed{}".\n' +
    `${record.question}\n${options}`
  );
}

/** The gold option's text ('' when the problem has no options or the answer is not a letter among them). */
function goldValue(record: MathVisionRecord): string {
  if (record.options.length === 0) return '';
  const index = choiceIndex(record.answer);
  return index >= 0 && index < record.options.length ? (record.options[index] as string) : '';
}

export function mathVisionCorrect(modelAnswer: string, record: MathVisionRecord): boolean {
  return mathVisionIsEqual(record.answer, modelAnswer) || mathVisionIsEqual(goldValue(record), modelAnswer);
}

/** Judges one response (or a stored model_answer, as the official code does when it is present and not regenerated). */
export function scoreMathVisionResponse(
  response: string,
  record: MathVisionRecord,
  storedModelAnswer?: string,
): ScoredRow {
  const extraction = storedModelAnswer ?? extractMathVision(response);
  return { id: record.id, extraction, prediction: extraction, correct: mathVisionCorrect(extraction, record) };
}

export type MathVisionResult = Record<string, string>;

/** The official `*_result.json`. */
export function mathVisionResult(rows: readonly { record: MathVisionRecord; correct: boolean }[]): MathVisionResult {
  const counts = new Map<string, [number, number]>();
  for (const { record, correct } of rows) {
    const { subject, level } = record;
    for (const key of ['-all', `-level${level}`, subject, `${subject}_level${level}`, `-level${level}_${subject}`]) {
      const c = counts.get(key) ?? [0, 0];
      c[0] += correct ? 1 : 0;
      c[1] += 1;
      counts.set(key, c);
    }
  }
  // Python sorts str keys by code point; for these ASCII keys that is JS's default string order.
  const keys = [...counts.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(
    keys.map((key) => {
      const [c, t] = counts.get(key) as [number, number];
      return [key, `${c}/${t}=${pyFloatRepr(pyRound((c / t) * 100, 2))}%`];
    }),
  );
}
