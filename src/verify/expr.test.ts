import { describe, expect, it } from 'vitest';
import {
  canonicalKey,
  children,
  type Expr,
  freeSymbols,
  hasFloat,
  isNumericLiteral,
  num,
  type Rel,
  show,
} from './expr.ts';
import { verifyAnswer } from './index.ts';

// Tree builders.
const x: Expr = { kind: 'sym', name: 'x' };
const y: Expr = { kind: 'sym', name: 'y' };
const z: Expr = { kind: 'sym', name: 'z' };
const one = num(1);
const two = num(2);
const half = num(0.5, '0.5', true);
const pi: Expr = { kind: 'const', name: 'pi' };
const text = (t: string): Expr => ({ kind: 'text', text: t });
const add = (...terms: Expr[]): Expr => ({ kind: 'add', terms });
const mul = (...factors: Expr[]): Expr => ({ kind: 'mul', factors });
const neg = (arg: Expr): Expr => ({ kind: 'neg', arg });
const div = (n: Expr, d: Expr): Expr => ({ kind: 'div', num: n, den: d });
const pow = (base: Expr, exp: Expr): Expr => ({ kind: 'pow', base, exp });
const call = (name: string, ...args: Expr[]): Expr => ({ kind: 'call', name, args, known: false });
const pm = (a: Expr | null, b: Expr): Expr => ({ kind: 'pm', a, b });
const tuple = (...items: Expr[]): Expr => ({ kind: 'tuple', items });
const set = (...items: Expr[]): Expr => ({ kind: 'set', items });
const union = (...items: Expr[]): Expr => ({ kind: 'union', items });
const intersect = (...items: Expr[]): Expr => ({ kind: 'intersect', items });
const interval = (lo: Expr, hi: Expr, loOpen: boolean, hiOpen: boolean): Expr => ({
  kind: 'interval',
  lo,
  hi,
  loOpen,
  hiOpen,
});
const matrix = (...rows: Expr[][]): Expr => ({ kind: 'matrix', rows });
const rel = (lhs: Expr, op: Rel['op'], rhs: Expr): Rel => ({ kind: 'rel', op, lhs, rhs });
const inSet = (lhs: Expr, rhs: Expr): Expr => ({ kind: 'in', lhs, rhs });
const chain = (...rels: Rel[]): Expr => ({ kind: 'chain', rels });

describe('num', () => {
  it('defaults the text to |value| and float to false', () => {
    expect(num(2)).toEqual({ kind: 'num', value: 2, text: '2', float: false });
    expect(num(-3)).toEqual({ kind: 'num', value: -3, text: '3', float: false });
    expect(num(1.5, '1.50', true)).toEqual({ kind: 'num', value: 1.5, text: '1.50', float: true });
  });
});

describe('children', () => {
  const lt = rel(x, '<', y);
  const le = rel(y, '<=', z);
  it.each<[string, Expr, Expr[]]>([
    ['num', one, []],
    ['sym', x, []],
    ['const', pi, []],
    ['text', text('odd'), []],
    ['add', add(x, y), [x, y]],
    ['mul', mul(two, x), [two, x]],
    ['neg', neg(x), [x]],
    ['div', div(x, y), [x, y]],
    ['pow', pow(x, two), [x, two]],
    ['call', call('f', x, y), [x, y]],
    ['pm with a', pm(one, x), [one, x]],
    ['pm without a', pm(null, x), [x]],
    ['tuple', tuple(x, y), [x, y]],
    ['set', set(x, y), [x, y]],
    ['union', union(x, y), [x, y]],
    ['intersect', intersect(x, y), [x, y]],
    ['interval', interval(one, two, true, false), [one, two]],
    ['matrix', matrix([x, y], [z, one]), [x, y, z, one]],
    ['rel', lt, [x, y]],
    ['in', inSet(x, y), [x, y]],
    ['chain', chain(lt, le), [lt, le]],
  ])('%s', (_, e, expected) => {
    expect(children(e)).toEqual(expected);
  });

  it('freeSymbols walks every kind in first-seen order', () => {
    const e = chain(rel(pm(z, call('f', x)), '<', interval(y, pi, false, false)));
    expect([...freeSymbols(e)]).toEqual(['z', 'x', 'y']);
  });
});

describe('hasFloat / isNumericLiteral', () => {
  it.each<[Expr, boolean]>([
    [one, false],
    [half, true],
    [x, false],
    [add(x, one), false],
    [add(half, one), true],
    [add(one, half), true],
    [pow(x, div(one, num(2, '2.0', true))), true],
  ])('hasFloat %#', (e, expected) => {
    expect(hasFloat(e)).toBe(expected);
  });

  it.each<[Expr, boolean]>([
    [one, true],
    [neg(two), true],
    [neg(x), false],
    [x, false],
    [add(one, two), false],
    [neg(neg(one)), false],
  ])('isNumericLiteral %#', (e, expected) => {
    expect(isNumericLiteral(e)).toBe(expected);
  });
});

describe('canonicalKey', () => {
  it.each<[string, Expr, string]>([
    ['num', two, '2'],
    ['sym', x, 'x'],
    ['const', pi, '#pi'],
    ['text: lower case, no spaces', text(' Hello  World\t'), '"helloworld"'],
    ['add: sorted', add(y, x), '+(x,y)'],
    ['mul: sorted', mul(y, two), '*(2,y)'],
    ['neg', neg(x), '-(x)'],
    ['div', div(y, x), '/(y,x)'],
    ['pow', pow(y, x), '^(y,x)'],
    ['call: arguments in order', call('f', y, x), 'f(y,x)'],
    ['pm', pm(one, x), 'pm(1,x)'],
    ['pm without a', pm(null, x), 'pm(,x)'],
    ['tuple: in order', tuple(y, x), '(y,x)'],
    ['set: sorted, deduplicated', set(y, x, y), '{x,y}'],
    ['interval [)', interval(one, two, false, true), '[1,2)'],
    ['interval (]', interval(one, two, true, false), '(1,2]'],
    ['union: sorted', union(y, x), 'U(x,y)'],
    ['intersect: sorted', intersect(y, x), 'I(x,y)'],
    ['matrix', matrix([x, y], [z, one]), 'M[x,y;z,1]'],
    ['rel', rel(x, '<=', y), 'x<=y'],
    ['in', inSet(x, y), 'x in y'],
    ['chain', chain(rel(x, '<', y), rel(y, '<', z)), 'x<y&y<z'],
  ])('%s', (_, e, expected) => {
    expect(canonicalKey(e)).toBe(expected);
  });

  it('gives commuted products the same key', () => {
    const a = call('F', x);
    const b = call('F', add(y, neg(x)));
    expect(canonicalKey(mul(a, b))).toBe(canonicalKey(mul(b, a)));
  });

  // Numbers compare by value of their spelling: leading and trailing zeros do not count.
  it.each([
    ['7', '7'],
    ['007', '7'],
    ['0', '0'],
    ['00', '0'],
    ['100', '100'],
    ['1.50', '1.5'],
    ['1.500', '1.5'],
    ['1.0', '1'],
    ['10.0', '10'],
    ['12.', '12'],
    ['100.00', '100'],
    ['10.05', '10.05'],
    ['10.5', '10.5'],
    ['00.5', '0.5'],
    ['000.5', '0.5'],
    ['0.5', '0.5'],
    ['1.5', '1.5'],
    // scientific notation: only the mantissa loses zeros
    ['1.0e10', '1e10'],
    ['1.0e1', '1e1'],
    ['2.50E-10', '2.5e-10'],
    ['1e+05', '1e5'],
    ['10e2', '10e2'],
  ])('number %j -> %j', (spelling, expected) => {
    expect(canonicalKey(num(Number(spelling), spelling))).toBe(expected);
  });
});

describe('canonicalKey in verifyAnswer', () => {
  it.each([
    ['$f(1.0e10)$', '$f(1.0e1)$', false],
    ['$f(1.0e10)$', '$f(1e10)$', true],
    ['$f(2.50)$', '$f(2.5)$', true],
  ])('%j vs %j -> %s', (gold, pred, expected) => {
    expect(verifyAnswer(gold, pred).correct).toBe(expected);
  });
});

describe('show', () => {
  it.each<[string, Expr, string]>([
    ['num', num(12, '012'), '012'],
    ['sym', x, 'x'],
    ['const', pi, 'pi'],
    ['text', text('odd'), 'odd'],
    ['add', add(x, one), 'x + 1'],
    ['add with a negative term', add(x, neg(y)), 'x - y'],
    ['add led by a negative', add(neg(x), y), '-x + y'],
    ['add: negated sum is wrapped', add(x, neg(add(y, one))), 'x - (y + 1)'],
    ['mul', mul(two, x, y), '2*x*y'],
    ['mul wraps sums', mul(add(x, one), y), '(x + 1)*y'],
    ['mul keeps negation bare', mul(neg(x), y), '-x*y'],
    ['mul wraps a signed literal', mul(num(-3, '-3'), x), '(-3)*x'],
    ['mul wraps ±', mul(two, pm(null, x)), '2*(±x)'],
    ['neg', neg(x), '-x'],
    ['neg wraps a relation', neg(rel(x, '=', one)), '-(x = 1)'],
    ['div', div(add(x, one), two), '(x + 1)/2'],
    ['pow', pow(x, two), 'x^2'],
    ['pow with a fraction exponent', pow(x, div(one, two)), 'x^(1/2)'],
    ['pow with a product exponent', pow(two, mul(two, x)), '2^(2*x)'],
    ['pow with a sum exponent', pow(x, add(y, one)), 'x^(y + 1)'],
    ['call', call('f', x, y), 'f(x, y)'],
    ['pm', pm(one, add(x, y)), '1 ± (x + y)'],
    ['pm without a', pm(null, x), '±x'],
    ['tuple', tuple(x, y), '(x, y)'],
    ['set', set(x, y), '{x, y}'],
    ['interval [)', interval(one, two, false, true), '[1, 2)'],
    ['interval (]', interval(one, two, true, false), '(1, 2]'],
    ['union', union(interval(one, two, true, true), set(x)), '(1, 2) ∪ {x}'],
    ['intersect', intersect(x, y), 'x ∩ y'],
    ['matrix', matrix([x, y], [z, one]), '[[x, y], [z, 1]]'],
    ['rel', rel(x, '>=', one), 'x >= 1'],
    ['in', inSet(x, set(one)), 'x ∈ {1}'],
    ['chain', chain(rel(x, '<', y), rel(y, '<=', z)), 'x < y & y <= z'],
  ])('%s', (_, e, expected) => {
    expect(show(e)).toBe(expected);
  });
});
