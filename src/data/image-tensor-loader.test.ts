import { mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DataError } from '../core/index.ts';
import { createImageTensorLoader } from './image-tensor-loader.ts';
import { encodePng, loadImageTensor } from './images.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vlthink-loader-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function solid(name: string, rgb: [number, number, number], side = 8): Promise<string> {
  const data = new Uint8Array(side * side * 3);
  for (let i = 0; i < data.length; i += 3) data.set(rgb, i);
  const path = join(dir, name);
  await writeFile(path, await encodePng({ width: side, height: side, data }));
  return path;
}

describe('createImageTensorLoader', () => {
  it('returns [N, 3, S, S] batches equal to loading each image alone', async () => {
    const a = await solid('a.png', [255, 0, 0]);
    const b = await solid('b.png', [0, 0, 255], 12);
    const loader = createImageTensorLoader({ size: 4 });
    const batch = await loader.loadBatch([{ path: a }, { path: b }, { path: a }]);
    expect(batch.length).toBe(3 * 3 * 16);
    const ta = await loadImageTensor(a, 4);
    const tb = await loadImageTensor(b, 4);
    expect(Array.from(batch.subarray(0, 48))).toEqual(Array.from(ta));
    expect(Array.from(batch.subarray(48, 96))).toEqual(Array.from(tb));
    expect(Array.from(batch.subarray(96, 144))).toEqual(Array.from(ta));
    expect(ta[0]).toBe(1); // red plane of a red image
    expect(loader.cached).toBe(2);
  });

  it('serves a cached image after its file is gone, and evicts the least recently used past maxBytes', async () => {
    const a = await solid('a.png', [10, 20, 30]);
    const b = await solid('b.png', [40, 50, 60]);
    const c = await solid('c.png', [70, 80, 90]);
    const loader = createImageTensorLoader({ size: 2, maxBytes: 2 * 2 * 2 * 3 }); // room for two images
    await loader.load({ path: a });
    await loader.load({ path: b });
    await loader.load({ path: a }); // a is now the most recent
    await loader.load({ path: c }); // evicts b
    expect(loader.cached).toBe(2);
    await unlink(a);
    await unlink(b);
    expect((await loader.load({ path: a }))[0]).toBeCloseTo(10 / 255, 6);
    await expect(loader.load({ path: b, problemId: 'p-b' })).rejects.toThrow("image of problem 'p-b' not found");
  });

  it('names the problem of a missing image in a batch', async () => {
    const a = await solid('a.png', [1, 2, 3]);
    const loader = createImageTensorLoader({ size: 2 });
    const err = (await loader
      .loadBatch([{ path: a }, { path: join(dir, 'nope.png'), problemId: 'q7' }])
      .catch((e: unknown) => e)) as DataError;
    expect(err).toBeInstanceOf(DataError);
    expect(err.message).toContain(`${join(dir, 'nope.png')} (field 'images'): image of problem 'q7' not found`);
  });
});
