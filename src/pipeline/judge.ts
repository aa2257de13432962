import type { Problem } from '../data/types.ts';
import { extractAnswerTag } from '../verify/answer-tag.ts';
import { gradeAnswer } from '../verify/mathruler.ts';
import { matchesForRegeneration } from '../verify/regeneration.ts';
import type { Verdict } from './deps.ts';

/**
 * When a sampled chain counts as correct (PAPER.md): the answer is the text of the first `<answer>` tag (no tag:
 * wrong). Distillation and evaluation accept it when the lowercased strings match or MathRuler's grade_answer holds;
 * later-round regeneration uses the code's cleaning rules (`matchesForRegeneration`). A multiple-choice answer given
 * as the option's text counts as its letter.
 */
export type JudgePurpose = 'distill' | 'regenerate' | 'eval';

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

export function judgeAnswer(text: string, problem: Problem, purpose: JudgePurpose): Verdict {
  const tagged = extractAnswerTag(text);
  if (tagged === null) return { correct: false, extracted: null };
  let extracted = tagged.trim();
  if (problem.choices && !LETTERS.includes(extracted.toUpperCase())) {
    const at = problem.choices.findIndex((c) => c.trim().toLowerCase() === extracted.toLowerCase());
    if (at >= 0) extracted = LETTERS[at] ?? extracted;
  }
  const gold = problem.answer.trim();
  const correct =
    purpose === 'regenerate'
      ? matchesForRegeneration(extracted, gold)
      : extracted.toLowerCase() === gold.toLowerCase() || gradeAnswer(gold, extracted);
  return { correct, extracted };
}
