import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { readJsonlAll } from '../data/jsonl.ts';
import { Problem } from '../data/types.ts';
import { generateDataset, writeWorldDataset } from './index.ts';

const run = promisify(execFile);
const bin = resolve(import.meta.dirname, '../../bin/vlthink.js');
const dirs: string[] = [];
const tempDir = async () => {
  const d = await mkdtemp(join(tmpdir(), 'vlthink-world-'));
  dirs.push(d);
  return d;
};
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('writeWorldDataset', () => {
  it('writes problems.jsonl, one PNG per problem and world.json, equal to generateDataset', async () => {
    const out = join(await tempDir(), 'ds');
    const summary = await writeWorldDataset(out, { n: 25, seed: 4, split: 'test', imageSize: 32, noise: 0.2 });
    expect(summary.problems).toBe(25);
    const { records } = await readJsonlAll(join(out, 'problems.jsonl'), Problem);
    const expected = generateDataset({ n: 25, seed: 4, split: 'test', imageSize: 32, noise: 0.2 });
    expect(records).toEqual(expected.map((r) => r.problem));
    for (const r of expected) {
      const png = await readFile(join(out, r.problem.images[0]));
      expect(png.equals(Buffer.from(r.png))).toBe(true);
    }
    const world = JSON.parse(await readFile(join(out, 'world.json'), 'utf8'));
    expect(world.options).toMatchObject({ n: 25, seed: 4, split: 'test', imageSize: 32, noise: 0.2 });
    expect(Object.values(world.byFamily as Record<string, number>).reduce((a, b) => a + b, 0)).toBe(25);
  });

  it('refuses an existing folder without force, and leaves nothing behind when aborted', async () => {
    const parent = await tempDir();
    const out = join(parent, 'ds');
    await writeWorldDataset(out, { n: 2, seed: 1, imageSize: 16 });
    await expect(writeWorldDataset(out, { n: 2, seed: 1, imageSize: 16 })).rejects.toThrow(/already exists/);
    const controller = new AbortController();
    controller.abort();
    await expect(
      writeWorldDataset(join(parent, 'ds2'), { n: 50, seed: 1, imageSize: 16 }, { signal: controller.signal }),
    ).rejects.toThrow(/aborted/);
    expect((await readdir(parent)).sort()).toEqual(['ds']);
    const replaced = await writeWorldDataset(out, { n: 3, seed: 2, imageSize: 16 }, { force: true });
    expect(replaced.problems).toBe(3);
    expect(await readdir(join(out, 'images'))).toHaveLength(3);
  });
});

describe('vlthink data synth', () => {
  it('writes a dataset and reports what it wrote; bad options exit 2 naming the field', async () => {
    const out = join(await tempDir(), 'cli');
    const ok = await run(process.execPath, [
      bin,
      'data',
      'synth',
      '--n',
      '12',
      '--seed',
      '3',
      '--out',
      out,
      '--size',
      '32',
    ]);
    expect(ok.stdout).toMatch(new RegExp(`^wrote 12 problems to ${out} \\(`));
    expect(await readdir(join(out, 'images'))).toHaveLength(12);
    const bad = await run(process.execPath, [
      bin,
      'data',
      'synth',
      '--n',
      '2',
      '--seed',
      '1',
      '--out',
      `${out}-b`,
      '--noise',
      '3',
    ]).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => e,
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("config field 'synth.noise'");
  });
});
