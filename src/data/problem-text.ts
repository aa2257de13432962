import { CHOICE_LETTERS } from '../core/index.ts';
import type { Problem } from './types.ts';

export { CHOICE_LETTERS };

/**
 * The text of a problem as an engine's dataset shows it: the question, then for multiple choice one line per option
 * with its letter. Callers that want another wording (the pipeline's own prompts) pass their own function to the
 * exporters. Example: "Which is larger?\nChoices:\n(A) 3\n(B) 5".
 */
export function problemText(problem: Pick<Problem, 'question' | 'choices'>): string {
  if (!problem.choices || problem.choices.length === 0) return problem.question;
  const options = problem.choices.map((c, i) => `(${CHOICE_LETTERS[i] ?? String(i + 1)}) ${c}`).join('\n');
  return `${problem.question}\nChoices:\n${options}`;
}

/** The paper's RL instruction, after the question in every policy prompt (SFT examples, rollouts, evaluation). */
export const THINK_INSTRUCTION =
  'First think about the reasoning process as an internal monologue inside <think> </think>, ' +
  'then give the final answer inside <answer> </answer>.';

/** The text the policy model reads beside the image: the question (with its lettered choices) and the instruction. */
export function policyPromptText(problem: Pick<Problem, 'question' | 'choices'>): string {
  return `${problemText(problem)}\n${THINK_INSTRUCTION}`;
}
