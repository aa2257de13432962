import type { Problem } from './types.ts';

/**
 * The text of a problem as an engine's dataset shows it: the question, then for multiple choice one line per option
 * with its letter. Callers that want another wording (the pipeline's own prompts) pass their own function to the
 * exporters. Example: "Which is larger?\nChoices:\n(A) 3\n(B) 5".
 */
export function problemText(problem: Problem): string {
  if (!problem.choices || problem.choices.length === 0) return problem.question;
  const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
  const options = problem.choices.map((c, i) => `(${letters[i] ?? String(i + 1)}) ${c}`).join('\n');
  return `${problem.question}\nChoices:\n${options}`;
}
