import { describe, expect, it } from 'vitest';
import type { Expr } from './expr.ts';
import { verifyAnswer } from './math-verify.ts';
import { parseMath } from './parse-math.ts';

/**
 * parseMath, the primaries: exponents, subscripts, groups, arguments, primaries, words, text tokens,
 * brackets, commands, big operators, function calls, environments and the ± expansion. Trees are compared as a
 * lossless prefix rendering: `1.5f` is a float literal, `#pi` a constant, `"t"` text, `f?(x)` an unknown function,
 * `[a;b)` an interval, `M[1,2;3,4]` a matrix, `=(a,b)` a relation.
 */
function tree(e: Expr | null): string | null {
  if (e === null) return null;
  const t = (x: Expr) => tree(x) as string;
  const l = (xs: readonly Expr[]) => xs.map(t).join(',');
  switch (e.kind) {
    case 'num':
      return `${e.text}${e.float ? 'f' : ''}${e.value === Number(e.text) ? '' : `=${e.value}`}`;
    case 'sym':
      return e.name;
    case 'const':
      return `#${e.name}`;
    case 'text':
      return `"${e.text}"`;
    case 'add':
      return `+(${l(e.terms)})`;
    case 'mul':
      return `*(${l(e.factors)})`;
    case 'neg':
      return `-(${t(e.arg)})`;
    case 'div':
      return `/(${t(e.num)},${t(e.den)})`;
    case 'pow':
      return `^(${t(e.base)},${t(e.exp)})`;
    case 'call':
      return `${e.name}${e.known ? '' : '?'}(${l(e.args)})`;
    case 'pm':
      return `pm(${e.a ? t(e.a) : '_'},${t(e.b)})`;
    case 'tuple':
      return `(${l(e.items)})`;
    case 'set':
      return `{${l(e.items)}}`;
    case 'interval':
      return `${e.loOpen ? '(' : '['}${t(e.lo)};${t(e.hi)}${e.hiOpen ? ')' : ']'}`;
    case 'union':
      return `U(${l(e.items)})`;
    case 'intersect':
      return `I(${l(e.items)})`;
    case 'matrix':
      return `M[${e.rows.map(l).join(';')}]`;
    case 'rel':
      return `${e.op}(${t(e.lhs)},${t(e.rhs)})`;
    case 'in':
      return `in(${t(e.lhs)},${t(e.rhs)})`;
    case 'chain':
      return `chain(${l(e.rels)})`;
    default:
      throw new Error(`not an expression: ${JSON.stringify(e)}`);
  }
}

const table = (cases: [string, string | null][]) =>
  it.each(cases)('%j -> %j', (input, expected) => {
    expect(tree(parseMath(input))).toBe(expected);
  });

describe('exponents and subscripts', () => {
  table([
    ['x^-2', '^(x,-(2))'],
    ['x^{-2}', '^(x,-(2))'],
    ['x^--2', '^(x,-(-(2)))'],
    ['x^23', '^(x,23)'],
    ['x^\\pi', '^(x,#pi)'],
    ['x_{1', null],
    ['x_{a{b}}', 'x_{a{b}}'],
    ['x_{1}', 'x_1'],
    ['x_{12}', 'x_{12}'],
    ['x_{n-1}', 'x_{n-1}'],
    ['x_{\\alpha}', 'x_{\\alpha}'],
    ['x_{\\text{max}}', 'x_{max}'],
    // LaTeX reads x_12 as x_1 * 2
    ['x_12', '*(x_1,2)'],
    ['x_1', 'x_1'],
    ['x_n', 'x_n'],
    ['x_ab', '*(x_a,b)'],
    ['x_\\alpha', 'x_{\\alpha}'],
    ['x_(', null],
    ['x_+', null],
    ['x^2_{i}', '^(x_i,2)'],
    ['204_5', '204'],
    ['(x+1)_2', null],
  ]);
});

describe('groups and single-token arguments', () => {
  table([
    ['{}', null],
    ['{x}', 'x'],
    ['{1,2}', '{1,2}'],
    ['{n \\choose k}', 'binom(n,k)'],
    ['{n \\choose k', null],
    ['\\frac12', '/(1,2)'],
    ['\\frac123', '*(/(1,2),3)'],
    ['\\frac 1.5 2', '/(1.5f,2)'],
    ['\\frac 1 2', '/(1,2)'],
    ['\\frac x y', '/(x,y)'],
    // \frac pi 2 is \frac{p}{i} 2 in LaTeX
    ['\\frac pi 2', '*(/(p,i),2)'],
    ['\\frac{1}{}', null],
    ['\\sqrt3', 'sqrt(3)'],
    ['\\sqrt34', '*(sqrt(3),4)'],
  ]);
});

describe('primaries: numbers, words, function letters', () => {
  table([
    ['007', '7'],
    ['100', '100'],
    ['00.5', '0.5f'],
    ['0.5', '0.5f'],
    ['0', '0'],
    ['pi', '#pi'],
    ['2pi', '*(2,#pi)'],
    ['oo', '#inf'],
    ['infinity', '#inf'],
    ['inf', '#inf'],
    ['infty', '#inf'],
    ['e', '#e'],
    ['2e', '*(2,#e)'],
    ['sin x', 'sin(x)'],
    ['f(x)', 'f?(x)'],
    ['f(x,y)', 'f?(x,y)'],
    ['g(2)', 'g?(2)'],
    ['h(2)', 'h?(2)'],
    ['F(2)', 'F?(2)'],
    ['G(2)', 'G?(2)'],
    ['H(2)', 'H?(2)'],
    ['P(1)', 'P?(1)'],
    ['W(x)', 'W?(x)'],
    ['a(x)', '*(a,x)'],
    ['f x', '*(f,x)'],
    ['f(x', null],
    ['f(x]', null],
    ['f(x,', null],
    [')', null],
    ['1+)', null],
    ['1 +', null],
  ]);
});

describe('text tokens', () => {
  table([
    ['\\operatorname{sin} x', 'sin(x)'],
    ['\\operatorname{Sin} x', 'sin(x)'],
    ['\\operatorname{ sin } x', 'sin(x)'],
    ['\\operatorname{arcsin} x', 'asin(x)'],
    ['\\operatorname{foo}', 'foo'],
    ['\\operatorname{foo}(x)', 'foo?(x)'],
    ['\\operatorname{foo}(x,y)', 'foo?(x,y)'],
    ['\\operatorname{lcm}(4,6)', 'lcm(4,6)'],
    ['\\variable{12}', '12'],
    ['\\variable{x_1}', 'x_1'],
    ['\\variable{x_{ab}}', 'x_{ab}'],
    ['\\variable{ab}', 'ab'],
    ['\\variable{x1}', 'x1'],
    ['\\variable{a12}', 'a12'],
    ['\\variable{ x }', 'x'],
    ['\\variable{1x}', null],
    ['\\variable{x_12}', null],
    ['\\variable{x_{}}', null],
    ['\\variable{x y}', null],
    ['\\variable{x_}', null],
    ['\\variable{x_{a{b}}}', null],
    ['\\variable{1.5}', null],
    ['\\variable{x-1}', null],
    ['\\mathbf{x}', 'x'],
    ['\\mathit{x}', 'x'],
    ['\\textbf{x}', 'x'],
    ['\\textit{x}', 'x'],
    ['\\texttt{xy}', 'xy'],
    ['\\mathrm{ab}', 'ab'],
    ['\\mathrm{e}', '#e'],
    ['\\mathbf{e}', 'e'],
    ['\\text{e}', '"e"'],
    ['\\text{x}', '"x"'],
    ['\\mbox{x}', '"x"'],
    ['\\textnormal{x}', '"x"'],
    ['\\text{hello world}', '"hello world"'],
    ['\\mathrm{a b}', '"a b"'],
    ['\\text{12}', '12'],
    ['\\mathrm{12}', '12'],
    ['\\text{1/2}', '/(1,2)'],
    ['\\text{1 +}', '"1 +"'],
    ['\\text{}', null],
    ['\\text{ }', null],
    ['\\mathrm{}', null],
    ['blue circle', '"blue circle"'],
  ]);
});

describe('brackets and absolute values', () => {
  table([
    ['|x|', 'abs(x)'],
    ['|x', null],
    ['|x||y|', '*(abs(x),abs(y))'],
    ['2|x|', '*(2,abs(x))'],
    ['|(2|x|)|', 'abs(*(2,abs(x)))'],
    ['|(1)|', 'abs(1)'],
    ['|[1]|', 'abs(1)'],
    ['()', null],
    ['[]', null],
    ['(]', null],
    ['[)', null],
    ['(x]', null],
    ['[x)', null],
    ['(x)', 'x'],
    ['[x]', 'x'],
    ['(1;2)', '(1,2)'],
    ['[1,2]', '[1;2]'],
    ['(1,2]', '(1;2]'],
    ['[1,2)', '[1;2)'],
    ['(1,2)', '(1,2)'],
    ['[1,2,3]', '(1,2,3)'],
    ['(1,2,3)', '(1,2,3)'],
    ['(1,2,3]', null],
    ['[1,2,3)', null],
    ['(1,2', null],
    ['(1,2}', null],
    ['(1 2', null],
  ]);
});

describe('commands', () => {
  table([
    // d/dx is an operator, not a value
    ['\\frac{d}{dx}', null],
    ['\\frac{d}{dx} x^2', null],
    ['\\frac{d}{d\\alpha}', null],
    ['\\frac{d}{d}', '/(d,d)'],
    ['\\frac{d}{dxy}', '/(d,*(d,x,y))'],
    ['\\frac{d}{d2}', '/(d,*(d,2))'],
    ['\\frac{a}{dx}', '/(a,*(d,x))'],
    ['\\frac{d}{xd}', '/(d,*(x,d))'],
    ['\\frac{d}{2x}', '/(d,*(2,x))'],
    ['\\frac{dy}{dx}', '/(*(d,y),*(d,x))'],
    ['\\frac{\\operatorname{d}(x)}{dx}', '/(d?(x),*(d,x))'],
    ['\\sqrt[3]{x}', '^(x,/(1,3))'],
    ['\\sqrt[3]8', '^(8,/(1,3))'],
    ['\\sqrt[n]{x}', '^(x,/(1,n))'],
    ['\\sqrt[3]{x}y', '*(^(x,/(1,3)),y)'],
    ['\\sqrt[3 x', null],
    ['\\sqrt{x}', 'sqrt(x)'],
    ['\\binom{n}{k}', 'binom(n,k)'],
    ['\\dbinom{5}{2}', 'binom(5,2)'],
    ['\\tbinom 52', 'binom(5,2)'],
    ['\\boxed{3}', '3'],
    ['\\fbox{3}', '3'],
    ['\\underline{x}', 'x'],
    ['\\boxed 3', null],
    ['\\pi', '#pi'],
    ['\\exponentialE', '#e'],
    ['\\infty', '#inf'],
    ['\\infin', '#inf'],
    ['\\emptyset', '{}'],
    ['\\varnothing', '{}'],
    ['\\{ \\}', '{}'],
    ['\\{ \\rbrace', '{}'],
    ['\\lbrace\\rbrace', '{}'],
    ['\\lbrace \\}', '{}'],
    ['\\{1\\rbrace', '{1}'],
    ['\\lbrace 1,2\\}', '{1,2}'],
    ['\\{1,2\\}', '{1,2}'],
    ['\\{1\\}', '{1}'],
    ['\\{1;2\\}', '{1,2}'],
    ['\\{1;\\}', '{1}'],
    ['\\{1;\\rbrace', '{1}'],
    ['\\{1,2', null],
    ['\\{1,2)', null],
    ['\\{1 \\rvert', null],
    ['\\vert x \\vert', 'abs(x)'],
    ['\\lvert x \\rvert', 'abs(x)'],
    ['\\rvert x \\rvert', 'abs(x)'],
    ['\\| x \\|', 'abs(x)'],
    ['\\lvert x |', 'abs(x)'],
    ['\\lvert x \\vert', 'abs(x)'],
    ['\\lvert x \\}', null],
    ['\\lvert x )', null],
    ['\\vert x', null],
    ['\\vert x \\vert \\vert y \\vert', '*(abs(x),abs(y))'],
    ['\\lfloor x \\rfloor', 'floor(x)'],
    ['\\lceil x \\rceil', 'ceil(x)'],
    ['\\ulcorner x \\urcorner', 'ceil(x)'],
    ['\\llcorner x \\lrcorner', 'floor(x)'],
    ['\\lfloor x \\rceil', null],
    ['\\lceil x \\rfloor', null],
    ['\\lfloor x', null],
    ['\\alpha', 'alpha'],
    ['\\Omega', 'Omega'],
    ['\\ell', 'ell'],
    ['\\ceil x', 'ceil(x)'],
    ['\\floor x', 'floor(x)'],
    ['\\exp x', 'exp(x)'],
    ['\\overline{x}', 'bar{x}'],
    ['\\bar{x}', 'bar{x}'],
    ['\\hat x', 'hat{x}'],
    ['\\vec{v}', 'vec{v}'],
    ['\\tilde{y}', 'tilde{y}'],
    ['\\widehat{x}', 'widehat{x}'],
    ['\\overrightarrow{v}', 'overrightarrow{v}'],
    ['\\dot x', 'dot{x}'],
    ['\\mathbf x', 'x'],
    ['\\overline{12}', '12'],
    ['\\widehat{AB}', '*(A,B)'],
    ['\\percent', '0.01f'],
    ['\\foo', null],
    ['\\foo x', null],
  ]);
});

describe('big operators', () => {
  table([
    ['\\sum_{i=1}^{n} i', 'sum?(=(i,1),n,i)'],
    ['\\sum^{n}_{i=1} i', 'sum?(=(i,1),n,i)'],
    ['\\sum_{i=1}^n i', 'sum?(=(i,1),n,i)'],
    ['\\sum_{i=1}^{n+1} i', 'sum?(=(i,1),+(n,1),i)'],
    ['\\sum_i i', 'sum?(i,"",i)'],
    ['\\sum^n i', 'sum?("",n,i)'],
    ['\\sum i', 'sum?("","",i)'],
    ['\\int_0^1 x', 'int?(0,1,x)'],
    ['\\prod_{k=1}^{3} k', 'prod?(=(k,1),3,k)'],
    ['\\sum_{i=1}^{n} i^2 + 1', '+(sum?(=(i,1),n,^(i,2)),1)'],
    ['\\sum_{i=1}^{n} 2i', 'sum?(=(i,1),n,*(2,i))'],
    // the lower bound is one relation, as in latex2sympy
    ['\\sum_{i,j} x', null],
    ['\\sum_{n \\choose k} x', null],
    ['\\sum_{i=1 x', null],
    ['\\sum_a^b_c x', null],
    ['\\sum_{i=1}^{n}', null],
  ]);
});

describe('function calls', () => {
  table([
    ['\\sin x', 'sin(x)'],
    ['\\sin(x)', 'sin(x)'],
    ['\\sin{x}', 'sin(x)'],
    ['\\sin{x}y', '*(sin(x),y)'],
    ['\\sin(x, y)', 'sin(x,y)'],
    ['\\sin', null],
    ['\\sin x y', 'sin(*(x,y))'],
    ['\\sin 2x', 'sin(*(2,x))'],
    ['\\sin 2 x', 'sin(*(2,x))'],
    ['\\sin x 2', 'sin(*(x,2))'],
    ['\\sin x + 1', '+(sin(x),1)'],
    ['\\sin x \\cdot y', '*(sin(x),y)'],
    ['\\sin x^2', 'sin(^(x,2))'],
    ['\\sin^2 x', '^(sin(x),2)'],
    ['\\sin^{1} x', '^(sin(x),1)'],
    ['\\sin^{-2} x', '^(sin(x),-(2))'],
    ['\\sin^{-x} x', '^(sin(x),-(x))'],
    ['\\sin^{-1} x', 'asin(x)'],
    ['\\sin^-1 x', 'asin(x)'],
    ['\\sin^{-1}(x)', 'asin(x)'],
    ['\\cos^{-1}x', 'acos(x)'],
    ['\\tan^{-1} x', 'atan(x)'],
    ['\\sinh^{-1} x', 'asinh(x)'],
    ['\\cosh^{-1} x', 'acosh(x)'],
    ['\\tanh^{-1} x', 'atanh(x)'],
    ['\\sec^{-1} x', '^(sec(x),-(1))'],
    ['\\sin^{-1.0} x', '^(sin(x),-(1.0f))'],
    ['\\log 8', 'log10(8)'],
    ['\\ln x', 'ln(x)'],
    ['lg 100', 'log10(100)'],
    ['\\log_2 8', '/(ln(8),ln(2))'],
    ['\\ln_2 8', '/(ln(8),ln(2))'],
    ['\\log_{10} x', '/(ln(x),ln(10))'],
    ['\\log_{b} x', '/(ln(x),ln(b))'],
    ['\\log_2^2 8', '^(/(ln(8),ln(2)),2)'],
    ['\\log^2_3 x', '^(/(ln(x),ln(3)),2)'],
    ['\\log_3^2 x', '^(/(ln(x),ln(3)),2)'],
    ['\\log_2^3_4 x', null],
    ['\\sin_2 x', null],
    ['\\exp_2 x', null],
    ['\\sin \\{x\\}', 'sin(x)'],
    ['\\max\\{1,2\\}', 'max({1,2})'],
    ['gcd(4,6)', 'gcd(4,6)'],
    ['floor(2.5)', 'floor(2.5f)'],
    ['ceiling(2.5)', 'ceil(2.5f)'],
    ['floor(1,2)', null],
    ['ceil(1,2)', null],
    ['abs(1,2)', null],
    ['sqrt(1,2)', null],
    ['sqrt(4)x', '*(sqrt(4),x)'],
    ['\\det(A)', 'det(A)'],
  ]);
});

describe('environments', () => {
  table([
    ['\\begin{pmatrix}1&2\\\\3&4\\end{pmatrix}', 'M[1,2;3,4]'],
    ['\\begin{bmatrix}1\\end{bmatrix}', 'M[1]'],
    ['\\begin{matrix}1\\end{matrix}', 'M[1]'],
    ['\\begin{vmatrix}1\\end{vmatrix}', 'M[1]'],
    ['\\begin{Vmatrix}1\\end{Vmatrix}', 'M[1]'],
    ['\\begin{Bmatrix}1\\end{Bmatrix}', 'M[1]'],
    ['\\begin{smallmatrix}1\\end{smallmatrix}', 'M[1]'],
    ['\\begin{array}{cc}1&2\\end{array}', 'M[1,2]'],
    ['\\begin{array}{c}1\\\\2\\end{array}', 'M[1;2]'],
    ['\\begin{array}1&2\\end{array}', 'M[1,2]'],
    ['\\begin{pmatrix}{1}&2\\end{pmatrix}', 'M[1,2]'],
    ['\\begin{pmatrix}1\\\\2\\\\\\end{pmatrix}', 'M[1;2]'],
    ['\\begin{pmatrix}\\\\1\\end{pmatrix}', 'M[1]'],
    ['\\begin{pmatrix}1&2\\\\\\\\3&4\\end{pmatrix}', 'M[1,2;3,4]'],
    ['\\begin{pmatrix}x+1&-y\\end{pmatrix}', 'M[+(x,1),-(y)]'],
    ['\\begin{pmatrix}1 2\\end{pmatrix}', 'M[*(1,2)]'],
    ['2\\begin{pmatrix}1\\end{pmatrix}', '*(2,M[1])'],
    ['\\begin{pmatrix}1&2\\end{pmatrix}\\begin{pmatrix}3\\\\4\\end{pmatrix}', '*(M[1,2],M[3;4])'],
    ['\\begin{foo}1\\end{foo}', null],
    ['\\begin{array*}1\\end{array*}', null],
    ['\\begin{array}{cc 1&2', null],
    ['\\begin{pmatrix}\\end{pmatrix}', null],
    ['\\begin{pmatrix}\\\\\\end{pmatrix}', null],
    ['\\begin{pmatrix}1&2\\\\3\\end{pmatrix}', null],
    ['\\begin{pmatrix}1\\\\3&4\\end{pmatrix}', null],
    ['\\begin{pmatrix}1\\end{bmatrix}', null],
    ['\\begin{pmatrix}1 & & 2\\end{pmatrix}', null],
    ['\\begin{pmatrix}&1\\end{pmatrix}', null],
    ['\\begin{pmatrix}1&2', null],
    ['\\begin{pmatrix', null],
    ['\\begin{pmatrix}1\\end{pmatrix', null],
  ]);
});

describe('± expansion', () => {
  table([
    ['1 \\pm 2', '{+(1,-(2)),+(1,2)}'],
    ['\\pm 2', '{-(2),2}'],
    ['\\mp 2', '{-(2),2}'],
    ['1 \\pm 2, 5', '{+(1,-(2)),+(1,2),5}'],
    ['\\{1 \\pm 2\\}', '{+(1,-(2)),+(1,2)}'],
    ['x = \\pm 2', '=(x,pm(_,2))'],
    ['(1 \\pm 2, 3)', '(pm(1,2),3)'],
    ['2(1 \\pm 3)', '{*(2,+(1,-(3))),*(2,+(1,3))}'],
    ['-(1 \\pm 2)', '{-(+(1,-(2))),-(+(1,2))}'],
    ['1 + (2 \\pm 3)', '{+(1,+(2,-(3))),+(1,+(2,3))}'],
    ['(1 \\pm 2)/4', '{/(+(1,-(2)),4),/(+(1,2),4)}'],
    ['4/(1 \\pm 2)', '{/(4,+(1,-(2))),/(4,+(1,2))}'],
    ['(\\pm 2)x', '{*(-(2),x),*(2,x)}'],
    // one sign choice for every ± in the expression
    ['(1\\pm 2)(3 \\pm 4)', '{*(+(1,-(2)),+(3,-(4))),*(+(1,2),+(3,4))}'],
  ]);
});

describe('mixed numbers and products', () => {
  table([
    ['3\\frac{1}{2}', '+(3,/(1,2))'],
    ['-3\\frac{1}{2}', '-(+(3,/(1,2)))'],
    ['3\\frac{1.0}{2}', '*(3,/(1.0f,2))'],
    ['3\\frac{1}{2.0}', '*(3,/(1,2.0f))'],
    ['3.0\\frac{1}{2}', '*(3.0f,/(1,2))'],
    ['3\\frac{x}{2}', '*(3,/(x,2))'],
    ['2 \\cdot 3 \\frac{1}{2}', '*(2,+(3,/(1,2)))'],
    ['2\\cdot 3\\cdot 4', '*(2,3,4)'],
    ['2 x y', '*(2,x,y)'],
  ]);
});

describe('long flat inputs stay within the nesting budget', () => {
  it.each([
    ['{1}+', '{1}'],
    ['(1)+', '(1)'],
    ['{n \\choose k}+', '{n \\choose k}'],
    ['\\sin x+', '\\sin x'],
    ['x_{1}+', 'x_{1}'],
  ])('%s repeated 300 times', (sep, last) => {
    expect(parseMath(`${sep.repeat(300)}${last}`)).not.toBeNull();
  });
});

describe('the nesting budget (200 frames) is spent the same way by braces in every position', () => {
  // A brace after ^, \frac, \sum^ or \log_ costs one group frame, not a primary frame around a group.
  it.each<[string, (inner: string) => string, number]>([
    ['x^{...}', (e) => `x^{${e}}`, 65],
    ['\\frac{...}{2}', (e) => `\\frac{${e}}{2}`, 49],
    ['\\sum^{...} i', (e) => `\\sum^{${e}} i`, 49],
    ['\\log_{...} 2', (e) => `\\log_{${e}} 2`, 49],
    ['{...}', (e) => `{${e}}`, 49],
  ])('%s nests %i levels deep, not one more', (_name, wrap, levels) => {
    let s = '1';
    for (let k = 0; k < levels; k++) s = wrap(s);
    expect(parseMath(s)).not.toBeNull();
    expect(parseMath(wrap(s))).toBeNull();
  });
});

describe('fixed: a ± inside braces expands with the expression around it', () => {
  // Before, the braces expanded it first: {-1 - sqrt(13), -1 + sqrt(13)}/4, which matched neither root.
  table([
    ['\\frac{-1 \\pm \\sqrt{13}}{4}', '{/(+(-(1),-(sqrt(13))),4),/(+(-(1),sqrt(13)),4)}'],
    ['\\frac{6}{1 \\pm 2}', '{/(6,+(1,-(2))),/(6,+(1,2))}'],
    ['{1 \\pm 2}', '{+(1,-(2)),+(1,2)}'],
    ['\\boxed{\\pm 2}, 3', '{-(2),2,3}'],
  ]);

  it('so the quadratic formula matches its two roots', () => {
    expect(verifyAnswer('\\{-1, 3\\}', '$\\frac{2 \\pm 4}{2}$').correct).toBe(true);
    expect(verifyAnswer('\\frac{-1 \\pm \\sqrt{13}}{4}', '$\\frac{-1 - \\sqrt{13}}{4}$').correct).toBe(false);
  });
});

describe('fixed: names on Object.prototype are not function or relation names', () => {
  // Before, `\constructor x` read as a call of the Object constructor and `constructor` found no answer.
  table([
    ['\\constructor x', null],
    ['\\operatorname{constructor}(x)', 'constructor?(x)'],
    ['\\operatorname{toString} x', '*(toString,x)'],
    ['2\\valueOf 3', null],
    ['x \\hasOwnProperty 2', null],
    ['constructor', '"constructor"'],
    ['\\text{toString}', '"toString"'],
  ]);
});

describe('fixed: a plain sqrt{...} takes its braces as the argument, as \\sqrt{...} does', () => {
  // Before, sqrt{4}x read as sqrt(4x) while \sqrt{4}x read as sqrt(4)*x.
  table([
    ['sqrt{4}x', '*(sqrt(4),x)'],
    ['\\sqrt{4}x', '*(sqrt(4),x)'],
    ['sqrt{x}^2', '^(sqrt(x),2)'],
    ['sqrt 4x', 'sqrt(*(4,x))'],
  ]);
});
