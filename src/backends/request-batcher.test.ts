import { describe, expect, it } from 'vitest';
import { delay } from './loopback-server.ts';
import { createRequestBatcher } from './request-batcher.ts';
import type { Completion, GenerationBackend, GenerationParams, Prompt } from './types.ts';

const P: GenerationParams = { n: 1, temperature: 0, topP: 1, maxTokens: 4 };
const prompt = (t: string): Prompt => [{ role: 'user', content: t }];

/** An engine that takes `ms` per call and records the prompts of each call. */
function slowEngine(ms: number): GenerationBackend & { calls: string[][] } {
  const calls: string[][] = [];
  return {
    id: 'slow',
    calls,
    async generate(prompts) {
      calls.push(prompts.map((p) => String(p[0]?.content)));
      await delay(ms);
      return prompts.map((p): Completion[] => [{ text: `out ${String(p[0]?.content)}`, finishReason: 'stop' }]);
    },
  };
}

describe('createRequestBatcher', () => {
  it('collects requests that arrive while the engine is busy into the next call', async () => {
    const engine = slowEngine(60);
    const batcher = createRequestBatcher(engine, { maxBatch: 16, windowMs: 2 });
    const first = batcher.submit(prompt('a'), P);
    await delay(15); // 'a' is running now
    const rest = ['b', 'c', 'd', 'e', 'f'].map((t) => batcher.submit(prompt(t), P));
    const out = await Promise.all([first, ...rest]);
    expect(out.map((r) => r[0]?.text)).toEqual(['out a', 'out b', 'out c', 'out d', 'out e', 'out f']);
    expect(engine.calls).toEqual([['a'], ['b', 'c', 'd', 'e', 'f']]);
  });

  it('caps a call at maxBatch and never mixes sampling params', async () => {
    const engine = slowEngine(5);
    const batcher = createRequestBatcher(engine, { maxBatch: 2, windowMs: 20 });
    await Promise.all([
      batcher.submit(prompt('a'), P),
      batcher.submit(prompt('b'), { ...P, temperature: 1 }),
      batcher.submit(prompt('c'), P),
      batcher.submit(prompt('d'), P),
    ]);
    expect(engine.calls.map((c) => c.join('')).sort()).toEqual(['ac', 'b', 'd']);
    expect(batcher.stats()).toEqual({ calls: 3, prompts: 4, largest: 2 });
  });

  it('rejects every request of a failed call and keeps serving', async () => {
    let fail = true;
    const engine = slowEngine(1);
    const batcher = createRequestBatcher(
      {
        id: 'f',
        generate: (p, params) => (fail ? Promise.reject(new Error('engine down')) : engine.generate(p, params)),
      },
      { windowMs: 2 },
    );
    const results = await Promise.allSettled([batcher.submit(prompt('a'), P), batcher.submit(prompt('b'), P)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    expect((await batcher.submit(prompt('c'), P))[0]?.text).toBe('out c');
  });
});
