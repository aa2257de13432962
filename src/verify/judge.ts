import { CHOICE_LETTERS } from '../core/index.ts';
import { extractAnswerTag } from './answer-tag.ts';
import { gradeAnswer } from './mathruler.ts';
import { matchesForRegeneration } from './regeneration.ts';

/**
 * vlthink's one rule for "is this answer correct?", used by every decision that trains or reports on a model: the RL
 * rewards, distillation's trace check, the difficulty stage, the pipeline's evaluation and eval's openvlthinker mode.
 * It is the rule of OpenVLThinker's code, where the reward and the evaluation already agree:
 *
 * - the gold: a multiple-choice problem whose gold is an option's text is compared as that option's letter
 *   (`goldAnswer`); the prediction is taken as written — an option's text is not turned into its letter, as the paper
 *   does not;
 * - the prediction: the text of the first `<answer>...</answer>` (across lines), trimmed; no tag is wrong;
 * - equal when the lowercased strings are equal or MathRuler's `grade_answer` holds (`answersMatch`).
 *
 * Examples: gold `B`, `<answer>b</answer>` -> correct (case); gold `5`, `<answer>5 cm</answer>` -> correct (MathRuler
 * strips units); gold `B` with option B = `5`, `<answer>5</answer>` -> wrong (text is not its letter);
 * gold `7`, `7` with no tag -> wrong.
 *
 * Later-round regeneration may use the released code's answer cleaning instead (`rule: 'regenerate'`,
 * `matchesForRegeneration`); that is the only variant. The benchmarks' official scorers (eval/) keep their own
 * rules, and the general verifier (`verifyAnswer`, Math-Verify semantics) serves `vlthink verify`, not training.
 */
export interface JudgeTarget {
  /** The gold answer: a value, a word, or an option letter (or an option's text, see `goldAnswer`). */
  readonly answer: string;
  /** Option texts in letter order, for multiple choice. */
  readonly choices?: readonly string[] | null;
  /** How the gold is compared; a gold is mapped to its option letter only for `choice` (or when this is not given). */
  readonly answerType?: string;
}

export interface Judgement {
  readonly correct: boolean;
  /** The `<answer>` text that was judged (trimmed); null when the output has no answer tag. */
  readonly extracted: string | null;
}

export type JudgeRule = 'match' | 'regenerate';

/** The gold as compared: a choice problem's gold given as an option's text becomes its letter; else it is trimmed. */
export function goldAnswer(target: JudgeTarget): string {
  const gold = target.answer.trim();
  if (target.answerType !== undefined && target.answerType !== 'choice') return gold;
  const at = target.choices?.findIndex((c) => c.trim() === gold) ?? -1;
  return at >= 0 ? (CHOICE_LETTERS[at] ?? gold) : gold;
}

/** The comparison of the rule: lowercased equality, else MathRuler's grade_answer. */
export function answersMatch(answer: string, gold: string): boolean {
  const a = answer.trim();
  const g = gold.trim();
  return a.toLowerCase() === g.toLowerCase() || gradeAnswer(g, a);
}

/** Judge a model output against a problem's gold. Never throws on the output. */
export function judgeAnswer(output: string, target: JudgeTarget | string, rule: JudgeRule = 'match'): Judgement {
  const tagged = extractAnswerTag(output);
  if (tagged === null) return { correct: false, extracted: null };
  const extracted = tagged.trim();
  const gold = goldAnswer(typeof target === 'string' ? { answer: target } : target);
  const correct = rule === 'regenerate' ? matchesForRegeneration(extracted, gold) : answersMatch(extracted, gold);
  return { correct, extracted };
}
