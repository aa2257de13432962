import { describe, expect, it } from 'vitest';
import { gradeAnswer, mathdNormalize, secondNormalize } from './mathruler.ts';

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
    ['(1,2)', '[1,2]', false, 'tuple opening brackets must agree'],
    ['(1,2]', '(1,2)', false, 'tuple closing brackets must agree'],
    ['3', '(1,2)', false, 'one element against two'],
    ['(1/2,x+1)', '(0.5,1+x)', true, 'element by element through the symbolic step'],
    ['(1,2)', '(1,3)', false, 'one element differs'],
    ['x<1', '1>x', false, 'relations are not differences of scalars'],
    ['x+y', 'y+x', true, 'two letters still go to the symbolic step'],
    ['sqrt(x)+y', 'y+sqrt(x)', true, 'the letters of "sqrt" do not count'],
    ['x', 'y', false, 'two variables are not equal'],
    ['x^2', 'x', false, 'equal at no sample point'],
    ['x^2^3', 'x^8', false, 'stacked exponents are refused by the symbolic step'],
    ['\\frac{x}{y}', 'x/y', true, 'LaTeX read as text, then the symbolic step'],
    ['1', '1/1', false, 'an integer gold against a non-integer string'],
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

// Each rule of the two normalizations on its own, with the value MathRuler's Python gives (PRM800K's
// math_normalize.normalize_answer and grader._normalize): a rule that stops applying changes a verdict somewhere.
describe('mathdNormalize (step 1: the MATH-dataset normalization)', () => {
  it.each([
    ['  \\text{ Evelyn }  ', 'Evelyn', 'trimmed, \\text{} unwrapped and trimmed again'],
    ['\\text{a}b\\text{c}', 'a}b\\text{c', 'the unwrap is a lazy match anchored at both ends'],
    ['a\nb', 'ab', 'line breaks dropped'],
    ['3\\!000', '3000', 'negative thin spaces dropped'],
    ['\\\\frac{1}{2}', '\\frac{1}{2}', 'doubled backslashes halved'],
    ['\\tfrac{1}{2}', '\\frac{1}{2}', 'tfrac'],
    ['\\dfrac{1}{2}', '\\frac{1}{2}', 'dfrac'],
    ['\\left(1,2\\right)', '(1,2)', '\\left / \\right dropped'],
    ['90^{\\circ}', '90', 'degrees, braced'],
    ['90^\\circ', '90', 'degrees'],
    ['\\$5', '5', 'escaped dollar'],
    ['5\\text{ cm}', '5', 'a unit after "\\text{ " is cut'],
    ['5\\text{ cm}\\text{ m}', '5\\text{ cm}\\text{ m}', 'two units: the reference raises, the input comes back'],
    ['50\\%', '50', 'escaped percent'],
    ['{.5}', '{0.5}', '"{." gets its zero'],
    ['.25', '0.25', 'a leading "." gets its zero'],
    ['x = .5', '\\frac{1}{2}', '" ." gets its zero, a short "x =" prefix goes, 0.5 is a half'],
    ['k=\\sqrt2', '\\sqrt{2}', 'short prefix, then \\sqrt2'],
    ['abc = 5', 'abc=5', 'a prefix longer than 2 stays (spaces still go)'],
    ['a=b=c', 'a=b=c', 'two "=": no prefix cut'],
    ['\\sqrt3', '\\sqrt{3}', 'sqrt shorthand'],
    ['2\\sqrt3+\\sqrt{2}', '2\\sqrt{3}+\\sqrt{2}', 'only the unbraced sqrt changes'],
    ['\\sqrt', '\\sqrt', 'a bare \\sqrt: the reference raises, the input comes back'],
    ['\\frac12', '\\frac{1}{2}', 'frac shorthand'],
    ['\\frac12x', '\\frac{1}{2}x', 'frac shorthand with a tail'],
    ['\\frac1{2}', '\\frac{1}{2}', 'half-braced frac'],
    ['\\frac1', '\\frac1', 'too short to fix: the string as it was'],
    ['\\frac', '\\frac', 'a bare \\frac: the reference raises, the input comes back'],
    ['1 / 2', '\\frac{1}{2}', 'a/b of integers'],
    ['-1/2', '\\frac{-1}{2}', 'a signed numerator'],
    ['03/4', '03/4', 'int("03") prints as 3: not the same string, kept'],
    ['+3/4', '+3/4', 'int("+3") prints as 3: kept'],
    ['a/b', 'a/b', 'not integers'],
    ['1/2/3', '1/2/3', 'two slashes'],
    ['', '', 'empty'],
  ])('%j -> %j (%s)', (input, expected) => {
    expect(mathdNormalize(input)).toBe(expected);
  });
});

describe('secondNormalize (step 2: the grader normalization)', () => {
  it.each([
    ['\\text{Evelyn}', 'evelyn', '\\text{} unwrapped, lowercased'],
    ['50\\%', '50', 'percent'],
    ['\\$5', '5', 'dollar'],
    ['3 or 4', '3,4', '" or " is a comma'],
    ['x and y', 'x,y', '" and " is a comma'],
    ['2 million', '2*10^6', 'million'],
    ['3 billion', '3*10^9', 'billion'],
    ['1 trillion', '1*10^12', 'trillion'],
    ['5 cm', '5', 'unit word'],
    ['5 meters^2', '5', 'plural unit with a power'],
    ['5 degrees', '5', 'degrees'],
    ['7 inches', '7', '"es" plural'],
    ['2 feet', '2', 'feet'],
    ['90^ \\circ', '90', '^\\circ with a space'],
    ['{5}', '5', 'outer braces'],
    ['1,\\! 000', '1000', 'thousands separator ",\\!"'],
    ['10.0', '10', 'integral float'],
    ['3.0000000001', '3', 'within 1e-7 of an integer'],
    ['1e3', '1000', 'exponent notation'],
    ['2.5e1', '25', 'exponent notation to an integer'],
    ['2.5', '2.5', 'a float stays'],
    ['-0.5', '-0.5', 'a negative float stays'],
    ['\\frac{1}{2}', '1/2', 'LaTeX as text'],
    ['\\sqrt{2}', 'sqrt(2)', 'LaTeX function as text'],
    ['\\left(1\\right)', '1', 'LaTeX delimiters'],
    ['- 5', '-5', 'a spaced minus'],
    ['1 1/2', '1+1/2', 'mixed number'],
    ['A B', 'ab', 'spaces dropped'],
    ['{x}+{y}', 'x+y', 'leftover braces dropped'],
    ['1,000', '1000', 'a properly formatted comma number is an integer'],
    ['1,000,000', '1000000', 'several groups'],
    ['12,34', '12,34', 'not thousands: kept'],
    ['inf', 'inf', 'infinity is no integer'],
    ['Infinity', 'infinity', 'nor is Infinity'],
    ['1_000', '1000', "Python's float() reads digit underscores"],
    ['1,000.0', '1000', 'a comma number that is an integer'],
    ['2.5e-1', '2.5e-1', 'a float in exponent notation stays'],
    ['', '', 'empty'],
  ])('%j -> %j (%s)', (input, expected) => {
    expect(secondNormalize(input)).toBe(expected);
  });
});
