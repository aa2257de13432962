import { describe, expect, it } from 'vitest';
import { latexValue, type Num, toFloat } from './latex-value.ts';

// MATH-V's is_equal evaluates a side as eval(str(latex2sympy(s))) with Python's math names in scope: SymPy keeps
// integers and fractions exact, Python's float arithmetic does the rest, and anything that raises is null here.
const R = (n: bigint, d = 1n): Num => ({ kind: 'rat', n, d });
const F = (v: number): Num => ({ kind: 'float', v });

describe('latexValue: the value eval(str(latex2sympy(s))) gives', () => {
  it.each<[string, Num | null, string]>([
    // signs stay in the numerator, fractions in lowest terms
    ['-\\frac{1}{2}', R(-1n, 2n), 'a negated fraction'],
    ['2/(-3)', R(-2n, 3n), 'a negative divisor'],
    ['\\frac{2}{-4}', R(-1n, 2n), 'a negative denominator, reduced'],
    ['-3', R(-3n), 'unary minus'],
    ['+3', R(3n), 'unary plus'],
    ['2*+3', R(6n), 'unary plus after an operator'],
    ['--2', R(2n), 'double minus'],
    // + and - on fractions and floats
    ['1+2', R(3n), 'addition'],
    ['\\frac{1}{2}+\\frac{2}{3}', R(7n, 6n), 'fractions add exactly'],
    ['\\frac{1}{2}-\\frac{2}{3}', R(-1n, 6n), 'and subtract exactly'],
    ['0.5+2', F(2.5), 'a float makes the sum a float'],
    ['2.5-0.5', F(2), 'float subtraction'],
    ['x+1', null, 'a symbol on the left'],
    ['1+x', null, 'a symbol on the right'],
    // explicit and implicit products and quotients
    ['2*3', R(6n), '*'],
    ['2\\cdot3', R(6n), '\\cdot'],
    ['2\\times3', R(6n), '\\times'],
    ['6/4', R(3n, 2n), '/'],
    ['6:4', R(3n, 2n), ': divides'],
    ['6\\div4', R(3n, 2n), '\\div'],
    ['\\frac{1}{2}\\cdot\\frac{1}{3}', R(1n, 6n), 'fractions multiply exactly'],
    ['\\frac{1}{2}/\\frac{1}{3}', R(3n, 2n), 'and divide exactly'],
    ['3/0.5', F(6), 'float division'],
    ['1.5*2', F(3), 'float product'],
    ['3/0', null, 'division by zero (zoo)'],
    ['1.5/0', null, 'a float by zero'],
    ['1.5/0.0', null, 'by a float zero'],
    ['2 3', R(6n), 'two numbers side by side multiply'],
    ['3(4)', R(12n), 'a number before ( multiplies'],
    ['3{4}', R(12n), 'a number before { multiplies'],
    ['2\\sqrt{9}', R(6n), 'a number before a command multiplies'],
    ['2x', null, 'a symbol multiplies and fails eval'],
    ['2*x', null, 'a symbol after *'],
    // numbers
    ['1,000', R(1000n), 'a thousands group'],
    ['1,000,000', R(1000000n), 'two groups'],
    ['.5', F(0.5), 'a leading point'],
    ['.25', F(0.25), 'a leading point, two digits'],
    ['0.125', F(0.125), 'a decimal is a float'],
    // grouping
    ['[1+2]', R(3n), 'brackets group'],
    ['(1+2)\\cdot2', R(6n), 'parentheses group'],
    ['{1+2}\\cdot2', R(6n), 'braces group'],
    ['(1+2', null, 'an unclosed group'],
    ['|2}', null, 'a | is no group'],
    ['|2]', null, 'nor with a bracket'],
    [')', null, 'a closing parenthesis alone'],
    // powers and roots
    ['2^{10}', R(1024n), 'an integer power is exact'],
    ['2^{-2}', R(1n, 4n), 'a negative power too'],
    ['(\\frac{2}{3})^{-2}', R(9n, 4n), 'a fraction to a negative power'],
    ['(-2)^3', R(-8n), 'a negative base to an odd power'],
    ['7^0', R(1n), 'the zeroth power'],
    ['0^{-1}', null, '0 to a negative power (zoo)'],
    ['1.5^2', F(2.25), 'a float base'],
    ['(-1.5)^2', F(2.25), 'a negative float base to an integer power is real'],
    ['(-2)^{0.5}', null, 'a negative base to a non-integer power is complex'],
    ['(-8)^{\\frac{1}{3}}', null, 'SymPy: 2*(-1)**(1/3); Python makes it complex'],
    ['2^{0.5}', F(Math.SQRT2), 'a float exponent'],
    ['0.0^{0.5}', F(0), 'a float zero base'],
    ['8^{\\frac{2}{3}}', R(4n), 'SymPy: an exact root to a power is exact'],
    ['4^{\\frac{3}{2}}', R(8n), 'the same with a square root'],
    ['4^{-\\frac{1}{2}}', R(1n, 2n), 'and a negative rational power'],
    ['\\sqrt{9}', R(3n), 'an exact root'],
    ['\\sqrt{0}', R(0n), 'the root of 0'],
    ['\\sqrt{1}', R(1n), 'the root of 1'],
    ['\\sqrt{\\frac{4}{9}}', R(2n, 3n), 'an exact root of a fraction'],
    ['\\sqrt{2}', F(Math.SQRT2), 'an inexact root is a float'],
    ['\\sqrt{-4}', null, 'the root of a negative number is complex'],
    ['\\sqrt[3]{27}', R(3n), 'a cube root'],
    ['\\sqrt[16]{65536}', R(2n), 'a 16th root'],
    ['\\sqrt[x]{8}', null, 'a symbolic index'],
    ['\\sqrt[0]{4}', null, 'index 0: 4**(1/0) raises'],
    ['\\sqrt{x}', null, 'a symbolic radicand'],
    ['\\sqrt{81129638414606807796578571518001}', R(9007199254740999n), 'a big square whose float root is one low'],
    ['\\sqrt{324518553658426978984735153324081}', R(18014398509481991n), 'and one high'],
    // \frac
    ['\\frac{2}{x}', null, 'a symbolic denominator'],
    ['\\frac{x}{2}', null, 'a symbolic numerator'],
    ['\\frac{6}{4}', R(3n, 2n), 'reduced'],
    // lexer
    ['\\,5', R(5n), 'a spacing command is skipped'],
    ['\\quad 5\\;', R(5n), 'spacing commands are skipped'],
    ['$5$', R(5n), 'dollars are skipped'],
    ['\\\n1\\,', null, 'a backslash before a line break is a lexer error'],
    ['\\\n', null, 'also at the end'],
    ['\\infty', null, 'an unknown command'],
    ['$ $', null, 'nothing'],
    ['', null, 'empty'],
    // after a complete expression, a relation or list fails and anything else is ignored
    ['5=5', null, 'an equation'],
    ['1<2', null, 'an inequality'],
    ['1,5', null, 'a list'],
    ['3\\le4', null, 'a \\le relation'],
    ['2)', R(2n), 'a stray closing parenthesis is ignored'],
  ])('%j -> %o (%s)', (latex, expected) => {
    expect(latexValue(latex)).toEqual(expected);
  });

  it('multiplies by \\pi as a float', () => {
    expect(latexValue('\\frac{\\pi}{2}')).toEqual(F(Math.PI / 2));
    expect(latexValue('2\\pi')).toEqual(F(2 * Math.PI));
  });
});

describe('toFloat: Python int / int true division, correctly rounded', () => {
  it.each<[bigint, bigint, number]>([
    [1n, 3n, 1 / 3],
    [144115188076903162n, 3n, 4.803839602563438e16], // a 58-bit numerator: rounding it first would be wrong
    [3n, 144115188076065330n, 2.081668171169143e-17], // a 58-bit denominator
    [-(10n ** 30n), 7n, -1.4285714285714285e29],
    [1n, 10n ** 20n, 1e-20],
    [1n, 10n ** 310n, 1e-310], // subnormal
    [-7n, 10n ** 320n, -7e-320],
    [1n, 10n ** 400n, 0], // underflows to 0.0
    [0n, 10n ** 400n, 0], // 0.0, not -0.0
    // quotients whose truncated 64-bit form ends in 100...0: Python rounds them up (failed before the sticky bit)
    [721458936200227508052n, 133189384983n, 5416790056.447164],
    [-721458936200227508052n, 133189384983n, -5416790056.447164],
    [5747285915562673n * 2n ** 10n, 2102675146425n * 2n ** 10n, 2733.320896161395],
  ])('%s / %s = %s', (n, d, expected) => {
    expect(toFloat({ kind: 'rat', n, d })).toBe(expected);
  });

  it('returns a float as it is', () => {
    expect(toFloat(F(0.1))).toBe(0.1);
  });
});

// Expected values checked against latex2sympy2 1.9 (OrangeX4, the package MATH-V imports) + SymPy 1.14 on CPython 3.11:
// eval(str(latex2sympy(s))) with `from math import *`.
describe('latexValue: size limits and argument forms, against latex2sympy2', () => {
  it.each<[string, Num | null, string]>([
    ['1^{150000}', R(1n), 'Python: 1**150000 is the int 1 (the size test counts 1 as one bit)'],
    ['(-1)^{150000}', R(1n), 'a negative base counts its magnitude only'],
    ['1^{200000}', R(1n), 'exponent x bits at the limit is still exact'],
    ['(\\frac{1}{2})^{150000}', F(0), 'Python: (1/2)**150000 underflows to 0.0; the denominator sets the size'],
    ['\\sqrt{\\frac{4}{3}}', F(1.1547005383792515), 'Python: sqrt(4/3); an exact numerator root alone is not enough'],
    ['2^{\\frac{1}{10000000000}}', F(1.0000000000693148), 'Python: 2**(1/10000000000); no exact-root search'],
    ['\\sqrt{10^{400}}', null, 'Python: sqrt(10**400) raises OverflowError (threw a RangeError here before)'],
    ['\\sqrt[3]{10^{400}}', null, 'Python: (10**400)**(1/3) raises OverflowError'],
    ['\\sqrt{\\frac{1}{10^{400}}}', F(0), 'Python: sqrt(1/10**400) is sqrt(0.0)'],
    ['2^-1', null, 'latex2sympy2 raises: an exponent is an atom or a {group}, not a signed number'],
    ['2^{-1}', R(1n, 2n), 'in braces it is fine (Python: 1/2)'],
    ['\\frac1.25', null, 'latex2sympy2 raises: \\frac needs braces (and 1.25 is not split into digits)'],
  ])('%j -> %o (%s)', (latex, expected) => {
    expect(latexValue(latex)).toEqual(expected);
  });

  it('toFloat rounds an exact quotient past 2^53 half to even, as Python does', () => {
    expect(toFloat(R(2n ** 53n + 1n))).toBe(9007199254740992); // (2**53+1)/1
    expect(toFloat(R(2n ** 53n + 3n))).toBe(9007199254740996); // (2**53+3)/1
  });
});
