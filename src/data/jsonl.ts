import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { z } from 'zod';
import { createAtomicWriter, DataError, throwIfAborted } from '../core/index.ts';

/**
 * JSONL: one JSON value per line, validated through a zod schema as it streams. Blank lines are ignored (they still
 * count for line numbers). Every error names `file:line` and, for schema failures, the dotted path of the field.
 * With `skipBad`, bad lines are counted and reported instead of thrown; I/O errors always throw.
 */

export interface ReadJsonlOptions {
  /** Skip lines that are not JSON or fail the schema, counting them, instead of throwing (the CLI's `--skip-bad`). */
  readonly skipBad?: boolean;
  /** Called with each skipped line's error (only with `skipBad`), e.g. to log it. */
  readonly onBad?: (error: DataError) => void;
  readonly signal?: AbortSignal;
}

/** An async iterable of validated records that also tells, once iterated, how many lines it skipped and why. */
export interface JsonlReader<T> extends AsyncIterable<T> {
  readonly path: string;
  /** Lines skipped so far (only non-zero with `skipBad`). */
  readonly skipped: number;
  /** The errors of the skipped lines, first 100 kept. */
  readonly bad: readonly DataError[];
}

export interface JsonlResult<T> {
  readonly records: T[];
  readonly skipped: number;
  readonly bad: readonly DataError[];
}

const KEPT_BAD = 100;

/** Turns one zod failure into a DataError naming the first failing field, listing the others in the message. */
export function schemaError(file: string, line: number | undefined, error: z.ZodError): DataError {
  const issues = error.issues;
  const first = issues[0];
  const field = first && first.path.length > 0 ? first.path.map(String).join('.') : undefined;
  const parts = issues.slice(0, 5).map((issue) => {
    const at = issue.path.length > 0 ? `${issue.path.map(String).join('.')}: ` : '';
    return `${at}${issue.message}`;
  });
  if (issues.length > 5) parts.push(`... and ${issues.length - 5} more`);
  return new DataError(file, `record does not match the schema: ${parts.join('; ')}`, {
    line,
    field,
    hint: 'fix or remove the line, or pass --skip-bad to skip malformed lines',
  });
}

/** Parses one JSONL line (already trimmed, non-empty) through the schema; returns the record or a DataError. */
export function parseJsonlLine<S extends z.ZodType>(
  file: string,
  lineNo: number,
  text: string,
  schema: S,
): { ok: true; value: z.output<S> } | { ok: false; error: DataError } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    const seen = text.length > 60 ? `${text.slice(0, 60)}...` : text;
    return {
      ok: false,
      error: new DataError(file, `not valid JSON (${msg}); line starts: ${seen}`, {
        line: lineNo,
        hint: 'each line must hold one complete JSON value; pass --skip-bad to skip malformed lines',
      }),
    };
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) return { ok: false, error: schemaError(file, lineNo, parsed.error) };
  return { ok: true, value: parsed.data };
}

async function assertReadable(path: string): Promise<void> {
  try {
    const s = await stat(path);
    if (!s.isFile()) throw new DataError(path, 'is not a file', { hint: 'pass the path of a .jsonl file' });
  } catch (err) {
    if (err instanceof DataError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new DataError(path, code === 'ENOENT' ? 'file not found' : `cannot read: ${String(err)}`, {
      hint: 'check the path (relative paths are resolved from the current folder)',
      cause: err,
    });
  }
}

/** Streams validated records from a JSONL file. Iterate once; `skipped` and `bad` are final when iteration ends. */
export function readJsonl<S extends z.ZodType>(
  path: string,
  schema: S,
  options: ReadJsonlOptions = {},
): JsonlReader<z.output<S>> {
  const bad: DataError[] = [];
  let skipped = 0;
  async function* iterate(): AsyncGenerator<z.output<S>> {
    await assertReadable(path);
    const stream = createReadStream(path, { encoding: 'utf8' });
    const lines = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
    let lineNo = 0;
    try {
      for await (const line of lines) {
        lineNo++;
        throwIfAborted(options.signal, `reading ${path}`);
        const text = lineNo === 1 ? line.replace(/^\uFEFF/, '').trim() : line.trim();
        if (text === '') continue;
        const result = parseJsonlLine(path, lineNo, text, schema);
        if (result.ok) {
          yield result.value;
          continue;
        }
        if (!options.skipBad) throw result.error;
        skipped++;
        if (bad.length < KEPT_BAD) bad.push(result.error);
        options.onBad?.(result.error);
      }
    } finally {
      lines.close();
      stream.destroy();
    }
  }
  return {
    path,
    get skipped() {
      return skipped;
    },
    get bad() {
      return bad;
    },
    [Symbol.asyncIterator]: iterate,
  };
}

/** Reads a whole JSONL file into memory. Without `skipBad` the first bad line throws; with it, `skipped` counts them. */
export async function readJsonlAll<S extends z.ZodType>(
  path: string,
  schema: S,
  options: ReadJsonlOptions = {},
): Promise<JsonlResult<z.output<S>>> {
  const reader = readJsonl(path, schema, options);
  const records: z.output<S>[] = [];
  for await (const record of reader) records.push(record);
  return { records, skipped: reader.skipped, bad: reader.bad };
}

export interface WriteJsonlOptions<S extends z.ZodType> {
  /** Validate each record before writing it; a failure aborts the write and leaves the target untouched. */
  readonly schema?: S;
  readonly signal?: AbortSignal;
}

const FLUSH_BYTES = 1 << 20;

/**
 * Writes records as JSONL atomically: to a temp file beside `path`, renamed over it only when every record was
 * written. On any error (a bad record, an abort, a throwing source iterator) the temp file is removed and `path` is
 * left as it was. Returns the number of records written.
 */
export async function writeJsonl<T>(
  path: string,
  records: Iterable<T> | AsyncIterable<T>,
  options: WriteJsonlOptions<z.ZodType> = {},
): Promise<number> {
  const writer = await createAtomicWriter(path);
  let count = 0;
  let buffer = '';
  try {
    for await (const record of records) {
      throwIfAborted(options.signal, `writing ${path}`);
      const index = count + 1;
      if (options.schema) {
        const parsed = options.schema.safeParse(record);
        if (!parsed.success) throw schemaError(path, index, parsed.error);
      }
      const text = JSON.stringify(record);
      if (text === undefined) {
        throw new DataError(path, `record ${index} cannot be written as JSON (it is ${typeof record})`, {
          line: index,
        });
      }
      buffer += `${text}\n`;
      count++;
      if (buffer.length >= FLUSH_BYTES) {
        await writer.write(buffer);
        buffer = '';
      }
    }
    if (buffer !== '') await writer.write(buffer);
    await writer.commit();
    return count;
  } catch (err) {
    await writer.abort();
    throw err;
  }
}
