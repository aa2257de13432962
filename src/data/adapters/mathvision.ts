import { z } from 'zod';
import { DataError } from '../../core/index.ts';
import { readJsonlAll } from '../jsonl.ts';
import { Problem } from '../types.ts';

/**
 * MATH-Vision (mathllm/MATH-V): `test.jsonl` / `testmini.jsonl`, one problem per line
 * { id, question, options (0 or 5), image, answer, solution, level 1-5, subject }; images relative to the file's
 * folder (`images/<id>.jpg`). Stored outputs are JSONL { id, model, response, model_answer, correct }.
 */

export const MathVisionRecord = z
  .object({
    id: z.union([z.string(), z.number()]).transform(String),
    question: z.string(),
    options: z.array(z.string()).default([]),
    image: z.string().nullable().optional(),
    answer: z.union([z.string(), z.number()]).transform(String),
    solution: z.string().nullable().optional(),
    level: z.number().int(),
    subject: z.string(),
  })
  .loose();
export type MathVisionRecord = z.infer<typeof MathVisionRecord>;

export const MathVisionOutput = z
  .object({
    id: z.union([z.string(), z.number()]).transform(String),
    model: z.string().optional(),
    response: z.string().nullable().optional(),
    model_answer: z.string().optional(),
    correct: z.boolean().optional(),
  })
  .loose();
export type MathVisionOutput = z.infer<typeof MathVisionOutput>;

/** Reads a JSONL file through `schema` (the data folder's reader: errors name file:line and the field). */
export async function readJsonlFile<S extends z.ZodType>(file: string, schema: S): Promise<z.output<S>[]> {
  return (await readJsonlAll(file, schema)).records;
}

/** One MATH-V record -> a Problem (its image path stays relative to the dataset file's folder). */
export function mathVisionToProblem(record: MathVisionRecord): Problem {
  const isChoice = record.options.length > 0;
  const image = record.image ?? null;
  return Problem.parse({
    id: record.id,
    question: record.question,
    images: image ? [image] : [],
    choices: isChoice ? record.options : null,
    answer: record.answer,
    answerType: isChoice ? 'choice' : /^-?\d+(\.\d+)?$/.test(record.answer) ? 'number' : 'text',
    source: record.subject,
    metadata: {
      benchmark: 'mathvision',
      id: record.id,
      options: record.options,
      level: record.level,
      subject: record.subject,
      solution: record.solution ?? null,
      image: record.image ?? null,
    },
  });
}

export async function loadMathVision(file: string): Promise<Problem[]> {
  const records = await readJsonlFile(file, MathVisionRecord);
  return records.map((r) => mathVisionToProblem(r));
}

/** Reads back the official record from a Problem made by `mathVisionToProblem`. */
export function mathVisionRecordOf(problem: Problem): MathVisionRecord {
  const m = problem.metadata;
  if (m.benchmark !== 'mathvision') {
    throw new DataError(problem.id, 'problem does not carry MATH-Vision metadata (load it with loadMathVision)');
  }
  return MathVisionRecord.parse({ ...m, id: problem.id, question: problem.question, answer: problem.answer });
}
