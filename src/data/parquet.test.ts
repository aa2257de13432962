import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DataError } from '../core/index.ts';
import { decodeImage } from './images.ts';
import {
  asHfImage,
  HF_IMAGE,
  iterateParquet,
  type ParquetColumn,
  parquetInfo,
  readParquet,
  readParquetRecords,
} from './parquet.ts';
import { createParquetWriter, encodeParquet, hfFeaturesMetadata, writeParquet } from './parquet-writer.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vlthink-pq-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const columns: ParquetColumn[] = [
  { name: 'id', type: 'string', nullable: false },
  { name: 'count', type: 'int64' },
  { name: 'score', type: 'double' },
  { name: 'ok', type: 'bool' },
  { name: 'images', type: { list: HF_IMAGE } },
  { name: 'reward_model', type: { struct: { style: { type: 'string' }, ground_truth: { type: 'string' } } } },
  { name: 'tags', type: { list: { type: 'string' } } },
  { name: 'meta', type: 'json' },
];

function rows(n: number): Record<string, unknown>[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `r${i}`,
    count: i * 1000,
    score: i / 7,
    ok: i % 2 === 0,
    images:
      i % 3 === 0
        ? []
        : Array.from({ length: (i % 3) + 0 }, (_, k) => ({
            bytes: new Uint8Array([i, k, 255]),
            path: `img-${i}-${k}.png`,
          })),
    reward_model: i === 4 ? null : { style: 'rule', ground_truth: String(i * 2) },
    tags: ['a', `t${i}`],
    meta: { tier: 'easy', steps: [i, i + 1], note: 'ünï ∠' },
  }));
}

describe('parquet round trip', () => {
  it('reads back exactly the rows it wrote: nested lists of image structs, structs, nulls, json, int64', async () => {
    const path = join(dir, 'rows.parquet');
    const data = rows(25);
    await writeParquet(path, { columns, rows: data, rowGroupSize: 10 });
    expect(await readParquet(path)).toEqual(data);
  });

  it('reads a row range and a column subset', async () => {
    const path = join(dir, 'range.parquet');
    const data = rows(30);
    await writeParquet(path, { columns, rows: data, rowGroupSize: 8 });
    const part = await readParquet(path, { rowStart: 9, rowEnd: 12, columns: ['id', 'tags'] });
    expect(part).toEqual(data.slice(9, 12).map((r) => ({ id: r.id, tags: r.tags })));
  });

  it('streams rows in slices across row groups', async () => {
    const path = join(dir, 'iter.parquet');
    const data = rows(17);
    await writeParquet(path, { columns, rows: data, rowGroupSize: 5 });
    const seen: unknown[] = [];
    for await (const row of iterateParquet(path, { batchRows: 3 })) seen.push(row);
    expect(seen).toEqual(data);
    const ids: unknown[] = [];
    for await (const row of iterateParquet(path, { columns: ['id'], batchRows: 100 })) ids.push(row.id);
    expect(ids).toEqual(data.map((r) => r.id));
  });

  it('keeps int64 values past 2^53 as bigint', async () => {
    const path = join(dir, 'big.parquet');
    const big = 2n ** 60n + 3n;
    await writeParquet(path, { columns: [{ name: 'n', type: 'int64' }], rows: [{ n: big }, { n: 5 }] });
    expect(await readParquet(path)).toEqual([{ n: big }, { n: 5 }]);
  });

  it('reports rows, columns and footer metadata', async () => {
    const path = join(dir, 'info.parquet');
    const hf = hfFeaturesMetadata(columns, ['images']);
    await writeParquet(path, { columns, rows: rows(3), kvMetadata: { huggingface: hf } });
    const info = await parquetInfo(path);
    expect(info.rows).toBe(3);
    expect(info.columns).toEqual(columns.map((c) => c.name));
    const features = JSON.parse(info.kvMetadata.huggingface).info.features;
    expect(features.images).toEqual([{ _type: 'Image' }]);
    expect(features.reward_model).toEqual({
      style: { dtype: 'string', _type: 'Value' },
      ground_truth: { dtype: 'string', _type: 'Value' },
    });
    expect(features.count).toEqual({ dtype: 'int64', _type: 'Value' });
  });

  it('validates records through a schema, naming file, row and field', async () => {
    const path = join(dir, 'valid.parquet');
    const data = rows(5);
    await writeParquet(path, { columns, rows: data });
    const Row = z.object({ id: z.string(), reward_model: z.object({ ground_truth: z.string() }) });
    const err = (await readParquetRecords(path, Row).catch((e: unknown) => e)) as DataError;
    expect(err).toBeInstanceOf(DataError);
    expect(err.field).toBe('reward_model');
    expect(err.message).toContain('row 5 does not match');
    const good = await readParquetRecords(path, Row, { rowEnd: 4 });
    expect(good.map((r) => r.reward_model.ground_truth)).toEqual(['0', '2', '4', '6']);
  });
});

describe('streaming parquet writer', () => {
  it('appends batches as row groups and reads back every row in order', async () => {
    const path = join(dir, 'stream.parquet');
    const data = rows(23);
    const out = await createParquetWriter(path, { columns, rowGroupSize: 4 });
    await out.append(data.slice(0, 10));
    await out.append([]);
    await out.append(data.slice(10));
    expect(await readdir(dir)).not.toContain('stream.parquet'); // not there until commit
    expect(await out.commit()).toBe(23);
    expect(await readParquet(path)).toEqual(data);
    expect(await readdir(dir)).toEqual(['stream.parquet']);
  });

  it('removes its temp file and keeps the old target when a later batch is bad', async () => {
    const path = join(dir, 'keep.parquet');
    await writeParquet(path, { columns, rows: rows(2) });
    const out = await createParquetWriter(path, { columns });
    await out.append(rows(5));
    const bad = rows(2).map((r) => ({ ...r, count: 'many' }));
    await expect(out.append(bad)).rejects.toThrow("row 6 field 'count' must be an integer");
    await expect(out.commit()).rejects.toThrow('closed');
    expect(await readdir(dir)).toEqual(['keep.parquet']);
    expect(await readParquet(path)).toEqual(rows(2));
  });

  it('leaves nothing after abort', async () => {
    const out = await createParquetWriter(join(dir, 'gone.parquet'), { columns });
    await out.append(rows(3));
    await out.abort();
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('parquet bad input', () => {
  it('refuses a value of the wrong type and leaves no file', async () => {
    const path = join(dir, 'bad.parquet');
    const data = rows(3);
    data[2] = { ...data[2], images: [{ bytes: 'not bytes', path: 'x.png' }] };
    const err = (await writeParquet(path, { columns, rows: data }).catch((e: unknown) => e)) as DataError;
    expect(err).toBeInstanceOf(DataError);
    expect(err.message).toContain("row 3 field 'images'.0.bytes must be a Uint8Array");
    expect(await readdir(dir)).toEqual([]);
  });

  it('refuses a null in a required column', async () => {
    await expect(encodeParquet({ columns, rows: [{ ...rows(1)[0], id: null }] })).rejects.toThrow(
      "row 1 field 'id' is required",
    );
  });

  it('names a file that is not parquet', async () => {
    const path = join(dir, 'fake.parquet');
    await writeFile(path, 'PAR1 but not really a parquet file at all');
    await expect(readParquet(path)).rejects.toThrow(new RegExp(`^${path}: not a readable parquet file`));
  });

  it('names a truncated parquet file', async () => {
    const bytes = await encodeParquet({ columns, rows: rows(4) });
    const path = join(dir, 'cut.parquet');
    await writeFile(path, bytes.slice(0, Math.floor(bytes.length / 2)));
    await expect(readParquet(path)).rejects.toBeInstanceOf(DataError);
  });
});

describe('asHfImage', () => {
  it.each([
    [
      { bytes: new Uint8Array([1]), path: 'a.png' },
      { bytes: new Uint8Array([1]), path: 'a.png' },
    ],
    [
      { bytes: null, path: 'a.png' },
      { bytes: null, path: 'a.png' },
    ],
    ['b.jpg', { bytes: null, path: 'b.jpg' }],
    [new Uint8Array([2]), { bytes: new Uint8Array([2]), path: null }],
    [{ bytes: null, path: null }, null],
    [null, null],
  ])('reads %o', (cell, expected) => {
    expect(asHfImage(cell)).toEqual(expected);
  });
});

describe('third-party parquet', () => {
  const fixture = join(import.meta.dirname, 'fixtures', 'hf-datasets-images.parquet');

  it('reads a file written by HF datasets 5.0.1 / pyarrow 25 with Image and List(Image) columns', async () => {
    const info = await parquetInfo(fixture);
    expect(info.rows).toBe(2);
    expect(info.columns).toEqual(['id', 'image', 'images', 'n', 'score']);
    expect(JSON.parse(info.kvMetadata.huggingface).info.features.image).toEqual({ _type: 'Image' });
    const rows = await readParquet(fixture);
    expect(rows.map((r) => [r.id, r.n, r.score])).toEqual([
      ['a', 1, 0.5],
      ['b', 2 ** 40, null],
    ]);
    const single = asHfImage(rows[0].image);
    expect(single?.path).toBeNull();
    const pixels = await decodeImage(single?.bytes ?? new Uint8Array());
    expect([pixels.width, pixels.height, ...pixels.data.slice(0, 3)]).toEqual([5, 7, 10, 20, 30]);
    const list = (rows[1].images as unknown[]).map(asHfImage);
    const second = await decodeImage(list[1]?.bytes ?? new Uint8Array());
    expect([second.width, second.height, ...second.data.slice(0, 3)]).toEqual([3, 2, 200, 0, 0]);
  });
});
