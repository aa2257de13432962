import type { Problem } from '../data/types.ts';
import { goldAnswer, judgeAnswer } from '../verify/index.ts';
import type { ScoredRow } from './types.ts';

/**
 * OpenVLThinker's own evaluation (what its paper reports) is vlthink's one correctness rule (`judgeAnswer`, verify/):
 * the first `<answer>` text, no tag = wrong, a choice's gold as its letter, lowercased equality or MathRuler's
 * grade_answer. Prompts are the loop's policy prompt (`policyPromptText`, data/): the question, its lettered choices
 * and the instruction the model was trained with.
 */

/** The gold answer as OpenVLThinker compares it: a choice's letter (an option text is mapped to its letter). */
export function openVlThinkerGold(problem: Pick<Problem, 'answer' | 'choices' | 'answerType'>): string {
  return goldAnswer(problem);
}

export function scoreOpenVlThinker(id: string, response: string, gold: string): ScoredRow {
  const { correct, extracted } = judgeAnswer(response, gold);
  return { id, extraction: extracted ?? '', prediction: extracted, correct };
}
