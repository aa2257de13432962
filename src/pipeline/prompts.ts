import { isAbsolute, join } from 'node:path';
import type { Prompt } from '../backends/types.ts';
import { choiceLetter } from '../core/index.ts';
import { policyPromptText } from '../data/problem-text.ts';
import type { Problem } from '../data/types.ts';

/**
 * The prompts of the loop. The policy sees the image and the question followed by the paper's RL instruction; the
 * text reasoner of round 1 sees the caption instead of the image. SFT examples store the policy's prompt text, so the
 * model is trained, rolled out and evaluated on the same words (`policyPromptText`, data/).
 */
export { policyPromptText, THINK_INSTRUCTION } from '../data/problem-text.ts';
export function resolveImage(imageRoot: string, path: string): string {
  return isAbsolute(path) ? path : join(imageRoot, path);
}

export function policyPrompt(
  problem: Problem,
  imageRoot: string,
  text: (problem: Problem) => string = policyPromptText,
): Prompt {
  return [
    {
      role: 'user',
      content: [
        ...problem.images.map((p) => ({ type: 'image' as const, image: { path: resolveImage(imageRoot, p) } })),
        { type: 'text' as const, text: text(problem) },
      ],
    },
  ];
}

/**
 * Round 1: the text reasoner reads what the captioner saw instead of the image, in the labelled layout the world's
 * caption reader parses (`caption:`, `question:`, `(A) option`).
 */
export function reasonerPrompt(problem: Problem, caption: string): Prompt {
  const options = (problem.choices ?? []).map((c, i) => `(${choiceLetter(i) ?? String(i)}) ${c}`);
  const lines = [`caption: ${caption}`, `question: ${problem.question}`, ...options];
  lines.push('Reason step by step inside <think> </think>, then give the final answer inside <answer> </answer>.');
  return [{ role: 'user', content: lines.join('\n') }];
}

export function captionPrompt(problem: Problem, imageRoot: string, instruction: string): Prompt {
  return [
    {
      role: 'user',
      content: [
        ...problem.images.map((p) => ({ type: 'image' as const, image: { path: resolveImage(imageRoot, p) } })),
        { type: 'text' as const, text: instruction },
      ],
    },
  ];
}
