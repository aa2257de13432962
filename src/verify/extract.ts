import { type Expr, num } from './expr.ts';
import { parseMath } from './parse-math.ts';

/**
 * Answer extraction from free text, with Math-Verify's priority scheme. Every target (LaTeX, plain expression,
 * choice letters) proposes candidate matches, each with a priority:
 *    0  "final answer is X. I hope" (and `\boxed{}` when its priority is set to 0)
 *   50  "final answer ... is X" (and `\boxed{}` at its default priority)
 *  100  "answer: ... X"      200  "answer ... X"      250  a letter at the very start      300  X anywhere
 * Candidates are tried by priority, then rightmost end first; the first one that parses is the answer. LaTeX
 * candidates are math environments (`$..$`, `$$..$$`, `\(..\)`, `\[..\]`, ` [..] `, a bare `\frac{1}{2}`), several
 * joined by "and"/"or"/"," counting as one answer (a set). Consecutive `\boxed{}` joined by at most a few words
 * that include "and"/"or" (or nothing but punctuation) are one answer too.
 * Environment and brace scans are single passes with cached closer positions, so no input makes them quadratic.
 */
export type ExtractionTarget = 'latex' | 'expr' | 'letters';

export interface ExtractionConfig {
  readonly targets: readonly ExtractionTarget[];
  /** Priority of `\boxed{}` candidates (Math-Verify: 50 by default; 0 puts boxed first); -1 disables them. */
  readonly boxedPriority: number;
  /** Letters (or words such as yes/no) the `letters` target looks for. */
  readonly letters: readonly string[];
  /** `performance.now()` value after which parsing stops (ParseTimeout). */
  readonly deadline?: number;
}

export interface Extraction {
  /** Parsed values, best first (at most one per target the winning priority produced). */
  readonly values: readonly Expr[];
  /** The raw text of the first candidate that matched, parsed or not (Math-Verify's fallback string). */
  readonly fallback: string | null;
}

type Source =
  | { readonly from: 'chain'; readonly chain: readonly Env[] }
  | { readonly from: 'boxed'; readonly boxes: readonly Boxed[]; readonly percent: boolean }
  | { readonly from: 'expr'; readonly groups: Record<string, string | undefined> }
  | { readonly from: 'letter'; readonly key: string; readonly word: boolean };

function produce(src: Source): Expr | null {
  switch (src.from) {
    case 'chain':
      return chainValue(src.chain);
    case 'boxed':
      return boxedValue(src.boxes, src.percent);
    case 'expr':
      return exprValue(src.groups);
    case 'letter':
      return { kind: 'text', text: src.word ? src.key.toLowerCase() : src.key.toUpperCase() };
  }
}

interface Candidate {
  readonly priority: number;
  readonly start: number;
  readonly end: number;
  /** What to parse when this candidate is tried (plain data: no closure per candidate). */
  readonly source: Source;
  readonly text: string;
}

/** The deadline of the extraction in progress (extraction is synchronous, so one slot suffices). */
let activeDeadline: number | undefined;

function parseBounded(latex: string): Expr | null {
  return parseMath(latex, { deadline: activeDeadline });
}

export function extractAnswer(text: string, cfg: ExtractionConfig): Extraction {
  activeDeadline = cfg.deadline;
  try {
    return extractInner(text, cfg);
  } finally {
    activeDeadline = undefined;
  }
}

/**
 * Plain numbers and expressions anywhere (priority 300) are looked for in the text's tail first: the rightmost one
 * wins, so on a long output the tail nearly always holds it. Only when no candidate parses is the whole text scanned.
 */
const TAIL = 1500;

function extractInner(text: string, cfg: ExtractionConfig): Extraction {
  const cands: Candidate[] = [];
  const tailFrom = tailStart(text);
  for (const target of cfg.targets) {
    if (target === 'latex') latexCandidates(text, cfg.boxedPriority, cands);
    else if (target === 'expr') exprCandidates(text, cands, tailFrom);
    else letterCandidates(text, cfg.letters, cands);
  }
  const first = tryCandidates(cands, null);
  if (first.values.length > 0 || tailFrom === 0 || !cfg.targets.includes('expr')) return first;
  const rest: Candidate[] = [];
  exprHeadCandidates(text, rest, tailFrom);
  const second = tryCandidates(rest, first.fallback);
  return second;
}

/**
 * Where the tail pass starts: the last whitespace before the final TAIL characters that follows a letter, so that no
 * number or expression (digits, spaces, operators) runs across it ("1 000" split after "1 " would read 0); 0 (the
 * whole text) when there is none.
 */
function tailStart(text: string): number {
  if (text.length <= TAIL * 2) return 0;
  for (let i = text.length - TAIL; i > 0; i--) {
    if (/\s/.test(text[i] as string) && /\p{L}/u.test(text[i - 1] as string)) return i;
  }
  return 0;
}

function tryCandidates(cands: readonly Candidate[], fallbackIn: string | null): Extraction {
  const priorities = [...new Set(cands.map((c) => c.priority))].sort((a, b) => a - b);
  let fallback = fallbackIn;
  for (const pr of priorities) {
    const group = cands.filter((c) => c.priority === pr).sort((a, b) => b.end - a.end || a.start - b.start);
    for (const c of group) {
      if (fallback === null) fallback = c.text;
      const v = produce(c.source);
      if (v) return { values: [v], fallback };
    }
  }
  return { values: [], fallback };
}

// ---- LaTeX environments ---------------------------------------------------------------------------------------

interface Env {
  readonly start: number;
  readonly end: number;
  readonly content: string;
  readonly percent: boolean;
}

const PERCENT_AFTER = /^\s*(?:\\?%|[Pp]ercentage|[Pp]ercent|[Pp]ct)/;
const FRACTION_AT = /^-?\\frac\{-?\d+(?:[.,]\d+)?\}\{-?\d+(?:[.,]\d+)?\}/;

/** All math environments, left to right, non-overlapping. */
export function findEnvs(s: string): Env[] {
  const out: Env[] = [];
  const n = s.length;
  const cache = new Map<string, number>();
  // Searches start at increasing positions, so a cached hit at or after `from` is still the first one.
  const findFrom = (needle: string, from: number): number => {
    const cached = cache.get(needle);
    if (cached !== undefined && (cached === -1 || cached >= from)) return cached;
    const at = s.indexOf(needle, from);
    cache.set(needle, at);
    return at;
  };
  let nextNewline = -2;
  const newlineAfter = (i: number): number => {
    if (nextNewline === -2 || (nextNewline !== -1 && nextNewline < i)) nextNewline = s.indexOf('\n', i);
    return nextNewline;
  };
  const push = (start: number, contentStart: number, contentEnd: number, end: number): number => {
    const m = PERCENT_AFTER.exec(s.slice(end, end + 12));
    const fullEnd = m ? end + m[0].length : end;
    out.push({ start, end: fullEnd, content: s.slice(contentStart, contentEnd), percent: m !== null });
    return fullEnd;
  };
  let i = 0;
  while (i < n) {
    const c = s.charCodeAt(i);
    const escaped = i > 0 && s.charCodeAt(i - 1) === 92;
    if (c === 36 /* $ */ && !escaped) {
      if (s.charCodeAt(i + 1) === 36) {
        const close = findFrom('$$', i + 2);
        if (close > i + 2) {
          i = push(i, i + 2, close, close + 2);
          continue;
        }
        i += 2;
        continue;
      }
      const prevDigit = i > 0 && s.charCodeAt(i - 1) >= 48 && s.charCodeAt(i - 1) <= 57;
      if (!prevDigit) {
        let j = i + 1;
        let close = -1;
        for (;;) {
          j = findFrom('$', j);
          if (j < 0) break;
          if (s.charCodeAt(j - 1) === 92) {
            j++;
            continue;
          }
          close = j;
          break;
        }
        const nl = newlineAfter(i + 1);
        if (close > i + 1 && (nl < 0 || nl > close)) {
          i = push(i, i + 1, close, close + 1);
          continue;
        }
      }
      i++;
      continue;
    }
    if (c === 92 /* \ */ && !escaped) {
      const d = s[i + 1];
      if (d === '[') {
        const close = findFrom('\\]', i + 2);
        if (close > i + 2) {
          i = push(i, i + 2, close, close + 2);
          continue;
        }
      } else if (d === '(') {
        const close = findFrom('\\)', i + 2);
        const nl = newlineAfter(i + 2);
        if (close > i + 2 && (nl < 0 || nl > close)) {
          i = push(i, i + 2, close, close + 2);
          continue;
        }
      } else if (d === 'f' && s.startsWith('\\frac{', i)) {
        const m = FRACTION_AT.exec(s.slice(i, i + 64));
        if (m) {
          i = push(i, i, i + m[0].length, i + m[0].length);
          continue;
        }
      }
      i++;
      continue;
    }
    if (c === 45 /* - */ && s.startsWith('\\frac{', i + 1)) {
      const m = FRACTION_AT.exec(s.slice(i, i + 64));
      if (m) {
        i = push(i, i, i + m[0].length, i + m[0].length);
        continue;
      }
    }
    if (c === 91 /* [ */ && i > 0 && /\s/.test(s[i - 1])) {
      let j = i + 1;
      while (j < n && s[j] !== ']' && s[j] !== '[' && s[j] !== '\n') j++;
      if (j < n && s[j] === ']' && j > i + 1 && (j + 1 >= n ? false : /\s/.test(s[j + 1]))) {
        i = push(i, i + 1, j, j + 1);
        continue;
      }
    }
    i++;
  }
  return out;
}

const JOIN_GAP = /^\s*(?:,?\s*and|,?\s*or|,)\s*$/;

/** Chains of environments joined by and/or/comma (at most 6), each chain one candidate answer. */
function envChains(s: string, envs: readonly Env[]): Env[][] {
  const chains: Env[][] = [];
  for (const env of envs) {
    const last = chains.at(-1);
    const prev = last?.at(-1);
    if (last && prev && last.length < 6 && JOIN_GAP.test(s.slice(prev.end, env.start))) last.push(env);
    else chains.push([env]);
  }
  return chains;
}

function parseEnvContent(env: Env): Expr | null {
  const inner = lastBoxedContent(env.content) ?? env.content;
  const v = parseWithLastEquation(inner);
  if (!v) return null;
  return env.percent ? { kind: 'div', num: v, den: num(100) } : v;
}

/** Parse; when that fails and the text is a chain `a = b = c` without commas, parse just its last part. */
export function parseWithLastEquation(latex: string): Expr | null {
  const v = parseBounded(latex);
  if (v) return v;
  if (!latex.includes(',') && !latex.includes(';')) {
    const parts = latex.split(/(?<![\\<>!])=/);
    if (parts.length > 2) return parseBounded(parts[parts.length - 1]);
  }
  return null;
}

function chainValue(chain: readonly Env[]): Expr | null {
  const vals: Expr[] = [];
  for (const env of chain) {
    const v = parseEnvContent(env);
    if (!v) return chain.length === 1 ? null : null;
    vals.push(v);
  }
  if (vals.length === 1) return vals[0];
  return { kind: 'set', items: vals.flatMap((v) => (v.kind === 'set' ? v.items : [v])) };
}

/** Case-insensitive spelling of a word without the `i` flag (which would also loosen the choice letters). */
function ci(word: string): string {
  return [...word].map((ch) => (/[a-z]/i.test(ch) ? `[${ch.toLowerCase()}${ch.toUpperCase()}]` : ch)).join('');
}

const ANSWER_WORD = `(?:${['answer', 'réponse', 'reponse', 'respuesta', 'antwort', 'risposta', 'resposta'].map(ci).join('|')}|ответ|答案|回答|उत्तर|الإجابة)`;
const FINAL_ANSWER = ci('final answer');
const FINAL_IS_HOPE = new RegExp(`${FINAL_ANSWER} ${ci('is')}:?\\s*$`);

const FINAL_JUST_IS = new RegExp(`${FINAL_ANSWER}[\\s\\S]{0,100}?\\s+${ci('is')}:?\\s*$`);
const ANSWER_COLON_BEFORE = new RegExp(`${ANSWER_WORD}:[\\s\\S]{0,50}$`);
const ANSWER_BEFORE = new RegExp(`${ANSWER_WORD}[\\s\\S]{0,50}$`);

function latexCandidates(s: string, boxedPriority: number, out: Candidate[]): void {
  const envs = findEnvs(s);
  const chains = envChains(s, envs);
  for (const chain of chains) {
    const start = chain[0].start;
    const end = chain[chain.length - 1].end;
    const text = chain.map((e) => e.content).join(' and ');
    const source: Source = { from: 'chain', chain };
    out.push({ priority: 300, start, end, source, text });
    const before = s.slice(Math.max(0, start - 160), start);
    const after = s.slice(end, end + 10);
    if (FINAL_IS_HOPE.test(before) && /^\.?\s?I hope/.test(after)) out.push({ priority: 0, start, end, source, text });
    if (FINAL_JUST_IS.test(before)) out.push({ priority: 50, start, end, source, text });
    if (ANSWER_COLON_BEFORE.test(before.slice(-60))) out.push({ priority: 100, start, end, source, text });
    else if (ANSWER_BEFORE.test(before.slice(-70))) out.push({ priority: 200, start, end, source, text });
  }
  if (boxedPriority >= 0) boxedCandidates(s, boxedPriority, out);
}

// ---- \boxed{} -------------------------------------------------------------------------------------------------

interface Boxed {
  readonly start: number;
  readonly end: number;
  readonly content: string;
}

/** Every `\boxed{...}` / `\fbox{...}` with balanced braces; an unclosed one ends the scan. */
export function findBoxed(s: string): Boxed[] {
  const out: Boxed[] = [];
  let from = 0;
  for (;;) {
    const a = s.indexOf('\\boxed', from);
    const b = s.indexOf('\\fbox', from);
    const at = a < 0 ? b : b < 0 ? a : Math.min(a, b);
    if (at < 0) return out;
    let i = at + (at === a ? 6 : 5);
    while (s[i] === ' ') i++;
    if (s[i] !== '{') {
      from = i;
      continue;
    }
    let depth = 0;
    let close = -1;
    for (let j = i; j < s.length; j++) {
      const ch = s.charCodeAt(j);
      if (ch === 92) {
        j++;
        continue;
      }
      if (ch === 123) depth++;
      else if (ch === 125) {
        depth--;
        if (depth === 0) {
          close = j;
          break;
        }
      }
    }
    if (close < 0) return out;
    out.push({ start: at, end: close + 1, content: s.slice(i + 1, close) });
    from = close + 1;
  }
}

function lastBoxedContent(s: string): string | null {
  if (!s.includes('\\boxed') && !s.includes('\\fbox')) return null;
  const all = findBoxed(s);
  return all.length
    ? joinedBoxes(s, all)
        .map((b) => b.content)
        .join(',')
    : null;
}

/** The last box and the boxes before it that a short "and"/"or" phrase (or only punctuation) joins to it. */
function joinedBoxes(s: string, boxes: readonly Boxed[]): Boxed[] {
  const picked = [boxes[boxes.length - 1]];
  for (let k = boxes.length - 2; k >= 0; k--) {
    const gap = s.slice(boxes[k].end, picked[0].start);
    if (!boxGapJoins(gap)) break;
    picked.unshift(boxes[k]);
  }
  return picked;
}

function boxGapJoins(gap: string): boolean {
  if (gap.length > 80) return false;
  const plain = gap
    .replace(/\\(?:text|mbox|textnormal)\s*\{([^{}]*)\}/g, ' $1 ')
    .replace(/\\[()[\]]|\$|\\q?quad|\\[,;!: ]/g, ' ');
  if (!/[\p{L}\p{N}]/u.test(plain)) return true;
  const words = plain.match(/[\p{L}\p{N}_]+/gu) ?? [];
  return words.length <= 4 && words.some((w) => /^(?:and|or)$/i.test(w));
}

function boxedCandidates(s: string, priority: number, out: Candidate[]): void {
  const boxes = findBoxed(s);
  if (boxes.length === 0) return;
  const joined = joinedBoxes(s, boxes);
  const text = joined.map((b) => b.content).join(',');
  const start = joined[0].start;
  const end = joined[joined.length - 1].end;
  const pct = PERCENT_AFTER.exec(s.slice(end, end + 12).replace(/^\s*\$/, ''));
  out.push({ priority, start, end, text, source: { from: 'boxed', boxes: joined, percent: pct !== null } });
}

function boxedValue(boxes: readonly Boxed[], percent: boolean): Expr | null {
  const vals: Expr[] = [];
  for (const b of boxes) {
    const v = parseWithLastEquation(b.content);
    if (!v) return null;
    vals.push(v);
  }
  const v: Expr =
    vals.length === 1 ? vals[0] : { kind: 'set', items: vals.flatMap((x) => (x.kind === 'set' ? x.items : [x])) };
  return percent ? { kind: 'div', num: v, den: num(100) } : v;
}

// ---- plain expressions and numbers ------------------------------------------------------------------------------

const NUMBER = String.raw`(?<!\d)(?:(?<i1>-?[1-9]\d{0,2}(?:[ ,]\d{3})+)(?<d1>\.\d+)?|(?<i2>-?\d+)(?<d2>[.,]\d+)|(?<d3>\.\d+)|(?<i3>-?\d+))(?<pct>\s*(?:%|[Pp]ercent|\s*[Pp]ercentage|\s*[Pp]ct))?`;
const OPS = String.raw`+\-*×/^()÷`;
const EXPR_CHARS = String.raw`[\d.\s${OPS}]`;
const EXPR = String.raw`(?<expr>-?\(?-?\d${EXPR_CHARS}*[${OPS}]${EXPR_CHARS}+\)?)`;
const CJK = String.raw`\u3000-\u30ff\u4e00-\u9fff\uff00-\uffef`;
const PREFIX = String.raw`(?:^|[\s=]|(?<=[${CJK}]))(?:\*\*)?`;
const SUFFIX = String.raw`(?:\*\*)?(?:[.,:\s)$]|$|(?=[${CJK}]))`;
const CURRENCY = '[$€£¥₹₽₪₩₫฿]?';
const EXPR_OR_NUMBER = `(?:${PREFIX}${EXPR}${SUFFIX}|${PREFIX}${CURRENCY}${NUMBER})`;

const FINAL_EXPR_RES: readonly [RegExp, number][] = [
  [new RegExp(String.raw`${FINAL_ANSWER} ${ci('is')}:?\s*${EXPR_OR_NUMBER}\.?\s?I hope`, 'g'), 0],
  [new RegExp(String.raw`${FINAL_ANSWER}.{0,100}?\s+${ci('is')}:?${EXPR_OR_NUMBER}`, 'g'), 50],
];
const ANSWER_EXPR_RES: readonly [RegExp, number][] = [
  [new RegExp(String.raw`${ANSWER_WORD}:(?:.{0,100}=\s*|.{0,50}?)${EXPR_OR_NUMBER}(?!\s*=)`, 'g'), 100],
  [new RegExp(String.raw`${ANSWER_WORD}(?:.{0,100}=\s*|.{0,50}?)${EXPR_OR_NUMBER}(?!\s*=)`, 'g'), 200],
];
const PLAIN_EXPR_RES: readonly [RegExp, number][] = [
  [new RegExp(`${PREFIX}${EXPR}${SUFFIX}`, 'g'), 300],
  [new RegExp(`${PREFIX}${CURRENCY}${NUMBER}`, 'g'), 300],
];
/** Cheap pre-checks: the anchored patterns can only match where their anchor words occur. */
const HAS_FINAL = /final answer/i;
const HAS_ANSWER_WORD = /answer|r[ée]ponse|respuesta|antwort|risposta|resposta|ответ|答案|回答|उत्तर|الإجابة/i;
const HAS_OPERATOR = /[+\-*×/^()÷]/;

/** Expression-character runs longer than this keep only their tail (answers end text; this bounds regex work). */
const MAX_EXPR_RUN = 400;
const EXPR_RUN = /[\d.\s+\-*×/^()÷]{401,}/g;

/** A long run of digits, spaces and operators makes the expression regex backtrack quadratically; blank out all
 * but the tail of such runs (same length, so positions hold). */
function tameRuns(text: string): string {
  if (text.length <= MAX_EXPR_RUN) return text;
  return text.replace(EXPR_RUN, (run) => '\u0001'.repeat(run.length - MAX_EXPR_RUN) + run.slice(-MAX_EXPR_RUN));
}

function exprCandidates(text: string, out: Candidate[], plainFrom: number): void {
  const s = tameRuns(text);
  if (HAS_FINAL.test(s)) collect(s, FINAL_EXPR_RES, 0, out);
  if (HAS_ANSWER_WORD.test(s)) collect(s, ANSWER_EXPR_RES, 0, out);
  collect(s, HAS_OPERATOR.test(s) ? PLAIN_EXPR_RES : PLAIN_EXPR_RES.slice(1), plainFrom, out);
}

/** The plain patterns over the text before `until` (the part the tail pass skipped). */
function exprHeadCandidates(text: string, out: Candidate[], until: number): void {
  const s = tameRuns(text.slice(0, until));
  collect(s, PLAIN_EXPR_RES, 0, out);
}

function collect(s: string, res: readonly [RegExp, number][], from: number, out: Candidate[]): void {
  for (const [re, priority] of res) {
    re.lastIndex = from;
    for (let m = re.exec(s); m !== null; m = re.exec(s)) {
      if (m[0].length === 0) re.lastIndex++;
      const g = m.groups ?? {};
      const start = m.index;
      const end = start + m[0].length;
      const text = g.expr ?? `${g.i1 ?? g.i2 ?? g.i3 ?? ''}${g.d1 ?? g.d2 ?? g.d3 ?? ''}`;
      out.push({ priority, start, end, text, source: { from: 'expr', groups: g } });
    }
  }
}

function exprValue(g: Record<string, string | undefined>): Expr | null {
  const integer = g.i1 ?? g.i2 ?? g.i3;
  const decimal = g.d1 ?? g.d2 ?? g.d3;
  if (integer !== undefined || decimal !== undefined) {
    let int = (integer ?? '').replace(/[, ]/g, '');
    const negative = int.startsWith('-');
    int = int.replace(/^-/, '').replace(/^0+/, '');
    if (int === '') int = '0';
    const dec = (decimal ?? '').replace(',', '.');
    const text = `${int}${dec}`;
    let v: Expr = num(Number(text), text, dec !== '');
    if (negative) v = { kind: 'neg', arg: v };
    if (g.pct) v = { kind: 'div', num: v, den: num(100) };
    return v;
  }
  if (g.expr) return parseBounded(g.expr.replace(/\n/g, ' '));
  return null;
}

// ---- choice letters (and words such as yes/no) ------------------------------------------------------------------

const letterRegexCache = new Map<string, readonly [RegExp, number][]>();

function letterRegexes(letters: readonly string[]): readonly [RegExp, number][] {
  const cacheKey = letters.join('\u0000');
  const cached = letterRegexCache.get(cacheKey);
  if (cached) return cached;
  const keys = letters.map((l) => l.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
  const word = letters.some((l) => l.length > 1);
  const flags = word ? 'gi' : 'g';
  const once = word ? 'i' : '';
  const key = String.raw`\(?(?<key>${keys})\)?`;
  const suffix = String.raw`(?:\*\*)?(?:[.,:;!?)\s。，：！？、]|$|(?=[^\x00-\x7F]))`;
  const anchored = String.raw`(?:^|\s|option\s|choice\s)(?:\*\*)?${key}${suffix}`;
  const res: [RegExp, number][] = [
    [new RegExp(String.raw`${FINAL_ANSWER} ${ci('is')}:?\s*${key}\.?\s?I hope`, flags), 0],
    [new RegExp(String.raw`${FINAL_ANSWER}.{0,100}?\s+${ci('is')}:?\s*${key}`, flags), 50],
    [new RegExp(`${ANSWER_WORD}:.{0,50}?${anchored}`, flags), 100],
    [new RegExp(`${ANSWER_WORD}.{0,50}?${anchored}`, flags), 200],
    [new RegExp(String.raw`^\s*(?:\*\*)?${key}${suffix}`, once), 250],
    [new RegExp(anchored, flags), 300],
  ];
  if (letterRegexCache.size > 64) letterRegexCache.clear();
  letterRegexCache.set(cacheKey, res);
  return res;
}

function letterCandidates(s: string, letters: readonly string[], out: Candidate[]): void {
  if (letters.length === 0) return;
  const word = letters.some((l) => l.length > 1);
  for (const [re, priority] of letterRegexes(letters)) {
    re.lastIndex = 0;
    const iter = re.global ? s.matchAll(re) : [re.exec(s)].filter((m): m is RegExpExecArray => m !== null);
    for (const m of iter) {
      const k = m.groups?.key;
      if (!k) continue;
      const start = m.index;
      const end = start + m[0].length;
      out.push({ priority, start, end, text: k, source: { from: 'letter', key: k, word } });
    }
  }
}
