import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFakeDeps } from '../../../test/pipeline-fakes.ts';
import { DataError } from '../../core/index.ts';
import { parseRunConfig } from '../config/load.ts';
import { runPipeline } from '../loop.ts';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'vlthink-data-stage-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const problem = (id: string, image: string) =>
  JSON.stringify({ id, question: 'how many ?', images: [image], answer: '3', answerType: 'number' });

describe('data stage of `files` data', () => {
  it('decodes every image there, naming file:line and the problem id of a corrupt one', async () => {
    const data = join(root, 'data');
    await mkdir(join(data, 'images'), { recursive: true });
    const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#00f' } })
      .png()
      .toBuffer();
    await writeFile(join(data, 'images', 'good.png'), png);
    // A PNG signature and header, then garbage: its size reads fine, its pixels do not decode.
    await writeFile(join(data, 'images', 'torn.png'), Buffer.concat([png.subarray(0, 40), Buffer.alloc(60, 7)]));
    const train = join(data, 'train.jsonl');
    await writeFile(train, `${problem('t1', 'images/good.png')}\n${problem('t2', 'images/torn.png')}\n`);
    const test = join(data, 'test.jsonl');
    await writeFile(test, `${problem('e1', 'images/good.png')}\n`);
    const config = parseRunConfig({ name: 'files', outDir: root, rounds: 1, data: { kind: 'files', train, test } });
    const err = await runPipeline(config, createFakeDeps()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as DataError).message).toContain(`${train}:2: image ${join(data, 'images', 'torn.png')} of problem t2`);
    expect((err as DataError).message).toContain('cannot be decoded');
    const manifest = JSON.parse(await readFile(join(root, 'files', 'manifest.json'), 'utf8'));
    expect(manifest.order).toEqual(['data']);
    expect(manifest.stages.data.state).toBe('failed');
  });
});
