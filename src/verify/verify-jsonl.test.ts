import { describe, expect, it } from 'vitest';
import { verifyJsonLine } from './verify-jsonl.ts';

const line = (value: unknown) => JSON.stringify(value);

describe('verifyJsonLine (one line of `vlthink verify`)', () => {
  it('answers a malformed line with its line number and what is wrong, and never throws', () => {
    const bad = verifyJsonLine('{"gold": "1",', 4);
    expect(bad).toMatchObject({ line: 4 });
    expect('error' in bad && bad.error).toMatch(/^not valid JSON \(.+\)$/);
    expect(verifyJsonLine(line({ gold: '1' }), 5)).toEqual({
      line: 5,
      error:
        'expected {gold, prediction, grader?, choices?}: prediction: Invalid input: expected string, received undefined',
    });
    const notObject = verifyJsonLine('7', 6);
    expect('error' in notObject && notObject.error).toMatch(
      /^expected \{gold, prediction, grader\?, choices\?\}: \(line\): /,
    );
    const twoIssues = verifyJsonLine(line({ gold: 1, prediction: 2 }), 7);
    expect('error' in twoIssues && twoIssues.error).toMatch(/: gold: .+; prediction: /);
    const nested = verifyJsonLine(line({ gold: '1', prediction: '1', choices: ['a', 2] }), 8);
    expect('error' in nested && nested.error).toMatch(
      /^expected \{gold, prediction, grader\?, choices\?\}: choices\.1: /,
    );
  });

  it('uses the general verifier by default, with the choices', () => {
    expect(verifyJsonLine(line({ gold: '\\frac{1}{2}', prediction: 'So $\\boxed{0.5}$.' }), 1)).toEqual({
      correct: true,
      extracted: '0.5',
      reason: 'match',
    });
    expect(verifyJsonLine(line({ gold: '2', prediction: '' }), 1)).toEqual({
      correct: false,
      extracted: null,
      reason: 'no-answer',
    });
    // With the options, "5" is option B; without them there is no letter to find.
    const choice = line({ gold: 'B', prediction: 'The answer is 5.', choices: ['4', '5'] });
    expect(verifyJsonLine(choice, 1)).toEqual({ correct: true, extracted: 'B', reason: 'match' });
    expect(verifyJsonLine(line({ gold: 'B', prediction: 'The answer is 5.' }), 1)).toEqual({
      correct: false,
      extracted: null,
      reason: 'no-answer',
    });
  });

  it('grades with MathRuler when asked: tag content, else the whole prediction, trimmed', () => {
    const ask = (gold: string, prediction: string) =>
      verifyJsonLine(line({ gold, prediction, grader: 'mathruler' }), 1);
    expect(ask('5', '<answer> 5 cm </answer>')).toEqual({ correct: true, extracted: '5 cm', reason: 'match' });
    expect(ask('5', ' 5 ')).toEqual({ correct: true, extracted: '5', reason: 'match' });
    expect(ask('5', '<answer>6</answer>')).toEqual({ correct: false, extracted: '6', reason: 'mismatch' });
    expect(ask('5', '<answer> </answer>')).toEqual({ correct: false, extracted: '', reason: 'no-answer' });
    // MathRuler takes answers as given: a boxed answer is not extracted.
    expect(ask('5', 'So $\\boxed{5}$')).toMatchObject({ correct: false, reason: 'mismatch' });
    // MathRuler alone says no (only the lowercase "million" becomes *10^6); the lowercased, trimmed strings are equal.
    expect(ask(' 2 Million ', '2 million')).toEqual({ correct: true, extracted: '2 million', reason: 'match' });
  });
});
