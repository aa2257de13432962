import { open } from 'node:fs/promises';
import { DataError } from '../core/index.ts';
import type { BenchName } from './benchmarks.ts';

/**
 * What a responses file looks like, from its first bytes, so `vlthink score --bench X` can say "this looks like a
 * MathVista output file" instead of a JSON error three layers down. Shapes:
 *   - a JSON object of pid -> record with `pid` / `query` / `response`: MathVista `output_*.json`;
 *   - a JSON array of records with `problem_index` / `problem_version`: a MathVerse output list;
 *   - JSONL whose first record has `id` and `response`: MATH-V `outputs/*.jsonl` or vlthink's {id, response} lines.
 */
export type FileShape = 'mathvista-output' | 'mathverse-output' | 'jsonl-responses' | 'unknown';

const HEAD_BYTES = 64 * 1024;

export function sniffShape(head: string): FileShape {
  const text = head.trimStart();
  if (text.startsWith('{')) {
    const firstLine = text.split('\n', 1)[0] ?? '';
    if (/^\{\s*"(id|pid)"\s*:/.test(firstLine) && /"response"\s*:/.test(firstLine) && firstLine.trimEnd().endsWith('}'))
      return 'jsonl-responses';
    if (/"pid"\s*:/.test(text) && /"(query|question|response|extraction)"\s*:/.test(text)) return 'mathvista-output';
    if (/"id"\s*:/.test(firstLine) && /"response"\s*:/.test(firstLine)) return 'jsonl-responses';
    return 'unknown';
  }
  if (text.startsWith('[') && /"problem_index"\s*:/.test(text) && /"problem_version"\s*:/.test(text))
    return 'mathverse-output';
  return 'unknown';
}

/** Shapes each benchmark's scorer reads. */
const ACCEPTS: Readonly<Record<BenchName, readonly FileShape[]>> = {
  mathvista: ['mathvista-output', 'jsonl-responses'],
  mathverse: ['mathverse-output', 'jsonl-responses'],
  mathvision: ['jsonl-responses'],
  'mathvision-testmini': ['jsonl-responses'],
  world: ['jsonl-responses'],
};

const LOOKS_LIKE: Readonly<Record<Exclude<FileShape, 'unknown'>, { what: string; bench: BenchName }>> = {
  'mathvista-output': { what: 'a MathVista output file (a JSON object of pid -> record)', bench: 'mathvista' },
  'mathverse-output': { what: 'a MathVerse output list (records with problem_index)', bench: 'mathverse' },
  'jsonl-responses': {
    what: 'JSONL of {id, response} lines (MATH-V outputs or vlthink predictions)',
    bench: 'mathvision',
  },
};

/** Throws a DataError naming the benchmark the file looks like when `bench` cannot read that shape. */
export async function checkFileShape(file: string, bench: BenchName): Promise<FileShape> {
  const fh = await open(file, 'r');
  let head: string;
  try {
    const buffer = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await fh.read(buffer, 0, HEAD_BYTES, 0);
    head = buffer.subarray(0, bytesRead).toString('utf8');
  } finally {
    await fh.close();
  }
  const shape = sniffShape(head);
  if (shape === 'unknown' || ACCEPTS[bench].includes(shape)) return shape;
  const like = LOOKS_LIKE[shape];
  throw new DataError(file, `looks like ${like.what}, which --bench ${bench} does not read`, {
    hint: `score it with --bench ${like.bench}${shape === 'jsonl-responses' ? ' (or the benchmark whose ids it holds)' : ''}`,
  });
}
