import { open, readdir, readFile, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { z } from 'zod';
import { DataError } from '../core/index.ts';
import { readJsonl } from './jsonl.ts';
import { parquetInfo, readParquet } from './parquet.ts';

/**
 * `vlthink data show`: the first records of a JSONL, JSON-array or Parquet file, laid out for people: one block per
 * record, one line per top-level field, long values cut (unless `full`), binary image cells summarised as
 * `<png 64x64, 1.2 kB>` instead of dumped.
 */

export type RecordFileFormat = 'jsonl' | 'json' | 'parquet';

export interface ShowOptions {
  /** Records to print (default 3). */
  readonly n?: number;
  /** Skip malformed JSONL lines, counting them, instead of failing. */
  readonly skipBad?: boolean;
  /** Print values whole instead of cutting them at `width` characters. */
  readonly full?: boolean;
  /** Characters a value may take before it is cut (default 160). */
  readonly width?: number;
}

export interface ShownRecords {
  readonly format: RecordFileFormat;
  readonly records: readonly unknown[];
  /** Records in the file, where known without reading it all (Parquet, JSON) or counted while streaming (JSONL). */
  readonly total: number;
  readonly skipped: number;
}

/** Decides the format by extension, else by the Parquet magic bytes, else JSONL. */
export async function detectRecordFormat(path: string): Promise<RecordFileFormat> {
  const kind = await stat(path).then(
    (s) => (s.isDirectory() ? 'dir' : 'file'),
    () => 'missing',
  );
  if (kind === 'missing') throw new DataError(path, 'file not found', { hint: 'check the path' });
  if (kind === 'dir') {
    const files = (await readdir(path)).filter((f) => /\.(jsonl|ndjson|json|parquet)$/i.test(f)).sort();
    throw new DataError(path, 'is a folder, not a data file', {
      hint:
        files.length > 0
          ? `pass one of the files in it: ${files.slice(0, 5).join(', ')}`
          : 'pass a .jsonl, .json or .parquet file',
    });
  }
  const ext = extname(path).toLowerCase();
  if (ext === '.parquet') return 'parquet';
  if (ext === '.jsonl' || ext === '.ndjson') return 'jsonl';
  if (ext === '.json') return 'json';
  let fh: Awaited<ReturnType<typeof open>> | undefined;
  try {
    fh = await open(path, 'r');
    const head = Buffer.alloc(4);
    await fh.read(head, 0, 4, 0);
    return head.toString('latin1') === 'PAR1' ? 'parquet' : 'jsonl';
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new DataError(path, code === 'ENOENT' ? 'file not found' : `cannot read: ${String(err)}`, { cause: err });
  } finally {
    await fh?.close();
  }
}

/** Reads the first `n` records and the total count. */
export async function readFirstRecords(path: string, options: ShowOptions = {}): Promise<ShownRecords> {
  const n = options.n ?? 3;
  const format = await detectRecordFormat(path);
  if (format === 'parquet') {
    const info = await parquetInfo(path);
    const records = await readParquet(path, { rowStart: 0, rowEnd: Math.min(n, info.rows) });
    return { format, records, total: info.rows, skipped: 0 };
  }
  if (format === 'json') {
    let raw: unknown;
    try {
      raw = JSON.parse(await readFile(path, 'utf8'));
    } catch (err) {
      throw new DataError(path, `is not valid JSON (${(err as Error).message})`, { cause: err });
    }
    const all = Array.isArray(raw) ? raw : [raw];
    return { format, records: all.slice(0, n), total: all.length, skipped: 0 };
  }
  const reader = readJsonl(path, z.unknown(), { skipBad: options.skipBad });
  const records: unknown[] = [];
  let total = 0;
  for await (const record of reader) {
    if (total < n) records.push(record);
    total++;
  }
  return { format, records, total, skipped: reader.skipped };
}

/** `<png 64x64, 1.2 kB>` for image bytes, `<N bytes>` for other binary. */
export function describeBytes(bytes: Uint8Array): string {
  const size = bytes.length < 1024 ? `${bytes.length} B` : `${(bytes.length / 1024).toFixed(1)} kB`;
  const b = bytes;
  if (b.length >= 24 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) {
    const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
    return `<png ${view.getUint32(16)}x${view.getUint32(20)}, ${size}>`;
  }
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return `<jpeg, ${size}>`;
  if (b.length >= 12 && String.fromCharCode(...b.subarray(8, 12)) === 'WEBP') return `<webp, ${size}>`;
  if (b.length >= 4 && String.fromCharCode(...b.subarray(0, 4)) === 'GIF8') return `<gif, ${size}>`;
  return `<${bytes.length} bytes>`;
}

function compactJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v instanceof Uint8Array) return describeBytes(v);
    if (typeof v === 'bigint') return v.toString();
    // Buffers arrive here already turned into {type: 'Buffer', data}; never in our readers, but be safe.
    return v;
  });
}

function cut(text: string, width: number, full: boolean): string {
  if (full || text.length <= width) return text;
  return `${text.slice(0, width)}... (${text.length} chars)`;
}

/** One record as aligned `field: value` lines; multi-line strings are indented under their field. */
export function formatRecord(record: unknown, options: ShowOptions = {}): string {
  const width = options.width ?? 160;
  const full = options.full ?? false;
  if (record === null || typeof record !== 'object' || Array.isArray(record) || record instanceof Uint8Array) {
    return cut(record instanceof Uint8Array ? describeBytes(record) : compactJson(record), width, full);
  }
  const entries = Object.entries(record as Record<string, unknown>);
  const pad = Math.min(24, Math.max(0, ...entries.map(([k]) => k.length)) + 1);
  return entries
    .map(([key, value]) => {
      const label = `${key}:`.padEnd(pad + 1);
      if (typeof value === 'string') {
        const text = cut(value, full ? Number.POSITIVE_INFINITY : width * 4, full);
        const lines = text.split('\n');
        return lines.length === 1 ? `${label}${text}` : `${label}|\n${lines.map((l) => `    ${l}`).join('\n')}`;
      }
      const json = value instanceof Uint8Array ? describeBytes(value) : compactJson(value);
      return `${label}${cut(json ?? 'undefined', width, full)}`;
    })
    .join('\n');
}

/** The whole printout for `vlthink data show`. */
export function formatShown(path: string, shown: ShownRecords, options: ShowOptions = {}): string {
  const count = shown.records.length;
  const skipped = shown.skipped > 0 ? `, ${shown.skipped} malformed line${shown.skipped === 1 ? '' : 's'} skipped` : '';
  const head = `${path} (${shown.format}, ${shown.total} records${skipped}; showing ${count})`;
  const blocks = shown.records.map((r, i) => `--- record ${i + 1} ---\n${formatRecord(r, options)}`);
  return [head, ...blocks].join('\n\n');
}
