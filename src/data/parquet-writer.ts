import { randomBytes } from 'node:crypto';
import { type FileHandle, mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ByteWriter, ParquetWriter, type SchemaElement } from 'hyparquet-writer';
import { DataError } from '../core/index.ts';
import type { ParquetColumn, ParquetField, ParquetType } from './parquet.ts';

/**
 * Parquet writing: our column types -> parquet's depth-first schema (3-level lists as pyarrow writes them), values
 * checked against their column on the way in, row groups streamed to a temp file beside the target and renamed over
 * it on commit. Memory holds one batch of rows at a time, so an export with large images stays bounded.
 */

type LeafType = Extract<ParquetType, string>;

/** Each leaf type once: its parquet physical (and converted) type, and the HF `datasets` Value dtype it reads as. */
const LEAF_TYPES: Readonly<Record<LeafType, { readonly parquet: Partial<SchemaElement>; readonly hfDtype: string }>> = {
  string: { parquet: { type: 'BYTE_ARRAY', converted_type: 'UTF8' }, hfDtype: 'string' },
  json: { parquet: { type: 'BYTE_ARRAY', converted_type: 'JSON' }, hfDtype: 'string' },
  binary: { parquet: { type: 'BYTE_ARRAY' }, hfDtype: 'binary' },
  bool: { parquet: { type: 'BOOLEAN' }, hfDtype: 'bool' },
  int32: { parquet: { type: 'INT32' }, hfDtype: 'int32' },
  int64: { parquet: { type: 'INT64' }, hfDtype: 'int64' },
  double: { parquet: { type: 'DOUBLE' }, hfDtype: 'float64' },
};

/** Flattens one field into parquet's depth-first schema elements. */
function schemaElements(name: string, field: ParquetField): SchemaElement[] {
  const repetition = field.nullable === false ? 'REQUIRED' : 'OPTIONAL';
  const type = field.type;
  if (typeof type === 'string') return [{ name, repetition_type: repetition, ...LEAF_TYPES[type].parquet }];
  if ('struct' in type) {
    const entries = Object.entries(type.struct);
    return [
      { name, repetition_type: repetition, num_children: entries.length },
      ...entries.flatMap(([child, f]) => schemaElements(child, f)),
    ];
  }
  return [
    { name, repetition_type: repetition, converted_type: 'LIST', num_children: 1 },
    { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
    ...schemaElements('element', type.list),
  ];
}

/** Converts a JS value to what hyparquet-writer expects for the field, checking it on the way. */
function toWritable(value: unknown, field: ParquetField, where: string): unknown {
  if (value === null || value === undefined) {
    if (field.nullable === false) throw new Error(`${where} is required but is ${value}`);
    return null;
  }
  const type = field.type;
  const wrong = (what: string) => new Error(`${where} must be ${what}, got ${typeof value}`);
  switch (type) {
    case 'string':
      if (typeof value !== 'string') throw wrong('a string');
      return value;
    case 'json':
      return JSON.stringify(value);
    case 'binary':
      if (!(value instanceof Uint8Array)) throw wrong('a Uint8Array');
      return value;
    case 'bool':
      if (typeof value !== 'boolean') throw wrong('a boolean');
      return value;
    case 'int32':
      if (typeof value !== 'number' || !Number.isInteger(value) || Math.abs(value) > 2 ** 31)
        throw wrong('a 32-bit integer');
      return value;
    case 'int64':
      if (typeof value === 'bigint') return value;
      if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw wrong('an integer');
      return BigInt(value);
    case 'double':
      if (typeof value !== 'number') throw wrong('a number');
      return value;
  }
  if ('struct' in type) {
    if (typeof value !== 'object' || Array.isArray(value)) throw wrong('an object');
    const record = value as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const [key, f] of Object.entries(type.struct)) out[key] = toWritable(record[key], f, `${where}.${key}`);
    return out;
  }
  if (!Array.isArray(value)) throw wrong('an array');
  return value.map((v, i) => toWritable(v, type.list, `${where}.${i}`));
}

export interface ParquetFileOptions {
  readonly columns: readonly ParquetColumn[];
  /** Extra key-value metadata stored in the footer (e.g. `huggingface` features). */
  readonly kvMetadata?: Readonly<Record<string, string>>;
  /** Rows per row group (default 1000, as HF's writer batches). */
  readonly rowGroupSize?: number;
}

export interface WriteParquetOptions extends ParquetFileOptions {
  readonly rows: readonly Readonly<Record<string, unknown>>[];
}

function buildSchema(columns: readonly ParquetColumn[]): SchemaElement[] {
  if (columns.length === 0) throw new Error('a parquet file needs at least one column');
  return [{ name: 'root', num_children: columns.length }, ...columns.flatMap((c) => schemaElements(c.name, c))];
}

/** Column-major data for one batch; `first` numbers rows in error messages. */
function columnData(
  columns: readonly ParquetColumn[],
  rows: readonly Readonly<Record<string, unknown>>[],
  first: number,
) {
  return columns.map((c) => ({
    name: c.name,
    data: rows.map((row, i) => toWritable(row[c.name], c, `row ${first + i} field '${c.name}'`)),
  }));
}

function newParquetWriter(writer: ByteWriter, options: ParquetFileOptions): ParquetWriter {
  return new ParquetWriter({
    writer,
    schema: buildSchema(options.columns),
    kvMetadata: Object.entries(options.kvMetadata ?? {}).map(([key, value]) => ({ key, value })),
    createdBy: 'vlthink (hyparquet-writer)',
  });
}

/** Encodes rows as Parquet in memory. Throws naming the row and field of a value that does not fit its column. */
export async function encodeParquet(options: WriteParquetOptions): Promise<Uint8Array> {
  const writer = new ByteWriter();
  const pq = newParquetWriter(writer, options);
  await pq.write({
    columnData: columnData(options.columns, options.rows, 1),
    rowGroupSize: options.rowGroupSize ?? 1000,
  });
  await pq.finish();
  return new Uint8Array(writer.getBuffer());
}

/**
 * A Parquet file written in batches: `append` encodes rows into row groups and spills them to a temp file beside
 * `path`; `commit` writes the footer, syncs and renames; `abort` (or any failed append) removes the temp file.
 * Until `commit` resolves, `path` is untouched.
 */
export interface ParquetFileWriter {
  readonly path: string;
  append(rows: readonly Readonly<Record<string, unknown>>[]): Promise<void>;
  /** Returns the number of rows written. */
  commit(): Promise<number>;
  abort(): Promise<void>;
}

/** A ByteWriter that moves what it holds to a file whenever the parquet writer finishes a row group. */
class SpillWriter extends ByteWriter {
  constructor(private readonly fh: FileHandle) {
    super(1 << 16);
  }
  private async spill(): Promise<void> {
    if (this.index === 0) return;
    const bytes = new Uint8Array(this.buffer, 0, this.index).slice();
    this.index = 0; // `offset` keeps counting the file position
    await this.fh.write(bytes);
  }
  flush(): Promise<void> {
    return this.spill();
  }
  override finish(): Promise<void> {
    return this.spill();
  }
}

export async function createParquetWriter(path: string, options: ParquetFileOptions): Promise<ParquetFileWriter> {
  const schemaCheck = buildSchema(options.columns); // fail on a bad column list before touching the disk
  if (schemaCheck.length < 2) throw new DataError(path, 'no columns to write');
  await mkdir(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const fh = await open(tmp, 'w');
  const writer = new SpillWriter(fh);
  const pq = newParquetWriter(writer, options);
  let rows = 0;
  let state: 'open' | 'done' = 'open';
  const abort = async () => {
    if (state === 'done') return;
    state = 'done';
    await fh.close().catch(() => undefined);
    await rm(tmp, { force: true });
  };
  return {
    path,
    append: async (batch) => {
      if (state !== 'open') throw new Error(`parquet writer for ${path} is closed`);
      if (batch.length === 0) return;
      try {
        await pq.write({
          columnData: columnData(options.columns, batch, rows + 1),
          rowGroupSize: options.rowGroupSize ?? 1000,
        });
        rows += batch.length;
      } catch (err) {
        await abort();
        const msg = err instanceof Error ? err.message : String(err);
        throw new DataError(path, `cannot write parquet: ${msg}`, { cause: err, hint: 'check the record types' });
      }
    },
    commit: async () => {
      if (state !== 'open') throw new Error(`parquet writer for ${path} is closed`);
      try {
        await pq.finish();
        await fh.sync();
        await fh.close();
        state = 'done';
        await rename(tmp, path);
        return rows;
      } catch (err) {
        state = 'open';
        await abort();
        throw err;
      }
    },
    abort,
  };
}

/** Writes rows to a Parquet file atomically (temp + rename): a failure leaves no file and never a partial one. */
export async function writeParquet(path: string, options: WriteParquetOptions): Promise<void> {
  const out = await createParquetWriter(path, options);
  await out.append(options.rows);
  await out.commit();
}

/**
 * The `huggingface` footer metadata for these columns, as `datasets` writes it, so `load_dataset('parquet')`
 * restores Image features (decoded PIL images) instead of plain dicts. `images` marks which columns hold images.
 */
export function hfFeaturesMetadata(columns: readonly ParquetColumn[], imageColumns: readonly string[] = []): string {
  const feature = (field: ParquetField, isImage: boolean): unknown => {
    const type = field.type;
    if (isImage) return { _type: 'Image' };
    if (typeof type === 'string') return { dtype: LEAF_TYPES[type].hfDtype, _type: 'Value' };
    if ('struct' in type) {
      return Object.fromEntries(Object.entries(type.struct).map(([k, f]) => [k, feature(f, false)]));
    }
    // A list of images is `[Image()]`; any other list is a one-element list literal of its feature.
    return [feature(type.list, false)];
  };
  const features: Record<string, unknown> = {};
  for (const c of columns) {
    const image = imageColumns.includes(c.name);
    if (image && typeof c.type === 'object' && 'list' in c.type) features[c.name] = [{ _type: 'Image' }];
    else features[c.name] = feature(c, image);
  }
  return JSON.stringify({ info: { features } });
}

/**
 * Writes `count` rows made `batchSize` at a time by `makeBatch(start, end)`, so only one batch is in memory. Any
 * failure (a bad row, a throwing batch) removes the temp file and leaves `path` as it was. Returns rows written.
 */
export async function writeParquetInBatches(
  path: string,
  options: ParquetFileOptions,
  count: number,
  batchSize: number,
  makeBatch: (start: number, end: number) => Promise<readonly Readonly<Record<string, unknown>>[]>,
): Promise<number> {
  const out = await createParquetWriter(path, options);
  try {
    for (let start = 0; start < count; start += batchSize) {
      await out.append(await makeBatch(start, Math.min(count, start + batchSize)));
    }
    return await out.commit();
  } catch (err) {
    await out.abort();
    throw err;
  }
}
