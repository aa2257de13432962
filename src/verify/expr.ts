/**
 * The value model the verifier compares: a small expression tree that both LaTeX and plain-text answers parse into.
 * It keeps structure (sets, tuples, intervals, relations) and leaves arithmetic unevaluated; `evaluate.ts` turns a
 * scalar tree into a number (at chosen values of its variables) and `compare.ts` decides equivalence.
 */
export type RelOp = '=' | '<' | '<=' | '>' | '>=' | '!=';

export type Expr =
  /** A numeric literal; `text` is its exact decimal spelling (no sign), `float` when it was written with a point. */
  | { readonly kind: 'num'; readonly value: number; readonly text: string; readonly float: boolean }
  | { readonly kind: 'sym'; readonly name: string }
  | { readonly kind: 'const'; readonly name: 'pi' | 'e' | 'i' | 'inf' }
  | { readonly kind: 'add'; readonly terms: readonly Expr[] }
  | { readonly kind: 'mul'; readonly factors: readonly Expr[] }
  | { readonly kind: 'neg'; readonly arg: Expr }
  | { readonly kind: 'div'; readonly num: Expr; readonly den: Expr }
  | { readonly kind: 'pow'; readonly base: Expr; readonly exp: Expr }
  /** Known functions (`sin`, `sqrt`, `abs`, ...) and unknown ones (`f(x)`): `known` says which. */
  | { readonly kind: 'call'; readonly name: string; readonly args: readonly Expr[]; readonly known: boolean }
  /** `a \pm b`: both signs; expands to a set of two values where it stands alone. */
  | { readonly kind: 'pm'; readonly a: Expr | null; readonly b: Expr }
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'tuple'; readonly items: readonly Expr[] }
  | { readonly kind: 'set'; readonly items: readonly Expr[] }
  | {
      readonly kind: 'interval';
      readonly lo: Expr;
      readonly hi: Expr;
      readonly loOpen: boolean;
      readonly hiOpen: boolean;
    }
  | { readonly kind: 'union'; readonly items: readonly Expr[] }
  | { readonly kind: 'intersect'; readonly items: readonly Expr[] }
  | { readonly kind: 'matrix'; readonly rows: readonly (readonly Expr[])[] }
  | { readonly kind: 'rel'; readonly op: RelOp; readonly lhs: Expr; readonly rhs: Expr }
  /** `x \in S` */
  | { readonly kind: 'in'; readonly lhs: Expr; readonly rhs: Expr }
  /** A chain `a < b <= c` or `x = 1 = 2`: consecutive relations. */
  | { readonly kind: 'chain'; readonly rels: readonly Extract<Expr, { kind: 'rel' }>[] };

export type Rel = Extract<Expr, { kind: 'rel' }>;

export function num(value: number, text?: string, float = false): Expr {
  return { kind: 'num', value, text: text ?? String(Math.abs(value)), float };
}

export const ZERO: Expr = num(0);
export const ONE: Expr = num(1);

/** Children of a node, for generic walks. */
export function children(e: Expr): readonly Expr[] {
  switch (e.kind) {
    case 'num':
    case 'sym':
    case 'const':
    case 'text':
      return [];
    case 'add':
      return e.terms;
    case 'mul':
      return e.factors;
    case 'neg':
      return [e.arg];
    case 'div':
      return [e.num, e.den];
    case 'pow':
      return [e.base, e.exp];
    case 'call':
      return e.args;
    case 'pm':
      return e.a ? [e.a, e.b] : [e.b];
    case 'tuple':
    case 'set':
    case 'union':
    case 'intersect':
      return e.items;
    case 'interval':
      return [e.lo, e.hi];
    case 'matrix':
      return e.rows.flat();
    case 'rel':
    case 'in':
      return [e.lhs, e.rhs];
    case 'chain':
      return e.rels;
  }
}

/** Free variable names (symbols), in first-seen order. */
export function freeSymbols(e: Expr, out: Set<string> = new Set()): Set<string> {
  if (e.kind === 'sym') out.add(e.name);
  for (const c of children(e)) freeSymbols(c, out);
  return out;
}

export function hasFloat(e: Expr): boolean {
  if (e.kind === 'num') return e.float;
  return children(e).some(hasFloat);
}

export function isNumericLiteral(e: Expr): boolean {
  return e.kind === 'num' || (e.kind === 'neg' && e.arg.kind === 'num');
}

/**
 * A canonical key: commutative operands sorted, so `F_k F_{n-k-1}` and `F_{n-k-1} F_k` share a key. Used for
 * structural equality where numbers cannot decide (unknown functions, sums with symbolic bounds, text).
 */
export function canonicalKey(e: Expr): string {
  switch (e.kind) {
    case 'num':
      return canonicalNumber(e.text);
    case 'sym':
      return e.name;
    case 'const':
      return `#${e.name}`;
    case 'text':
      return `"${e.text.toLowerCase().replace(/\s+/g, '')}"`;
    case 'add':
      return `+(${e.terms.map(canonicalKey).sort().join(',')})`;
    case 'mul':
      return `*(${e.factors.map(canonicalKey).sort().join(',')})`;
    case 'neg':
      return `-(${canonicalKey(e.arg)})`;
    case 'div':
      return `/(${canonicalKey(e.num)},${canonicalKey(e.den)})`;
    case 'pow':
      return `^(${canonicalKey(e.base)},${canonicalKey(e.exp)})`;
    case 'call':
      return `${e.name}(${e.args.map(canonicalKey).join(',')})`;
    case 'pm':
      return `pm(${e.a ? canonicalKey(e.a) : ''},${canonicalKey(e.b)})`;
    case 'tuple':
      return `(${e.items.map(canonicalKey).join(',')})`;
    case 'set':
      return `{${[...new Set(e.items.map(canonicalKey))].sort().join(',')}}`;
    case 'interval':
      return `${e.loOpen ? '(' : '['}${canonicalKey(e.lo)},${canonicalKey(e.hi)}${e.hiOpen ? ')' : ']'}`;
    case 'union':
      return `U(${e.items.map(canonicalKey).sort().join(',')})`;
    case 'intersect':
      return `I(${e.items.map(canonicalKey).sort().join(',')})`;
    case 'matrix':
      return `M[${e.rows.map((r) => r.map(canonicalKey).join(',')).join(';')}]`;
    case 'rel':
      return `${canonicalKey(e.lhs)}${e.op}${canonicalKey(e.rhs)}`;
    case 'in':
      return `${canonicalKey(e.lhs)} in ${canonicalKey(e.rhs)}`;
    case 'chain':
      return e.rels.map(canonicalKey).join('&');
  }
}

function canonicalNumber(text: string): string {
  // Scientific notation (`1.0e10`): canonicalize the mantissa alone, the exponent as an integer.
  const sci = /[eE]/.exec(text);
  if (sci) return `${canonicalNumber(text.slice(0, sci.index))}e${Number(text.slice(sci.index + 1))}`;
  if (!text.includes('.')) return text.replace(/^0+(?=\d)/, '');
  const trimmed = text.replace(/^0+(?=\d)/, '').replace(/0+$/, '');
  return trimmed.endsWith('.') ? trimmed.slice(0, -1) : trimmed;
}

/** A short human-readable rendering, used as `extracted` in results and in fixtures. */
export function show(e: Expr): string {
  switch (e.kind) {
    case 'num':
      return e.text;
    case 'sym':
      return e.name;
    case 'const':
      return e.name;
    case 'text':
      return e.text;
    case 'add':
      return e.terms
        .map((t, i) => (i > 0 && t.kind === 'neg' ? ` - ${wrap(t.arg)}` : i > 0 ? ` + ${show(t)}` : show(t)))
        .join('');
    case 'mul':
      return e.factors.map(wrap).join('*');
    case 'neg':
      return `-${wrap(e.arg)}`;
    case 'div':
      return `${wrap(e.num)}/${wrap(e.den)}`;
    case 'pow':
      return `${wrap(e.base)}^${e.exp.kind === 'div' || e.exp.kind === 'mul' ? `(${show(e.exp)})` : wrap(e.exp)}`;
    case 'call':
      return `${e.name}(${e.args.map(show).join(', ')})`;
    case 'pm':
      return e.a ? `${show(e.a)} ± ${wrap(e.b)}` : `±${wrap(e.b)}`;
    case 'tuple':
      return `(${e.items.map(show).join(', ')})`;
    case 'set':
      return `{${e.items.map(show).join(', ')}}`;
    case 'interval':
      return `${e.loOpen ? '(' : '['}${show(e.lo)}, ${show(e.hi)}${e.hiOpen ? ')' : ']'}`;
    case 'union':
      return e.items.map(show).join(' ∪ ');
    case 'intersect':
      return e.items.map(show).join(' ∩ ');
    case 'matrix':
      return `[${e.rows.map((r) => `[${r.map(show).join(', ')}]`).join(', ')}]`;
    case 'rel':
      return `${show(e.lhs)} ${e.op} ${show(e.rhs)}`;
    case 'in':
      return `${show(e.lhs)} ∈ ${show(e.rhs)}`;
    case 'chain':
      return e.rels.map(show).join(' & ');
  }
}

function wrap(e: Expr): string {
  const s = show(e);
  return e.kind === 'add' || e.kind === 'rel' || e.kind === 'pm' || (e.kind === 'num' && s.startsWith('-'))
    ? `(${s})`
    : s;
}
