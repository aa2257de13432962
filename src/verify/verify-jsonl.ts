import { z } from 'zod';
import { extractAnswerTag } from './answer-tag.ts';
import { verifyAnswer } from './math-verify.ts';
import { gradeAnswer } from './mathruler.ts';

/**
 * One line of `vlthink verify` input -> one output object. Input lines are JSON objects
 * `{gold, prediction, grader?, choices?}`; a malformed line yields `{line, error}` (and never stops the stream).
 */
export const VerifyLine = z.object({
  gold: z.string().describe('the reference answer'),
  prediction: z.string().describe('the model output or its extracted answer'),
  grader: z
    .enum(['mathverify', 'mathruler'])
    .default('mathverify')
    .describe('mathverify: the general verifier (Math-Verify semantics); mathruler: MathRuler 0.1.0 grade_answer'),
  choices: z.array(z.string()).optional().describe('option texts of a multiple-choice problem, in letter order'),
});

export type VerifyLineOutput =
  | { readonly correct: boolean; readonly extracted: string | null; readonly reason: string }
  | { readonly line: number; readonly error: string };

export interface VerifyLineOptions {
  /** Time budget per line in milliseconds. */
  readonly timeoutMs?: number;
}

export function verifyJsonLine(text: string, lineNo: number, opts: VerifyLineOptions = {}): VerifyLineOutput {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return { line: lineNo, error: `not valid JSON (${(err as Error).message})` };
  }
  const parsed = VerifyLine.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(line)'}: ${i.message}`).join('; ');
    return { line: lineNo, error: `expected {gold, prediction, grader?, choices?}: ${issues}` };
  }
  const { gold, prediction, grader, choices } = parsed.data;
  if (grader === 'mathruler') {
    const answer = (extractAnswerTag(prediction) ?? prediction).trim();
    const correct = gradeAnswer(gold, answer) || answer.toLowerCase() === gold.trim().toLowerCase();
    return { correct, extracted: answer, reason: answer.length === 0 ? 'no-answer' : correct ? 'match' : 'mismatch' };
  }
  const r = verifyAnswer(gold, prediction, { choices, timeoutMs: opts.timeoutMs });
  return { correct: r.correct, extracted: r.extracted, reason: r.reason };
}
