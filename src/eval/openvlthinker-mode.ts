import { CHOICE_LETTERS } from '../data/problem-text.ts';
import type { Problem } from '../data/types.ts';
import { extractAnswerTag, gradeAnswer } from '../verify/index.ts';
import type { ScoredRow } from './types.ts';

/**
 * OpenVLThinker's own evaluation (what its paper reports): the answer is the text inside the first
 * `<answer>...</answer>`; no tag = wrong; the gold of a multiple-choice problem is its option letter; correct when the
 * lowercased, trimmed strings are equal or MathRuler's grade_answer agrees. Prompts are the loop's policy prompt
 * (`policyPromptText`, data/): the question, its lettered choices and the instruction the model was trained with.
 */

/** The gold answer as OpenVLThinker compares it: a choice's letter (an option text is mapped to its letter). */
export function openVlThinkerGold(problem: Pick<Problem, 'answer' | 'choices' | 'answerType'>): string {
  if (problem.choices && problem.answerType === 'choice') {
    const index = problem.choices.indexOf(problem.answer);
    if (index >= 0) return CHOICE_LETTERS[index] ?? problem.answer;
  }
  return problem.answer;
}

export function openVlThinkerCorrect(answer: string, gold: string): boolean {
  return answer.trim().toLowerCase() === gold.trim().toLowerCase() || gradeAnswer(gold, answer);
}

export function scoreOpenVlThinker(id: string, response: string, gold: string): ScoredRow {
  const tagged = extractAnswerTag(response);
  if (tagged === null) return { id, extraction: '', prediction: null, correct: false };
  const answer = tagged.trim();
  return { id, extraction: answer, prediction: answer, correct: openVlThinkerCorrect(answer, gold) };
}
