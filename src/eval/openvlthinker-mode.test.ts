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

describe("OpenVLThinker's evaluation mode, whole rows", () => {
  it('writes the trimmed tag content as extraction and prediction; no tag gives an empty extraction and no prediction', () => {
    expect(scoreOpenVlThinker('p1', '<think>x</think><answer> 12 </answer>', '12')).toEqual({
      id: 'p1',
      extraction: '12',
      prediction: '12',
      correct: true,
    });
    expect(scoreOpenVlThinker('p2', 'so 12', '12')).toEqual({
      id: 'p2',
      extraction: '',
      prediction: null,
      correct: false,
    });
    expect(scoreOpenVlThinker('p3', '<answer>Blue</answer>', ' blue ')).toMatchObject({ correct: true });
  });

  it('keeps the gold as written unless it is a choice problem whose answer is one of its options', () => {
    const choices = ['red', 'blue'];
    expect(openVlThinkerGold({ choices, answer: 'green', answerType: 'choice' })).toBe('green');
    expect(openVlThinkerGold({ choices, answer: 'blue', answerType: 'text' })).toBe('blue');
    expect(openVlThinkerGold({ choices: null, answer: '7', answerType: 'number' })).toBe('7');
    expect(openVlThinkerGold({ choices, answer: 'red', answerType: 'choice' })).toBe('A');
  });
});
