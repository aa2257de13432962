import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DataError } from '../core/index.ts';
import { exportEasyR1 } from './export-easyr1.ts';
import { writeJsonl } from './jsonl.ts';
import { describeBytes, detectRecordFormat, formatRecord, formatShown, readFirstRecords } from './show-records.ts';
import { Problem } from './types.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vlthink-show-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('readFirstRecords', () => {
  it('reads the first n JSONL records and counts the rest', async () => {
    const path = join(dir, 'a.jsonl');
    await writeJsonl(
      path,
      Array.from({ length: 10 }, (_, i) => ({ i })),
    );
    const shown = await readFirstRecords(path, { n: 2 });
    expect(shown).toEqual({ format: 'jsonl', records: [{ i: 0 }, { i: 1 }], total: 10, skipped: 0 });
  });

  it('fails on a malformed line naming file:line, or skips and counts with skipBad', async () => {
    const path = join(dir, 'bad.jsonl');
    await writeFile(path, '{"a":1}\n{"a":\n{"a":3}\n');
    const err = (await readFirstRecords(path).catch((e: unknown) => e)) as DataError;
    expect(err).toBeInstanceOf(DataError);
    expect(err.message).toContain(`${path}:2`);
    const shown = await readFirstRecords(path, { skipBad: true });
    expect(shown.records).toEqual([{ a: 1 }, { a: 3 }]);
    expect(shown.skipped).toBe(1);
    expect(formatShown(path, shown)).toContain('2 records, 1 malformed line skipped; showing 2');
  });

  it('reads a JSON array (a LLaMA-Factory data file)', async () => {
    const path = join(dir, 'sft.json');
    await writeFile(path, JSON.stringify([{ x: 1 }, { x: 2 }, { x: 3 }]));
    expect(await readFirstRecords(path, { n: 1 })).toEqual({
      format: 'json',
      records: [{ x: 1 }],
      total: 3,
      skipped: 0,
    });
  });

  it('reads parquet rows and summarises image bytes', async () => {
    const imageRoot = join(dir, 'd');
    await mkdir(imageRoot);
    const png = await sharp({ create: { width: 40, height: 30, channels: 3, background: '#fff' } })
      .png()
      .toBuffer();
    await writeFile(join(imageRoot, 'a.png'), png);
    const problem = Problem.parse({ id: 'p', question: 'q?', images: ['a.png'], answer: '1', answerType: 'number' });
    const outFile = join(dir, 'train.parquet');
    await exportEasyR1({ problems: [problem, { ...problem, id: 'p2' }], imageRoot, outFile });
    const shown = await readFirstRecords(outFile, { n: 1 });
    expect(shown.format).toBe('parquet');
    expect(shown.total).toBe(2);
    const text = formatShown(outFile, shown);
    expect(text).toContain(`<png 40x30, ${png.length} B>`);
    expect(text).toContain('problem:    <image>q?');
  });

  it('detects parquet by its magic bytes whatever the extension', async () => {
    const path = join(dir, 'noext');
    await writeFile(path, 'PAR1....');
    expect(await detectRecordFormat(path)).toBe('parquet');
    await expect(detectRecordFormat(join(dir, 'missing'))).rejects.toThrow('file not found');
    const err = (await detectRecordFormat(dir).catch((e: unknown) => e)) as DataError;
    expect(err.message).toBe(`${dir}: is a folder, not a data file`);
    expect(err.hint).toBe('pass a .jsonl, .json or .parquet file');
    await writeFile(join(dir, 'x.jsonl'), '{}\n');
    await expect(detectRecordFormat(dir)).rejects.toMatchObject({ hint: 'pass one of the files in it: x.jsonl' });
  });
});

describe('formatRecord', () => {
  it('aligns fields, indents multi-line strings and cuts long values', () => {
    const text = formatRecord({ id: 'p1', question: 'line one\nline two', tags: 'x'.repeat(25) }, { width: 5 });
    expect(text).toBe(
      'id:       p1\nquestion: |\n    line one\n    line two\ntags:     xxxxxxxxxxxxxxxxxxxx... (25 chars)',
    );
    expect(formatRecord({ list: [1, 2, 3, 4, 5, 6] }, { width: 5 })).toBe('list: [1,2,... (13 chars)');
    expect(formatRecord({ list: [1, 2, 3, 4, 5, 6] }, { width: 5, full: true })).toBe('list: [1,2,3,4,5,6]');
  });

  it.each([
    [new Uint8Array([0xff, 0xd8, 0xff, 0xe0]), '<jpeg, 4 B>'],
    [new Uint8Array(2048), '<2048 bytes>'],
  ])('describes bytes %#', (bytes, expected) => {
    expect(describeBytes(bytes)).toBe(expected);
  });
});
