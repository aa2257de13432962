import { describe, expect, it } from 'vitest';
import { createRng } from '../core/index.ts';
import {
  createSequenceScorer,
  createVlmRuntime,
  createWorkerSequenceScorer,
  imageValues,
  initParams,
  type SequenceScorer,
  tinyConfig,
  type VlmConfig,
} from './index.ts';

const cfg: VlmConfig = tinyConfig(13, {
  dModel: 16,
  nLayers: 2,
  nHeads: 2,
  dFF: 32,
  imageSize: 8,
  patchSize: 4,
  maxTextLen: 12,
});
const rng = createRng(9);
// Rows 4 and 5 repeat row 0 (a GRPO group: the sampler and the scorer prefill it once); row 6 has row 0's image and
// first token but a longer prompt; row 7 row 0's prompt under another image (not shared).
const prompts = [[1, 5], [1, 6, 7, 8], [1], [1, 9, 4], [1, 5], [1, 5], [1, 5, 7], [1, 5]];
const images = Float32Array.from({ length: prompts.length * imageValues(cfg) }, () => rng.next());
for (const row of [4, 5, 6]) images.copyWithin(row * imageValues(cfg), 0, imageValues(cfg));
const V = cfg.vocabSize;

/** log softmax(logits / T)[token j] of the full forward for j = 1..len-1 of each row. */
async function fullForward(params: ReturnType<typeof initParams>, rows: number[][], T: number): Promise<number[][]> {
  const rt = await createVlmRuntime(cfg, params);
  const lg = await rt.logits({ images, tokens: rows.map((r) => r.slice(0, -1)) }, 0);
  await rt.release();
  const Tmax = lg.dims[1] as number;
  const data = lg.data as Float32Array;
  return rows.map((r, b) =>
    r.slice(1).map((tok, i) => {
      const row = Array.from(data.subarray((b * Tmax + i) * V, (b * Tmax + i + 1) * V), (x) => x / T);
      const max = Math.max(...row);
      const lse = max + Math.log(row.reduce((acc, x) => acc + Math.exp(x - max), 0));
      return (row[tok] as number) - lse;
    }),
  );
}

/** Sample with the scorer fed from onColumn; return the sampled rows (prompt + response) and the scorer's values. */
async function sampleScored(scorer: SequenceScorer, seed: number, maxTokens: number, announce: boolean) {
  const sampler = await createVlmRuntime(cfg, initParams(cfg, 6));
  const L0 = Math.min(...prompts.map((p) => p.length));
  const last = Math.min(Math.max(...prompts.map((p) => p.length)) + maxTokens - 1, cfg.maxTextLen);
  scorer.begin(
    images,
    prompts.map((p) => p.slice(0, L0)),
    announce ? last : undefined,
  );
  const out = await sampler.sample(
    { images, prompts, onColumn: (t, tokens) => scorer.push(t, tokens) },
    { maxTokens, seed, stopToken: 2, temperature: 1.2 },
  );
  const values = await scorer.finish();
  await sampler.release();
  return { rows: prompts.map((p, b) => [...p, ...(out[b]?.tokens ?? [])]), values };
}

describe('sequence scorer', () => {
  const ref = initParams(cfg, 3);
  for (const [label, make] of [
    ['in this thread', (o: { temperature: number; minChunk: number }) => createSequenceScorer(cfg, ref, o)],
    ['in a worker', async (o: { temperature: number; minChunk: number }) => createWorkerSequenceScorer(cfg, ref, o)],
  ] as const) {
    it(`${label}: scores sampled rows under other weights as the full forward does (1e-5), chunk after chunk`, async () => {
      for (const [temperature, minChunk, maxTokens] of [
        [1, 1, 9],
        [0.7, 3, 11],
        [1.3, 8, 12],
      ] as const) {
        const scorer = await make({ temperature, minChunk });
        try {
          for (const seed of [1, 2]) {
            const { rows, values } = await sampleScored(scorer, seed, maxTokens, seed === 2);
            const want = await fullForward(ref, rows, temperature);
            rows.forEach((r, b) => {
              const got = Array.from(values[b] as Float32Array).slice(0, r.length - 1);
              expect(got.length).toBe(r.length - 1);
              for (const [j, x] of got.entries()) expect(Math.abs(x - (want[b]?.[j] as number))).toBeLessThan(1e-5);
            });
          }
        } finally {
          await scorer.release();
        }
      }
    });
  }

  it('rejects pushes out of order, and tells a bad token at finish', async () => {
    const images4 = images.subarray(0, 4 * imageValues(cfg));
    const scorer = await createSequenceScorer(cfg, ref);
    scorer.begin(images4, [[1], [1], [1], [1]]);
    expect(() => scorer.push(2, [1, 1, 1, 1])).toThrow(/pushed position 2, expected 1/);
    expect(() => scorer.push(1, [1, 1])).toThrow(/2 tokens for 4 rows/);
    expect(() => scorer.push(1, [1, 1, 99, 1])).toThrow(/token id 99/);
    scorer.begin(images4, [[1], [1], [1], [1]], 1);
    scorer.push(1, [1, 1, 1, 1]);
    expect(() => scorer.push(2, [1, 1, 1, 1])).toThrow(/past the last one announced \(1\)/);
    await scorer.release();
    const worker = createWorkerSequenceScorer(cfg, ref);
    worker.begin(images4, [[1], [1], [1], [1]]);
    worker.push(1, [1, 1, 99, 1]);
    await expect(worker.finish()).rejects.toThrow(/token id 99/);
    await worker.release();
  });
});
