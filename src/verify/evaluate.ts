import type { Expr } from './expr.ts';

/**
 * Numeric evaluation of a scalar expression tree at given variable values (doubles). Anything that is not a real
 * number (a set, a relation, an undefined function, a complex result) evaluates to NaN; callers treat NaN as "cannot
 * decide numerically". Unknown functions (`f(x)`) get a fixed pseudo-random smooth function per name, so `f(x)` equals
 * `f(x)` and differs from `f(y)` or `g(x)` at random points.
 */
export type Env = ReadonlyMap<string, number>;

export function evaluate(e: Expr, env: Env): number {
  switch (e.kind) {
    case 'num':
      return e.value;
    case 'sym':
      return env.get(e.name) ?? Number.NaN;
    case 'const':
      return e.name === 'pi'
        ? Math.PI
        : e.name === 'e'
          ? Math.E
          : e.name === 'inf'
            ? Number.POSITIVE_INFINITY
            : Number.NaN;
    case 'add': {
      let s = 0;
      for (const t of e.terms) s += evaluate(t, env);
      return s;
    }
    case 'mul': {
      let p = 1;
      for (const f of e.factors) p *= evaluate(f, env);
      return p;
    }
    case 'neg':
      return -evaluate(e.arg, env);
    case 'div': {
      const d = evaluate(e.den, env);
      if (d === 0) return Number.NaN;
      return evaluate(e.num, env) / d;
    }
    case 'pow':
      return power(evaluate(e.base, env), e.exp, env);
    case 'call':
      return call(e.name, e.args, env, e.known);
    default:
      return Number.NaN;
  }
}

function power(b: number, expE: Expr, env: Env): number {
  const x = evaluate(expE, env);
  if (b < 0 && !Number.isInteger(x)) {
    // real odd roots of negatives: (-8)^(1/3) = -2
    const inv = 1 / x;
    if (Number.isFinite(inv) && Math.abs(inv - Math.round(inv)) < 1e-9 && Math.round(inv) % 2 !== 0) {
      return -((-b) ** x);
    }
    return Number.NaN;
  }
  return b ** x;
}

function call(name: string, args: readonly Expr[], env: Env, known: boolean): number {
  if (!known) return unknownFunction(name, args, env);
  const v = args.map((a) => evaluate(a, env));
  const x = v[0];
  switch (name) {
    case 'sin':
      return Math.sin(x);
    case 'cos':
      return Math.cos(x);
    case 'tan':
      return Math.tan(x);
    case 'cot':
      return 1 / Math.tan(x);
    case 'sec':
      return 1 / Math.cos(x);
    case 'csc':
      return 1 / Math.sin(x);
    case 'asin':
      return Math.asin(x);
    case 'acos':
      return Math.acos(x);
    case 'atan':
      return Math.atan(x);
    case 'sinh':
      return Math.sinh(x);
    case 'cosh':
      return Math.cosh(x);
    case 'tanh':
      return Math.tanh(x);
    case 'asinh':
      return Math.asinh(x);
    case 'acosh':
      return Math.acosh(x);
    case 'atanh':
      return Math.atanh(x);
    case 'ln':
      return x > 0 ? Math.log(x) : Number.NaN;
    case 'exp':
      return Math.exp(x);
    case 'sqrt':
      return x >= 0 ? Math.sqrt(x) : Number.NaN;
    case 'abs':
      return Math.abs(x);
    case 'floor':
      return Math.floor(x + 1e-12);
    case 'ceil':
      return Math.ceil(x - 1e-12);
    case 'max':
      return v.length ? Math.max(...v) : Number.NaN;
    case 'min':
      return v.length ? Math.min(...v) : Number.NaN;
    case 'gcd':
      return v.length ? v.reduce(gcd) : Number.NaN;
    case 'lcm':
      return v.length ? v.reduce(lcm) : Number.NaN;
    case 'log10':
      return x > 0 ? Math.log10(x) : Number.NaN;
    case 'mod': {
      const m = v[1];
      if (m === 0 || !Number.isFinite(m)) return Number.NaN;
      return x - m * Math.floor(x / m + 1e-12);
    }
    case 'factorial':
      return factorial(x);
    case 'binom':
      return binom(x, v[1]);
    default:
      return Number.NaN;
  }
}

/** gcd of rationals/decimals (as SymPy does for Rational arguments), via a decimal denominator grid. */
function gcd(a: number, b: number): number {
  // gcd(x, x) is x for a variable's sample value; a rational's gcd is positive (SymPy: gcd(-5, -5) = 5).
  if (a === b) return isReadableRational(a) ? Math.abs(a) : a;
  a = Math.abs(a);
  b = Math.abs(b);
  if (!Number.isFinite(a) || !Number.isFinite(b)) return Number.NaN;
  const scale = decimalScale(a, b);
  // not rational at a readable scale (an irrational or a variable's sample value): SymPy's gcd is 1
  if (scale === 0) return 1;
  let x = Math.round(a * scale);
  let y = Math.round(b * scale);
  while (y) [x, y] = [y, x % y];
  return x / scale;
}

/** The smallest power of ten (<= 1e9) that makes both numbers integers, within float noise; 0 when none does. */
function decimalScale(a: number, b: number): number {
  const near = (x: number) => Math.abs(x - Math.round(x)) <= 8 * Number.EPSILON * Math.max(1, Math.abs(x));
  for (let scale = 1; scale <= 1e9; scale *= 10) if (near(a * scale) && near(b * scale)) return scale;
  return 0;
}

function lcm(a: number, b: number): number {
  if (a === b) return isReadableRational(a) ? Math.abs(a) : a;
  const g = gcd(a, b);
  if (g === 0) return 0;
  // SymPy: the lcm of non-rationals (variables) is their product, sign kept
  return isReadableRational(a) && isReadableRational(b) ? Math.abs(a * b) / g : (a * b) / g;
}

function isReadableRational(x: number): boolean {
  return decimalScale(x, x) !== 0;
}

function factorial(n: number): number {
  if (!Number.isInteger(n) || n < 0) return Number.NaN;
  if (n > 170) return Number.POSITIVE_INFINITY;
  let r = 1;
  for (let k = 2; k <= n; k++) r *= k;
  return r;
}

function binom(n: number, k: number): number {
  if (!Number.isInteger(k) || k < 0) return Number.NaN;
  let r = 1;
  for (let j = 1; j <= k; j++) r = (r * (n - k + j)) / j;
  return r;
}

/** A finite sum or product `\\sum_{k=a}^{b}` with numeric bounds (at most 100k terms); otherwise NaN. */
function bigOperator(name: 'sum' | 'prod', args: readonly Expr[], env: Env): number {
  const [lower, upperE, body] = args;
  if (lower?.kind !== 'rel' || lower.op !== '=' || lower.lhs.kind !== 'sym' || !upperE || !body) return Number.NaN;
  const from = evaluate(lower.rhs, env);
  const to = evaluate(upperE, env);
  if (!Number.isInteger(from) || !Number.isInteger(to) || to - from > 100_000) return Number.NaN;
  const inner = new Map(env);
  let acc = name === 'sum' ? 0 : 1;
  for (let k = from; k <= to; k++) {
    inner.set(lower.lhs.name, k);
    const v = evaluate(body, inner);
    acc = name === 'sum' ? acc + v : acc * v;
  }
  return acc;
}

function unknownFunction(name: string, args: readonly Expr[], env: Env): number {
  if (name === 'sum' || name === 'prod') return bigOperator(name, args, env);
  if (name === 'int' || name === 'complement') return Number.NaN;
  let h = 2166136261;
  for (let k = 0; k < name.length; k++) h = Math.imul(h ^ name.charCodeAt(k), 16777619);
  const a = 0.5 + ((h >>> 8) % 1000) / 1000;
  const b = ((h >>> 4) % 628) / 100;
  let s = 0;
  args.forEach((arg, i) => {
    s += evaluate(arg, env) * (1 + i * 0.37);
  });
  return Math.sin(a * s + b) + 1.5;
}
