import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createRequestBatcher } from './request-batcher.ts';
import type { Completion, GenerationBackend, GenerationParams, Prompt } from './types.ts';

const P: GenerationParams = { n: 1, temperature: 0, topP: 1, maxTokens: 4 };
const prompt = (t: string): Prompt => [{ role: 'user', content: t }];
const answer = (prompts: readonly Prompt[]) =>
  prompts.map((p): Completion[] => [{ text: `out ${String(p[0]?.content)}`, finishReason: 'stop' }]);

/** An engine whose calls end only when the test releases them (oldest first); records the prompts of each call. */
function gatedEngine(): GenerationBackend & { calls: string[][]; release: () => void } {
  const calls: string[][] = [];
  const gates: (() => void)[] = [];
  return {
    id: 'gated',
    calls,
    release: () => gates.shift()?.(),
    async generate(prompts) {
      calls.push(prompts.map((p) => String(p[0]?.content)));
      await new Promise<void>((resolve) => gates.push(resolve));
      return answer(prompts);
    },
  };
}

/** An engine that answers at once and records the prompts of each call. */
function instantEngine(): GenerationBackend & { calls: string[][] } {
  const calls: string[][] = [];
  return {
    id: 'instant',
    calls,
    async generate(prompts) {
      calls.push(prompts.map((p) => String(p[0]?.content)));
      return answer(prompts);
    },
  };
}

// The batching window runs on fake timers: each test moves the clock itself, so no outcome depends on real time.
beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('createRequestBatcher', () => {
  it('collects requests that arrive while the engine is busy into the next call', async () => {
    const engine = gatedEngine();
    const batcher = createRequestBatcher(engine, { maxBatch: 16, windowMs: 2 });
    const first = batcher.submit(prompt('a'), P);
    await vi.advanceTimersByTimeAsync(1);
    expect(engine.calls).toEqual([]); // still inside a's window
    await vi.advanceTimersByTimeAsync(1);
    expect(engine.calls).toEqual([['a']]); // 'a' is running now
    const rest = ['b', 'c', 'd', 'e', 'f'].map((t) => batcher.submit(prompt(t), P));
    await vi.advanceTimersByTimeAsync(10); // their window passes while the engine is busy
    expect(engine.calls).toEqual([['a']]);
    engine.release();
    await vi.advanceTimersByTimeAsync(0);
    expect(engine.calls).toEqual([['a'], ['b', 'c', 'd', 'e', 'f']]);
    engine.release();
    const out = await Promise.all([first, ...rest]);
    expect(out.map((r) => r[0]?.text)).toEqual(['out a', 'out b', 'out c', 'out d', 'out e', 'out f']);
    expect(batcher.stats()).toEqual({ calls: 2, prompts: 6, largest: 5, cancelled: 0, isolated: 0 });
  });

  it('caps a call at maxBatch and never mixes sampling params', async () => {
    const engine = instantEngine();
    const batcher = createRequestBatcher(engine, { maxBatch: 2, windowMs: 20 });
    const all = Promise.all([
      batcher.submit(prompt('a'), P),
      batcher.submit(prompt('b'), { ...P, temperature: 1 }),
      batcher.submit(prompt('c'), P),
      batcher.submit(prompt('d'), P),
    ]);
    await vi.advanceTimersByTimeAsync(0);
    expect(engine.calls).toEqual([['a', 'c']]); // full at 2: runs without waiting for its window
    await vi.advanceTimersByTimeAsync(20);
    await all;
    expect(engine.calls).toEqual([['a', 'c'], ['b'], ['d']]); // then the others, oldest window first
    expect(batcher.stats()).toEqual({ calls: 3, prompts: 4, largest: 2, cancelled: 0, isolated: 0 });
  });

  it('rejects every request of a failed call and keeps serving', async () => {
    let fail = true;
    const engine = instantEngine();
    const batcher = createRequestBatcher(
      {
        id: 'f',
        generate: (p, params) => (fail ? Promise.reject(new Error('engine down')) : engine.generate(p, params)),
      },
      { windowMs: 2 },
    );
    const results = Promise.allSettled([batcher.submit(prompt('a'), P), batcher.submit(prompt('b'), P)]);
    await vi.advanceTimersByTimeAsync(2);
    expect((await results).map((r) => r.status === 'rejected' && String(r.reason))).toEqual([
      'Error: engine down',
      'Error: engine down',
    ]);
    fail = false;
    const next = batcher.submit(prompt('c'), P);
    await vi.advanceTimersByTimeAsync(2);
    expect((await next)[0]?.text).toBe('out c');
    expect(engine.calls).toEqual([['c']]);
  });

  it('fails only the prompt that fails alone: its batch neighbours get their rows', async () => {
    const engine = instantEngine();
    const picky: GenerationBackend = {
      id: 'picky',
      generate: (prompts, params) =>
        prompts.some((p) => p[0]?.content === 'bad')
          ? Promise.reject(new Error('image of prompt 1 cannot be decoded'))
          : engine.generate(prompts, params),
    };
    const batcher = createRequestBatcher(picky, { windowMs: 5 });
    const settled = Promise.allSettled(['a', 'bad', 'c'].map((t) => batcher.submit(prompt(t), P)));
    await vi.runAllTimersAsync();
    const results = await settled;
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value[0]?.text : String(r.reason)))).toEqual([
      'out a',
      'Error: image of prompt 1 cannot be decoded',
      'out c',
    ]);
    expect(engine.calls).toEqual([['a'], ['c']]);
    expect(batcher.stats()).toMatchObject({ calls: 4, isolated: 3 });
  });

  it('drops a request whose client left before its batch started; the engine never sees it', async () => {
    const engine = gatedEngine();
    const batcher = createRequestBatcher(engine, { windowMs: 2 });
    const first = batcher.submit(prompt('a'), P);
    await vi.advanceTimersByTimeAsync(2); // 'a' is running (held by the gate); 'b' and 'c' wait for the next call
    expect(engine.calls).toEqual([['a']]);
    const gone = new AbortController();
    const b = batcher.submit(prompt('b'), P, gone.signal);
    const c = batcher.submit(prompt('c'), P);
    gone.abort();
    await expect(b).rejects.toThrow('request was aborted');
    engine.release();
    await first;
    await vi.advanceTimersByTimeAsync(2);
    engine.release();
    expect((await c)[0]?.text).toBe('out c');
    expect(engine.calls).toEqual([['a'], ['c']]);
    expect(batcher.stats().cancelled).toBe(1);
  });

  it("stops a running call's rows for a client that left, and the call once every client left", async () => {
    /** An engine that decodes one token per 2 ms (fake time) and asks promptSignals between steps, as the embedded one. */
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
          await new Promise((resolve) => setTimeout(resolve, 2));
        }
        return prompts.map((): Completion[] => [{ text: 'done', finishReason: 'length' }]);
      },
    };
    const batcher = createRequestBatcher(stepping, { windowMs: 2 });
    const a = new AbortController();
    const b = new AbortController();
    const ra = batcher.submit(prompt('a'), P, a.signal);
    const rb = batcher.submit(prompt('b'), P, b.signal);
    const settled = Promise.allSettled([ra, rb]);
    await vi.advanceTimersByTimeAsync(30);
    a.abort();
    await vi.advanceTimersByTimeAsync(30);
    const stepsOfA = steps[0];
    await vi.advanceTimersByTimeAsync(30);
    expect(steps[0]).toBe(stepsOfA); // a's rows no longer advance
    expect(steps[1]).toBeGreaterThan(stepsOfA ?? 0);
    b.abort();
    await vi.advanceTimersByTimeAsync(4);
    const [sa, sb] = await settled;
    expect(sa?.status === 'rejected' && String(sa.reason)).toContain('request was aborted');
    expect(sb?.status === 'rejected' && String(sb.reason)).toContain('request was aborted');
    expect(steps[1]).toBeLessThan(500);
    expect(batcher.stats()).toMatchObject({ calls: 1, cancelled: 2, isolated: 0 });
  });
});
