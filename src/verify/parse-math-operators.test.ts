import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Expr } from './expr.ts';
import { ParseTimeout, parseMath } from './parse-math.ts';

/**
 * parseMath, the operator levels: entry point, word splitting, lists, relations, set operators, sums, signs,
 * products and postfix operators. Trees are compared as exact S-expressions: `2f` is a float literal, `#pi` a
 * constant, `"odd"` text, `(f? x)` an unknown function, `(± a b)` a plus-minus node.
 */
function sx(e: Expr | null): string | null {
  if (e === null) return null;
  const all = (xs: readonly Expr[]) => xs.map(sx).join(' ');
  switch (e.kind) {
    case 'num':
      return e.float ? `${e.text}f` : e.text;
    case 'sym':
      return e.name;
    case 'const':
      return `#${e.name}`;
    case 'text':
      return JSON.stringify(e.text);
    case 'add':
      return `(+ ${all(e.terms)})`;
    case 'mul':
      return `(* ${all(e.factors)})`;
    case 'neg':
      return `(- ${sx(e.arg)})`;
    case 'div':
      return `(/ ${sx(e.num)} ${sx(e.den)})`;
    case 'pow':
      return `(^ ${sx(e.base)} ${sx(e.exp)})`;
    case 'call':
      return `(${e.name}${e.known ? '' : '?'} ${all(e.args)})`;
    case 'pm':
      return `(± ${e.a ? sx(e.a) : '_'} ${sx(e.b)})`;
    case 'tuple':
      return `(tuple ${all(e.items)})`;
    case 'set':
      return `{${all(e.items)}}`;
    case 'interval':
      return `${e.loOpen ? '(' : '['}${sx(e.lo)} ${sx(e.hi)}${e.hiOpen ? ')' : ']'}`;
    case 'union':
      return `(U ${all(e.items)})`;
    case 'intersect':
      return `(I ${all(e.items)})`;
    case 'matrix':
      return `[${e.rows.map(all).join('; ')}]`;
    case 'rel':
      return `(${e.op} ${sx(e.lhs)} ${sx(e.rhs)})`;
    case 'in':
      return `(in ${sx(e.lhs)} ${sx(e.rhs)})`;
    case 'chain':
      return `(chain ${all(e.rels)})`;
  }
}

const p = (s: string) => sx(parseMath(s));
const table = (cases: [string, string | null][]) =>
  it.each(cases)('%j -> %s', (input, expected) => {
    expect(p(input)).toBe(expected);
  });

describe('parseMath entry', () => {
  it('accepts inputs up to 20,000 characters and rejects longer ones', () => {
    expect(p('1'.padEnd(20_000, ' '))).toBe('1');
    expect(p('1'.padEnd(20_001, ' '))).toBeNull();
  });

  it.each(['', '   '])('%j has nothing to parse', (s) => {
    expect(parseMath(s)).toBeNull();
  });

  it('turns a stack overflow on pathological input into null or a value, never a throw', () => {
    const s = `${'+'.repeat(19_990)}1`;
    expect(() => parseMath(s)).not.toThrow();
    expect([null, '1']).toContain(p(s));
  });

  it('nests 198 unary minuses but not 199 (depth limit 200)', () => {
    expect(p(`${'-'.repeat(198)}1`)).toBe(`${'(- '.repeat(198)}1${')'.repeat(198)}`);
    expect(p(`${'-'.repeat(199)}1`)).toBeNull();
  });

  it('a run of unary pluses is not limited by the nesting depth', () => {
    expect(p(`${'+'.repeat(250)}1`)).toBe('1');
  });

  table([
    ['1)', null],
    ['(1', null],
    ['f(x', null],
  ]);

  it('releases depth after each sum and product: a 300-item list parses', () => {
    const items = Array.from({ length: 300 }, (_, i) => `${i}x`);
    const e = parseMath(items.join(', '));
    expect(e?.kind).toBe('set');
    expect(e?.kind === 'set' && e.items.length).toBe(300);
  });

  describe('deadline', () => {
    afterEach(() => {
      vi.restoreAllMocks();
    });
    const long = Array.from({ length: 200 }, () => 'x').join('+');
    it('throws ParseTimeout once past the deadline on a long input', () => {
      expect(() => parseMath(long, { deadline: 0 })).toThrow(ParseTimeout);
    });
    it('checks the clock only every 256 steps, so a short input still parses', () => {
      expect(p('1+2')).toBe('(+ 1 2)');
      expect(sx(parseMath('1+2', { deadline: 0 }))).toBe('(+ 1 2)');
    });
    it('times out only strictly past the deadline, with its own message', () => {
      vi.spyOn(performance, 'now').mockReturnValue(1000);
      expect(parseMath(long, { deadline: 1000 })?.kind).toBe('add');
      expect(() => parseMath(long, { deadline: 999 })).toThrow(new ParseTimeout('parse time budget exceeded'));
    });
    it('no deadline or a far one never times out', () => {
      expect(parseMath(long)?.kind).toBe('add');
      expect(parseMath(long, { deadline: Number.POSITIVE_INFINITY })?.kind).toBe('add');
    });
  });
});

describe('words', () => {
  table([
    // a whole answer of words is text
    ['odd', '"odd"'],
    ['Odd', '"Odd"'],
    ['blue circle', '"blue circle"'],
    ['a circle', '"a circle"'],
    // single letters, function names and constants are not
    ['x', 'x'],
    ['A', 'A'],
    ['x y', '(* x y)'],
    ['sin x', '(sin x)'],
    ['pi', '#pi'],
    ['inf', '#inf'],
    ['infty', '#inf'],
    ['infinity', '#inf'],
    ['oo', '#inf'],
    ['e', '#e'],
    // inside an expression a multi-letter word is a product of letters
    ['xy+1', '(+ (* x y) 1)'],
    ['2xy', '(* 2 x y)'],
    ['2 sin x', '(* 2 (sin x))'],
    ['2 pi', '(* 2 #pi)'],
    ['2 infinity', '(* 2 #inf)'],
    ['2 inf', '(* 2 #inf)'],
    ['2 infty', '(* 2 #inf)'],
    ['2 oo', '(* 2 #inf)'],
    // percent words
    ['50 percent', '(/ 50 100)'],
    ['50 Percent', '(/ 50 100)'],
    ['50 percentage', '(/ 50 100)'],
    ['50 pct', '(/ 50 100)'],
  ]);
});

describe('function names', () => {
  const one: [string, string][] = [
    ['sin', 'sin'],
    ['cos', 'cos'],
    ['tan', 'tan'],
    ['cot', 'cot'],
    ['sec', 'sec'],
    ['csc', 'csc'],
    ['arcsin', 'asin'],
    ['arccos', 'acos'],
    ['arctan', 'atan'],
    ['asin', 'asin'],
    ['acos', 'acos'],
    ['atan', 'atan'],
    ['sinh', 'sinh'],
    ['cosh', 'cosh'],
    ['tanh', 'tanh'],
    ['arcsinh', 'asinh'],
    ['arccosh', 'acosh'],
    ['arctanh', 'atanh'],
    ['arsinh', 'asinh'],
    ['arcosh', 'acosh'],
    ['artanh', 'atanh'],
    ['asinh', 'asinh'],
    ['acosh', 'acosh'],
    ['atanh', 'atanh'],
    ['ln', 'ln'],
    ['log', 'log10'],
    ['lg', 'log10'],
    ['exp', 'exp'],
    ['sqrt', 'sqrt'],
    ['abs', 'abs'],
    ['floor', 'floor'],
    ['ceil', 'ceil'],
    ['ceiling', 'ceil'],
    ['det', 'det'],
    ['factorial', 'factorial'],
  ];
  it.each(one)('%s(x) and \\%s(x) call %s', (word, fn) => {
    expect(p(`${word}(x)`)).toBe(`(${fn} x)`);
    expect(p(`\\${word}(x)`)).toBe(`(${fn} x)`);
  });
  it.each([
    ['gcd', 'gcd'],
    ['lcm', 'lcm'],
    ['max', 'max'],
    ['min', 'min'],
    ['binom', 'binom'],
  ])('%s(4, 6) calls %s with two arguments', (word, fn) => {
    expect(p(`${word}(4, 6)`)).toBe(`(${fn} 4 6)`);
  });
  // f g h F G H P W before `(` are function applications; other letters multiply
  it.each(['f', 'g', 'h', 'F', 'G', 'H', 'P', 'W'])('%s(x) is an unknown function', (f) => {
    expect(p(`${f}(x)`)).toBe(`(${f}? x)`);
  });
  table([
    ['Q(x)', '(* Q x)'],
    ['k(x)', '(* k x)'],
  ]);
});

describe('lists', () => {
  table([
    ['1, 2', '{1 2}'],
    ['1;2', '{1 2}'],
    ['1;', '1'],
    ['1;2;', '{1 2}'],
    ['1,', null],
    ['1,2;3,4', '{(tuple 1 2) (tuple 3 4)}'],
    ['1;2,3', '{1 (tuple 2 3)}'],
    ['x = 1, y = 2', '{(= x 1) (= y 2)}'],
    // ± expands where it stands alone in a list
    ['1 \\pm 2', '{(+ 1 (- 2)) (+ 1 2)}'],
    ['1\\pm 2, 3', '{(+ 1 (- 2)) (+ 1 2) 3}'],
    ['1\\pm2; 3', '{(+ 1 (- 2)) (+ 1 2) 3}'],
    ['1\\pm 2, 3; 4', '{(tuple (± 1 2) 3) 4}'],
    // closers: end, `}` of a group, `\}` of a set
    ['\\boxed{1,2}', '{1 2}'],
    ['\\boxed{1;2}', '{1 2}'],
    ['\\{1,2\\}', '{1 2}'],
    ['\\lbrace 1, 2 \\rbrace', '{1 2}'],
    ['\\{1; 2\\}', '{1 2}'],
    ['\\{1, 2, \\}', null],
    // a trailing `;` before a closer is dropped
    ['\\boxed{3;}', '3'],
    ['\\{1;\\}', '{1}'],
    ['\\{1, 2;\\}', '{1 2}'],
    ['\\lbrace 1; \\rbrace', '{1}'],
  ]);
});

describe('relations', () => {
  table([
    ['x = 1', '(= x 1)'],
    ['x < 1', '(< x 1)'],
    ['x > 1', '(> x 1)'],
    ['x <= 1', '(<= x 1)'],
    ['x >= 1', '(>= x 1)'],
    ['x != 1', '(!= x 1)'],
    ['x == 1', '(= x 1)'],
    ['x \\le 1', '(<= x 1)'],
    ['x \\leq 1', '(<= x 1)'],
    ['x \\leqslant 1', '(<= x 1)'],
    ['x \\ge 1', '(>= x 1)'],
    ['x \\geq 1', '(>= x 1)'],
    ['x \\geqslant 1', '(>= x 1)'],
    ['x \\lt 1', '(< x 1)'],
    ['x \\gt 1', '(> x 1)'],
    ['x \\ne 1', '(!= x 1)'],
    ['x \\neq 1', '(!= x 1)'],
    ['a < b < c', '(chain (< a b) (< b c))'],
    ['1 < x \\le 2', '(chain (< 1 x) (<= x 2))'],
    ['x = 1 = 2', '(chain (= x 1) (= 1 2))'],
    // membership
    ['x \\in S', '(in x S)'],
    ['x \\in [0,1] \\cup [2,3]', '(in x (U [0 1] [2 3]))'],
    ['x \\in A = B', null],
    ['x = 1 \\in S', null],
    // `x \approx v` reads as v; an exact left side is kept
    ['x \\approx 11', '11'],
    ['x \\simeq 11', '11'],
    ['a \\approx b', 'b'],
    ['x \\approx 3 \\approx 3.0', '3'],
    ['\\frac{9.5}{3.14} \\approx 3.01', '(/ 9.5f 3.14f)'],
    ['\\pi \\approx 3.14', '#pi'],
    ['2 \\approx 3', '2'],
    ['x = 3 \\approx 3.0', '(= x 3)'],
    ['x = \\frac{1}{3} \\approx 0.33', '(= x (/ 1 3))'],
    // left-associative like latex2sympy: (x ≈ 3) = 4 is 3 = 4
    ['x \\approx 3 = 4', '(= 3 4)'],
    ['x \\approx 3 = 4 \\approx 5', '(= 3 4)'],
  ]);
});

describe('set operators', () => {
  table([
    ['A \\cup B', '(U A B)'],
    ['A \\cup B \\cup C', '(U A B C)'],
    ['A \\cup (B \\cup C)', '(U A (U B C))'],
    ['A \\cap B', '(I A B)'],
    ['A \\cap B \\cap C', '(I A B C)'],
    ['A \\cap (B \\cap C)', '(I A (I B C))'],
    ['A \\cup B \\cap C', '(I (U A B) C)'],
    ['A \\cap B \\cup C', '(U (I A B) C)'],
    ['A \\setminus B', '(complement? A B)'],
    ['A \\setminus B \\setminus C', '(complement? (complement? A B) C)'],
    ['A \\setminus B \\cup C', '(U (complement? A B) C)'],
    ['[0,1] \\cup [2,3]', '(U [0 1] [2 3])'],
  ]);
});

describe('sums and signs', () => {
  table([
    ['a - b - c', '(+ a (- b) (- c))'],
    ['a + -b', '(+ a (- b))'],
    ['a - -b', '(+ a (- (- b)))'],
    ['-x', '(- x)'],
    ['-2x', '(* (- 2) x)'],
    ['--3', '(- (- 3))'],
    ['+3', '3'],
    ['++3', '3'],
    ['+-3', '(- 3)'],
    ['-+3', '(- 3)'],
    ['a - +b', '(+ a (- b))'],
    ['\\pm 3', '{(- 3) 3}'],
    ['\\mp 3', '{(- 3) 3}'],
    // inside a relation the ± node stays
    ['x = a \\pm b', '(= x (± a b))'],
    ['x = a \\mp b', '(= x (± a b))'],
    ['x = a + b \\pm c + d', '(= x (± (+ a b) (+ c d)))'],
    ['x = a \\pm b - c', '(= x (± a (+ b (- c))))'],
    ['x = \\pm 3', '(= x (± _ 3))'],
    ['x = \\mp 3', '(= x (± _ 3))'],
    ['x = a \\pm b \\pm c', null],
    ['2 \\pm 1 = x', '(= (± 2 1) x)'],
  ]);
});

describe('products', () => {
  table([
    ['6/3', '(/ 6 3)'],
    ['6:3', '(/ 6 3)'],
    ['2*3', '(* 2 3)'],
    ['a / b / c', '(/ (/ a b) c)'],
    ['a : b : c', '(/ (/ a b) c)'],
    ['\\frac{1}{2}:\\frac{1}{3}', '(/ (/ 1 2) (/ 1 3))'],
    ['3:', null],
    ['6/-2', '(/ 6 (- 2))'],
    ['2*-3', '(* 2 (- 3))'],
    ['2 \\cdot 3', '(* 2 3)'],
    ['2 \\times 3', '(* 2 3)'],
    ['2 \\ast 3', '(* 2 3)'],
    ['a \\cdot b \\cdot c', '(* a b c)'],
    ['2 \\cdot 3 x', '(* 2 3 x)'],
    ['6 \\div 3', '(/ 6 3)'],
    ['a \\times b \\div c', '(/ (* a b) c)'],
    ['7 \\mod 3', '(mod 7 3)'],
    ['7 \\bmod 3', '(mod 7 3)'],
    ['7 \\mod -3', '(mod 7 (- 3))'],
    ['a \\mod 2n', '(mod a (* 2 n))'],
    ['a \\mod n+1', '(+ (mod a n) 1)'],
    ['a \\mod b \\mod c', '(mod (mod a b) c)'],
    ['a \\mod n2', '(mod a (* n 2))'],
    ['-a \\mod b', '(mod (- a) b)'],
    // a congruence's modulus is not part of the value
    ['5 \\pmod{7}', '5'],
    ['7 \\pmod{3} + 1', '(+ 7 1)'],
    // implicit products
    ['2x y', '(* 2 x y)'],
    ['x^2 y', '(* (^ x 2) y)'],
    ['2(3)', '(* 2 3)'],
    ['2{3}', '(* 2 3)'],
    ['2[3]', '(* 2 3)'],
    ['2|x|', '(* 2 (abs x))'],
    ['|x||y|', '(* (abs x) (abs y))'],
    ['| |x| - 1 |', '(abs (+ (abs x) (- 1)))'],
    ['|2\\sqrt{2}|', '(abs (* 2 (sqrt 2)))'],
    ['\\vert 2\\pi \\vert', '(abs (* 2 #pi))'],
    ['2\\sqrt{3}', '(* 2 (sqrt 3))'],
    ['2\\pi', '(* 2 #pi)'],
    ['2\\alpha', '(* 2 alpha)'],
    ['2\\omega', '(* 2 omega)'],
    ['2\\ell', '(* 2 ell)'],
    ['2\\sin x', '(* 2 (sin x))'],
    ['2\\ln x', '(* 2 (ln x))'],
    ['2\\vert x \\vert', '(* 2 (abs x))'],
    ['2\\lvert x \\rvert', '(* 2 (abs x))'],
    // inside an absolute value \lvert still opens one (only a bare \vert may close)
    ['\\lvert 2 \\lvert x \\rvert \\rvert', '(abs (* 2 (abs x)))'],
    ['|2 \\lvert x \\rvert|', '(abs (* 2 (abs x)))'],
    ['\\vert x \\vert', '(abs x)'],
    ['\\| x \\|', '(abs x)'],
    ['2\\infty', '(* 2 #inf)'],
    ['2\\binom{3}{1}', '(* 2 (binom 3 1))'],
    ['2\\dbinom{3}{1}', '(* 2 (binom 3 1))'],
    ['2\\lfloor x \\rfloor', '(* 2 (floor x))'],
    ['2\\lceil x \\rceil', '(* 2 (ceil x))'],
    ['2\\begin{pmatrix}1\\end{pmatrix}', '(* 2 [1])'],
    ['2\\overline{x}', '(* 2 bar{x})'],
    ['2\\bar{x}', '(* 2 bar{x})'],
    ['2\\hat{x}', '(* 2 hat{x})'],
    ['2\\vec{x}', '(* 2 vec{x})'],
    ['2\\mathbf{x}', '(* 2 x)'],
    ['2\\exp(1)', '(* 2 (exp 1))'],
    ['2\\sum_{i=1}^{3} i', '(* 2 (sum? (= i 1) 3 i))'],
    ['2\\prod_{i=1}^{3} i', '(* 2 (prod? (= i 1) 3 i))'],
    ['2\\ulcorner x \\urcorner', '(* 2 (ceil x))'],
    ['2\\llcorner x \\lrcorner', '(* 2 (floor x))'],
    ['2\\boxed{3}', '(* 2 3)'],
    ['2\\exponentialE', '(* 2 #e)'],
    ['5 \\textrm{x} + 1', '(+ (* 5 x) 1)'],
    ['5 \\mathrm{x} + 1', '(+ (* 5 x) 1)'],
    // words in plain text commands between values are dropped
    ['5 \\text{xyz} + 1', '(+ 5 1)'],
    ['5 \\mbox{xyz} + 1', '(+ 5 1)'],
    ['5 \\textnormal{xyz} + 1', '(+ 5 1)'],
    ['5 \\textbf{xyz} + 1', '(+ 5 1)'],
    ['5 \\textit{xyz} + 1', '(+ 5 1)'],
    // prose with a number in it is neither dropped nor a factor
    ['5 \\text{ step 2} + 1', null],
    ['5 \\mbox{ step 2} + 1', null],
    ['5 \\textnormal{ step 2} + 1', null],
    // mixed numbers
    ['3\\frac{1}{2}', '(+ 3 (/ 1 2))'],
    ['-3\\frac12', '(- (+ 3 (/ 1 2)))'],
    ['2 \\cdot 3 \\frac{1}{2}', '(* 2 (+ 3 (/ 1 2)))'],
    ['2 \\cdot 5 \\cdot 3\\frac12', '(* 2 5 (+ 3 (/ 1 2)))'],
    ['2 * -3\\frac12', '(* 2 (- (+ 3 (/ 1 2))))'],
    ['3 \\frac{1}{2}x', '(* (+ 3 (/ 1 2)) x)'],
    ['x 3\\frac12', '(* x (+ 3 (/ 1 2)))'],
    ['2x\\frac{1}{2}', '(* 2 x (/ 1 2))'],
    ['3.5\\frac12', '(* 3.5f (/ 1 2))'],
    ['3\\frac{1.5}{2}', '(* 3 (/ 1.5f 2))'],
    ['3\\frac{1}{2.0}', '(* 3 (/ 1 2.0f))'],
    ['3\\frac{x}{2}', '(* 3 (/ x 2))'],
  ]);
});

describe('postfix operators', () => {
  table([
    ['x^2', '(^ x 2)'],
    ['x**2', '(^ x 2)'],
    ['5!', '(factorial 5)'],
    ['3!!', '(factorial (factorial 3))'],
    ['5%', '(/ 5 100)'],
    ['50\\%', '(/ 50 100)'],
    ['(1+2)%', '(/ (+ 1 2) 100)'],
    ['x%', null],
    ['2x%', null],
    ["f'", "f'"],
    ["f''", "f''"],
    ["\\alpha'", "alpha'"],
    ["x_1'", "x_1'"],
    ["2'", '2'],
    ['x_1', 'x_1'],
    ['x_{12}', 'x_{12}'],
    ['\\alpha_1', 'alpha_1'],
    ['x^2_1', '(^ x_1 2)'],
    ['x_1^2', '(^ x_1 2)'],
    ['x^{2}_{i}', '(^ x_i 2)'],
    // a number's subscript is its base: the digits are the answer
    ['204_5', '204'],
    ['(x+1)_2', null],
    ['(x+1)^2_3', null],
  ]);
});
