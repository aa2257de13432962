/**
 * The numeric value of a small LaTeX expression, the way MATH-Vision's `is_equal` gets one:
 * `eval(str(latex2sympy(s)))` with Python's `math` names in scope. SymPy keeps integers and fractions exact
 * (`\frac{4}{2}` is the int 2, `\sqrt{9}` the int 3) and Python's eval turns the rest into floats; symbols that are
 * not Python math names (x, a, \infty -> `oo`) make eval fail. So the value is an exact rational while it can be,
 * a float otherwise, and null where the original raises.
 *
 * Supported: decimal numbers, + - * / ^, \cdot \times \div, implicit multiplication, ( ) { } [ ] grouping,
 * \frac{a}{b} (and \frac12), \sqrt{x}, \sqrt[n]{x}, \pi. Anything else (letters, \infty, functions) -> null.
 * Simplification: no trigonometry or logarithms (the MATH-V answers that reach this path are numbers).
 */

export type Num =
  | { readonly kind: 'rat'; readonly n: bigint; readonly d: bigint }
  | { readonly kind: 'float'; readonly v: number };

function gcd(a: bigint, b: bigint): bigint {
  let x = a < 0n ? -a : a;
  let y = b < 0n ? -b : b;
  while (y !== 0n) [x, y] = [y, x % y];
  return x;
}

function rat(n: bigint, d: bigint): Num | null {
  if (d === 0n) return null; // SymPy's zoo / nan: Python's eval fails on them.
  const g = gcd(n, d) || 1n;
  const s = d < 0n ? -1n : 1n;
  return { kind: 'rat', n: (s * n) / g, d: (s * d) / g };
}

function bitLength(x: bigint): number {
  return (x < 0n ? -x : x).toString(2).length;
}

/** Python's int / int true division: exact for |n|, |d| < 2^53; beyond, the quotient is scaled to 64 bits first. */
export function toFloat(x: Num): number {
  if (x.kind === 'float') return x.v;
  if (bitLength(x.n) <= 53 && bitLength(x.d) <= 53) return Number(x.n) / Number(x.d);
  const neg = x.n < 0n;
  const n = neg ? -x.n : x.n;
  const k = Math.max(0, 64 - (bitLength(n) - bitLength(x.d)));
  const scaled = n << BigInt(k);
  // The quotient's 64+ bits, with a sticky last bit for a nonzero remainder (round to odd), so that Number() rounds
  // it once, correctly, as Python does: a truncated quotient that ends in 100...0 would round to even instead.
  const q = Number((scaled / x.d) | (scaled % x.d === 0n ? 0n : 1n));
  const v = k > 1000 ? q * 2 ** -1000 * 2 ** -(k - 1000) : q * 2 ** -k;
  return neg ? -v : v;
}

function flt(v: number): Num | null {
  return Number.isFinite(v) ? { kind: 'float', v } : null;
}

function add(a: Num, b: Num, sign: 1n | -1n): Num | null {
  if (a.kind === 'rat' && b.kind === 'rat') return rat(a.n * b.d + sign * b.n * a.d, a.d * b.d);
  return flt(toFloat(a) + Number(sign) * toFloat(b));
}

function mul(a: Num, b: Num): Num | null {
  if (a.kind === 'rat' && b.kind === 'rat') return rat(a.n * b.n, a.d * b.d);
  return flt(toFloat(a) * toFloat(b));
}

function div(a: Num, b: Num): Num | null {
  if (b.kind === 'rat' && b.n === 0n) return null;
  if (a.kind === 'rat' && b.kind === 'rat') return rat(a.n * b.d, a.d * b.n);
  const d = toFloat(b);
  return d === 0 ? null : flt(toFloat(a) / d);
}

function exactRoot(x: bigint, k: number): bigint | null {
  if (x < 0n || !Number.isFinite(Number(x))) return null; // past floats: Python's sqrt / ** raise OverflowError
  if (x < 2n) return x;
  let r = BigInt(Math.round(Number(x) ** (1 / k)));
  for (const c of [r - 1n, r, r + 1n]) if (c >= 0n && c ** BigInt(k) === x) r = c;
  return r ** BigInt(k) === x ? r : null;
}

/** The exact k-th root of a non-negative rational, or null. */
function exactRatRoot(a: { readonly n: bigint; readonly d: bigint }, k: number): { n: bigint; d: bigint } | null {
  const n = exactRoot(a.n, k);
  const d = exactRoot(a.d, k);
  return n !== null && d !== null ? { n, d } : null;
}

function pow(a: Num, b: Num): Num | null {
  if (a.kind === 'rat' && b.kind === 'rat') {
    // SymPy keeps a rational power exact where the root is exact (8^(2/3) is 4, \sqrt{4/9} is 2/3) and integer
    // powers exact, while the result stays a reasonable size.
    const root = b.d === 1n ? a : b.d <= 16n ? exactRatRoot(a, Number(b.d)) : null;
    if (root !== null) {
      const e = b.n < 0n ? -b.n : b.n;
      const bits = Math.max(bitLength(root.n), bitLength(root.d));
      if (e * BigInt(bits) <= 200_000n) {
        const p = rat(root.n ** e, root.d ** e);
        return p && b.n < 0n ? div({ kind: 'rat', n: 1n, d: 1n }, p) : p;
      }
    }
  }
  // A negative base to a non-integer power is complex (SymPy's I, Python's complex, so round() fails): JS gives NaN,
  // which flt turns into null. (-1.5)^2 is real: 2.25.
  return flt(toFloat(a) ** toFloat(b));
}

type Token = { t: 'num'; v: string } | { t: 'cmd'; v: string } | { t: 'sym'; v: string } | { t: 'ch'; v: string };

const SPACING = new Set(['\\,', '\\;', '\\:', '\\ ', '\\quad', '\\qquad']);
/** Characters latex2sympy's lexer knows; any other one (%, °, π, ...) is a lexer error, so the comparison fails. */
const KNOWN_CHAR = /[0-9a-zA-Z+\-*/^(){}[\]|,.:=<>!'_&]/;
/** Tokens after a complete expression that make it a relation or a list: SymPy objects that eval cannot round. */
const RELATION = new Set(['=', '<', '>', ',', '\\le', '\\ge', '\\leq', '\\geq', '\\neq', '\\lt', '\\gt', '\\ne']);

function tokenize(s: string): Token[] | null {
  const out: Token[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i] as string;
    if (/\s/.test(c) || c === '$') {
      i++;
      continue;
    }
    // latex2sympy's NUMBER: digits with optional ",ddd" groups and an optional ".digits" part.
    const num = /^(?:\d+(?:,\d{3})*(?:\.\d+)?|\.\d+)/.exec(s.slice(i));
    if (num) {
      out.push({ t: 'num', v: num[0].replaceAll(',', '') });
      i += num[0].length;
      continue;
    }
    if (c === '\\') {
      const cmd = /^\\(?:[a-zA-Z]+|.)/.exec(s.slice(i));
      if (!cmd) return null;
      i += cmd[0].length;
      if (!SPACING.has(cmd[0])) out.push({ t: 'cmd', v: cmd[0] });
      continue;
    }
    if (!KNOWN_CHAR.test(c)) return null;
    out.push(/[a-zA-Z]/.test(c) ? { t: 'sym', v: c } : { t: 'ch', v: c });
    i++;
  }
  return out;
}

class Parser {
  private i = 0;
  constructor(private readonly toks: Token[]) {}

  /**
   * latex2sympy's grammar has no end-of-input rule, so ANTLR parses the longest valid prefix and ignores the rest:
   * "8+2\sqrt{2}}.the answer is" reads as 8+2*sqrt(2). Symbols inside that prefix still fail (Python's NameError).
   */
  parse(): Num | null {
    const v = this.expr();
    const next = this.peek();
    return next !== undefined && next.t !== 'num' && RELATION.has(next.v) ? null : v;
  }

  private peek(): Token | undefined {
    return this.toks[this.i];
  }

  private isCh(v: string): boolean {
    const t = this.peek();
    return t !== undefined && t.t === 'ch' && t.v === v;
  }

  private expr(): Num | null {
    let left = this.term();
    while (left !== null && (this.isCh('+') || this.isCh('-'))) {
      const sign = this.isCh('+') ? 1n : -1n;
      this.i++;
      const right = this.term();
      left = right === null ? null : add(left, right, sign);
    }
    return left;
  }

  private term(): Num | null {
    let left = this.unary();
    for (;;) {
      if (left === null) return null;
      const t = this.peek();
      if (t === undefined) return left;
      const explicitMul = (t.t === 'ch' && t.v === '*') || (t.t === 'cmd' && (t.v === '\\cdot' || t.v === '\\times'));
      const explicitDiv = (t.t === 'ch' && (t.v === '/' || t.v === ':')) || (t.t === 'cmd' && t.v === '\\div');
      if (explicitMul || explicitDiv) {
        this.i++;
        const right = this.unary();
        left = right === null ? null : explicitDiv ? div(left, right) : mul(left, right);
        continue;
      }
      // Implicit multiplication: 2\sqrt{3}, 2\pi, 3(4).
      const startsFactor =
        t.t === 'num' || t.t === 'sym' || t.t === 'cmd' || (t.t === 'ch' && (t.v === '(' || t.v === '{'));
      if (!startsFactor) return left;
      const right = this.power();
      left = right === null ? null : mul(left, right);
    }
  }

  private unary(): Num | null {
    if (this.isCh('-')) {
      this.i++;
      const v = this.unary();
      return v === null ? null : mul({ kind: 'rat', n: -1n, d: 1n }, v);
    }
    if (this.isCh('+')) {
      this.i++;
      return this.unary();
    }
    return this.power();
  }

  private power(): Num | null {
    const base = this.primary();
    if (base === null || !this.isCh('^')) return base;
    this.i++;
    const exp = this.primary(); // latex2sympy2: CARET (atom | {expr}), so 2^-1 is a syntax error
    return exp === null ? null : pow(base, exp);
  }

  /** A command argument: a group, or one digit (\frac12 is 1/2). */
  private atom(): Num | null {
    const t = this.peek();
    if (t?.t === 'num' && /^\d\d/.test(t.v)) {
      // \frac12 reads one digit at a time.
      this.toks.splice(this.i, 1, { t: 'num', v: t.v[0] as string }, { t: 'num', v: t.v.slice(1) });
    }
    return this.primary();
  }

  private group(close: string): Num | null {
    this.i++;
    const v = this.expr();
    if (v === null || !this.isCh(close)) return null;
    this.i++;
    return v;
  }

  private primary(): Num | null {
    const t = this.peek();
    if (t === undefined) return null;
    if (t.t === 'num') {
      this.i++;
      if (!t.v.includes('.')) return { kind: 'rat', n: BigInt(t.v), d: 1n };
      return flt(Number(t.v));
    }
    if (t.t === 'ch') {
      if (t.v === '(') return this.group(')');
      if (t.v === '{') return this.group('}');
      if (t.v === '[') return this.group(']');
      return null;
    }
    this.i++;
    switch (t.v) {
      case '\\pi':
        return { kind: 'float', v: Math.PI };
      case '\\frac': {
        const num = this.atom();
        const den = num === null ? null : this.atom();
        return num === null || den === null ? null : div(num, den);
      }
      case '\\sqrt': {
        let k: Num = { kind: 'rat', n: 2n, d: 1n };
        if (this.isCh('[')) {
          const idx = this.group(']');
          if (idx === null) return null;
          k = idx;
        }
        const arg = this.atom();
        const inv = div({ kind: 'rat', n: 1n, d: 1n }, k);
        return arg === null || inv === null ? null : pow(arg, inv);
      }
      default:
        return null;
    }
  }
}

/** The value of `latex` as MATH-V's eval(str(latex2sympy(latex))) would give it, or null where that raises. */
export function latexValue(latex: string): Num | null {
  const toks = tokenize(latex);
  if (toks === null || toks.length === 0) return null;
  return new Parser(toks).parse();
}
