import { pyFloatRepr, pyRound, pyStrip } from '../python-compat.ts';
import { latexValue, type Num, toFloat } from './latex-value.ts';

/**
 * MATH-Vision's official `is_equal(a, b)`:
 *   - lower-case both; either empty (ignoring spaces) -> false
 *   - equal after strip -> true
 *   - tuples / lists "(x,y)" "[x,y]": each element evaluated and rounded to 2 decimals, then compared as strings
 *   - otherwise both sides evaluated as LaTeX and compared after rounding to 2 decimals: so 3.14159 equals 3.14 and
 *     1.004 equals 1 (the official behaviour, kept on purpose); any failure -> false
 */

/** `round(v, 2)`: ints stay ints (exact rationals with denominator 1), everything else becomes a rounded float. */
function round2(v: Num): { int: bigint } | { float: number } {
  if (v.kind === 'rat' && v.d === 1n) return { int: v.n };
  return { float: pyRound(toFloat(v), 2) };
}

function round2Str(v: Num): string {
  const r = round2(v);
  return 'int' in r ? r.int.toString() : pyFloatRepr(r.float);
}

/** The official `eval_tuple`: evaluates the elements of "(a,b,...)" / "[a,b,...]", or returns the string unchanged. */
export function evalTuple(s: string): string {
  if (s.length === 0) return s;
  const inner = s.slice(1, -1).split(',');
  const open = s[0];
  const close = s[s.length - 1];
  const isTuple = open === '(' && close === ')';
  const isList = open === '[' && close === ']';
  if (!(isTuple || isList) || inner.length <= 1) return s;
  const parts: string[] = [];
  for (const sub of inner) {
    if (sub.includes('infty') || sub === 'a' || sub === '-a') {
      parts.push(sub);
      continue;
    }
    const v = latexValue(sub);
    if (v === null) return s; // the original catches the exception and returns the input
    parts.push(round2Str(v));
  }
  return isTuple ? `(${parts.join(',')})` : `[${parts.join(',')}]`;
}

export function mathVisionIsEqual(a: string, b: string): boolean {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  if (x.replaceAll(' ', '') === '' || y.replaceAll(' ', '') === '') return false;
  if (pyStrip(x) === pyStrip(y)) return true;
  const tx = evalTuple(x);
  const ty = evalTuple(y);
  if (tx === ty) return true;
  const vx = latexValue(ty);
  const vy = latexValue(tx);
  if (vx === null || vy === null) return false;
  const rx = round2(vx);
  const ry = round2(vy);
  const nx = 'int' in rx ? Number(rx.int) : rx.float;
  const ny = 'int' in ry ? Number(ry.int) : ry.float;
  return nx === ny;
}
