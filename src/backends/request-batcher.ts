import { AbortedError, isAbortError, stableStringify } from '../core/index.ts';
import type { Completion, GenerationBackend, GenerationParams, Prompt } from './types.ts';

/**
 * Batches concurrent single-prompt requests into one `generate` call, so a server in front of the embedded engine
 * decodes many prompts per step instead of one. Requests join a batch only when their sampling params are identical
 * (one call has one params object). A batch is ready when it holds `maxBatch` prompts or `windowMs` after its first
 * request; batches run one at a time, oldest ready first (the engine is one CPU-bound worker), and while the engine
 * is busy a ready batch keeps taking requests, so batches grow with the load.
 *
 * Example: 3 requests arrive within 2 ms with params P -> one generate([p1, p2, p3], P) -> each gets its own row.
 *
 * Isolation: a request's failure is its own. When a call of several prompts fails, each prompt is run again alone, so
 * only the prompt that fails alone is rejected. Cancellation: a request whose signal aborts (its client hung up) leaves
 * its batch if the batch has not started; in a running batch its signal reaches the engine (`promptSignals`), which
 * stops its rows at the next decode step, and the whole call stops once every request in it is gone.
 */
export interface RequestBatcher {
  /** `onDelta`: streaming, the text appended to completion `sample` as it is generated (each piece told once). */
  submit(
    prompt: Prompt,
    params: GenerationParams,
    signal?: AbortSignal,
    onDelta?: (sample: number, text: string) => void,
  ): Promise<Completion[]>;
  /** Calls made, prompts per call, requests cancelled before or while running, prompts rerun alone after a failure. */
  stats(): BatcherStats;
}

export interface BatcherStats {
  readonly calls: number;
  readonly prompts: number;
  readonly largest: number;
  readonly cancelled: number;
  readonly isolated: number;
}

interface Pending {
  readonly prompt: Prompt;
  readonly signal: AbortSignal | undefined;
  readonly onDelta: ((sample: number, text: string) => void) | undefined;
  /** Per sample, the text already told (a prompt rerun alone after a failed call does not tell it twice). */
  readonly told: string[];
  readonly resolve: (c: Completion[]) => void;
  readonly reject: (e: unknown) => void;
}

interface Batch {
  readonly key: string;
  readonly params: GenerationParams;
  readonly items: Pending[];
  /** Its window has passed (or it is full): it runs as soon as the engine is free. */
  ready: boolean;
  timer?: NodeJS.Timeout;
}

export function createRequestBatcher(
  backend: GenerationBackend,
  options: { maxBatch?: number; windowMs?: number } = {},
): RequestBatcher {
  const maxBatch = options.maxBatch ?? 16;
  const windowMs = options.windowMs ?? 5;
  /** Batches still taking requests, by params key; a ready batch keeps taking them until it starts or fills. */
  const open = new Map<string, Batch>();
  /** Every batch not yet started, oldest first. */
  const waiting: Batch[] = [];
  let busy = false;
  const stats = { calls: 0, prompts: 0, largest: 0, cancelled: 0, isolated: 0 };

  /** One engine call for `items`; the call's own signal fires when every item's client is gone. */
  const call = async (items: readonly Pending[], params: GenerationParams): Promise<Completion[][]> => {
    stats.calls++;
    stats.prompts += items.length;
    stats.largest = Math.max(stats.largest, items.length);
    const all = new AbortController();
    const signals = items.map((p) => p.signal);
    const check = () => {
      if (signals.every((s) => s?.aborted)) all.abort(new AbortedError('generation'));
    };
    for (const s of signals) s?.addEventListener('abort', check, { once: true });
    // This call's text per prompt and sample; only what goes past what the request was already told is passed on.
    const text = items.map((): string[] => []);
    const onDelta = (prompt: number, sample: number, delta: string) => {
      const p = items[prompt];
      const so = text[prompt];
      if (!p?.onDelta || !so) return;
      so[sample] = (so[sample] ?? '') + delta;
      const now = so[sample] ?? '';
      const before = p.told[sample] ?? '';
      if (now.length <= before.length || !now.startsWith(before)) return;
      p.told[sample] = now;
      p.onDelta(sample, now.slice(before.length));
    };
    try {
      const rows = await backend.generate(
        items.map((p) => p.prompt),
        params,
        all.signal,
        { promptSignals: signals, ...(items.some((p) => p.onDelta) ? { onDelta } : {}) },
      );
      if (rows.length !== items.length)
        throw new Error(`backend returned ${rows.length} rows for ${items.length} prompts`);
      return rows;
    } finally {
      for (const s of signals) s?.removeEventListener('abort', check);
    }
  };

  const settle = (p: Pending, row: Completion[] | undefined, err?: unknown) => {
    if (p.signal?.aborted) {
      stats.cancelled++;
      p.reject(new AbortedError('request'));
    } else if (row) p.resolve(row);
    else p.reject(err);
  };

  const run = async (batch: Batch) => {
    const live = batch.items.filter((p) => !p.signal?.aborted);
    for (const p of batch.items) if (p.signal?.aborted) settle(p, undefined);
    if (live.length === 0) return;
    try {
      const rows = await call(live, batch.params);
      for (const [i, p] of live.entries()) settle(p, rows[i]);
    } catch (err) {
      if (live.length === 1 || isAbortError(err)) {
        for (const p of live) settle(p, undefined, err);
        return;
      }
      // One bad prompt must not fail its neighbours: run each alone; only those that fail alone are rejected.
      for (const p of live) {
        if (p.signal?.aborted) {
          settle(p, undefined);
          continue;
        }
        stats.isolated++;
        try {
          settle(p, (await call([p], batch.params))[0]);
        } catch (alone) {
          settle(p, undefined, alone);
        }
      }
    }
  };

  /** Starts the oldest ready batch when the engine is idle; while it runs, newer requests keep joining theirs. */
  const pump = () => {
    if (busy) return;
    const index = waiting.findIndex((b) => b.ready);
    if (index < 0) return;
    const [batch] = waiting.splice(index, 1);
    if (!batch) return;
    if (open.get(batch.key) === batch) open.delete(batch.key);
    clearTimeout(batch.timer);
    busy = true;
    void run(batch).finally(() => {
      busy = false;
      pump();
    });
  };

  return {
    submit(prompt, params, signal, onDelta) {
      return new Promise<Completion[]>((resolve, reject) => {
        if (signal?.aborted) {
          stats.cancelled++;
          reject(new AbortedError('request'));
          return;
        }
        const key = stableStringify(params);
        let batch = open.get(key);
        if (!batch) {
          const created: Batch = { key, params, items: [], ready: false };
          created.timer = setTimeout(() => {
            created.ready = true;
            pump();
          }, windowMs);
          open.set(key, created);
          waiting.push(created);
          batch = created;
        }
        const target = batch;
        const pending: Pending = { prompt, signal, onDelta, told: [], resolve, reject };
        target.items.push(pending);
        // Gone before its batch started: leave the batch now (an empty batch is dropped when its turn comes).
        signal?.addEventListener(
          'abort',
          () => {
            const at = target.items.indexOf(pending);
            if (at < 0 || !waiting.includes(target)) return;
            target.items.splice(at, 1);
            stats.cancelled++;
            reject(new AbortedError('request'));
          },
          { once: true },
        );
        if (target.items.length >= maxBatch) {
          open.delete(key);
          target.ready = true;
          pump();
        }
      });
    },
    stats: () => ({ ...stats }),
  };
}
