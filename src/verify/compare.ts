import { evaluate } from './evaluate.ts';
import { canonicalKey, type Expr, freeSymbols, hasFloat, type Rel } from './expr.ts';
import { ParseTimeout } from './parse-math.ts';

/**
 * Equivalence of two parsed answers, Math-Verify style:
 * - numbers: when either side was written with a decimal point, both are rounded to `floatRounding` places;
 *   otherwise a relative tolerance of 1e-9;
 * - expressions with variables: agreement at random points (the difference "simplifies to 0");
 * - sets unordered (each element of one matches some element of the other), tuples ordered, intervals with their
 *   open/closed ends, matrices entry by entry; a pair `(a, b)` with a < b may be an open interval or a 2-set;
 * - `x = 3` against 3: the right side counts when the left is a label (`x`, `f(x)`, `|AB|`, `(p,q)`); a predicted
 *   equation always yields its right side; equations compare as proportional (`2x+4y-3=0` ~ `y=-x/2+3/4`);
 *   inequalities as positively proportional after moving everything to one side; `a < x < b` as the interval (a, b);
 * - text (`\text{odd}`, choice letters) case-insensitively.
 */
export interface CompareOptions {
  readonly floatRounding: number;
  /** Math-Verify's `strict`: when false, variable names may differ (`f(x)` ~ `f(y)`). */
  readonly strict: boolean;
  /** Compare a predicted `a <= x <= b` with a gold interval `x \in [a, b]`. */
  readonly allowSetRelationComp: boolean;
  readonly deadline?: number;
}

/** Sample points for variables: irrationals (no short decimal form), spread over both signs, away from poles. */
const POINTS = [Math.PI / 5, Math.SQRT2 - 0.04, Math.E - 0.47, 1 / Math.E + 0.02, Math.PI - 0.22, -Math.LN2 + 0.15];

export function equivalent(gold: Expr, pred: Expr, opts: CompareOptions): boolean {
  checkDeadline(opts);
  const g = simplifyStructure(gold);
  const p = simplifyStructure(pred);
  if (canonicalKey(g) === canonicalKey(p)) return true;

  // text and letters
  if (g.kind === 'text' || p.kind === 'text') return textEqual(g, p);

  // relations and memberships
  if (p.kind === 'in' && isLabel(p.lhs) && g.kind !== 'in') return equivalent(g, p.rhs, opts);
  if (g.kind === 'in' && isLabel(g.lhs) && p.kind !== 'in' && p.kind !== 'chain') return equivalent(g.rhs, p, opts);
  if (g.kind === 'in' && p.kind === 'in') return equivalent(g.lhs, p.lhs, opts) && equivalent(g.rhs, p.rhs, opts);
  const gRel = asRelation(g);
  const pRel = asRelation(p);
  if (gRel && pRel) return relationsEqual(gRel, pRel, opts);
  if (g.kind === 'chain' && !gRel) {
    const iv = chainToInterval(g);
    if (iv) return equivalent(iv, p.kind === 'in' ? p.rhs : p, opts);
  }
  if (p.kind === 'chain' && !pRel && opts.allowSetRelationComp) {
    const iv = chainToInterval(p);
    if (iv) return equivalent(g.kind === 'in' ? g.rhs : g, iv, opts);
  }
  if (gRel && gRel.op === '=') return isLabel(gRel.lhs) ? equivalent(gRel.rhs, p, opts) : false;
  if (pRel && pRel.op === '=') return equivalent(g, pRel.rhs, opts);
  if (gRel || pRel || g.kind === 'chain' || p.kind === 'chain' || g.kind === 'in' || p.kind === 'in') return false;

  // collections
  if (g.kind === 'set' || p.kind === 'set') return setsEqual(g, p, opts);
  if (g.kind === 'tuple' && p.kind === 'tuple') return sameLength(g.items, p.items, opts);
  if (g.kind === 'interval' || p.kind === 'interval') return intervalsEqual(g, p, opts);
  if (g.kind === 'union' && p.kind === 'union') return coverEach(g.items, p.items, opts);
  if (g.kind === 'intersect' && p.kind === 'intersect') return coverEach(g.items, p.items, opts);
  if (g.kind === 'matrix' && p.kind === 'matrix') {
    if (g.rows.length !== p.rows.length || g.rows[0].length !== p.rows[0].length) return false;
    return g.rows.every((row, i) => row.every((x, j) => equivalent(x, p.rows[i][j], opts)));
  }
  if (isCollection(g) || isCollection(p)) return false;

  return scalarsEqual(g, p, opts);
}

function checkDeadline(opts: CompareOptions): void {
  if (opts.deadline !== undefined && performance.now() > opts.deadline) throw new ParseTimeout('compare time budget');
}

function isCollection(e: Expr): boolean {
  return (
    e.kind === 'set' ||
    e.kind === 'tuple' ||
    e.kind === 'interval' ||
    e.kind === 'union' ||
    e.kind === 'intersect' ||
    e.kind === 'matrix' ||
    e.kind === 'pm'
  );
}

function textEqual(a: Expr, b: Expr): boolean {
  const name = (e: Expr): string | null =>
    e.kind === 'text'
      ? e.text
      : e.kind === 'sym'
        ? e.name
        : e.kind === 'mul' && e.factors.every((f) => f.kind === 'sym')
          ? e.factors.map((f) => (f as { name: string }).name).join('')
          : null;
  const x = name(a);
  const y = name(b);
  if (x === null || y === null) return false;
  const norm = (s: string) => s.toLowerCase().replace(/[\s.]+/g, '');
  return norm(x) === norm(y);
}

/** Matrix sums and negations become matrices; a lone `pm` becomes its two-element set; unions of finite sets sets. */
function simplifyStructure(e: Expr): Expr {
  if (e.kind === 'union' || e.kind === 'intersect') {
    const items = e.items.map(simplifyStructure).flatMap((x) => (x.kind === e.kind ? x.items : [x]));
    if (items.every((x) => x.kind === 'set')) {
      const sets = items as Extract<Expr, { kind: 'set' }>[];
      if (e.kind === 'union') return { kind: 'set', items: sets.flatMap((x) => x.items) };
      const keys = sets.slice(1).map((x) => new Set(x.items.map(canonicalKey)));
      return { kind: 'set', items: sets[0].items.filter((x) => keys.every((k) => k.has(canonicalKey(x)))) };
    }
    return { kind: e.kind, items };
  }
  if (e.kind === 'add' && e.terms.length > 1) {
    const terms = e.terms.map(simplifyStructure);
    const mats = terms.map((t) => (t.kind === 'neg' && t.arg.kind === 'matrix' ? negMatrix(t.arg) : t));
    if (mats.every((t) => t.kind === 'matrix')) {
      const ms = mats as Extract<Expr, { kind: 'matrix' }>[];
      const r = ms[0].rows.length;
      const c = ms[0].rows[0].length;
      if (ms.every((m) => m.rows.length === r && m.rows[0].length === c)) {
        return {
          kind: 'matrix',
          rows: ms[0].rows.map((row, i) => row.map((_, j) => ({ kind: 'add', terms: ms.map((m) => m.rows[i][j]) }))),
        };
      }
    }
  }
  if (e.kind === 'call' && e.name === 'complement' && e.args.length === 2) {
    const [a, b] = e.args.map(simplifyStructure);
    if (a.kind === 'set' && b.kind === 'set') {
      const drop = new Set(b.items.map(canonicalKey));
      return { kind: 'set', items: a.items.filter((x) => !drop.has(canonicalKey(x))) };
    }
    return { kind: 'call', name: 'complement', args: [a, b], known: false };
  }
  if (e.kind === 'pm') {
    const b = e.b;
    return e.a === null
      ? { kind: 'set', items: [{ kind: 'neg', arg: b }, b] }
      : {
          kind: 'set',
          items: [
            { kind: 'add', terms: [e.a, { kind: 'neg', arg: b }] },
            { kind: 'add', terms: [e.a, b] },
          ],
        };
  }
  return e;
}

function negMatrix(m: Extract<Expr, { kind: 'matrix' }>): Expr {
  return { kind: 'matrix', rows: m.rows.map((r) => r.map((x) => ({ kind: 'neg', arg: x }) as Expr)) };
}

/** A left side that names the answer rather than computes it: `x`, `x_1`, `f(x)`, `|AB|`, `A:B`, `(p, q)`. */
function isLabel(e: Expr): boolean {
  switch (e.kind) {
    case 'sym':
      return true;
    case 'call':
      return !e.known || (e.name === 'abs' && e.args.every(isLabel));
    case 'tuple':
      return e.items.every(isLabel);
    case 'mul':
      return e.factors.every(isLabel);
    case 'div':
      return isLabel(e.num) && isLabel(e.den);
    case 'pow':
      return isLabel(e.base) && e.exp.kind === 'num';
    default:
      return false;
  }
}

/** A single relation; a chain of equalities `x = a = b` reads as `x = b`. */
function asRelation(e: Expr): Rel | null {
  if (e.kind === 'rel') return e;
  if (e.kind === 'chain' && e.rels.every((r) => r.op === '=')) {
    return { kind: 'rel', op: '=', lhs: e.rels[0].lhs, rhs: e.rels[e.rels.length - 1].rhs };
  }
  return null;
}

function chainToInterval(e: Extract<Expr, { kind: 'chain' }>): Expr | null {
  if (e.rels.length !== 2) return null;
  const [a, b] = e.rels;
  const up = (op: string) => op === '<' || op === '<=';
  const down = (op: string) => op === '>' || op === '>=';
  if (up(a.op) && up(b.op))
    return { kind: 'interval', lo: a.lhs, hi: b.rhs, loOpen: a.op === '<', hiOpen: b.op === '<' };
  if (down(a.op) && down(b.op)) {
    return { kind: 'interval', lo: b.rhs, hi: a.lhs, loOpen: b.op === '>', hiOpen: a.op === '>' };
  }
  return null;
}

function relationsEqual(a: Rel, b: Rel, opts: CompareOptions): boolean {
  const na = orient(a);
  const nb = orient(b);
  if (na.op !== nb.op) return false;
  if (na.op === '=' && (isCollection(na.lhs) || isCollection(na.rhs) || isCollection(nb.lhs) || isCollection(nb.rhs))) {
    return equivalent(na.lhs, nb.lhs, opts) && equivalent(na.rhs, nb.rhs, opts);
  }
  // rhs - lhs for both; equal when proportional (positively for inequalities)
  const da: Expr = { kind: 'add', terms: [na.rhs, { kind: 'neg', arg: na.lhs }] };
  const db: Expr = { kind: 'add', terms: [nb.rhs, { kind: 'neg', arg: nb.lhs }] };
  const positive = na.op !== '=' && na.op !== '!=';
  return (
    proportional(da, db, positive) ||
    (na.op === '=' && equivalent(na.lhs, nb.lhs, opts) && equivalent(na.rhs, nb.rhs, opts))
  );
}

function orient(r: Rel): { op: '=' | '!=' | '<' | '<='; lhs: Expr; rhs: Expr } {
  if (r.op === '>') return { op: '<', lhs: r.rhs, rhs: r.lhs };
  if (r.op === '>=') return { op: '<=', lhs: r.rhs, rhs: r.lhs };
  return { op: r.op, lhs: r.lhs, rhs: r.rhs };
}

function proportional(a: Expr, b: Expr, positive: boolean): boolean {
  const vars = [...new Set([...freeSymbols(a), ...freeSymbols(b)])];
  let ratio: number | null = null;
  let used = 0;
  const tol = hasFloat(a) || hasFloat(b) ? 1e-6 : 1e-9;
  for (let k = 0; k < POINTS.length; k++) {
    const env = pointEnv(vars, k);
    const x = evaluate(a, env);
    const y = evaluate(b, env);
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
    if (Math.abs(x) < 1e-12 && Math.abs(y) < 1e-12) {
      used++;
      continue;
    }
    if (Math.abs(y) < 1e-12 || Math.abs(x) < 1e-12) return false;
    const r = x / y;
    if (ratio === null) ratio = r;
    else if (Math.abs(r - ratio) > tol * Math.max(1, Math.abs(ratio))) return false;
    used++;
    if (vars.length === 0) break;
  }
  if (used === 0) return false;
  if (ratio !== null && positive && ratio < 0) return false;
  return true;
}

function sameLength(a: readonly Expr[], b: readonly Expr[], opts: CompareOptions): boolean {
  return a.length === b.length && a.every((x, i) => equivalent(x, b[i], opts));
}

function coverEach(a: readonly Expr[], b: readonly Expr[], opts: CompareOptions): boolean {
  if (a.length === 0 || b.length === 0) return a.length === b.length;
  return a.every((x) => b.some((y) => equivalent(x, y, opts))) && b.every((y) => a.some((x) => equivalent(x, y, opts)));
}

function setsEqual(g: Expr, p: Expr, opts: CompareOptions): boolean {
  if (g.kind === 'set' && p.kind === 'set') return coverEach(g.items, p.items, opts);
  if (g.kind === 'set' && g.items.length === 1) return equivalent(g.items[0], p, opts);
  if (p.kind === 'set' && p.items.length === 1) return equivalent(g, p.items[0], opts);
  // (1, 3) read as an open interval against the set {1, 3}: Math-Verify compares their elements
  const pair = g.kind === 'tuple' ? g : p.kind === 'tuple' ? p : null;
  const set = g.kind === 'set' ? g : p.kind === 'set' ? p : null;
  if (pair && set && pair.items.length === 2 && set.items.length === 2 && isAscendingPair(pair.items)) {
    return coverEach(pair.items, set.items, opts);
  }
  return false;
}

function isAscendingPair(items: readonly Expr[]): boolean {
  const env = new Map<string, number>();
  const a = evaluate(items[0], env);
  const b = evaluate(items[1], env);
  return Number.isFinite(a) || Number.isFinite(b) ? a < b : false;
}

function intervalsEqual(g: Expr, p: Expr, opts: CompareOptions): boolean {
  const asInterval = (e: Expr) =>
    e.kind === 'interval'
      ? e
      : e.kind === 'tuple' && e.items.length === 2 && isAscendingPair(e.items)
        ? { kind: 'interval' as const, lo: e.items[0], hi: e.items[1], loOpen: true, hiOpen: true }
        : e.kind === 'union' && e.items.length === 1 && e.items[0].kind === 'interval'
          ? e.items[0]
          : null;
  const a = asInterval(g);
  const b = asInterval(p);
  if (!a || !b) return false;
  return a.loOpen === b.loOpen && a.hiOpen === b.hiOpen && equivalent(a.lo, b.lo, opts) && equivalent(a.hi, b.hi, opts);
}

function pointEnv(vars: readonly string[], k: number): Map<string, number> {
  return new Map(vars.map((v, j) => [v, POINTS[(k + j) % POINTS.length] + 0.173 * j]));
}

function scalarsEqual(g: Expr, p: Expr, opts: CompareOptions): boolean {
  const gVars = freeSymbols(g);
  const pVars = freeSymbols(p);
  let vars = [...new Set([...gVars, ...pVars])];
  let pEnvMap: ((k: number) => Map<string, number>) | null = null;
  if (!opts.strict && gVars.size === pVars.size && [...gVars].some((v) => !pVars.has(v))) {
    // non-strict: match variables by order of appearance
    const gl = [...gVars];
    const pl = [...pVars];
    pEnvMap = (k) => new Map(pl.map((v, j) => [v, POINTS[(k + j) % POINTS.length] + 0.173 * j]));
    vars = gl;
  }
  const floats = hasFloat(g) || hasFloat(p);
  if (vars.length === 0) {
    const literal = integerLiteralVerdict(g, p);
    if (literal !== null) return literal;
    const a = evaluate(g, new Map());
    const b = evaluate(p, new Map());
    return numbersEqual(a, b, floats, opts.floatRounding);
  }
  let used = 0;
  for (let k = 0; k < POINTS.length; k++) {
    const a = evaluate(g, pointEnv(vars, k));
    const b = evaluate(p, pEnvMap ? pEnvMap(k) : pointEnv(vars, k));
    if (Number.isNaN(a) || Number.isNaN(b)) continue; // outside one side's real domain
    if (!numbersEqual(a, b, floats, floats ? Math.min(opts.floatRounding, 6) : 9)) return false;
    used++;
  }
  return used >= 2;
}

function numbersEqual(a: number, b: number, floats: boolean, places: number): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return false;
  if (a === b) return true;
  if (!Number.isFinite(a) || !Number.isFinite(b)) return false;
  const scale = Math.max(1, Math.abs(a), Math.abs(b));
  if (Math.abs(a - b) <= 1e-9 * scale) return true;
  if (!floats) return false;
  const f = 10 ** places;
  return Math.round(a * f) === Math.round(b * f) || Math.abs(a - b) <= 0.5 / f + 1e-12 * scale;
}

/**
 * Two integer literals compare by their digits, exactly as SymPy's Integers do (the numeric path's relative tolerance
 * would take 1000000000 for 1000000001, and doubles cannot hold over 15 digits); null when that rule does not apply.
 */
function integerLiteralVerdict(g: Expr, p: Expr): boolean | null {
  const digits = (e: Expr): string | null =>
    e.kind === 'num' && !e.float
      ? e.text
      : e.kind === 'neg' && e.arg.kind === 'num' && !e.arg.float
        ? `-${e.arg.text}`
        : null;
  const canonical = (d: string | null | undefined) => d?.replace(/^(-?)0+(?=\d)/, '$1').replace(/^-0$/, '0');
  const a = canonical(digits(g));
  const b = canonical(digits(p));
  return a === undefined || b === undefined ? null : a === b;
}
