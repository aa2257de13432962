import { mapPool } from '../../core/index.ts';
import type { MathVerseRecord } from '../../data/adapters/mathverse.ts';
import { pyFormatFixed, pyStrip } from '../python-compat.ts';
import type { TextGenerator } from '../text-generator.ts';
import type { ScoredRow } from '../types.ts';

/**
 * MathVerse scoring, the official two steps: (1) an LLM extracts the answer from the response, (2) an LLM judge says
 * whether the extraction matches the gold answer (0/1), or, with quick match, exact string equality. Offline (no
 * extractor LLM) step 1 falls back to a rule: the last \boxed{}, an <answer> tag, or the text after "answer is" /
 * "Answer:"; step 2 is then quick match. Accuracy by subject, subfield and problem version (official printout as JSON).
 */

/** Our extraction prompt (own wording and examples); the official one is pluggable with `loadPromptFile` (prompt-file.ts). */
export const MATHVERSE_EXTRACTION_PROMPT = `You pull the final answer out of a model's reply to a math question. Reply with the answer alone: an option letter for a multiple-choice question, otherwise the value or expression the reply ends with (keep units out unless they are part of the answer).

Model response: 'The two angles are supplementary, so x = 180 - 65 = 115. Among the options, 115° is C.'
Extracted Answer: C

Model response: 'Using the Pythagorean theorem, the diagonal is sqrt(6^2 + 8^2) = 10 cm.'
Extracted Answer: 10

Model response: 'The vertex form gives y = 2(x - 1)^2 + 3, so the function is y = 2x^2 - 4x + 5.'
Extracted Answer: y = 2x^2 - 4x + 5

Model response: 'The area equals \\frac{25\\sqrt{3}}{4} square units.'
Extracted Answer: \\frac{25\\sqrt{3}}{4}`;

/** Our judge prompt: placeholders {question}, {gt} and {extraction}, filled like Python's str.format. */
export const MATHVERSE_JUDGE_PROMPT = `Decide whether a student's extracted answer agrees with the reference answer of a math question. For a multiple-choice question they agree when they name the same option (letter or option text). For a free-form question they agree when they denote the same value or expression, allowing equivalent forms (0.5 and 1/2, units written or not). Reply with "Judgement: 1" when they agree and "Judgement: 0" when they do not.

[Question]: {question}
[Standard Answer]: {gt}
[Model_answer]: {extraction}
Judgement:`;

/** Python `str.format` with named fields: {name} -> value, {{ and }} -> literal braces. */
export function formatTemplate(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(/\{\{|\}\}|\{(\w+)\}/g, (m, name: string | undefined) => {
    if (m === '{{') return '{';
    if (m === '}}') return '}';
    return name !== undefined && name in values ? (values[name] as string) : m;
  });
}

/** The rule-based offline extraction. */
export function ruleExtractMathVerse(response: string, questionType: string): string {
  const boxed = response.lastIndexOf('\\boxed{');
  let answer: string | null = null;
  if (boxed >= 0) {
    let depth = 0;
    const start = boxed + '\\boxed{'.length;
    for (let i = start; i < response.length; i++) {
      if (response[i] === '{') depth++;
      else if (response[i] === '}') {
        if (depth === 0) {
          answer = response.slice(start, i);
          break;
        }
        depth--;
      }
    }
  }
  if (answer === null) answer = /<answer>([\s\S]*?)<\/answer>/.exec(response)?.[1] ?? null;
  if (answer === null) {
    const flagged = [...response.matchAll(/(?:answer is|answer:)\s*([^\n]*)/gi)].at(-1);
    answer = flagged?.[1] ?? pyStrip(response).split('\n').at(-1) ?? '';
  }
  answer = pyStrip(answer).replace(/\.$/, '');
  if (questionType === 'multi-choice') {
    const letter = /(?:^|[^A-Za-z])\(?([A-E])\)?(?:$|[^A-Za-z])/.exec(answer);
    if (letter) return letter[1] as string;
  }
  return answer;
}

export interface MathVerseScoreOptions {
  /** LLM answer extractor; absent = the rule extraction. */
  readonly extractor?: TextGenerator;
  readonly extractionPrompt?: string;
  /** LLM judge; absent = quick exact match. */
  readonly judge?: TextGenerator;
  readonly judgePrompt?: string;
  /** Use a record's stored `extraction` (and `judgement`) where present. */
  readonly useStoredExtraction?: boolean;
  readonly concurrency?: number;
  readonly signal?: AbortSignal;
}

export async function extractMathVerse(
  response: string,
  record: MathVerseRecord,
  options: MathVerseScoreOptions,
): Promise<string> {
  if (!options.extractor) return ruleExtractMathVerse(response, record.question_type);
  const prompt = `${(options.extractionPrompt ?? MATHVERSE_EXTRACTION_PROMPT).trim()}\n\nModel response: '${response}'\nExtracted Answer: `;
  const out = await options.extractor(prompt, options.signal);
  return pyStrip(out.replace('Extracted Answer: ', ''));
}

/** The judge's verdict; it is asked again (up to 3 times) while its reply is not 0/1, then counted wrong. */
export async function judgeMathVerse(
  extraction: string,
  record: MathVerseRecord,
  options: MathVerseScoreOptions,
): Promise<boolean> {
  if (!options.judge) return record.answer === extraction;
  const prompt = formatTemplate((options.judgePrompt ?? MATHVERSE_JUDGE_PROMPT).trim(), {
    question: record.question,
    gt: record.answer,
    extraction,
  });
  for (let attempt = 0; attempt < 3; attempt++) {
    const verdict = pyStrip((await options.judge(prompt, options.signal)).replace('Judgement:', '')).toLowerCase();
    if (verdict === '1' || verdict === 'yes') return true;
    if (verdict === '0' || verdict === 'no') return false;
  }
  return false;
}

export interface MathVerseCell {
  readonly acc: string;
  readonly correct: number;
  readonly total: number;
}

export interface MathVerseScores {
  readonly total: MathVerseCell;
  readonly subjects: Record<string, MathVerseCell & { subfields: Record<string, MathVerseCell> }>;
  readonly versions: Record<string, MathVerseCell>;
}

function cell(correct: number, total: number): MathVerseCell {
  return { acc: pyFormatFixed(total === 0 ? 0 : correct / total, 3), correct, total };
}

/** The official printout (subject -> subfield, version; "{:.3f}" ratios), as JSON. */
export function mathVerseScores(rows: readonly { record: MathVerseRecord; correct: boolean }[]): MathVerseScores {
  const bySubject = new Map<string, Map<string, [number, number]>>();
  const byVersion = new Map<string, [number, number]>();
  const bump = (c: [number, number], ok: boolean) => {
    c[0] += ok ? 1 : 0;
    c[1] += 1;
  };
  for (const { record, correct } of rows) {
    const subject = bySubject.get(record.metadata.subject) ?? new Map<string, [number, number]>();
    bySubject.set(record.metadata.subject, subject);
    const sub = subject.get(record.metadata.subfield) ?? [0, 0];
    subject.set(record.metadata.subfield, sub);
    bump(sub, correct);
    const v = byVersion.get(record.problem_version) ?? [0, 0];
    byVersion.set(record.problem_version, v);
    bump(v, correct);
  }
  const subjects: MathVerseScores['subjects'] = {};
  for (const [name, subfields] of bySubject) {
    let c = 0;
    let t = 0;
    const cells: Record<string, MathVerseCell> = {};
    for (const [sf, [sc, st]] of subfields) {
      cells[sf] = cell(sc, st);
      c += sc;
      t += st;
    }
    subjects[name] = { ...cell(c, t), subfields: cells };
  }
  const correct = rows.filter((r) => r.correct).length;
  return {
    total: cell(correct, rows.length),
    subjects,
    versions: Object.fromEntries([...byVersion].map(([k, [c, t]]) => [k, cell(c, t)])),
  };
}

/** Scores MathVerse output records (their `model_answer` is the response). */
export async function scoreMathVerse(
  records: readonly MathVerseRecord[],
  options: MathVerseScoreOptions,
): Promise<{ rows: ScoredRow[]; scores: MathVerseScores }> {
  const judged = await mapPool(
    records,
    options.concurrency ?? 8,
    async (record) => {
      const stored = options.useStoredExtraction === true;
      const extraction =
        stored && record.extraction !== undefined
          ? record.extraction
          : await extractMathVerse(record.model_answer ?? '', record, options);
      // A stored judgement (step 2 already run) is the verdict, as with the official --cache flag.
      const correct =
        stored && record.judgement !== undefined && record.extraction !== undefined
          ? Number(record.judgement) === 1
          : await judgeMathVerse(extraction, record, options);
      return { record, extraction, correct };
    },
    options.signal,
  );
  return {
    rows: judged.map((j) => ({
      id: j.record.sample_index,
      extraction: j.extraction,
      prediction: j.extraction,
      correct: j.correct,
    })),
    scores: mathVerseScores(judged),
  };
}
