import { stat } from 'node:fs/promises';
import {
  asyncBufferFromFile,
  type FileMetaData,
  parquetMetadataAsync,
  parquetReadObjects,
  parquetSchema,
  type SchemaElement,
} from 'hyparquet';
import type { z } from 'zod';
import { DataError } from '../core/index.ts';

/**
 * Parquet read/write over hyparquet / hyparquet-writer, with the nested types the HF `datasets` layout uses: structs,
 * 3-level lists (`name` -> `list` (repeated) -> `element`, as pyarrow writes them), binary image bytes, and the
 * `huggingface` key-value metadata that tells `datasets.load_dataset('parquet', ...)` which columns are images.
 *
 * Whole files are built in memory (hyparquet-writer writes to a buffer), then written atomically: a failed write
 * leaves no file. INT64 values read back as numbers when they fit in a double, else as bigint.
 */

export type ParquetType =
  | 'string'
  | 'binary'
  | 'bool'
  | 'int32'
  | 'int64'
  | 'double'
  | 'json'
  | { readonly struct: Readonly<Record<string, ParquetField>> }
  | { readonly list: ParquetField };

export interface ParquetField {
  readonly type: ParquetType;
  /** Whether null is allowed (default true, as pyarrow writes every column). */
  readonly nullable?: boolean;
}

export interface ParquetColumn extends ParquetField {
  readonly name: string;
}

/** The HF `datasets.Image()` feature's storage: `struct<bytes: binary, path: string>`. */
export const HF_IMAGE: ParquetField = {
  type: { struct: { bytes: { type: 'binary' }, path: { type: 'string' } } },
};

/** One image as HF datasets stores it: encoded bytes, and the file name it came from (either may be null). */
export interface HfImage {
  bytes: Uint8Array | null;
  path: string | null;
}

async function openParquet(path: string) {
  try {
    const s = await stat(path);
    if (!s.isFile()) throw new DataError(path, 'is not a file');
  } catch (err) {
    if (err instanceof DataError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new DataError(path, code === 'ENOENT' ? 'file not found' : `cannot read: ${String(err)}`, { cause: err });
  }
  const file = await asyncBufferFromFile(path);
  let metadata: FileMetaData;
  try {
    metadata = await parquetMetadataAsync(file);
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    throw new DataError(path, `not a readable parquet file (${msg})`, {
      cause: err,
      hint: 'the file may be truncated or not parquet at all',
    });
  }
  return { file, metadata };
}

/** The top-level columns of a file's depth-first schema (hyparquet rebuilds the tree from `num_children`). */
function topLevelColumns(metadata: FileMetaData): SchemaElement[] {
  return parquetSchema(metadata).children.map((c) => c.element);
}

export interface ParquetInfo {
  readonly rows: number;
  readonly columns: readonly string[];
  readonly kvMetadata: Readonly<Record<string, string>>;
}

/** Row count, top-level column names and footer key-value metadata, without reading data pages. */
export async function parquetInfo(path: string): Promise<ParquetInfo> {
  const { metadata } = await openParquet(path);
  const columns = topLevelColumns(metadata).map((c) => c.name);
  const kv: Record<string, string> = {};
  for (const { key, value } of metadata.key_value_metadata ?? []) kv[key] = value ?? '';
  return { rows: Number(metadata.num_rows), columns, kvMetadata: kv };
}

/** bigint -> number where exact; JSON columns arrive as text and are parsed by the caller. */
function normalize(value: unknown): unknown {
  if (typeof value === 'bigint') {
    return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(value) : value;
  }
  if (value instanceof Uint8Array || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(normalize);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = normalize(v);
  return out;
}

/** Only top-level JSON leaves are parsed (nested JSON stays text). */
function jsonColumns(metadata: FileMetaData): Set<string> {
  const json = topLevelColumns(metadata).filter((c) => c.converted_type === 'JSON' || c.logical_type?.type === 'JSON');
  return new Set(json.map((c) => c.name));
}

export interface ReadParquetOptions {
  readonly columns?: readonly string[];
  /** First row to read, 0-based inclusive. */
  readonly rowStart?: number;
  /** Row to stop before, 0-based exclusive. */
  readonly rowEnd?: number;
}

/**
 * Reads rows as plain objects. Binary columns come back as Uint8Array, strings as strings, INT64 as numbers where
 * exact, JSON columns parsed. Unknown codecs (only snappy and uncompressed are built in) fail naming the file.
 */
export async function readParquet(path: string, options: ReadParquetOptions = {}): Promise<Record<string, unknown>[]> {
  const { file, metadata } = await openParquet(path);
  let rows: Record<string, unknown>[];
  try {
    rows = await parquetReadObjects({
      file,
      metadata,
      utf8: false,
      columns: options.columns ? [...options.columns] : undefined,
      rowStart: options.rowStart,
      rowEnd: options.rowEnd,
    });
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    throw new DataError(path, `cannot decode parquet data (${msg})`, {
      cause: err,
      hint: 'vlthink reads uncompressed and snappy parquet; re-save other codecs with snappy',
    });
  }
  const json = jsonColumns(metadata);
  return rows.map((row, i) => {
    const out = normalize(row) as Record<string, unknown>;
    for (const name of json) {
      const v = out[name];
      if (typeof v !== 'string') continue;
      try {
        out[name] = JSON.parse(v);
      } catch (err) {
        throw new DataError(path, `row ${(options.rowStart ?? 0) + i + 1}: column holds invalid JSON`, {
          field: name,
          cause: err,
        });
      }
    }
    return out;
  });
}

/**
 * Streams a Parquet file's rows in slices of `batchRows` (default 1000), so a large file with embedded images is never
 * whole in memory. Yields rows one by one, in file order.
 */
export async function* iterateParquet(
  path: string,
  options: { readonly columns?: readonly string[]; readonly batchRows?: number } = {},
): AsyncGenerator<Record<string, unknown>> {
  const { rows: total } = await parquetInfo(path);
  const step = options.batchRows ?? 1000;
  if (!(step >= 1)) throw new RangeError(`batchRows must be >= 1, got ${step}`);
  for (let start = 0; start < total; start += step) {
    yield* await readParquet(path, {
      columns: options.columns,
      rowStart: start,
      rowEnd: Math.min(total, start + step),
    });
  }
}

/** Reads rows and validates each through a zod schema; errors name the file, the 1-based row and the field. */
export async function readParquetRecords<S extends z.ZodType>(
  path: string,
  schema: S,
  options: ReadParquetOptions = {},
): Promise<z.output<S>[]> {
  const rows = await readParquet(path, options);
  return rows.map((row, i) => {
    const parsed = schema.safeParse(row);
    if (parsed.success) return parsed.data;
    const issue = parsed.error.issues[0];
    const field = issue && issue.path.length > 0 ? issue.path.map(String).join('.') : undefined;
    throw new DataError(path, `row ${(options.rowStart ?? 0) + i + 1} does not match the schema: ${issue?.message}`, {
      field,
    });
  });
}

/** Reads one HF image cell (`{bytes, path}`, a bare path string, or raw bytes) into the canonical shape. */
export function asHfImage(value: unknown): HfImage | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return { bytes: null, path: value };
  if (value instanceof Uint8Array) return { bytes: value, path: null };
  if (typeof value === 'object' && !Array.isArray(value)) {
    const v = value as { bytes?: unknown; path?: unknown };
    const bytes = v.bytes instanceof Uint8Array ? v.bytes : null;
    const path = typeof v.path === 'string' ? v.path : null;
    if (bytes !== null || path !== null) return { bytes, path };
  }
  return null;
}
