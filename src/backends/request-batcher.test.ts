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
    expect(batcher.stats()).toEqual({ calls: 3, prompts: 4, largest: 2, cancelled: 0, isolated: 0 });
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

  it('fails only the prompt that fails alone: its batch neighbours get their rows', async () => {
    const engine = slowEngine(1);
    const picky: GenerationBackend = {
      id: 'picky',
      generate: (prompts, params) =>
        prompts.some((p) => p[0]?.content === 'bad')
          ? Promise.reject(new Error('image of prompt 1 cannot be decoded'))
          : engine.generate(prompts, params),
    };
    const batcher = createRequestBatcher(picky, { windowMs: 5 });
    const results = await Promise.allSettled(['a', 'bad', 'c'].map((t) => batcher.submit(prompt(t), P)));
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value[0]?.text : String(r.reason)))).toEqual([
      'out a',
      'Error: image of prompt 1 cannot be decoded',
      'out c',
    ]);
    expect(engine.calls).toEqual([['a'], ['c']]);
    expect(batcher.stats()).toMatchObject({ calls: 4, isolated: 3 });
  });

  it('drops a request whose client left before its batch started; the engine never sees it', async () => {
    const engine = slowEngine(30);
    const batcher = createRequestBatcher(engine, { windowMs: 2 });
    const first = batcher.submit(prompt('a'), P);
    await delay(10); // 'a' is running; 'b' and 'c' wait for the next call
    const gone = new AbortController();
    const b = batcher.submit(prompt('b'), P, gone.signal);
    const c = batcher.submit(prompt('c'), P);
    gone.abort();
    await expect(b).rejects.toThrow('request was aborted');
    expect((await c)[0]?.text).toBe('out c');
    await first;
    expect(engine.calls).toEqual([['a'], ['c']]);
    expect(batcher.stats().cancelled).toBe(1);
  });

  it("stops a running call's rows for a client that left, and the call once every client left", async () => {
    /** An engine that decodes one token per 2 ms and asks promptSignals between steps, like the embedded one. */
    const steps = [0, 0];
    const stepping: GenerationBackend = {
      id: 'stepping',
      async generate(prompts, _params, signal, options) {
        for (let t = 0; t < 500; t++) {
          let liveRows = 0;
          prompts.forEach((_, i) => {
            if (options?.promptSignals?.[i]?.aborted) return;
            steps[i] = (steps[i] ?? 0) + 1;
            liveRows++;
          });
          if (liveRows === 0 || signal?.aborted) throw new Error('stopped: every client left');
          await delay(2);
        }
        return prompts.map((): Completion[] => [{ text: 'done', finishReason: 'length' }]);
      },
    };
    const batcher = createRequestBatcher(stepping, { windowMs: 2 });
    const a = new AbortController();
    const b = new AbortController();
    const ra = batcher.submit(prompt('a'), P, a.signal);
    const rb = batcher.submit(prompt('b'), P, b.signal);
    await delay(30);
    a.abort();
    await delay(30);
    const stepsOfA = steps[0];
    await delay(30);
    expect(steps[0]).toBe(stepsOfA); // a's rows no longer advance
    expect(steps[1]).toBeGreaterThan(stepsOfA ?? 0);
    b.abort();
    await expect(ra).rejects.toThrow('request was aborted');
    await expect(rb).rejects.toThrow('request was aborted');
    expect(steps[1]).toBeLessThan(500);
    expect(batcher.stats()).toMatchObject({ calls: 1, cancelled: 2, isolated: 0 });
  });
});
