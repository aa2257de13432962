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

// Cases that pin each remaining branch of the grader to the verdict MathRuler's Python gives (checked against a
// transcription of PRM800K's grader.py / math_normalize.py with SymPy 1.14; LaTeX-to-text per pylatexenc).
describe('gradeAnswer: each step decides on its own', () => {
  it.each([
    // [gold, pred, expected, why]
    ['5', 'k=5', true, 'only step 1 matches ("k=" prefix cut); step 2 keeps "k=5", a non-integer against 5'],
    ['5', '5\\text{ apples}', true, 'step 1 cuts the unit after "\\text{ "'],
    ['(1/2,x+1)', '(1/2,1+x)', true, 'equal fraction elements compare as strings, the rest symbolically'],
    ['(3,\t1/2)', '(3,1/2)', true, 'tuple elements are trimmed before comparing'],
    ['(3,\t2/4)', '(3,1/2)', false, 'trimmed "2/4" is an unreduced fraction against "1/2"'],
    ['1/2+x', '2/4+x', true, 'a fraction followed by more is no fraction: symbolic step'],
    ['12/5', '24/10', false, 'two-digit numerators are fractions too'],
    ['123/5', '246/10', false, 'three-digit numerators are fractions too'],
    ['1/100', '2/200', false, 'denominators with inner zeros are fractions too'],
    ['11)', '21)', false, 'a closing bracket alone does not make a tuple'],
    ['(12', '(13', false, 'an opening bracket alone does not make a tuple'],
    ['(1,(2))', '(1,(1+1))', false, 'nested brackets: no split, and a tuple is no scalar'],
    ['()', '[]', false, 'empty brackets'],
    ['x^2^3', 'x^6', false, 'stacked exponents are refused, whatever they group as'],
    ['2^x^2', '1*2^x^2', true, 'a letter between carets is not a stacked numeric exponent'],
    ['frac(x)+1', '1+frac(x)', true, 'the letters of "frac" do not count'],
    ['x+1', 'x+*1', false, 'an unparsable answer is not equal'],
    ['x+*1', 'x+1', false, 'an unparsable gold is not equal'],
    ['x', '0.5772', false, 'equal at one point is not equal'],
    ['x', 'sqrt(x)^2', true, 'points where one side is undefined are skipped'],
    ['sqrt(-1)', 'sqrt(-2)', false, 'no point where both are real: not equal'],
    ['sqrt(-1-x^2)', 'sqrt(-2-x^2)', false, 'never real: not equal'],
    ['(x+1)^2', 'x^2+2x+1', true, 'floating-point rounding is not a difference'],
    ['sqrt(2)*sqrt(3)', 'sqrt(6)', true, 'rounding at a single point is not a difference'],
    ['(x+10000)^2', 'x^2+20000x+100000000', true, 'the tolerance is relative to the size of the values'],
    ['x+y', 'x+y+0*x*y', true, 'two variables'],
    ['1e300*1e300', '1e300^2', true, 'the same value past the double range'],
    ['1e300*1e300', 'x', false, 'a value past the double range against a finite one'],
    ['10', '1__0', false, 'float() rejects a doubled underscore: "1__0" is no integer'],
    ['10', '1_0', true, 'float() reads "1_0" as 10'],
    // a cubic in x through four points (x, y) that are not the evaluation points: it equals y there only
    [
      'y',
      '-1.10318051111674853+0.5131742855618473*x+1.96567440462323528*x^2-0.82720864758820478*x^3',
      false,
      'agreeing on four other points is not equal (1)',
    ],
    [
      'y',
      '58.22331083654999162-44.41242122879319965*x+10.74022342354031245*x^2-0.82720864758820478*x^3',
      false,
      'agreeing on four other points is not equal (2)',
    ],
  ])('gold %j vs %j -> %s (%s)', (gold, pred, expected) => {
    expect(gradeAnswer(gold, pred)).toBe(expected);
  });
});

describe('mathdNormalize: more of the reference rules', () => {
  it.each([
    ['\\text{ ab=5}', '5', 'the unwrapped text is trimmed before the "ab=" prefix is measured'],
    ['x = \\frac', 'x = \\frac', 'a bare \\frac after other rules: the reference raises, the input comes back'],
    ['null/2', 'null/2', 'a/b needs two integers (numerator)'],
    ['2/null', '2/null', 'a/b needs two integers (denominator)'],
    ['12/5', '\\frac{12}{5}', 'multi-digit integers'],
    ['100/3', '\\frac{100}{3}', 'inner zeros are kept'],
    ['-0/5', '-0/5', 'int("-0") prints as 0: not the same string, kept'],
    ['0/5', '\\frac{0}{5}', 'zero numerator'],
  ])('%j -> %j (%s)', (input, expected) => {
    expect(mathdNormalize(input)).toBe(expected);
  });
});

describe('secondNormalize: more of the reference rules', () => {
  it.each([
    ['90^\\circ', '90', '^\\circ without a space'],
    ['x^\\circ', 'x', '^\\circ is removed before LaTeX is read'],
    ['5^\\circ C', '5c', '^\\circ before a unit letter'],
    ['1^\\circ+1', '1+1', '^\\circ inside an expression'],
    ['a,\\!b', 'ab', '",\\!" is removed between letters too'],
    ['x,\\!y', 'xy', '",\\!" is removed before LaTeX is read'],
    ['1,\\!2', '12', '",\\!" before a single digit'],
    ['(1,\\!000,2)', '(1000,2)', '",\\!" inside a tuple'],
    ['90^  \\circ', '90', '^\\circ with several spaces'],
    ['{2.9999999999}', '3', 'outer braces go before the float check, which rounds'],
    ['{25', '25', 'an opening brace alone is not stripped as a pair'],
    ['25}', '25', 'a closing brace alone is not stripped as a pair'],
    ['1,\\!000.5', '1000.5', '",\\!" without a space'],
    ['2.9999999999', '3', 'a near-integer float rounds (the later integer step would truncate)'],
    [' 2.9999999999', '3', 'float() ignores surrounding whitespace'],
    ['1  1/2', '1+1/2', 'mixed number with several spaces'],
    ['\\tfrac{1}{2}', '1/2', '\\tfrac as \\frac'],
    ['\\dfrac{1}{2}', '1/2', '\\dfrac as \\frac'],
    ['0x10', '0x10', 'float() reads no hexadecimal'],
    ['+5', '5', 'a signed float'],
    ['.00', '0', 'a float with no integer part'],
    ['1e+3', '1000', 'a signed exponent'],
    ['1e10', '10000000000', 'a two-digit exponent'],
    ['0.0000001', '0', 'exactly 1e-7 from an integer counts as an integer'],
    ['0.0000002', '0.0000002', 'more than 1e-7 from an integer does not'],
    ['1_0_0', '100', 'float() reads single underscores between digits'],
    ['1__0', '1__0', 'but not a doubled underscore'],
    ['_10', '_10', 'nor a leading one'],
    ['10_', '10_', 'nor a trailing one'],
    ['1_.5', '1_.5', 'nor one next to the point'],
    ['\\text{2.9999999999}', '3', 'a whole-answer \\text{} is unwrapped before the float check'],
    ['\\text{a}+1', 'a+1', '\\text{} that is not the whole answer is LaTeX text'],
    ['a+\\text{b}', 'a+b', 'nor is one at the end'],
  ])('%j -> %j (%s)', (input, expected) => {
    expect(secondNormalize(input)).toBe(expected);
  });
});

// Checked against MathRuler's grader.py (HEAD 14dadeb) with pylatexenc 2.10 and SymPy 1.14 on CPython 3.11.
describe('MathRuler: LaTeX our parser cannot read, and the evaluation tolerance', () => {
  it.each([
    ['\\left( 1, 2 \\right] +', '(1,2]+', 'pylatexenc drops \\left / \\right'],
    ['\\left(x+', '(x+', 'also unbalanced'],
    ['\\sin x +', 'sinx+', 'and prints \\sin as its name'],
  ])('secondNormalize(%j) -> %j (%s)', (input, expected) => {
    expect(secondNormalize(input)).toBe(expected);
  });

  it('accepts a floating-point error exactly at the tolerance (SymPy: the difference is exactly 0)', () => {
    // 2^55 + 29999999997 rounds up by 3 in doubles; 3 is exactly 1e-10 * 3e10.
    expect(gradeAnswer('29999999997+0', '36028797018963968+29999999997-36028797018963968')).toBe(true);
  });
});
