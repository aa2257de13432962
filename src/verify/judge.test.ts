import { describe, expect, it } from 'vitest';
import { answersMatch, goldAnswer, type JudgeTarget, judgeAnswer } from './judge.ts';

describe('goldAnswer (a choice gold given as option text becomes its letter)', () => {
  it.each([
    [{ answer: ' 5 ' }, '5', 'no choices: trimmed'],
    [{ answer: '5', choices: ['4', '5', '6'] }, 'B', 'an option text is its letter'],
    [{ answer: 'cat', choices: ['cat', 'dog'] }, 'A', 'the first option is A'],
    [{ answer: ' 5', choices: ['4 ', ' 5 '] }, 'B', 'option texts compared trimmed'],
    [{ answer: '5', choices: ['4', '5'], answerType: 'choice' }, 'B', 'answer type choice maps'],
    [{ answer: '5', choices: ['4', '5'], answerType: 'integer' }, '5', 'another answer type never maps'],
    [{ answer: '7', choices: ['4', '5'] }, '7', 'not an option: as given'],
    [{ answer: 'C', choices: ['4', '5', '6'] }, 'C', 'a letter stays a letter'],
    [{ answer: '5', choices: null }, '5', 'null choices'],
    [{ answer: 'z', choices: [...Array.from({ length: 26 }, (_, i) => `o${i}`), 'z'] }, 'z', 'past Z: no letter'],
  ] as Array<[JudgeTarget, string, string]>)('%j -> %j (%s)', (target, expected) => {
    expect(goldAnswer(target)).toBe(expected);
  });
});

describe('answersMatch (lowercased equality, else MathRuler)', () => {
  it.each([
    [' Blue ', 'blue', true],
    ['0.5', '\\frac{1}{2}', true],
    ['5 cm', '5', true],
    ['6', '5', false],
    ['', '5', false],
    ['\tEvelyn', 'evelyn', true],
    ['evelyn', '\tEvelyn', true],
    // MathRuler alone says no (only the lowercase "million" becomes *10^6), the lowercased strings are equal
    ['2 Million', '2 million', true],
  ])('%j vs gold %j -> %s', (answer, gold, expected) => {
    expect(answersMatch(answer, gold)).toBe(expected);
  });
});

describe('judgeAnswer', () => {
  it('reads the first tag, trims it, and is wrong without one', () => {
    expect(judgeAnswer('<think>x</think><answer> 7 </answer>', '7')).toEqual({ correct: true, extracted: '7' });
    expect(judgeAnswer('<answer>8</answer>', '7')).toEqual({ correct: false, extracted: '8' });
    expect(judgeAnswer('7', '7')).toEqual({ correct: false, extracted: null });
  });

  it('compares a choice problem by letter', () => {
    const target = { answer: '5', choices: ['4', '5', '6'] };
    expect(judgeAnswer('<answer>B</answer>', target).correct).toBe(true);
    expect(judgeAnswer('<answer>5</answer>', target).correct).toBe(false);
  });

  it('applies the regeneration rule only when asked', () => {
    const output = '<answer>The answer is 5 cm.</answer>';
    expect(judgeAnswer(output, '5', 'regenerate')).toEqual({ correct: true, extracted: 'The answer is 5 cm.' });
    expect(judgeAnswer(output, '5').correct).toBe(false);
    expect(judgeAnswer(output, '5', 'match').correct).toBe(false);
    // The regeneration rule demands an exact match of a long hyphenated gold, which MathRuler would not.
    expect(judgeAnswer('<answer>well known</answer>', 'well-known', 'regenerate').correct).toBe(false);
  });
});
