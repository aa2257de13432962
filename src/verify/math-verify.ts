import { CHOICE_LETTERS, choiceIndex } from '../core/index.ts';
import { extractAnswerTag } from './answer-tag.ts';
import { type CompareOptions, equivalent } from './compare.ts';
import { type Expr, show } from './expr.ts';
import { type ExtractionConfig, type ExtractionTarget, extractAnswer } from './extract.ts';
import { ParseTimeout, parseMath } from './parse-math.ts';

/**
 * `verifyAnswer(gold, prediction)`: the general verifier, with the semantics of HF Math-Verify. The prediction's
 * answer is extracted in priority order (the first `<answer>` tag, the last `\boxed{}`, "final answer is",
 * "answer:", the last math expression; choice letters and yes/no where the gold is one), both sides are parsed into
 * values, and the values are compared (see compare.ts). It never throws on its inputs; a pathological input is cut
 * off by the time budget (`reason: 'timeout'`).
 */
export type VerifyReason = 'match' | 'mismatch' | 'no-answer' | 'unparseable' | 'timeout';

export interface VerifyResult {
  readonly correct: boolean;
  /** The gold value as understood (rendered), or the raw gold when it could not be parsed. */
  readonly gold: string;
  /** The answer taken from the prediction (rendered value, or the raw text that failed to parse); null if none. */
  readonly extracted: string | null;
  readonly reason: VerifyReason;
}

export interface VerifyOptions {
  /** Option texts of a multiple-choice problem, in letter order: gold/predicted option text maps to its letter. */
  readonly choices?: readonly string[];
  /** Time budget for the whole verification, in milliseconds (default 2000). */
  readonly timeoutMs?: number;
  /**
   * Extraction targets for both sides, as in Math-Verify's `extraction_config`. Default: the gold is parsed as a
   * whole when it is a bare answer, the prediction tries the answer tag, then LaTeX and expressions (and letters or
   * yes/no when the gold is one).
   */
  readonly extraction?: readonly ExtractionTarget[];
  /** Priority of `\boxed{}` among extraction patterns (Math-Verify: 50; default here 0 = boxed first). */
  readonly boxedPriority?: number;
  /** Decimal places floats are rounded to before comparing (Math-Verify default 6). */
  readonly floatRounding?: number;
  /** When false, variable names may differ. Default true. */
  readonly strict?: boolean;
  /** Let a predicted `a <= x <= b` match a gold `x \in [a, b]`. Default false. */
  readonly allowSetRelationComp?: boolean;
  /** Read the first `<answer>...</answer>` of the prediction first (default true). */
  readonly answerTag?: boolean;
}

/** The option letters the verifier reads: A-H, as Math-Verify's letter targets. */
const LETTERS = CHOICE_LETTERS.slice(0, 8).split('');

export function verifyAnswer(gold: string, prediction: string, opts: VerifyOptions = {}): VerifyResult {
  const deadline = performance.now() + (opts.timeoutMs ?? 2000);
  try {
    return verifyInner(gold, prediction, opts, deadline);
  } catch (err) {
    if (err instanceof ParseTimeout) return { correct: false, gold, extracted: null, reason: 'timeout' };
    if (err instanceof RangeError) return { correct: false, gold, extracted: null, reason: 'unparseable' };
    throw err;
  }
}

function verifyInner(gold: string, prediction: string, opts: VerifyOptions, deadline: number): VerifyResult {
  const choices = opts.choices ?? [];
  const goldLetter = choiceLetter(gold, choices);
  const goldYesNo = yesNo(gold);
  const compare: CompareOptions = {
    floatRounding: opts.floatRounding ?? 6,
    strict: opts.strict ?? true,
    allowSetRelationComp: opts.allowSetRelationComp ?? false,
    deadline,
  };

  // ---- the gold side
  let goldValues: Expr[];
  let goldText: string | null;
  if (goldLetter) {
    goldValues = [{ kind: 'text', text: goldLetter }];
    goldText = goldLetter;
  } else if (goldYesNo) {
    goldValues = [{ kind: 'text', text: goldYesNo }];
    goldText = goldYesNo;
  } else if (opts.extraction) {
    const ex = extractAnswer(gold, config(opts.extraction, opts, LETTERS, deadline));
    goldValues = [...ex.values];
    goldText = ex.fallback;
  } else {
    const direct = looksBare(gold) ? parseMath(gold, { deadline }) : null;
    if (direct) {
      goldValues = [direct];
      goldText = gold.trim();
    } else {
      const ex = extractAnswer(gold, config(['latex', 'expr'], opts, LETTERS, deadline));
      goldValues = [...ex.values];
      goldText = ex.fallback ?? gold.trim();
    }
  }

  // ---- the prediction side (unicode minus signs are minus signs)
  let text = prediction.replace(/[\u2212\uFE63\uFF0D]/g, '-');
  if (opts.answerTag !== false) {
    const tag = extractAnswerTag(text);
    if (tag !== null) text = tag;
  }
  let predValues: Expr[] = [];
  let predText: string | null = null;
  if (goldLetter || goldYesNo) {
    const letters = goldLetter
      ? LETTERS.slice(0, Math.max(choices.length, 4, choiceIndex(goldLetter) + 1))
      : ['yes', 'no'];
    const mapped = goldLetter ? optionTextLetter(text, choices) : null;
    const ex = mapped ? null : extractAnswer(text, config(['letters'], opts, letters, deadline));
    const mentioned = goldLetter && ex && ex.values.length === 0 ? lastMentionedOption(text, choices) : null;
    const letter = mapped ?? mentioned;
    if (letter) {
      predValues = [{ kind: 'text', text: letter }];
      predText = letter;
    } else if (ex) {
      predValues = [...ex.values];
      predText = ex.fallback;
    }
  } else {
    // A tagged answer (or a short bare prediction) is the answer itself: parse it whole first.
    const tagged = text !== prediction;
    const bare = !opts.extraction && looksBare(text);
    const direct = bare && tagged ? parseMath(text, { deadline }) : null;
    if (direct) {
      predValues = [direct];
      predText = text.trim();
    } else {
      const targets = opts.extraction ?? ['latex', 'expr'];
      const ex = extractAnswer(text, config(targets, opts, LETTERS, deadline));
      predValues = [...ex.values];
      predText = ex.fallback;
      if (predValues.length === 0 && bare && !tagged) {
        const whole = parseMath(text, { deadline });
        if (whole) predValues = [whole];
        predText = text.trim();
      }
    }
  }

  const goldShown = goldValues.length ? show(goldValues[0]) : (goldText ?? gold);
  if (predValues.length === 0 && predText === null) {
    return { correct: false, gold: goldShown, extracted: null, reason: 'no-answer' };
  }
  for (const g of goldValues) {
    for (const p of predValues) {
      if (equivalent(g, p, compare)) return { correct: true, gold: goldShown, extracted: show(p), reason: 'match' };
    }
  }
  // both sides only as strings: equal strings still match (Math-Verify compares its fallback strings too)
  if (goldText !== null && predText !== null && goldText.trim() === predText.trim()) {
    return { correct: true, gold: goldShown, extracted: predText, reason: 'match' };
  }
  if (goldValues.length === 0 || predValues.length === 0) {
    return {
      correct: false,
      gold: goldShown,
      extracted: predValues.length ? show(predValues[0]) : predText,
      reason: 'unparseable',
    };
  }
  return { correct: false, gold: goldShown, extracted: show(predValues[0]), reason: 'mismatch' };
}

function config(
  targets: readonly ExtractionTarget[],
  opts: VerifyOptions,
  letters: readonly string[],
  deadline: number,
): ExtractionConfig {
  return { targets, boxedPriority: opts.boxedPriority ?? 0, letters, deadline };
}

/** A gold that is just an answer (no prose, no math delimiters): parse it whole. */
function looksBare(s: string): boolean {
  const t = s.trim();
  if (t.length === 0 || t.length > 300) return false;
  if (/\$|\\\(|\\\[|\\boxed/.test(t.replace(/\\\$/g, ''))) return false;
  return !/[a-zA-Z]{2,}\s+[a-zA-Z]{2,}\s+[a-zA-Z]{2,}/.test(t.replace(/\\[a-zA-Z]+/g, ''));
}

/** The gold as a choice letter: "B", "(B)", "B.", or an option's text when choices are given. */
function choiceLetter(gold: string, choices: readonly string[]): string | null {
  const t = gold.trim();
  const m = /^\(?([A-Ha-h])\)?\.?$/.exec(t);
  if (m && (choices.length === 0 || choiceIndex(m[1].toUpperCase()) < choices.length)) {
    if (/[a-h]/.test(m[1]) && choices.length === 0 && !t.startsWith('(')) return null;
    return m[1].toUpperCase();
  }
  if (choices.length > 0) {
    const k = choices.findIndex((c) => normText(c) === normText(t));
    if (k >= 0 && k < LETTERS.length) return LETTERS[k];
  }
  return null;
}

/** A prediction that states an option's text (not its letter). */
function optionTextLetter(text: string, choices: readonly string[]): string | null {
  if (choices.length === 0) return null;
  const t = normText(text.replace(/^(?:the )?(?:final )?answer(?: is)?:?/i, ''));
  const k = choices.findIndex((c) => normText(c) === t);
  return k >= 0 && k < LETTERS.length ? LETTERS[k] : null;
}

/** The option whose text the prediction mentions last (as whole words), for answers like "I pick green". */
function lastMentionedOption(text: string, choices: readonly string[]): string | null {
  const t = ` ${normText(text).replace(/[^\p{L}\p{N}.\s-]/gu, ' ')} `;
  let best = -1;
  let bestAt = -1;
  choices.forEach((c, k) => {
    const needle = normText(c);
    if (needle.length === 0 || k >= LETTERS.length) return;
    const at = t.lastIndexOf(` ${needle} `);
    if (at > bestAt) {
      bestAt = at;
      best = k;
    }
  });
  return best >= 0 ? LETTERS[best] : null;
}

function normText(s: string): string {
  return s
    .toLowerCase()
    .replace(/\$|\\text\{([^}]*)\}/g, '$1')
    .replace(/[\s.]+/g, ' ')
    .trim();
}

function yesNo(gold: string): 'yes' | 'no' | null {
  const t = gold.trim().toLowerCase().replace(/[.!]$/, '');
  return t === 'yes' || t === 'no' ? t : null;
}
