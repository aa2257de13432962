import { type Expr, freeSymbols, num, type Rel, type RelOp } from './expr.ts';
import { normalizeLatex } from './normalize-latex.ts';
import { ParseFailure, parseFailure, type Token, tokenize } from './tokenize.ts';

/**
 * A recursive-descent parser for the LaTeX and plain-text math that answers are written in. It is lenient where
 * answers are (implicit multiplication, `\frac12`, `\sqrt3`, `x = 3`, units, `1,000`) and strict where a guess would
 * be wrong: an unknown command, an unbalanced bracket or a dangling operator fails the parse (null), never throws.
 *
 * Simplifications: single letters are variables (a multi-letter word is a product of letters, except known function
 * and constant names, and a whole answer that is one word, which is text); `f`, `g`, `h`, `F`, `G`, `H`, `P`, `W`
 * before `(` are function applications; `:` is division (ratios); `\log` is base 10 (as latex2sympy reads it; `\ln` is the natural log).
 */

export class ParseTimeout extends Error {}

export interface ParseOptions {
  /** `performance.now()` value after which parsing gives up with ParseTimeout. */
  readonly deadline?: number;
}

const MAX_DEPTH = 200;

const GREEK = new Set(
  'alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu nu xi omicron rho varrho sigma tau upsilon phi varphi chi psi omega Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega ell'.split(
    ' ',
  ),
);

/** LaTeX function commands and plain words that name the same functions (no prototype: `constructor` is no name). */
const FUNCTIONS: Record<string, string> = Object.assign(Object.create(null), {
  sin: 'sin',
  cos: 'cos',
  tan: 'tan',
  cot: 'cot',
  sec: 'sec',
  csc: 'csc',
  arcsin: 'asin',
  arccos: 'acos',
  arctan: 'atan',
  asin: 'asin',
  acos: 'acos',
  atan: 'atan',
  sinh: 'sinh',
  cosh: 'cosh',
  tanh: 'tanh',
  arcsinh: 'asinh',
  arccosh: 'acosh',
  arctanh: 'atanh',
  arsinh: 'asinh',
  arcosh: 'acosh',
  artanh: 'atanh',
  asinh: 'asinh',
  acosh: 'acosh',
  atanh: 'atanh',
  ln: 'ln',
  log: 'log10',
  lg: 'log10',
  exp: 'exp',
  sqrt: 'sqrt',
  abs: 'abs',
  floor: 'floor',
  ceil: 'ceil',
  ceiling: 'ceil',
  gcd: 'gcd',
  lcm: 'lcm',
  max: 'max',
  min: 'min',
  det: 'det',
  binom: 'binom',
  factorial: 'factorial',
});

const FUNCTION_LETTERS = new Set(['f', 'g', 'h', 'F', 'G', 'H', 'P', 'W']);
const PERCENT_WORDS = new Set(['percent', 'percentage', 'pct']);
const REL_CMDS: Record<string, RelOp | 'approx' | 'in'> = Object.assign(Object.create(null), {
  le: '<=',
  leq: '<=',
  leqslant: '<=',
  ge: '>=',
  geq: '>=',
  geqslant: '>=',
  lt: '<',
  gt: '>',
  ne: '!=',
  neq: '!=',
  approx: 'approx',
  simeq: 'approx',
  in: 'in',
});

/** Parse one answer; null when it is not math we can read. Throws only ParseTimeout (past the deadline). */
/** Longer inputs are not answers (and would only cost time): they do not parse. */
const MAX_INPUT = 20_000;

export function parseMath(input: string, opts: ParseOptions = {}): Expr | null {
  if (input.length > MAX_INPUT) return null;
  try {
    const tokens = splitWords(tokenize(normalizeLatex(input)));
    if (tokens.length === 1) return null;
    const p = new Parser(tokens, opts.deadline);
    const e = p.top();
    return e;
  } catch (err) {
    if (err instanceof ParseFailure) return null;
    if (err instanceof RangeError) return null; // stack exhausted on pathological nesting
    throw err;
  }
}

/** Multi-letter words that are not names we know become single letters, unless the whole answer is that word. */
function splitWords(tokens: Token[]): Token[] {
  // An answer that is only words ("odd", "blue circle") is text, compared case-insensitively.
  const words = tokens.slice(0, -1);
  if (
    words.length > 0 &&
    words.every((t) => t.t === 'word') &&
    words.some((t) => t.t === 'word' && t.text.length > 1 && !(t.text in FUNCTIONS) && !isConstWord(t.text))
  ) {
    const text = words.map((t) => (t as { text: string }).text).join(' ');
    return [{ t: 'text', text, cmd: 'word' }, tokens[tokens.length - 1]];
  }
  const out: Token[] = [];
  for (const tok of tokens) {
    if (tok.t === 'word' && tok.text.length > 1 && !(tok.text in FUNCTIONS) && !isConstWord(tok.text)) {
      if (PERCENT_WORDS.has(tok.text.toLowerCase())) {
        out.push({ t: 'op', text: '%' });
        continue;
      }
      for (const ch of tok.text) out.push({ t: 'word', text: ch });
    } else out.push(tok);
  }
  return out;
}

function isConstWord(w: string): boolean {
  return w === 'pi' || w === 'inf' || w === 'infty' || w === 'infinity' || w === 'oo';
}

class Parser {
  private pos = 0;
  private depth = 0;
  private steps = 0;
  private absDepth = 0;

  constructor(
    private readonly tokens: Token[],
    private readonly deadline: number | undefined,
  ) {}

  top(): Expr {
    const e = this.list(['end']);
    this.expectEnd();
    return e;
  }

  private expectEnd(): void {
    if (this.peek().t !== 'end') throw parseFailure('trailing input');
  }

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.pos + offset, this.tokens.length - 1)];
  }

  private next(): Token {
    const t = this.tokens[this.pos];
    if (this.pos < this.tokens.length - 1) this.pos++;
    return t;
  }

  private isOp(text: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t.t === 'op' && t.text === text;
  }

  private isCmd(name: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t.t === 'cmd' && t.name === name;
  }

  private expectOp(text: string): void {
    if (!this.isOp(text)) throw parseFailure(`expected '${text}'`);
    this.next();
  }

  private tick(): void {
    this.steps++;
    if ((this.steps & 255) === 0 && this.deadline !== undefined && performance.now() > this.deadline) {
      throw new ParseTimeout('parse time budget exceeded');
    }
  }

  private enter(): void {
    this.depth++;
    if (this.depth > MAX_DEPTH) throw parseFailure('nesting too deep');
  }

  /** Items separated by `,` and `;` until a closer. `;` separates groups (each a tuple when it has commas). */
  private list(closers: readonly string[]): Expr {
    if (this.atCloser(closers)) throw parseFailure('empty');
    return this.listAfter(this.relation(), closers);
  }

  private listAfter(first: Expr, closers: readonly string[]): Expr {
    const groups: Expr[][] = [[]];
    let pending: Expr | null = first;
    for (;;) {
      if (this.atCloser(closers) && pending === null && groups.length === 1 && groups[0].length === 0) {
        throw parseFailure('empty');
      }
      groups[groups.length - 1].push(pending ?? this.relation());
      pending = null;
      if (this.isOp(',')) {
        this.next();
        continue;
      }
      if (this.isOp(';')) {
        this.next();
        if (this.atCloser(closers)) break;
        groups.push([]);
        continue;
      }
      break;
    }
    if (groups.length === 1) {
      const items = groups[0];
      if (items.length === 1) return expandPm(items[0]);
      return { kind: 'set', items: items.flatMap(pmValues) };
    }
    const multi = groups.some((g) => g.length > 1);
    const items = groups.map((g) => (g.length === 1 ? g[0] : ({ kind: 'tuple', items: g } as Expr)));
    return { kind: 'set', items: multi ? items : items.flatMap(pmValues) };
  }

  private atCloser(closers: readonly string[]): boolean {
    const t = this.peek();
    if (t.t === 'end') return true;
    if (t.t === 'op') return closers.includes(t.text);
    if (t.t === 'cmd') return closers.includes(`\\${t.name}`);
    return false;
  }

  private relation(): Expr {
    const first = this.union();
    const parts: { op: RelOp | 'approx' | 'in'; rhs: Expr }[] = [];
    for (;;) {
      const op = this.relOp();
      if (!op) break;
      parts.push({ op, rhs: this.union() });
    }
    if (parts.length === 0) return first;
    // `x \approx 11` reads as 11; `\frac{9.5}{3.14} \approx 3.01` keeps the exact left side.
    const ai = parts.findIndex((p) => p.op === 'approx');
    let lhs = first;
    let rest = parts;
    if (ai === 0 && parts.length >= 1 && first.kind === 'sym') {
      lhs = parts[0].rhs;
      rest = parts.slice(1);
      const next = rest.findIndex((p) => p.op === 'approx');
      rest = next >= 0 ? rest.slice(0, next) : rest;
    } else if (ai >= 0) rest = parts.slice(0, ai);
    if (rest.length === 0) return lhs;
    if (rest.length === 1 && rest[0].op === 'in') return { kind: 'in', lhs, rhs: rest[0].rhs };
    const rels: Rel[] = [];
    let left = lhs;
    for (const p of rest) {
      if (p.op === 'in' || p.op === 'approx') throw parseFailure('mixed relation chain');
      rels.push({ kind: 'rel', op: p.op, lhs: left, rhs: p.rhs });
      left = p.rhs;
    }
    return rels.length === 1 ? rels[0] : { kind: 'chain', rels };
  }

  private relOp(): RelOp | 'approx' | 'in' | null {
    const t = this.peek();
    if (t.t === 'op') {
      if (t.text === '=' || t.text === '<' || t.text === '>' || t.text === '<=' || t.text === '>=' || t.text === '!=') {
        this.next();
        return t.text;
      }
      return null;
    }
    if (t.t === 'cmd' && t.name in REL_CMDS) {
      this.next();
      return REL_CMDS[t.name];
    }
    return null;
  }

  private union(): Expr {
    let e = this.additive();
    for (;;) {
      if (this.isCmd('cup')) {
        this.next();
        const rhs = this.additive();
        e = { kind: 'union', items: [...(e.kind === 'union' ? e.items : [e]), rhs] };
      } else if (this.isCmd('setminus') || this.isOp('\u2216')) {
        this.next();
        e = { kind: 'call', name: 'complement', args: [e, this.additive()], known: false };
      } else if (this.isCmd('cap')) {
        this.next();
        const rhs = this.additive();
        e = { kind: 'intersect', items: [...(e.kind === 'intersect' ? e.items : [e]), rhs] };
      } else return e;
    }
  }

  private additive(): Expr {
    this.enter();
    const terms: Expr[] = [];
    let pmA: Expr | null = null;
    let pmB: Expr | null = null;
    terms.push(this.unary());
    for (;;) {
      this.tick();
      if (this.isOp('+')) {
        this.next();
        terms.push(this.multiplicative());
      } else if (this.isOp('-')) {
        this.next();
        terms.push({ kind: 'neg', arg: this.multiplicative() });
      } else if ((this.isCmd('pm') || this.isCmd('mp')) && pmB === null) {
        this.next();
        pmA = terms.length === 1 ? terms[0] : { kind: 'add', terms: [...terms] };
        terms.length = 0;
        pmB = this.multiplicative();
        terms.push(pmB);
      } else break;
    }
    this.depth--;
    if (pmB !== null) {
      const tail = terms.slice(1);
      const b: Expr = tail.length === 0 ? pmB : { kind: 'add', terms: [pmB, ...tail] };
      return { kind: 'pm', a: pmA, b };
    }
    return terms.length === 1 ? terms[0] : { kind: 'add', terms };
  }

  private unary(): Expr {
    if (this.isOp('-')) {
      this.next();
      return this.multiplicative(true);
    }
    if (this.isOp('+')) {
      this.next();
      return this.unary();
    }
    if (this.isCmd('pm') || this.isCmd('mp')) {
      this.next();
      return { kind: 'pm', a: null, b: this.multiplicative() };
    }
    return this.multiplicative();
  }

  /** Products, quotients, ratios and `\\mod` (left to right); `negateFirst` applies a leading minus to the first factor. */
  private multiplicative(negateFirst = false): Expr {
    this.enter();
    let acc: Expr = this.isOp('-') || this.isOp('+') ? this.unary() : this.postfix();
    if (negateFirst) acc = { kind: 'neg', arg: acc };
    for (;;) {
      this.tick();
      const t = this.peek();
      if (t.t === 'op' && (t.text === '*' || t.text === '/' || t.text === ':')) {
        if (t.text === ':' && this.peek(1).t === 'end') break;
        this.next();
        const rhs = this.signedFactor();
        acc = t.text === '*' ? mul(acc, rhs) : { kind: 'div', num: acc, den: rhs };
        continue;
      }
      if (t.t === 'cmd' && (t.name === 'cdot' || t.name === 'times' || t.name === 'ast')) {
        this.next();
        acc = mul(acc, this.postfix());
        continue;
      }
      if (t.t === 'cmd' && t.name === 'div') {
        this.next();
        acc = { kind: 'div', num: acc, den: this.postfix() };
        continue;
      }
      if (t.t === 'cmd' && (t.name === 'mod' || t.name === 'bmod')) {
        this.next();
        let m = this.signedFactor();
        while (this.peek().t === 'num' || this.peek().t === 'word') m = mul(m, this.postfix());
        acc = { kind: 'call', name: 'mod', args: [acc, m], known: true };
        continue;
      }
      if (t.t === 'cmd' && t.name === 'pmod') {
        // `a \pmod{m}` states a congruence; the value is a.
        this.next();
        this.group();
        continue;
      }
      if (t.t === 'text' && this.isDroppableText(t)) {
        this.next();
        continue;
      }
      if (this.startsImplicitFactor()) {
        // mixed number: 3\frac{1}{2} = 3 + 1/2
        const rhs = this.postfix();
        const last = acc.kind === 'mul' ? acc.factors[acc.factors.length - 1] : acc;
        const whole = last.kind === 'neg' ? last.arg : last;
        if (whole.kind === 'num' && !whole.float && rhs.kind === 'div' && isIntLit(rhs.num) && isIntLit(rhs.den)) {
          const sum: Expr = { kind: 'add', terms: [whole, rhs] };
          const mixed: Expr = last.kind === 'neg' ? { kind: 'neg', arg: sum } : sum;
          acc = acc.kind === 'mul' ? { kind: 'mul', factors: [...acc.factors.slice(0, -1), mixed] } : mixed;
        } else acc = mul(acc, rhs);
        continue;
      }
      break;
    }
    this.depth--;
    return acc;
  }

  /** A factor after `*` or `/`, which may carry its own sign (`849/-21`). */
  private signedFactor(): Expr {
    if (!this.isOp('-')) return this.postfix();
    this.next();
    return { kind: 'neg', arg: this.postfix() };
  }

  private isDroppableText(t: Extract<Token, { t: 'text' }>): boolean {
    if (t.cmd !== 'text' && t.cmd !== 'mbox' && t.cmd !== 'textnormal' && t.cmd !== 'textbf' && t.cmd !== 'textit') {
      return false;
    }
    return !/\d/.test(t.text);
  }

  private startsImplicitFactor(): boolean {
    const t = this.peek();
    switch (t.t) {
      case 'num':
      case 'word':
        return true;
      case 'text':
        return t.cmd !== 'text' && t.cmd !== 'mbox' && t.cmd !== 'textnormal';
      case 'op':
        return t.text === '(' || t.text === '{' || t.text === '[' || (t.text === '|' && this.absDepth === 0);
      case 'cmd':
        // Inside |...| a bare \vert may close it; \lvert only opens.
        if (t.name === 'vert' && this.absDepth > 0) return false;
        return IMPLICIT_START_CMDS.has(t.name) || GREEK.has(t.name) || t.name in FUNCTIONS;
      default:
        return false;
    }
  }

  private postfix(): Expr {
    let e = this.primary();
    for (;;) {
      this.tick();
      if (this.isOp('^') || this.isOp('**')) {
        this.next();
        e = { kind: 'pow', base: e, exp: this.exponent() };
      } else if (this.isOp('!')) {
        this.next();
        e = { kind: 'call', name: 'factorial', args: [e], known: true };
      } else if (this.isOp('%')) {
        if (freeSymbols(e).size > 0) throw parseFailure('percent of a variable');
        this.next();
        e = { kind: 'div', num: e, den: num(100) };
      } else if (this.isOp("'")) {
        this.next();
        e = e.kind === 'sym' ? { kind: 'sym', name: `${e.name}'` } : e;
      } else if (this.isOp('_')) {
        this.next();
        const sub = this.subscriptText();
        if (e.kind === 'sym') e = { kind: 'sym', name: `${e.name}_${sub}` };
        else if (e.kind === 'pow' && e.base.kind === 'sym') {
          e = { kind: 'pow', base: { kind: 'sym', name: `${e.base.name}_${sub}` }, exp: e.exp };
        } else if (e.kind !== 'num') throw parseFailure('subscript on a non-symbol');
        // a number's subscript is its base (204_5): the digits are the answer
      } else return e;
    }
  }

  private exponent(): Expr {
    if (this.isOp('{')) return this.group();
    if (this.isOp('-')) {
      this.next();
      return { kind: 'neg', arg: this.exponent() };
    }
    const t = this.peek();
    if (t.t === 'num' && t.text.length > 1 && !t.text.includes('.') && this.isLatexy()) {
      // x^23 in LaTeX is x^2 * 3; in plain text (x^23) it is x^23. We keep the plain reading.
    }
    return this.primary();
  }

  private isLatexy(): boolean {
    return true;
  }

  private subscriptText(): string {
    if (this.isOp('{')) {
      this.next();
      let depth = 1;
      let text = '';
      for (;;) {
        const t = this.next();
        if (t.t === 'end') throw parseFailure('unclosed subscript');
        if (t.t === 'op' && t.text === '{') depth++;
        if (t.t === 'op' && t.text === '}') {
          depth--;
          if (depth === 0) break;
        }
        text += tokenText(t);
      }
      return text.length === 1 ? text : text.length === 0 ? '' : `{${text}}`;
    }
    const t = this.next();
    if (t.t === 'num') {
      // x_12 is x_1 * 2 in LaTeX; answers mean x_{12} when written so rarely that we take the first digit.
      if (t.text.length > 1) {
        this.pos--;
        this.tokens.splice(this.pos, 1, { t: 'num', text: t.text[0], float: false }, { ...t, text: t.text.slice(1) });
        this.next();
        return t.text[0];
      }
      return t.text;
    }
    if (t.t === 'word') return tokenText(t);
    if (t.t === 'cmd') return `{${tokenText(t)}}`;
    throw parseFailure('bad subscript');
  }

  /** `{ ... }` as a value: a set when it holds commas (`{1,3}`), else the value itself (a `\pm` in it expands outside). */
  private group(): Expr {
    this.expectOp('{');
    this.enter();
    const first = this.atCloser(['}']) ? null : this.relation();
    if (first && this.isCmd('choose')) {
      this.next();
      const k = this.relation();
      this.expectOp('}');
      this.depth--;
      return { kind: 'call', name: 'binom', args: [first, k], known: true };
    }
    const e = first && this.isOp('}') ? first : first ? this.listAfter(first, ['}']) : this.list(['}']);
    this.expectOp('}');
    this.depth--;
    return e;
  }

  /** One argument of `\frac`/`\sqrt`: a braced group or a single token (`\frac12`). */
  private arg(): Expr {
    if (this.isOp('{')) return this.group();
    const t = this.peek();
    if (t.t === 'num' && t.text.length > 1 && /^\d+$/.test(t.text)) {
      this.tokens.splice(this.pos, 1, { t: 'num', text: t.text[0], float: false }, { ...t, text: t.text.slice(1) });
    }
    if (t.t === 'word' && t.text.length > 1) {
      this.tokens.splice(this.pos, 1, { t: 'word', text: t.text[0] }, { t: 'word', text: t.text.slice(1) });
    }
    return this.primary();
  }

  private primary(): Expr {
    this.enter();
    this.tick();
    const e = this.primaryInner();
    this.depth--;
    return e;
  }

  private primaryInner(): Expr {
    const t = this.next();
    switch (t.t) {
      case 'num':
        return num(Number(t.text), t.text.replace(/^0+(?=\d)/, ''), t.float);
      case 'word':
        return this.word(t.text);
      case 'text':
        return this.textToken(t);
      case 'op':
        return this.opPrimary(t.text);
      case 'cmd':
        return this.command(t.name);
      case 'end':
        throw parseFailure('unexpected end');
    }
  }

  private word(w: string): Expr {
    if (isConstWord(w)) return { kind: 'const', name: w === 'pi' ? 'pi' : 'inf' };
    const fn = FUNCTIONS[w];
    if (fn) return this.functionCall(fn);
    if (w === 'e') return { kind: 'const', name: 'e' };
    if (FUNCTION_LETTERS.has(w) && this.isOp('(')) {
      this.next();
      const args = this.callArgs(')');
      return { kind: 'call', name: w, args, known: false };
    }
    return { kind: 'sym', name: w };
  }

  private callArgs(closer: string): Expr[] {
    const args: Expr[] = [];
    for (;;) {
      args.push(this.relation());
      if (this.isOp(',')) {
        this.next();
        continue;
      }
      this.expectOp(closer);
      return args;
    }
  }

  private textToken(t: Extract<Token, { t: 'text' }>): Expr {
    const body = t.text.trim();
    if (t.cmd === 'operatorname') {
      const fn = FUNCTIONS[body] ?? FUNCTIONS[body.toLowerCase()];
      if (fn) return this.functionCall(fn);
      if (!this.isOp('(')) return { kind: 'sym', name: body };
      this.next();
      return { kind: 'call', name: body, args: this.callArgs(')'), known: false };
    }
    if (t.cmd === 'variable') {
      if (/^\d+$/.test(body)) return num(Number(body), body);
      if (!/^[a-zA-Z][a-zA-Z0-9]*(?:_(?:[a-zA-Z0-9]|\{[^{}]+\}))?$/.test(body)) {
        throw parseFailure('bad variable name');
      }
      return { kind: 'sym', name: body };
    }
    if (
      /^[a-zA-Z]+$/.test(body) &&
      t.cmd !== 'text' &&
      t.cmd !== 'mbox' &&
      t.cmd !== 'textnormal' &&
      t.cmd !== 'word'
    ) {
      // \mathbf{x}, \mathrm{e}, \variable{x}
      if (body === 'e' && t.cmd === 'mathrm') return { kind: 'const', name: 'e' };
      return { kind: 'sym', name: body };
    }
    if (t.cmd === 'word') return { kind: 'text', text: body };
    const inner = /\d/.test(body) ? parseMath(body) : null;
    if (inner) return inner;
    if (body.length === 1 && /[a-zA-Z]/.test(body)) return { kind: 'text', text: body };
    if (body.length === 0) throw parseFailure('empty text');
    return { kind: 'text', text: body };
  }

  private opPrimary(op: string): Expr {
    switch (op) {
      case '(':
      case '[':
        return this.bracketed(op);
      case '{':
        this.pos--;
        return this.group();
      case '|': {
        this.absDepth++;
        const inner = this.additive();
        this.absDepth--;
        this.expectOp('|');
        return { kind: 'call', name: 'abs', args: [inner], known: true };
      }
      default:
        throw parseFailure(`unexpected '${op}'`);
    }
  }

  /** `( ... )` / `[ ... ]` and the mixed forms: grouping, tuples, intervals. */
  private bracketed(open: string): Expr {
    if (this.isOp(')') || this.isOp(']')) throw parseFailure('empty brackets');
    const saveAbs = this.absDepth;
    this.absDepth = 0;
    const items: Expr[] = [];
    for (;;) {
      items.push(this.relation());
      if (this.isOp(',') || this.isOp(';')) {
        this.next();
        continue;
      }
      break;
    }
    this.absDepth = saveAbs;
    const close = this.next();
    if (close.t !== 'op' || (close.text !== ')' && close.text !== ']')) throw parseFailure('unclosed bracket');
    if (items.length === 1) {
      if (open === '(' && close.text === ')') return items[0];
      if (open === '[' && close.text === ']') return items[0];
      throw parseFailure('mismatched brackets');
    }
    if (items.length === 2 && !(open === '(' && close.text === ')')) {
      return { kind: 'interval', lo: items[0], hi: items[1], loOpen: open === '(', hiOpen: close.text === ')' };
    }
    if (open !== '(' || close.text !== ')') {
      if (open === '[' && close.text === ']') return { kind: 'tuple', items };
      throw parseFailure('mismatched brackets');
    }
    return { kind: 'tuple', items };
  }

  private command(name: string): Expr {
    if (name === 'frac') {
      const n = this.arg();
      const d = this.arg();
      if (isDerivativeOperator(n, d)) throw parseFailure('derivative operators are not values');
      return { kind: 'div', num: n, den: d };
    }
    if (name === 'sqrt') {
      if (this.isOp('[')) {
        this.next();
        const idx = this.additive();
        this.expectOp(']');
        const x = this.arg();
        return { kind: 'pow', base: x, exp: { kind: 'div', num: num(1), den: idx } };
      }
      return { kind: 'call', name: 'sqrt', args: [this.arg()], known: true };
    }
    if (name === 'binom' || name === 'dbinom' || name === 'tbinom') {
      const n = this.arg();
      const k = this.arg();
      return { kind: 'call', name: 'binom', args: [n, k], known: true };
    }
    if (name === 'boxed' || name === 'fbox' || name === 'underline') return this.group();
    if (name === 'pi') return { kind: 'const', name: 'pi' };
    if (name === 'exponentialE') return { kind: 'const', name: 'e' };
    if (name === 'infty' || name === 'infin') return { kind: 'const', name: 'inf' };
    if (name === 'emptyset' || name === 'varnothing') return { kind: 'set', items: [] };
    if (name === '{' || name === 'lbrace') {
      if (this.isCmd('}') || this.isCmd('rbrace')) {
        this.next();
        return { kind: 'set', items: [] };
      }
      const inner = this.list(['\\}', '\\rbrace']);
      const close = this.next();
      if (close.t !== 'cmd' || (close.name !== '}' && close.name !== 'rbrace')) throw parseFailure('unclosed set');
      return inner.kind === 'set' ? inner : { kind: 'set', items: [inner] };
    }
    if (name === 'vert' || name === 'lvert' || name === '|' || name === 'rvert') {
      this.absDepth++;
      const inner = this.additive();
      this.absDepth--;
      const close = this.next();
      const ok =
        (close.t === 'cmd' && (close.name === 'vert' || close.name === 'rvert' || close.name === '|')) ||
        (close.t === 'op' && close.text === '|');
      if (!ok) throw parseFailure('unclosed absolute value');
      return { kind: 'call', name: 'abs', args: [inner], known: true };
    }
    if (name === 'lfloor' || name === 'lceil' || name === 'ulcorner' || name === 'llcorner') {
      const closer = CLOSERS[name];
      const inner = this.additive();
      if (!this.isCmd(closer)) throw parseFailure(`expected \\${closer}`);
      this.next();
      const fn = name === 'lfloor' || name === 'llcorner' ? 'floor' : 'ceil';
      return { kind: 'call', name: fn, args: [inner], known: true };
    }
    if (name === 'begin') return this.environment();
    if (GREEK.has(name)) return { kind: 'sym', name };
    if (name in FUNCTIONS) return this.functionCall(FUNCTIONS[name]);
    if (name === 'ceil' || name === 'floor') return this.functionCall(name);
    if (ACCENTS.has(name)) {
      const inner = this.arg();
      const accent = name === 'overline' ? 'bar' : name;
      if (inner.kind === 'sym') return name === 'mathbf' ? inner : { kind: 'sym', name: `${accent}{${inner.name}}` };
      return inner;
    }
    if (name === 'sum' || name === 'prod' || name === 'int') return this.bigOperator(name);
    if (name === 'exp') return this.functionCall('exp');
    if (name === 'percent') return num(0.01, '0.01', true);
    throw parseFailure(`unknown command \\${name}`);
  }

  private bigOperator(name: string): Expr {
    let lower: Expr = { kind: 'text', text: '' };
    let upper: Expr = { kind: 'text', text: '' };
    for (let k = 0; k < 2; k++) {
      if (this.isOp('_')) {
        this.next();
        lower = this.isOp('{') ? this.groupRelation() : this.primary();
      } else if (this.isOp('^')) {
        this.next();
        upper = this.isOp('{') ? this.group() : this.primary();
      }
    }
    const body = this.multiplicative();
    return { kind: 'call', name, args: [lower, upper, body], known: false };
  }

  private groupRelation(): Expr {
    this.expectOp('{');
    const e = this.relation();
    this.expectOp('}');
    return e;
  }

  private functionCall(fn: string): Expr {
    let power: Expr | null = null;
    let base: Expr | null = null;
    for (let k = 0; k < 2; k++) {
      if (this.isOp('^')) {
        this.next();
        power = this.exponent();
      } else if (this.isOp('_') && (fn === 'ln' || fn === 'log10')) {
        this.next();
        base = this.isOp('{') ? this.group() : this.primary();
      }
    }
    let args: Expr[];
    if (this.isOp('(')) {
      this.next();
      args = this.callArgs(')');
    } else if (this.isOp('{')) {
      args = [this.group()];
    } else {
      if (this.peek().t === 'end') throw parseFailure(`function ${fn} without argument`);
      let arg = this.postfix();
      while (this.peek().t === 'num' || this.peek().t === 'word') arg = mul(arg, this.postfix());
      args = [arg];
    }
    args = args.map((a) => (a.kind === 'set' && a.items.length === 1 ? a.items[0] : a));
    if ((fn === 'floor' || fn === 'ceil' || fn === 'sqrt' || fn === 'abs') && args.length !== 1) {
      throw parseFailure(`${fn} takes one argument`);
    }
    let e: Expr =
      (fn === 'ln' || fn === 'log10') && base
        ? { kind: 'div', num: { kind: 'call', name: 'ln', args, known: true }, den: callLn(base) }
        : { kind: 'call', name: fn, args, known: true };
    if (power) {
      // \sin^{-1} x is arcsin
      if (power.kind === 'neg' && power.arg.kind === 'num' && power.arg.text === '1' && TRIG_INVERSE[fn]) {
        e = { kind: 'call', name: TRIG_INVERSE[fn], args, known: true };
      } else e = { kind: 'pow', base: e, exp: power };
    }
    return e;
  }

  private environment(): Expr {
    const env = this.envName();
    if (!MATRIX_ENVS.has(env)) throw parseFailure(`unsupported environment ${env}`);
    if (env === 'array' && this.isOp('{')) {
      // column spec {cc}
      this.next();
      while (!this.isOp('}')) if (this.next().t === 'end') throw parseFailure('unclosed array spec');
      this.next();
    }
    const rows: Expr[][] = [[]];
    for (;;) {
      if (this.isCmd('end')) break;
      if (this.isOp('\\\\')) {
        this.next();
        rows.push([]);
        continue;
      }
      rows[rows.length - 1].push(this.additive());
      if (this.isOp('&')) this.next();
    }
    this.next();
    const close = this.envName();
    if (close !== env) throw parseFailure('mismatched environment');
    const kept = rows.filter((r) => r.length > 0);
    if (kept.length === 0) throw parseFailure('empty matrix');
    const width = kept[0].length;
    if (kept.some((r) => r.length !== width)) throw parseFailure('ragged matrix');
    return { kind: 'matrix', rows: kept };
  }

  private envName(): string {
    this.expectOp('{');
    let name = '';
    while (!this.isOp('}')) {
      const t = this.next();
      if (t.t === 'end') throw parseFailure('unclosed environment name');
      name += tokenText(t);
    }
    this.next();
    return name;
  }
}

const CLOSERS: Record<string, string> = {
  lfloor: 'rfloor',
  lceil: 'rceil',
  ulcorner: 'urcorner',
  llcorner: 'lrcorner',
};
const MATRIX_ENVS = new Set(['pmatrix', 'bmatrix', 'matrix', 'vmatrix', 'Bmatrix', 'smallmatrix', 'array', 'Vmatrix']);
const ACCENTS = new Set(['overline', 'bar', 'hat', 'vec', 'tilde', 'widehat', 'overrightarrow', 'mathbf', 'dot']);
const TRIG_INVERSE: Record<string, string> = {
  sin: 'asin',
  cos: 'acos',
  tan: 'atan',
  sinh: 'asinh',
  cosh: 'acosh',
  tanh: 'atanh',
};
const IMPLICIT_START_CMDS = new Set([
  'frac',
  'sqrt',
  'pi',
  'infty',
  'binom',
  'dbinom',
  'lfloor',
  'lceil',
  'vert',
  'lvert',
  'begin',
  'overline',
  'bar',
  'hat',
  'vec',
  'mathbf',
  'exp',
  'sum',
  'prod',
  'ulcorner',
  'llcorner',
  'boxed',
  'exponentialE',
]);

function tokenText(t: Token): string {
  switch (t.t) {
    case 'num':
      return t.text;
    case 'word':
      return t.text;
    case 'cmd':
      return `\\${t.name}`;
    case 'op':
      return t.text;
    case 'text':
      return t.text;
    case 'end':
      return '';
  }
}

/** `\\frac{d}{dx}` is an operator, not a value. */
function isDerivativeOperator(n: Expr, d: Expr): boolean {
  const isD = (e: Expr) => e.kind === 'sym' && e.name === 'd';
  return isD(n) && d.kind === 'mul' && d.factors.length === 2 && isD(d.factors[0]) && d.factors[1].kind === 'sym';
}

function callLn(x: Expr): Expr {
  return { kind: 'call', name: 'ln', args: [x], known: true };
}

function isIntLit(e: Expr): boolean {
  return e.kind === 'num' && !e.float;
}

function mul(a: Expr, b: Expr): Expr {
  return { kind: 'mul', factors: [...(a.kind === 'mul' ? a.factors : [a]), b] };
}

/** A standalone `a ± b` is the set {a - b, a + b}. */
function expandPm(e: Expr): Expr {
  const vals = pmValues(e);
  return vals.length === 1 ? vals[0] : { kind: 'set', items: vals };
}

function pmValues(e: Expr): Expr[] {
  if (e.kind !== 'pm') {
    if (containsPm(e)) return expandNestedPm(e);
    return [e];
  }
  const b = e.b;
  if (e.a === null) return [{ kind: 'neg', arg: b }, b];
  return [
    { kind: 'add', terms: [e.a, { kind: 'neg', arg: b }] },
    { kind: 'add', terms: [e.a, b] },
  ];
}

function containsPm(e: Expr): boolean {
  if (e.kind === 'pm') return true;
  if (e.kind === 'set' || e.kind === 'tuple' || e.kind === 'rel') return false;
  switch (e.kind) {
    case 'div':
      return containsPm(e.num) || containsPm(e.den);
    case 'add':
      return e.terms.some(containsPm);
    case 'mul':
      return e.factors.some(containsPm);
    case 'neg':
      return containsPm(e.arg);
    default:
      return false;
  }
}

/** `\frac{-1 \pm \sqrt{13}}{4}`: substitute each sign choice into the surrounding expression. */
function expandNestedPm(e: Expr): Expr[] {
  const pick = (x: Expr, sign: 0 | 1): Expr => {
    switch (x.kind) {
      case 'pm':
        return pmValues(x)[sign];
      case 'div':
        return { kind: 'div', num: pick(x.num, sign), den: pick(x.den, sign) };
      case 'add':
        return { kind: 'add', terms: x.terms.map((t) => pick(t, sign)) };
      case 'mul':
        return { kind: 'mul', factors: x.factors.map((t) => pick(t, sign)) };
      case 'neg':
        return { kind: 'neg', arg: pick(x.arg, sign) };
      default:
        return x;
    }
  };
  return [pick(e, 0), pick(e, 1)];
}
