import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { DataError } from '../../core/index.ts';
import { Problem } from '../types.ts';

/**
 * MathVerse (ZrrSkywalker/MathVerse) testmini: a JSON list of records { sample_index, problem_index, problem_version,
 * question, image, answer, question_type (multi-choice / free-form), metadata { split, source, subject, subfield },
 * query_wo, query_cot }. Output files are the same list with `model_answer` (the response) added, and after the
 * official two steps `extraction` and `judgement`. Each version of a problem is its own record.
 */

export const MathVerseRecord = z
  .object({
    sample_index: z.union([z.string(), z.number()]).transform(String),
    problem_index: z.union([z.string(), z.number()]).transform(String),
    problem_version: z.string(),
    question: z.string(),
    image: z.string().default(''),
    answer: z.string(),
    question_type: z.string(),
    metadata: z
      .object({ split: z.string().optional(), source: z.string(), subject: z.string(), subfield: z.string() })
      .loose(),
    query_wo: z.string(),
    query_cot: z.string(),
    model_answer: z.string().optional(),
    extraction: z.string().optional(),
    judgement: z.union([z.number(), z.string()]).optional(),
  })
  .loose();
export type MathVerseRecord = z.infer<typeof MathVerseRecord>;

export async function readMathVerseFile(file: string): Promise<MathVerseRecord[]> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (cause) {
    throw new DataError(file, `cannot read MathVerse JSON: ${(cause as Error).message}`, { cause });
  }
  if (!Array.isArray(raw)) throw new DataError(file, 'expected a JSON list of MathVerse records');
  return raw.map((value, i) => {
    const parsed = MathVerseRecord.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new DataError(file, `MathVerse record #${i} is malformed: ${issue?.message ?? 'invalid'}`, {
        field: [String(i), ...(issue?.path.map(String) ?? [])].join('.'),
      });
    }
    return parsed.data;
  });
}

/** One record -> a Problem (id = sample_index; the image path stays relative to the dataset file's folder). */
export function mathVerseToProblem(record: MathVerseRecord): Problem {
  const isChoice = record.question_type === 'multi-choice';
  const image = record.image || null;
  const { model_answer: _m, extraction: _e, judgement: _j, ...official } = record;
  return Problem.parse({
    id: record.sample_index,
    question: record.question,
    images: image ? [image] : [],
    choices: null,
    answer: record.answer,
    answerType: isChoice ? 'choice' : /^-?\d+(\.\d+)?$/.test(record.answer) ? 'number' : 'text',
    source: record.metadata.source,
    metadata: { benchmark: 'mathverse', ...official },
  });
}

export async function loadMathVerse(file: string): Promise<Problem[]> {
  const records = await readMathVerseFile(file);
  return records.map((r) => mathVerseToProblem(r));
}

export function mathVerseRecordOf(problem: Problem): MathVerseRecord {
  if (problem.metadata.benchmark !== 'mathverse') {
    throw new DataError(problem.id, 'problem does not carry MathVerse metadata (load it with loadMathVerse)');
  }
  return MathVerseRecord.parse(problem.metadata);
}
