import { evaluate } from './evaluate.ts';
import { type Expr, freeSymbols, show } from './expr.ts';
import { parseMath } from './parse-math.ts';

/**
 * `gradeAnswer(gold, pred)`: the grader OpenVLThinker's reward and evaluation call (MathRuler 0.1.0's
 * `grade_answer(given, ground_truth)`, itself PRM800K's grader). Its rules, reproduced with their quirks:
 *   1. MATH-dataset normalization of both strings (`\text{}` unwrap, `\left`/`\right`, `^\circ`, `\$`, units after
 *      `\text{ `, `\%`, leading `.`, short `k = ` prefixes, `\sqrt3`, `\frac12`, `0.5`, `a/b`); equal -> correct.
 *   2. A second normalization (percent and dollar signs, " and "/" or " -> commas, unit words anywhere, thousands
 *      `,\!`, integral floats, LaTeX -> text, mixed numbers, spaces, braces, lowercase); equal -> correct.
 *   3. Tuples/intervals split on commas when bracketed (brackets must agree); element by element: unreduced
 *      fractions must match exactly, an integer must face an integer, otherwise "difference simplifies to 0" —
 *      allowed only for expressions with at most two distinct letters and no `^{`, `^(`, or long exponents.
 * Step 3's SymPy `simplify(a - b) == 0` is replaced by our parser + evaluation at random points; the answers it
 * accepts are the same except where SymPy's simplify gives up on a true identity (we then say equal).
 * Quirk kept on purpose: "(A)" matches "A" only through step 3 (the bracketed single element "a" minus "a" is 0).
 */
export function gradeAnswer(gold: string, pred: string): boolean {
  const goldMathd = mathdNormalize(gold);
  const predMathd = mathdNormalize(pred);
  if (goldMathd === predMathd) return true;

  const goldNorm = secondNormalize(gold);
  const predNorm = secondNormalize(pred);
  if (goldNorm === predNorm) return true;
  if (predNorm.length === 0) return false;

  const goldElems = splitTuple(goldNorm);
  const predElems = splitTuple(predNorm);
  if (goldElems.length > 1 && (goldNorm[0] !== predNorm[0] || goldNorm.at(-1) !== predNorm.at(-1))) return false;
  if (goldElems.length !== predElems.length) return false;
  for (let k = 0; k < goldElems.length; k++) {
    const g = goldElems[k];
    const p = predElems[k];
    let ok: boolean;
    if (isFracString(g) && isFracString(p)) ok = g === p;
    else if (strIsInt(g) !== strIsInt(p)) ok = false;
    else ok = equalUnderEvaluation(g, p);
    if (!ok) return false;
  }
  return true;
}

// ---- step 1: MATH-dataset normalization ----------------------------------------------------------------------

/** Returns the normalized string; where the reference implementation raises midway, it returns the trimmed input. */
export function mathdNormalize(answer: string): string {
  let a = answer.trim();
  const m = /^\\text\{(.+?)\}$/s.exec(a);
  if (m) a = m[1].trim();
  const stripped = stripString(a);
  return stripped ?? a;
}

function stripString(input: string): string | null {
  let s = input.replaceAll('\n', '');
  s = s.replaceAll('\\!', '');
  s = s.replaceAll('\\\\', '\\');
  s = s.replaceAll('tfrac', 'frac').replaceAll('dfrac', 'frac');
  s = s.replaceAll('\\left', '').replaceAll('\\right', '');
  s = s.replaceAll('^{\\circ}', '').replaceAll('^\\circ', '');
  s = s.replaceAll('\\$', '');
  if (s.includes('\\text{ ')) {
    const parts = s.split('\\text{ ');
    if (parts.length !== 2) return null;
    s = parts[0];
  }
  s = s.replaceAll('\\%', '');
  s = s.replaceAll(' .', ' 0.').replaceAll('{.', '{0.');
  if (s.length === 0) return s;
  if (s[0] === '.') s = `0${s}`;
  const eq = s.split('=');
  if (eq.length === 2 && eq[0].length <= 2) s = eq[1];
  const sq = fixSqrt(s);
  if (sq === null) return null;
  s = sq.replaceAll(' ', '');
  const fr = fixFracs(s);
  if (fr === null) return null;
  s = fr;
  if (s === '0.5') s = '\\frac{1}{2}';
  return fixASlashB(s);
}

function fixSqrt(s: string): string | null {
  if (!s.includes('\\sqrt')) return s;
  const parts = s.split('\\sqrt');
  let out = parts[0];
  for (const part of parts.slice(1)) {
    if (part.length === 0) return null;
    out += part[0] !== '{' ? `\\sqrt{${part[0]}}${part.slice(1)}` : `\\sqrt${part}`;
  }
  return out;
}

function fixFracs(s: string): string | null {
  const parts = s.split('\\frac');
  let out = parts[0];
  for (const part of parts.slice(1)) {
    out += '\\frac';
    if (part.length === 0) return null;
    if (part[0] === '{') {
      out += part;
      continue;
    }
    if (part.length < 2) return s;
    const a = part[0];
    const b = part[1];
    out += b !== '{' ? `{${a}}{${b}}${part.slice(2)}` : `{${a}}${b}${part.slice(2)}`;
  }
  return out;
}

function fixASlashB(s: string): string {
  const parts = s.split('/');
  if (parts.length !== 2) return s;
  const a = pyInt(parts[0]);
  const b = pyInt(parts[1]);
  if (a === null || b === null) return s;
  if (s !== `${a}/${b}`) return s;
  return `\\frac{${a}}{${b}}`;
}

/** Python int(str): optional sign, digits, surrounding whitespace. */
function pyInt(s: string): string | null {
  const m = /^\s*([+-]?)(\d+)\s*$/.exec(s);
  if (!m) return null;
  const digits = m[2].replace(/^0+(?=\d)/, '');
  return (m[1] === '-' && digits !== '0' ? '-' : '') + digits;
}

// ---- step 2: the second normalization ------------------------------------------------------------------------

const UNITS = [
  'degree',
  'cm',
  'centimeter',
  'meter',
  'mile',
  'second',
  'minute',
  'hour',
  'day',
  'week',
  'month',
  'year',
  'foot',
  'feet',
  'inch',
  'yard',
];
const UNIT_RES = UNITS.map((u) => new RegExp(`${u}(es)?(s)? *(\\^[0-9]+)?`, 'g'));

export function secondNormalize(input: string): string {
  let e = input;
  const m = /^\\text\{(.+?)\}$/s.exec(e);
  if (m) e = m[1];
  e = e.replaceAll('\\%', '%').replaceAll('\\$', '$').replaceAll('$', '').replaceAll('%', '');
  e = e.replaceAll(' or ', ' , ').replaceAll(' and ', ' , ');
  e = e.replaceAll('million', '*10^6').replaceAll('billion', '*10^9').replaceAll('trillion', '*10^12');
  for (const re of UNIT_RES) e = e.replace(re, '');
  e = e.replace(/\^ *\\circ/g, '');
  if (e.length > 0 && e[0] === '{' && e.at(-1) === '}') e = e.slice(1, -1);
  e = e.replace(/,\\! */g, '');
  const f = pyFloat(e);
  if (f !== null && isIntValue(f)) e = String(pyRoundInt(f));
  if (e.includes('\\')) e = latexToText(e);
  e = e.replace(/- */g, '-');
  e = e.replace(/([0-9]) +([0-9])/g, '$1+$2');
  e = e.replaceAll(' ', '');
  e = e.replaceAll('{', '').replaceAll('}', '');
  e = e.toLowerCase();
  if (strIsInt(e)) e = strToInt(e);
  return e;
}

/** Stands in for pylatexenc's LaTeX-to-text: our parse printed plainly (`\frac{1}{2}` -> `1/2`, `\sqrt{2}` -> `sqrt(2)`). */
function latexToText(e: string): string {
  const withSpace = e.replaceAll('\\tfrac', '\\frac').replaceAll('\\dfrac', '\\frac');
  const parsed = parseMath(withSpace);
  if (parsed) return show(parsed);
  return withSpace.replace(/\\(?:left|right)/g, '').replace(/\\([a-zA-Z]+)/g, '$1');
}

/** Python float(str) for the syntax answers use: decimals, exponents, inf/nan. */
function pyFloat(s: string): number | null {
  const t = s.trim().replace(/(?<=\d)_(?=\d)/g, ''); // Python: single underscores between digits only
  if (!/^[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?|inf(?:inity)?|nan)$/i.test(t)) return null;
  const lower = t.toLowerCase().replace(/^\+/, '');
  if (lower.endsWith('inf') || lower.endsWith('infinity')) return lower.startsWith('-') ? -Infinity : Infinity;
  if (lower.endsWith('nan')) return Number.NaN;
  return Number(t);
}

function isIntValue(x: number): boolean {
  return Number.isFinite(x) && Math.abs(x - Math.round(x)) <= 1e-7;
}

function pyRoundInt(x: number): string {
  const r = Math.round(x);
  // Python rounds half to even
  const v = Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
  return BigInt(v).toString();
}

function stripCommas(e: string): string {
  let cur = e;
  for (;;) {
    const next = cur.replace(/(\d)(,)(\d\d\d)($|\D)/g, '$1$3$4');
    if (next === cur) return next;
    cur = next;
  }
}

function strIsInt(x: string): boolean {
  const f = pyFloat(stripCommas(x));
  return f !== null && isIntValue(f);
}

function strToInt(x: string): string {
  const f = pyFloat(x.replaceAll(',', ''));
  if (f === null || !Number.isFinite(f)) return x;
  return BigInt(Math.trunc(f)).toString();
}

function isFracString(e: string): boolean {
  return /^-?[0-9]+.?\/0*[1-9][0-9]*.?$/.test(e);
}

const TUPLE_CHARS = '()[]';

function splitTuple(input: string): string[] {
  const e = stripCommas(input);
  if (e.length === 0) return [];
  const inner = e.slice(1, -1);
  if (
    e.length > 2 &&
    TUPLE_CHARS.includes(e[0]) &&
    TUPLE_CHARS.includes(e.at(-1) ?? '') &&
    ![...TUPLE_CHARS].some((ch) => inner.includes(ch))
  ) {
    return inner.split(',').map((x) => x.trim());
  }
  return [e];
}

// ---- step 3: "the difference simplifies to zero" ------------------------------------------------------------

function allowEval(expr: string): boolean {
  const letters = new Set(expr.replaceAll('sqrt', '').replaceAll('frac', '').match(/\p{L}/gu) ?? []);
  if (letters.size > 2) return false;
  if (expr.includes('^{') || expr.includes('^(')) return false;
  if (/\^[0-9]+\^/.test(expr) || /\^[0-9][0-9]+/.test(expr)) return false;
  return true;
}

const SAMPLE_POINTS = [0.5772, 1.3247, 2.1753, -0.8415];

function equalUnderEvaluation(goldElem: string, predElem: string): boolean {
  if (!allowEval(`(${goldElem})-(${predElem})`)) return false;
  const g = parseMath(goldElem);
  const p = parseMath(predElem);
  if (!g || !p || !isScalar(g) || !isScalar(p)) return false;
  const vars = [...new Set([...freeSymbols(g), ...freeSymbols(p)])];
  const points = vars.length === 0 ? 1 : SAMPLE_POINTS.length;
  let checked = 0;
  for (let k = 0; k < points; k++) {
    const env = new Map(vars.map((v, j) => [v, SAMPLE_POINTS[(k + j) % SAMPLE_POINTS.length] + j * 0.31]));
    const a = evaluate(g, env);
    const b = evaluate(p, env);
    if (Number.isNaN(a) || Number.isNaN(b)) continue;
    if (a === b) {
      checked++;
      continue;
    }
    if (!Number.isFinite(a) || !Number.isFinite(b)) return false;
    if (Math.abs(a - b) > 1e-10 * Math.max(1, Math.abs(a), Math.abs(b))) return false;
    checked++;
  }
  return checked > 0;
}

function isScalar(e: Expr): boolean {
  switch (e.kind) {
    case 'set':
    case 'tuple':
    case 'interval':
    case 'union':
    case 'intersect':
    case 'matrix':
    case 'rel':
    case 'in':
    case 'chain':
    case 'text':
    case 'pm':
      return false;
    default:
      return true;
  }
}
