import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { DataError } from '../core/index.ts';
import { mathVerseToProblem, readMathVerseFile } from '../data/adapters/mathverse.ts';
import { MathVisionOutput, MathVisionRecord, readJsonlFile } from '../data/adapters/mathvision.ts';
import { mathVistaToProblem, parseMathVistaRecords } from '../data/adapters/mathvista.ts';
import { readJsonlAll } from '../data/jsonl.ts';
import {
  BENCHMARKS,
  type BenchName,
  type BenchSource,
  mathVerseBenchScore,
  mathVisionBenchScore,
  mathVistaBenchScore,
  type ScoreContext,
} from './benchmarks.ts';
import { scoreMathVerse } from './mathverse/index.ts';
import { scoreMathVisionResponse } from './mathvision/index.ts';
import { scoreMathVista } from './mathvista/index.ts';
import { checkFileShape } from './sniff-bench.ts';
import type { BenchScore } from './types.ts';

/**
 * `vlthink score`: scores a file of existing responses. Accepted inputs:
 *   - the benchmarks' own output files: MathVista `output_*.json` (dict pid -> record with response / extraction),
 *     MathVerse output lists (records with model_answer), MATH-V `outputs/*.jsonl` ({id, response, model_answer});
 *   - any JSONL of {id, response} (e.g. `vlthink eval`'s predictions.jsonl), joined with the benchmark's problems.
 * Stored extractions are used where the official pipeline would use them (MathVista's `extraction`, MathVerse's
 * `extraction`); MATH-V re-extracts from the response, as its evaluate.py does, unless `useStored` is set.
 */

export interface ScoreFileOptions {
  readonly bench: BenchName;
  readonly file: string;
  readonly source: BenchSource;
  readonly ctx: ScoreContext;
  /** Use stored extractions / model answers (MathVista and MathVerse default to true, MATH-V to false). */
  readonly useStored?: boolean;
}

const ResponseLine = z
  .object({
    id: z.union([z.string(), z.number()]).transform(String),
    response: z.string().nullable().optional(),
    text: z.string().optional(),
  })
  .loose();

async function readJson(file: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(file, 'utf8'));
  } catch (cause) {
    throw new DataError(file, `cannot read JSON: ${(cause as Error).message}`, { cause });
  }
}

/** Joins {id, response} lines with the benchmark's problems (unknown ids are an error naming the line's id). */
async function scoreResponseLines(options: ScoreFileOptions): Promise<BenchScore> {
  const bench = BENCHMARKS[options.bench];
  const lines = (await readJsonlAll(options.file, ResponseLine)).records;
  const items = await bench.load(options.source);
  const byId = new Map(items.map((i) => [i.problem.id, i.problem]));
  const judged = lines.map((line) => {
    const problem = byId.get(line.id);
    if (!problem) {
      throw new DataError(options.file, `id '${line.id}' is not a ${bench.name} problem`, {
        field: 'id',
        hint: 'score the file with the benchmark (and --world-* settings) it was generated for',
      });
    }
    return { problem, response: line.response ?? line.text ?? '' };
  });
  return bench.score(judged, options.ctx);
}

async function scoreMathVistaFile(options: ScoreFileOptions): Promise<BenchScore> {
  if (options.file.endsWith('.jsonl')) return scoreResponseLines(options);
  const records = parseMathVistaRecords(options.file, await readJson(options.file));
  const { ctx } = options;
  if (ctx.mode === 'openvlthinker') {
    const items = records.map((r) => ({ problem: mathVistaToProblem(r), response: r.response ?? '' }));
    return BENCHMARKS.mathvista.score(items, ctx);
  }
  const { rows, scores } = await scoreMathVista(records, {
    integerRule: ctx.integerRule,
    useStoredExtraction: options.useStored ?? true,
    llm: ctx.extractor,
    demoPrompt: ctx.extractionPrompt,
    concurrency: ctx.concurrency,
    signal: ctx.signal,
  });
  // The score file as scoreMathVista made it (its rows carry the records' own metadata).
  return { ...mathVistaBenchScore(records, rows), official: scores };
}

async function scoreMathVerseFile(options: ScoreFileOptions): Promise<BenchScore> {
  if (options.file.endsWith('.jsonl')) return scoreResponseLines(options);
  const records = await readMathVerseFile(options.file);
  const { ctx } = options;
  if (ctx.mode === 'openvlthinker') {
    const items = records.map((r) => ({ problem: mathVerseToProblem(r), response: r.model_answer ?? '' }));
    return BENCHMARKS.mathverse.score(items, ctx);
  }
  const { rows } = await scoreMathVerse(records, {
    extractor: ctx.extractor,
    extractionPrompt: ctx.extractionPrompt,
    judge: ctx.judge,
    judgePrompt: ctx.judgePrompt,
    useStoredExtraction: options.useStored ?? true,
    concurrency: ctx.concurrency,
    signal: ctx.signal,
  });
  return mathVerseBenchScore(records, rows);
}

async function scoreMathVisionFile(options: ScoreFileOptions): Promise<BenchScore> {
  const outputs = await readJsonlFile(options.file, MathVisionOutput);
  const split = options.bench === 'mathvision-testmini' ? 'testmini.jsonl' : 'test.jsonl';
  const problems = await readJsonlFile(join(options.source.dataDir, 'mathvision', split), MathVisionRecord);
  const byId = new Map(problems.map((p) => [p.id, p]));
  const joined = outputs.map((o, i) => {
    const record = byId.get(o.id);
    if (!record)
      throw new DataError(options.file, `id '${o.id}' is not in MATH-V ${split}`, { line: i + 1, field: 'id' });
    return { output: o, record };
  });
  if (options.ctx.mode === 'openvlthinker') {
    const bench = BENCHMARKS[options.bench];
    const items = await bench.load(options.source);
    const byProblem = new Map(items.map((i) => [i.problem.id, i.problem]));
    return bench.score(
      joined.map(({ output }) => ({
        problem: byProblem.get(output.id) as (typeof items)[number]['problem'],
        response: output.response ?? '',
      })),
      options.ctx,
    );
  }
  const rows = joined.map(({ output, record }) =>
    scoreMathVisionResponse(output.response ?? '', record, options.useStored ? output.model_answer : undefined),
  );
  return mathVisionBenchScore(
    options.bench,
    joined.map((j) => j.record),
    rows,
  );
}

export async function scoreFile(options: ScoreFileOptions): Promise<BenchScore> {
  await checkFileShape(options.file, options.bench);
  switch (options.bench) {
    case 'mathvista':
      return scoreMathVistaFile(options);
    case 'mathverse':
      return scoreMathVerseFile(options);
    case 'mathvision':
    case 'mathvision-testmini':
      return scoreMathVisionFile(options);
    case 'world':
      return scoreResponseLines(options);
    default: {
      const never: never = options.bench;
      throw new Error(`unknown benchmark ${String(never)}`);
    }
  }
}
