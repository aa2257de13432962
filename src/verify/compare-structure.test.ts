import { afterEach, describe, expect, it, vi } from 'vitest';
import { type CompareOptions, equivalent } from './compare.ts';
import type { Expr, RelOp } from './expr.ts';
import { ParseTimeout } from './parse-math.ts';

/** equivalent() on hand-built trees: relations, memberships, collections, text, structure rewrites, labels. */

type Rel = Extract<Expr, { kind: 'rel' }>;
const n = (v: number): Expr =>
  v < 0 ? { kind: 'neg', arg: n(-v) } : { kind: 'num', value: v, text: String(v), float: false };
const s = (name: string): Expr => ({ kind: 'sym', name });
const x = s('x');
const y = s('y');
const add = (...terms: Expr[]): Expr => ({ kind: 'add', terms });
const mul = (...factors: Expr[]): Expr => ({ kind: 'mul', factors });
const neg = (arg: Expr): Expr => ({ kind: 'neg', arg });
const div = (num: Expr, den: Expr): Expr => ({ kind: 'div', num, den });
const pow = (base: Expr, exp: Expr): Expr => ({ kind: 'pow', base, exp });
const call = (name: string, args: Expr[], known = true): Expr => ({ kind: 'call', name, args, known });
const text = (t: string): Expr => ({ kind: 'text', text: t });
const set = (...items: Expr[]): Expr => ({ kind: 'set', items });
const tup = (...items: Expr[]): Expr => ({ kind: 'tuple', items });
const union = (...items: Expr[]): Expr => ({ kind: 'union', items });
const inter = (...items: Expr[]): Expr => ({ kind: 'intersect', items });
const iv = (lo: Expr, hi: Expr, loOpen = false, hiOpen = false): Expr => ({ kind: 'interval', lo, hi, loOpen, hiOpen });
const mat = (...rows: number[][]): Expr => ({ kind: 'matrix', rows: rows.map((r) => r.map(n)) });
const rel = (lhs: Expr, op: RelOp, rhs: Expr): Rel => ({ kind: 'rel', op, lhs, rhs });
const inn = (lhs: Expr, rhs: Expr): Expr => ({ kind: 'in', lhs, rhs });
const chain = (...rels: Rel[]): Expr => ({ kind: 'chain', rels });
const pm = (a: Expr | null, b: Expr): Expr => ({ kind: 'pm', a, b });
const sqrt2 = call('sqrt', [n(2)]);

const STRICT: CompareOptions = { floatRounding: 6, strict: true, allowSetRelationComp: false };
const REL_COMP: CompareOptions = { ...STRICT, allowSetRelationComp: true };

const check = (cases: [string, Expr, Expr, boolean][], opts: CompareOptions = STRICT) =>
  it.each(cases)('%s', (_, gold, pred, expected) => {
    expect(equivalent(gold, pred, opts)).toBe(expected);
  });

const x1 = add(x, n(1));
const closed12 = iv(n(1), n(2));

describe('equivalent: memberships and relations', () => {
  check([
    ['x ∈ {1,2} vs y ∈ {1,2}: left sides differ (strict)', inn(x, set(n(1), n(2))), inn(y, set(n(1), n(2))), false],
    ['x ∈ {1,2} vs {1,2}', inn(x, set(n(1), n(2))), set(n(1), n(2)), true],
    ['x ∈ {1,2} vs x ∈ {1, 4/2}', inn(x, set(n(1), n(2))), inn(x, set(n(1), div(n(4), n(2)))), true],
    ['5 vs 2 ∈ {5}: a computed left side', n(5), inn(n(2), set(n(5))), false],
    ['1 <= x+1 <= 2 vs x+1 ∈ [1,2]', chain(rel(n(1), '<=', x1), rel(x1, '<=', n(2))), inn(x1, closed12), true],
    ['chain 1 < x > 0 (no interval) vs 1', chain(rel(n(1), '<', x), rel(x, '>', n(0))), n(1), false],
    ['x < 1 vs 1', rel(x, '<', n(1)), n(1), false],
    ['1 vs x < 1', n(1), rel(x, '<', n(1)), false],
    ['x = 3 vs 3', rel(x, '=', n(3)), n(3), true],
    ['x < 1 vs {x < 1}', rel(x, '<', n(1)), set(rel(x, '<', n(1))), false],
  ]);
  const mixed = chain(rel(n(1), '<', x), rel(x, '>', n(0)));
  check([
    ['chain 1 < x > 0 vs {itself}', mixed, set(mixed), false],
    ['x+1 ∈ {1} vs {itself}', inn(x1, set(n(1))), set(inn(x1, set(n(1)))), false],
  ]);
});

describe('equivalent: chains as intervals when allowSetRelationComp', () => {
  const chain12 = chain(rel(n(1), '<=', x), rel(x, '<=', n(2)));
  check(
    [
      ['1 vs 2/2 (plain scalars still compare)', n(1), div(n(2), n(2)), true],
      ['1 vs chain 1 < x > 0 (no interval)', n(1), chain(rel(n(1), '<', x), rel(x, '>', n(0))), false],
      ['[1,2] vs 1 <= x <= 2', closed12, chain12, true],
      ['[1,2] vs 1 <= x < 2', closed12, chain(rel(n(1), '<=', x), rel(x, '<', n(2))), false],
      ['x+1 ∈ [1,2] vs 1 <= x+1 <= 2', inn(x1, closed12), chain(rel(n(1), '<=', x1), rel(x1, '<=', n(2))), true],
    ],
    REL_COMP,
  );
});

describe('equivalent: collections', () => {
  const a = iv(n(0), n(1));
  const b = iv(n(2), n(3));
  const c = iv(n(4), n(5));
  check([
    ['[1,2] vs [1, 4/2]', closed12, iv(n(1), div(n(4), n(2))), true],
    ['open (1,2) vs pair (1, 4/2)', iv(n(1), n(2), true, true), tup(n(1), div(n(4), n(2))), true],
    ['pair (1, 4/2) vs open (1,2)', tup(n(1), div(n(4), n(2))), iv(n(1), n(2), true, true), true],
    ['open (2,1) vs pair (2,1): not ascending', iv(n(2), n(1), true, true), tup(n(2), div(n(2), n(2))), false],
    ['union vs tuple of the same pieces', union(a, b), tup(a, b), false],
    ['tuple vs union of the same pieces', tup(a, b), union(a, b), false],
    ['intersection vs tuple of the same pieces', inter(a, b), tup(a, b), false],
    ['tuple vs intersection of the same pieces', tup(a, b), inter(a, b), false],
    ['(1,2) vs matrix [[1,2]]', tup(n(1), n(2)), mat([1, 2]), false],
    ['matrix [[1,2]] vs (1,2)', mat([1, 2]), tup(n(1), n(2)), false],
    ['[[1]] vs [[1],[2]]: rows differ', mat([1]), mat([1], [2]), false],
    ['[[1]] vs [[1,2]]: columns differ', mat([1]), mat([1, 2]), false],
    ['(1,2) vs 1', tup(n(1), n(2)), n(1), false],
    ['(A ∪ B) ∪ C vs A ∪ (B ∪ C)', union(union(a, b), c), union(a, union(b, c)), true],
    ['[0,1] ∪ [2,3] vs [0,1] ∪ [2,4]', union(a, b), union(a, iv(n(2), n(4))), false],
  ]);
});

describe('equivalent: text', () => {
  check([
    ['"odd" vs 3', text('odd'), n(3), false],
    ['3 vs "odd"', n(3), text('odd'), false],
    ['"ab" vs 2ab', text('ab'), mul(n(2), s('a'), s('b')), false],
    ['"Odd" vs o*d*d', text('Odd'), mul(s('o'), s('d'), s('d')), true],
    ['"a.m." vs "AM": dots and case ignored', text('a.m.'), text('AM'), true],
    ['"straße" vs "STRASSE": lower-casing, not upper-casing', text('straße'), text('STRASSE'), false],
  ]);
});

describe('equivalent: structure rewrites', () => {
  const A = s('A');
  const B = s('B');
  check([
    ['{1} ∪ {2} vs {1,2}', union(set(n(1)), set(n(2))), set(n(1), n(2)), true],
    ['{1,2} ∩ {2,3} vs {2}', inter(set(n(1), n(2)), set(n(2), n(3))), set(n(2)), true],
    ['{1,2,3} ∩ {2,3} ∩ {3,4} vs {3}', inter(set(n(1), n(2), n(3)), set(n(2), n(3)), set(n(3), n(4))), set(n(3)), true],
    ['[[5,7]] - [[1,2]] vs [[4,5]]', add(mat([5, 7]), neg(mat([1, 2]))), mat([4, 5]), true],
    ['[[1,2]] + [[3,4]] vs [[4,6]]', add(mat([1, 2]), mat([3, 4])), mat([4, 6]), true],
    ['[[1]] + [[3,5]] vs [[4]]: shapes differ', add(mat([1]), mat([3, 5])), mat([4]), false],
    ['[[1]] + [[3],[5]] vs [[4]]: shapes differ', add(mat([1]), mat([3], [5])), mat([4]), false],
    ['empty sum vs 0', add(), n(0), true],
    ['a variable named complement vs itself', s('complement'), s('complement'), true],
    ['{1,2,3} \\ {2} vs {1,3}', call('complement', [set(n(1), n(2), n(3)), set(n(2))]), set(n(1), n(3)), true],
    ['complement of {1,2} alone vs {1,2}', call('complement', [set(n(1), n(2))]), set(n(1), n(2)), false],
    ['A \\ B vs a nameless function of A, B', call('complement', [A, B]), call('', [A, B], false), false],
    ['±2 vs {2, -4/2}', pm(null, n(2)), set(n(2), neg(div(n(4), n(2)))), true],
    ['±2 vs {2}', pm(null, n(2)), set(n(2)), false],
    ['1 ± √2 vs {1+√2, 1-√2}', pm(n(1), sqrt2), set(add(sqrt2, n(1)), add(n(1), neg(sqrt2))), true],
    ['1 ± √2 vs {±√2}', pm(n(1), sqrt2), set(sqrt2, neg(sqrt2)), false],
  ]);
});

describe('equivalent: a gold equation counts its right side when the left side is a label', () => {
  const A = s('A');
  const B = s('B');
  const t32 = tup(n(3), n(2));
  check([
    ['|AB| = 5', rel(call('abs', [mul(A, B)]), '=', n(5)), n(5), true],
    ['|x+1| = 3', rel(call('abs', [x1]), '=', n(3)), n(3), false],
    ['f(x) = 3', rel(call('f', [x], false), '=', n(3)), n(3), true],
    ['sin(2x) = 1', rel(call('sin', [mul(n(2), x)]), '=', n(1)), n(1), false],
    ['(p, q) = (3, 2)', rel(tup(s('p'), s('q')), '=', t32), t32, true],
    ['(x, 2) = (3, 2)', rel(tup(x, n(2)), '=', t32), t32, false],
    ['ab = 6', rel(mul(A, B), '=', n(6)), n(6), true],
    ['2x = 6', rel(mul(n(2), x), '=', n(6)), n(6), false],
    ['A/B = 3', rel(div(A, B), '=', n(3)), n(3), true],
    ['x/2 = 3', rel(div(x, n(2)), '=', n(3)), n(3), false],
    ['2^3 = 8', rel(pow(n(2), n(3)), '=', n(8)), n(8), false],
    ['2^x = 8', rel(pow(n(2), x), '=', n(8)), n(8), false],
  ]);
});

describe('equivalent: time budget', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('throws ParseTimeout once the deadline has passed', () => {
    expect(() => equivalent(n(1), n(1), { ...STRICT, deadline: -1 })).toThrow(ParseTimeout);
    expect(() => equivalent(n(1), n(1), { ...STRICT, deadline: -1 })).toThrow('compare time budget');
  });

  it('gives up only strictly after the deadline', () => {
    vi.spyOn(performance, 'now').mockReturnValue(100);
    expect(equivalent(n(1), n(1), { ...STRICT, deadline: 100 })).toBe(true);
    expect(() => equivalent(n(1), n(1), { ...STRICT, deadline: 99.5 })).toThrow(ParseTimeout);
  });
});
