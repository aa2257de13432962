import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { choiceLetter, DataError } from '../../core/index.ts';
import { Problem } from '../types.ts';

/**
 * MathVista (lupantech/MathVista) testmini: `testmini.json` is a dict pid -> record, `query.json` a dict pid -> the
 * official zero-shot prompt. Stored model outputs (`output_*.json`) are the same dict with `response`, `extraction`,
 * `prediction` and `true_false` added. The official fields stay snake_case here (the wire format) and are kept whole
 * in `Problem.metadata` so the official scorer can run from a Problem alone.
 */

export const MathVistaMeta = z
  .object({
    split: z.string().optional(),
    language: z.string(),
    source: z.string(),
    category: z.string(),
    task: z.string(),
    context: z.string(),
    grade: z.string(),
    skills: z.array(z.string()),
    img_width: z.number().optional(),
    img_height: z.number().optional(),
  })
  .loose();
export type MathVistaMeta = z.infer<typeof MathVistaMeta>;

export const MathVistaRecord = z
  .object({
    pid: z.string(),
    question: z.string(),
    image: z.string().nullable().optional(),
    choices: z.array(z.string()).nullable(),
    unit: z.string().nullable().optional(),
    precision: z.number().int().nullable().optional(),
    answer: z.string(),
    question_type: z.enum(['multi_choice', 'free_form']),
    answer_type: z.enum(['text', 'integer', 'float', 'list']),
    metadata: MathVistaMeta,
    query: z.string().optional(),
    // Present in stored output files only.
    response: z.string().nullable().optional(),
    extraction: z.unknown().optional(),
    prediction: z.unknown().optional(),
    true_false: z.boolean().optional(),
  })
  .loose();
export type MathVistaRecord = z.infer<typeof MathVistaRecord>;

/** A dict pid -> record, as testmini.json and output_*.json hold. Each record is validated; errors name the pid. */
export function parseMathVistaRecords(file: string, raw: unknown): MathVistaRecord[] {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new DataError(file, 'expected a JSON object mapping pid -> problem (MathVista testmini / output format)');
  }
  const out: MathVistaRecord[] = [];
  for (const [pid, value] of Object.entries(raw)) {
    const parsed = MathVistaRecord.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = issue ? [pid, ...issue.path.map(String)].join('.') : pid;
      throw new DataError(file, `MathVista record '${pid}' is malformed: ${issue?.message ?? 'invalid'}`, { field });
    }
    out.push(parsed.data);
  }
  return out;
}

export async function readMathVistaFile(file: string): Promise<MathVistaRecord[]> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (cause) {
    throw new DataError(file, `cannot read MathVista JSON: ${(cause as Error).message}`, { cause });
  }
  return parseMathVistaRecords(file, raw);
}

/** The letter of the gold option ('A' for the first) for multiple choice; the answer itself otherwise. */
function goldLetter(record: MathVistaRecord): string {
  if (record.question_type !== 'multi_choice' || !record.choices) return record.answer;
  const index = record.choices.indexOf(record.answer);
  return (index >= 0 ? choiceLetter(index) : undefined) ?? record.answer;
}

/** One MathVista record -> a Problem; `query` is the official prompt (from query.json or the record itself). */
export function mathVistaToProblem(record: MathVistaRecord, query?: string): Problem {
  const isChoice = record.question_type === 'multi_choice';
  const answerType = isChoice
    ? 'choice'
    : record.answer_type === 'text' || record.answer_type === 'list'
      ? 'text'
      : 'number';
  const { response: _r, extraction: _e, prediction: _p, true_false: _t, ...official } = record;
  return Problem.parse({
    id: record.pid,
    question: record.question,
    images: record.image ? [record.image] : [],
    choices: record.choices ?? null,
    answer: goldLetter(record),
    answerType,
    source: record.metadata.source,
    metadata: { benchmark: 'mathvista', ...official, query: query ?? record.query ?? record.question },
  });
}

/**
 * Loads testmini.json with the prompts of query.json beside it (when present). Images are relative to the folder
 * of testmini.json (the HF dataset's `images/` folder is not shipped with the JSON).
 */
export async function loadMathVista(file: string): Promise<Problem[]> {
  const records = await readMathVistaFile(file);
  let queries: Record<string, string> = {};
  try {
    queries = JSON.parse(await readFile(join(dirname(file), 'query.json'), 'utf8')) as Record<string, string>;
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new DataError(join(dirname(file), 'query.json'), 'cannot read the MathVista query file', { cause });
    }
  }
  return records.map((r) => mathVistaToProblem(r, queries[r.pid]));
}

/** Reads back the official record from a Problem made by `mathVistaToProblem`. */
export function mathVistaRecordOf(problem: Problem): MathVistaRecord {
  const parsed = MathVistaRecord.safeParse({ ...problem.metadata, pid: problem.id });
  if (!parsed.success || problem.metadata.benchmark !== 'mathvista') {
    throw new DataError(problem.id, 'problem does not carry MathVista metadata (load it with loadMathVista)');
  }
  return parsed.data;
}
