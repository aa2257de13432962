import { CHOICE_LETTERS } from '../../core/index.ts';
import { pyParseFloat, pyParseInt, pyStrip } from '../python-compat.ts';

/**
 * MATH-Vision's rule-based answer extraction (the official `evaluate.py` + `find_math_answer`), rewritten step by step:
 *   1. a response ending in " C." / " (C)." or starting "C\n" / "(C)\n" / "(C) C\n" is the letter C (A-E)
 *   2. if the text after the last "is " is a number, that is the answer
 *   3. without \boxed: cut after the last "the final answer is" / "the answer is" / "the correct answer is" /
 *      "the answer should be" (and their capitalized forms), keeping the first line and first sentence
 *      with several \boxed: keep the last one
 *   4. find_math_answer: lower-case, take the \boxed{...} content, the part after '=' / '\approx', strip LaTeX
 *      decoration and units, normalize fractions and square roots
 *   5. "(a)" / "{a}" -> "a" (for a..e), strip a trailing '.', a leading ':' and spaces.
 * Quirks of the original are kept on purpose (e.g. `_fix_fracs` runs only when the string contains "sqrt").
 */

/** MATH-Vision's option letters: its multiple-choice problems have at most five options, A-E. */
export const MATH_VISION_LETTERS = CHOICE_LETTERS.slice(0, 5);

/** Python `s.rstrip(chars)` / `s.lstrip(chars)` for a set of single characters. */
function rstripChars(s: string, chars: string): string {
  let end = s.length;
  while (end > 0 && chars.includes(s[end - 1] as string)) end--;
  return s.slice(0, end);
}
function lstripChars(s: string, chars: string): string {
  let start = 0;
  while (start < s.length && chars.includes(s[start] as string)) start++;
  return s.slice(start);
}

const last = <T>(xs: readonly T[]): T => xs[xs.length - 1] as T;

function fixFracs(input: string): string {
  const parts = input.split('\\frac');
  let out = parts[0] ?? '';
  for (const part of parts.slice(1)) {
    out += '\\frac';
    if (part.length > 0 && part[0] === '{') {
      out += part;
      continue;
    }
    if (part.length < 2) return input;
    const a = part[0];
    const b = part[1];
    const rest = part.slice(2);
    out += b !== '{' ? `{${a}}{${b}}${rest}` : `{${a}}${b}${rest}`;
  }
  return out;
}

function fixSlash(s: string): string {
  const parts = s.split('/');
  if (parts.length !== 2) return s;
  const a = pyParseInt(parts[0] as string);
  const b = pyParseInt(parts[1] as string);
  if (a === null || b === null || s !== `${a}/${b}`) return s;
  return `\\frac{${a}}{${b}}`;
}

function fixSqrt(s: string): string {
  if (!s.includes('\\sqrt')) return s;
  const parts = s.split('\\sqrt');
  let out = parts[0] ?? '';
  for (const part of parts.slice(1)) {
    out += part.length > 0 && part[0] !== '{' ? `\\sqrt{${part[0]}}${part.slice(1)}` : `\\sqrt${part}`;
  }
  return out;
}

/** The official `_strip_string` normalization. */
export function stripMathString(input: string): string {
  let s = input
    .replaceAll('\n', '')
    .replaceAll('\\!', '')
    .replaceAll('\\\\', '\\')
    .replaceAll('tfrac', 'frac')
    .replaceAll('dfrac', 'frac')
    .replaceAll('\\left', '')
    .replaceAll('\\right', '')
    .replaceAll('^{\\circ}', '')
    .replaceAll('^\\circ', '')
    .replaceAll('\\$', '')
    .replaceAll('$', '');
  s = s.split('\\text{ ')[0] ?? '';
  s = s.replaceAll('\\%', '').replaceAll(' .', ' 0.').replaceAll('{.', '{0.');
  if (s.length === 0) return s;
  if (s[0] === '.') s = `0${s}`;
  if (s.split('=').length === 2) s = last(s.split('='));
  if (s.split('\\approx').length === 2) s = last(s.split('\\approx'));
  if (s.includes('sqrt')) s = fixSqrt(s);
  s = s.replaceAll(' ', '');
  if (s.includes('sqrt')) s = fixFracs(s);
  if (s === '0.5') s = '\\frac{1}{2}';
  return fixSlash(s);
}

/** The official `find_math_answer`. */
export function findMathAnswer(input: string): string {
  let s = input.toLowerCase();
  if (s.includes('{}')) s = s.replaceAll('{}', '');
  // Greedy and across lines: from the first "oxed{" to the last "}".
  const boxed = /oxed\{([\s\S]*)\}/.exec(s);
  let ans = boxed ? (boxed[1] ?? '') : s;
  const close = ans.indexOf('}');
  const open = ans.indexOf('{');
  if (close !== -1 && (open === -1 || close < open)) ans = ans.split('}')[0] ?? '';
  ans = afterLast(ans, '=');
  ans = afterLast(ans, '\\approx');
  ans = ans
    .replaceAll(' ', '')
    .replaceAll('\\,', '')
    .replaceAll('∞', '\\infty')
    .replaceAll('+\\infty', '\\infty')
    .replaceAll('\\\\', '\\')
    .replaceAll('\n', '')
    .replaceAll('\\text', '')
    .replaceAll('\\mbox', '')
    .replaceAll('bmatrix', 'pmatrix')
    .replaceAll('\\left', '')
    .replaceAll('\\right', '')
    .replaceAll('^{\\circ}', '')
    .replaceAll('^\\circ', '')
    .replaceAll('{m}^3', '')
    .replaceAll('m^3', '')
    .replaceAll('{units}', '')
    .replaceAll('units', '')
    .replaceAll('{km}', '')
    .replaceAll('km', '');
  return stripMathString(ans);
}

const FLAGS = ['the final answer is', 'the answer is', 'the correct answer is', 'the answer should be'];

/** `text.split(flag)[-1].strip()`, then (when the flag was there) the first line's first sentence. */
function cutAfter(text: string, flag: string): string {
  const at = text.lastIndexOf(flag);
  if (at < 0) return pyStrip(text);
  const cut = pyStrip(text.slice(at + flag.length));
  return (cut.split('\n', 1)[0] ?? '').split('. ', 1)[0] ?? '';
}

/** `text.split(sep)[-1]` without building the array. */
function afterLast(text: string, sep: string): string {
  const at = text.lastIndexOf(sep);
  return at < 0 ? text : text.slice(at + sep.length);
}

/** The official extraction of MATH-Vision's `model_answer` from a response. */
export function extractMathVision(response: string): string {
  let answer = pyStrip(response);
  for (const c of MATH_VISION_LETTERS) {
    if (
      answer.endsWith(` ${c}.`) ||
      answer.endsWith(` (${c}).`) ||
      answer.startsWith(`${c}\n`) ||
      answer.startsWith(`(${c})\n`) ||
      answer.startsWith(`(${c}) ${c}\n`)
    ) {
      answer = c;
    }
  }
  const afterIs = rstripChars(afterLast(answer, 'is '), '.');
  if (pyParseFloat(afterIs) !== null) answer = afterIs;
  if (!answer.includes('oxed{')) {
    for (const flag of FLAGS) {
      answer = cutAfter(answer, flag);
      answer = cutAfter(answer, flag.replace('the', 'The'));
    }
  } else if (answer.split('oxed{').length - 1 > 1) {
    answer = `\\boxed{${afterLast(answer, 'oxed{')}`;
  }
  let out = findMathAnswer(answer);
  for (const c of 'abcde') out = out.replaceAll(`(${c})`, c);
  for (const c of 'abcde') out = out.replaceAll(`{${c}}`, c);
  return pyStrip(lstripChars(rstripChars(out, '.'), ':'));
}
