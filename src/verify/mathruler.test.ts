import { describe, expect, it } from 'vitest';
import { gradeAnswer } from './mathruler.ts';

describe('gradeAnswer (MathRuler 0.1.0 semantics)', () => {
  it.each([
    // [gold, pred, expected, why]
    ['2', '2', true, 'identical'],
    ['\\frac{1}{2}', '0.5', true, '0.5 is rewritten to \\frac{1}{2} by the first normalization'],
    ['1/2', '\\frac{1}{2}', true, 'a/b becomes \\frac{a}{b}'],
    ['\\frac{1}{2}', '\\dfrac12', true, '\\dfrac and \\frac12 shorthands'],
    ['10', '10.0', true, 'integral floats become integers'],
    ['1000', '1,000', true, 'thousands commas'],
    ['5', '5 cm', true, 'unit words are removed'],
    ['90', '90^\\circ', true, 'degrees'],
    ['x+1', '1+x', true, 'symbolic step: the difference is 0'],
    ['\\sqrt{2}/2', '\\frac{\\sqrt2}{2}', true, 'symbolic step with sqrt'],
    ['(1,2)', '(1, 2)', true, 'tuples element by element'],
    ['\\text{Evelyn}', 'Evelyn', true, '\\text{} unwrapped'],
    ['yes', 'Yes', true, 'lowercased in the second normalization'],
    ['A', '(A)', true, 'quirk: "(a)" - "a" simplifies to 0 in the symbolic step'],
    ['(A)', 'A', true, 'the same quirk in the other direction'],
    ['2', '2.5', false, 'an integer gold needs an integer answer'],
    ['\\frac{2}{4}', '1/2', false, 'unreduced fractions must match exactly'],
    ['[1,2)', '(1,2)', false, 'interval brackets must agree'],
    ['(1,2)', '(1,2,3)', false, 'tuple lengths must agree'],
    ['2', '3', false, 'different numbers'],
    ['x+y+z', 'z+y+x', false, 'more than two letters: no symbolic step, strings differ'],
    ['x^{2}', 'x*x', true, 'braces are dropped, so x^2 - x*x simplifies to 0'],
    ['2^(1/2)', 'sqrt(2)', false, '"^(" is refused by the symbolic step'],
    ['x^23', 'x^23', true, 'identical strings need no symbolic step'],
    ['x^23', 'x^22*x', false, 'long exponents are refused by the symbolic step'],
    ['A', 'B', false, 'different letters'],
    ['3', '', false, 'empty answer'],
  ])('gold %j vs %j -> %s (%s)', (gold, pred, expected) => {
    expect(gradeAnswer(gold, pred)).toBe(expected);
  });

  it.each([
    ['empty', ''],
    ['1 MB of text', 'lorem ipsum '.repeat(90_000)],
    ['unbalanced braces', '\\frac{1}{2'],
    ['nested tags', '<answer><answer>5</answer></answer>'],
    ['unicode minus', '−5'],
    ['RTL text', 'الإجابة ٥'],
    ['a million-digit number', '9'.repeat(1_000_000)],
    ['lone backslash', '\\'],
    ['only braces', '{{{{}}}}'],
  ])('never throws on %s: not 5 either way round, and equal to itself', (_name, pred) => {
    // The grader compares answers as given (no tag extraction): none of these is 5, not even the nested tags.
    expect(gradeAnswer('5', pred)).toBe(false);
    expect(gradeAnswer(pred, '5')).toBe(false);
    expect(gradeAnswer(pred, pred)).toBe(true);
  });

  it('an integer written with a unicode minus is not the positive number', () => {
    expect(gradeAnswer('5', '−5')).toBe(false);
    expect(gradeAnswer('-5', '-5')).toBe(true);
  });
});
