import { type Expr, num, type Rel } from '../src/verify/expr.ts';

/**
 * Reads SymPy's printed notation (`Abs(x + y)`, `Interval.Ropen(0, 1)`, `{1, 2}`, `Eq(x, 3)`, `x**2`) into our
 * expression tree. The parse-case fixtures (latex2sympy2's test suite) state their expected values this way; the
 * tests compare our LaTeX parse against them. Returns null for notation we do not model (integrals, limits, ...).
 */
export function readSympy(src: string): Expr | null {
  try {
    const r = new SympyReader(src);
    const e = r.relation();
    r.end();
    return e;
  } catch (err) {
    if (err instanceof SympyUnsupported) return null;
    throw err;
  }
}

class SympyUnsupported extends Error {}

const TOKEN =
  /\s*(?:(\d+\.?\d*(?:e[+-]?\d+)?)|([A-Za-z_\\][A-Za-z0-9_\\]*(?:\{[^{}]*\}[A-Za-z0-9_\\]*)*(?:\.[A-Za-z]+)?)|(\*\*|<=|>=|[-+*/(),[\]{}<>]))/y;

const FUNCS: Record<string, string> = {
  sin: 'sin',
  cos: 'cos',
  tan: 'tan',
  cot: 'cot',
  sec: 'sec',
  csc: 'csc',
  asin: 'asin',
  acos: 'acos',
  atan: 'atan',
  sinh: 'sinh',
  cosh: 'cosh',
  tanh: 'tanh',
  asinh: 'asinh',
  acosh: 'acosh',
  atanh: 'atanh',
  sqrt: 'sqrt',
  Abs: 'abs',
  floor: 'floor',
  ceiling: 'ceil',
  Max: 'max',
  Min: 'min',
  factorial: 'factorial',
  exp: 'exp',
  log: 'ln',
  binomial: 'binom',
  Mod: 'mod',
  gcd: 'gcd',
  lcm: 'lcm',
};

/** SymPy's number sets, named by the blackboard letter our parser keeps (`\\mathbb{N}` -> N). */
const NUMBER_SETS: Record<string, string> = {
  Naturals: 'N',
  Integers: 'Z',
  Rationals: 'Q',
  Reals: 'R',
  Complexes: 'C',
};

type Tok = { kind: 'num' | 'name' | 'op'; text: string };

class SympyReader {
  private readonly toks: Tok[] = [];
  private pos = 0;

  constructor(src: string) {
    TOKEN.lastIndex = 0;
    let at = 0;
    while (at < src.length) {
      if (/^\s*$/.test(src.slice(at))) break;
      TOKEN.lastIndex = at;
      const m = TOKEN.exec(src);
      if (!m) throw new SympyUnsupported(`cannot read '${src.slice(at, at + 10)}'`);
      this.toks.push(
        m[1] ? { kind: 'num', text: m[1] } : m[2] ? { kind: 'name', text: m[2] } : { kind: 'op', text: m[3] },
      );
      at = TOKEN.lastIndex;
    }
  }

  end(): void {
    if (this.pos !== this.toks.length) throw new SympyUnsupported('trailing input');
  }

  private peek(): Tok | undefined {
    return this.toks[this.pos];
  }

  private isOp(t: string): boolean {
    const k = this.peek();
    return k?.kind === 'op' && k.text === t;
  }

  private take(t: string): void {
    if (!this.isOp(t)) throw new SympyUnsupported(`expected ${t}`);
    this.pos++;
  }

  relation(): Expr {
    const lhs = this.expr();
    const k = this.peek();
    if (k?.kind === 'op' && (k.text === '<' || k.text === '>' || k.text === '<=' || k.text === '>=')) {
      this.pos++;
      return { kind: 'rel', op: k.text, lhs, rhs: this.expr() };
    }
    return lhs;
  }

  expr(): Expr {
    const terms: Expr[] = [this.term()];
    for (;;) {
      if (this.isOp('+')) {
        this.pos++;
        terms.push(this.term());
      } else if (this.isOp('-')) {
        this.pos++;
        terms.push({ kind: 'neg', arg: this.term() });
      } else break;
    }
    return terms.length === 1 ? terms[0] : { kind: 'add', terms };
  }

  private term(): Expr {
    let e = this.unary();
    for (;;) {
      if (this.isOp('*')) {
        this.pos++;
        e = { kind: 'mul', factors: [e, this.unary()] };
      } else if (this.isOp('/')) {
        this.pos++;
        e = { kind: 'div', num: e, den: this.unary() };
      } else return e;
    }
  }

  private unary(): Expr {
    if (this.isOp('-')) {
      this.pos++;
      return { kind: 'neg', arg: this.unary() };
    }
    const base = this.atom();
    if (this.isOp('**')) {
      this.pos++;
      return { kind: 'pow', base, exp: this.unary() };
    }
    return base;
  }

  private args(): Expr[] {
    this.take('(');
    const out: Expr[] = [];
    while (!this.isOp(')')) {
      out.push(this.expr());
      if (this.isOp(',')) this.pos++;
    }
    this.take(')');
    return out;
  }

  private atom(): Expr {
    const t = this.toks[this.pos++];
    if (!t) throw new SympyUnsupported('unexpected end');
    if (t.kind === 'num') return num(Number(t.text), t.text, t.text.includes('.'));
    if (t.kind === 'op') {
      if (t.text === '(') {
        const items: Expr[] = [this.expr()];
        while (this.isOp(',')) {
          this.pos++;
          if (this.isOp(')')) break;
          items.push(this.expr());
        }
        this.take(')');
        return items.length === 1 ? items[0] : { kind: 'tuple', items };
      }
      if (t.text === '{') {
        const items: Expr[] = [];
        while (!this.isOp('}')) {
          items.push(this.expr());
          if (this.isOp(',')) this.pos++;
        }
        this.take('}');
        return { kind: 'set', items };
      }
      if (t.text === '[') {
        const items: Expr[] = [];
        while (!this.isOp(']')) {
          items.push(this.expr());
          if (this.isOp(',')) this.pos++;
        }
        this.take(']');
        return { kind: 'tuple', items };
      }
      throw new SympyUnsupported(`unexpected ${t.text}`);
    }
    return this.named(t.text);
  }

  private named(name: string): Expr {
    if (name === 'pi') return { kind: 'const', name: 'pi' };
    if (name === 'E') return { kind: 'const', name: 'e' };
    if (name === 'oo') return { kind: 'const', name: 'inf' };
    if (name === 'EmptySet') return { kind: 'set', items: [] };
    if (name in NUMBER_SETS) return { kind: 'sym', name: NUMBER_SETS[name] };
    if (!this.isOp('(')) return { kind: 'sym', name };
    const args = this.args();
    if (name === 'log' && args.length === 2) {
      const ln = (x: Expr): Expr => ({ kind: 'call', name: 'ln', args: [x], known: true });
      return { kind: 'div', num: ln(args[0]), den: ln(args[1]) };
    }
    if (name in FUNCS) return { kind: 'call', name: FUNCS[name], args, known: true };
    if (name === 'Rational' || name === 'Float' || name === 'Integer') {
      return args.length === 2 ? { kind: 'div', num: args[0], den: args[1] } : args[0];
    }
    if (name.startsWith('Interval')) {
      const kind = name.split('.')[1] ?? 'closed';
      return {
        kind: 'interval',
        lo: args[0],
        hi: args[1],
        loOpen: kind === 'open' || kind === 'Lopen',
        hiOpen: kind === 'open' || kind === 'Ropen',
      };
    }
    if (name === 'Union') return { kind: 'union', items: args };
    if (name === 'Complement') return { kind: 'call', name: 'complement', args, known: false };
    if (name === 'Sum' || name === 'Product') {
      const lim = args[1];
      if (lim?.kind !== 'tuple' || lim.items.length !== 3) throw new SympyUnsupported('sum limits');
      const [k, lo, hi] = lim.items;
      const lower: Expr = { kind: 'rel', op: '=', lhs: k, rhs: lo };
      return { kind: 'call', name: name === 'Sum' ? 'sum' : 'prod', args: [lower, hi, args[0]], known: false };
    }
    if (name === 'Intersection') return { kind: 'intersect', items: args };
    if (name === 'FiniteSet') return { kind: 'set', items: args };
    if (name === 'Matrix') {
      const rows = args[0];
      if (rows?.kind !== 'tuple') throw new SympyUnsupported('matrix');
      return { kind: 'matrix', rows: rows.items.map((r) => (r.kind === 'tuple' ? r.items : [r])) };
    }
    const rel: Record<string, Rel['op']> = { Eq: '=', Ne: '!=', Lt: '<', Le: '<=', Gt: '>', Ge: '>=' };
    if (name in rel) return { kind: 'rel', op: rel[name], lhs: args[0], rhs: args[1] };
    if (/^[a-z]$/i.test(name)) return { kind: 'call', name, args, known: false };
    throw new SympyUnsupported(`function ${name}`);
  }
}
