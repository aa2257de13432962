import { describe, expect, it } from 'vitest';
import { type CompareOptions, equivalent } from './compare.ts';
import { type Expr, num } from './expr.ts';
import { parseMath } from './parse-math.ts';

/** compare.ts on parsed answers: relations and chains, proportionality, collections, numeric and big-integer rules. */
const OPTS: CompareOptions = { floatRounding: 6, strict: true, allowSetRelationComp: false };

function p(s: string): Expr {
  const e = parseMath(s);
  if (e === null) throw new Error(`unparseable: ${s}`);
  return e;
}

const eq = (gold: string | Expr, pred: string | Expr, opts: Partial<CompareOptions> = {}): boolean =>
  equivalent(typeof gold === 'string' ? p(gold) : gold, typeof pred === 'string' ? p(pred) : pred, {
    ...OPTS,
    ...opts,
  });

const neg = (arg: Expr): Expr => ({ kind: 'neg', arg });
/** -012345678901234567, as a hand-built tree (the parser drops leading zeros itself). */
const negLeadingZero = neg(num(Number('12345678901234567'), '012345678901234567'));

describe('chains', () => {
  it.each([
    // x = a = b reads as x = b
    ['x = 2+1 = 3', '3', true],
    // a mixed chain is neither an equation nor an interval
    ['x = 1 < 2', '2', false],
    ['1 < x = 2', '(1, 2]', false],
    ['5 > x = 2', '[2, 5)', false],
    // three relations are not an interval
    ['0 < x < 1 < 2', '(0, 1)', false],
    // descending chains become intervals with the matching ends
    ['5 > x > 1', '(1, 5)', true],
    ['5 > x > 1', '[1, 5]', false],
    ['5 \\geq x > 1', '(1, 5]', true],
    ['5 \\geq x > 1', '[1, 5)', false],
    ['5 > x \\geq 1', '[1, 5)', true],
    ['5 > x \\geq 1', '(1, 5]', false],
    ['5 \\geq x \\geq 1', '[1, 5]', true],
    // an ascending pair reads as an open interval (written differently, so the keys differ)
    ['1 < x < 3', '(1, 6/2)', true],
    ['1 < x < 3', '(2/2, 3)', true],
    ['1 < x < 3', '(1, 3, 5)', false],
    ['1 < x < 3', '1 \\cup 3', false],
    ['-\\infty < x < 3', '(-\\infty, 6/2)', true],
  ])('%s vs %s -> %s', (gold, pred, expected) => {
    expect(eq(gold, pred)).toBe(expected);
  });
});

describe('relations', () => {
  it.each([
    // different relation symbols never match
    ['x < 3', 'x \\leq 3', false],
    ['x \\leq 3', 'x < 3', false],
    // proportional equations
    ['2x = 4', 'x = 2', true],
    ['2x+4y=6', 'x+2y=3', true],
    ['y = x + 1/100000000', 'y = x', false],
    ['y = \\sqrt{x-1}', 'y = 2x', false],
    // != is symmetric: a negative ratio is fine
    ['x \\neq 3', '3 \\neq x', true],
    ['x \\neq 3', 'x \\neq 4', false],
    // tautologies are all alike; a false constant relation is not a true one
    ['2x = x + x', '3x = x + 2x', true],
    ['1 = 1', '1 = 2', false],
    ['1 = 2', '1 = 1', false],
    ['0 = 10^{-12}', '1 = 1', false],
    ['1 = 1', '0 = 10^{-12}', false],
    // equations without solutions
    ['0 = 1', '0 = 10^{-12}', true],
    ['0 = 10^{-12}', '0 = 1', true],
    // defined at two sample points only: one of them has both sides zero
    ['\\sqrt{x-2}(|x-5/2|+x-5/2) = 0', '2\\sqrt{x-2}(|x-5/2|+x-5/2) = 0', true],
    // rounding error grows with the constant term; the ratio tolerance scales with the ratio
    ['1000y + 10^{9} = 1000x + 10^{9}', 'y = x', true],
    // a decimal constant: the looser float tolerance
    ['y + 100000000.5 = x + 100000000.5', 'y = x', true],
    ['y = x', 'y + 100000000.5 = x + 100000000.5', true],
    // sides compared one by one after rounding, for equations only
    ['x = 0.333333', 'x = 1/3', true],
    ['x < 0.333333', 'x < 1/3', false],
    // equations between collections: side by side
    ['S = \\{1, 2\\}', 'S = \\{1, 3\\}', false],
    ['S = \\{1, 2\\}', 'T = \\{2/2, 2\\}', false],
    ['(a, b) = (1, 2)', '(a, b) = (2/2, 2)', true],
  ])('%s vs %s -> %s', (gold, pred, expected) => {
    expect(eq(gold, pred)).toBe(expected);
  });

  it('compares unknown-function equations side by side when variable names may differ', () => {
    expect(eq('f(x) = x^2', 'f(y) = y^2', { strict: false })).toBe(true);
  });
});

describe('collections', () => {
  const interval13 = p('[1, 3]');
  it.each<[string | Expr, string | Expr, boolean]>([
    ['(1, 2, 3)', '(1, 2, 4)', false],
    ['\\{\\}', '\\{1\\}', false],
    ['\\{1\\}', '\\{\\}', false],
    ['\\{1, 2\\}', '\\{1\\}', false],
    ['\\{1, 2\\}', '1', false],
    ['3', '\\{3\\}', true],
    ['\\{3\\}', '3', true],
    // a pair read as an open interval against a 2-set
    ['\\{1, 3\\}', '(1, 3)', true],
    ['(1, 3)', '\\{1, 3\\}', true],
    ['(1, 3)', '\\{1, 4\\}', false],
    ['(1, 3, 3)', '\\{1, 3\\}', false],
    ['(1, 1)', '\\{1, 1\\}', false],
    // a one-interval union is that interval
    [{ kind: 'union', items: [interval13] }, '[1, 3]', true],
    ['[1, 3]', { kind: 'union', items: [interval13] }, true],
    ['[1, 2] \\cup [3, 4]', '[1, 2]', false],
    ['[1, 3]', '3', false],
  ])('%j vs %j -> %s', (gold, pred, expected) => {
    expect(eq(gold, pred)).toBe(expected);
  });
});

describe('expressions with variables', () => {
  it.each([
    // |y| differs from y at the negative sample point
    ['x + |y|', 'x + y', false],
    // agree only where y >= 1, but y in (1/2, 1) is also sampled
    ['x + \\sqrt{y - 1/2} + |y - 1|', 'x + \\sqrt{y - 1/2} + y - 1', false],
    // defined at one sample point only: not enough evidence
    ['\\sqrt{x - 1/2} + \\sqrt{7/10 - x}', '\\sqrt{x - 1/2} + \\sqrt{7/10 - x} + x - \\pi/5', false],
    // defined at two sample points: enough
    ['\\sqrt{x - 2}', '\\frac{\\sqrt{2x - 4}}{\\sqrt{2}}', true],
    // cancellation error of the big decimal constant stays below 6 places
    ['(x + 123456789.5) - 123456789.5', 'x', true],
  ])('%s vs %s -> %s', (gold, pred, expected) => {
    expect(eq(gold, pred)).toBe(expected);
  });

  it('caps the decimal places at 6 for expressions with variables', () => {
    expect(eq('(x + 123456789.5) - 123456789.5', 'x', { floatRounding: 10 })).toBe(true);
  });

  it.each([
    ['x + y', 'u + v', true],
    ['x + y', 'x + z', true],
    // different numbers of variables: no renaming
    ['x', 'u + v - v', false],
  ])('non-strict: %s vs %s -> %s', (gold, pred, expected) => {
    expect(eq(gold, pred, { strict: false })).toBe(expected);
  });
});

describe('numbers', () => {
  it.each([
    ['\\infty', '5', false],
    ['5', '\\infty', false],
    // relative tolerance for exact values
    ['(\\sqrt{2})^{2} \\cdot 10^{12}', '2 \\cdot 10^{12}', true],
    // no rounding when neither side is a decimal
    ['0', '1/10000000', false],
    ['0.0000006', '-0.0000006', false],
    ['-0', '0', true],
    ['0', '-0', true],
  ])('%s vs %s -> %s', (gold, pred, expected) => {
    expect(eq(gold, pred)).toBe(expected);
  });

  it('rounds decimals to floatRounding places', () => {
    expect(eq('0.3334999', '0.3325001', { floatRounding: 3 })).toBe(true);
    expect(eq('0.3335001', '0.3325001', { floatRounding: 3 })).toBe(false);
    // at a tie Math.round goes up but SymPy (half to even) gives both sides the same last digit
    expect(eq('0.0000025', '0.00000249')).toBe(true);
    expect(eq('-0.1235', '-0.12351', { floatRounding: 3 })).toBe(true);
  });
});

describe('integer literals compare by their digits', () => {
  it.each<[string | Expr, string | Expr, boolean]>([
    ['12345678901234567890', '12345678901234567891', false],
    ['-12345678901234567890', '-12345678901234567891', false],
    ['-10^{20}', '-100000000000000000000', true],
    ['1000000000000000', '999999999999999', false],
    ['999999999999999', '1000000000000000', false],
    // zeros inside the number are digits
    ['1000123456789012345', '1123456789012345', false],
    ['1123456789012345', '1000123456789012345', false],
    // a leading zero does not drop the sign
    [negLeadingZero, '12345678901234567', false],
    ['12345678901234567', negLeadingZero, false],
    // a long run of leading zeros is still zero
    [num(0, '00000000000000000'), '-0', true],
    ['-0', num(0, '00000000000000000'), true],
    // short integers too: a relative tolerance would take 1000000000 for 1000000001 (SymPy: different Integers)
    ['1000000000', '1000000001', false],
    ['123456789012345', '123456789012346', false],
    ['-1000000000', '-1000000001', false],
    ['007', '7', true],
  ])('%j vs %j -> %s', (gold, pred, expected) => {
    expect(eq(gold, pred)).toBe(expected);
  });
});
