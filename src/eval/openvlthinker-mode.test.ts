import { describe, expect, it } from 'vitest';
import { problemText } from '../data/problem-text.ts';
import { openVlThinkerGold, scoreOpenVlThinker } from './openvlthinker-mode.ts';

describe("OpenVLThinker's evaluation mode", () => {
  it.each([
    ['<think>...</think><answer>B</answer>', 'B', true],
    ['<answer> b </answer>', 'B', true],
    ['<answer>\\frac{1}{2}</answer>', '0.5', true],
    ['<answer>3</answer>', '4', false],
    ['the answer is B', 'B', false], // no tag = wrong
  ])('%j against gold %j -> %s', (response, gold, expected) => {
    expect(scoreOpenVlThinker('p', response, gold).correct).toBe(expected);
  });

  it('maps a gold option text to its letter and lists choices as (A) ...', () => {
    const problem = { question: 'Which?', choices: ['red', 'blue'], answer: 'blue', answerType: 'choice' as const };
    expect(openVlThinkerGold(problem)).toBe('B');
    expect(problemText(problem)).toBe('Which?\nChoices:\n(A) red\n(B) blue');
  });
});
