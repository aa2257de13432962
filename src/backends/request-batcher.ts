import { stableStringify } from '../core/index.ts';
import type { Completion, GenerationBackend, GenerationParams, Prompt } from './types.ts';

/**
 * Batches concurrent single-prompt requests into one `generate` call, so a server in front of the embedded engine
 * decodes many prompts per step instead of one. Requests join a batch only when their sampling params are identical
 * (one call has one params object); a batch leaves when it holds `maxBatch` prompts or `windowMs` after its first
 * request arrived. Batches run one at a time, in arrival order: the engine is one CPU-bound worker.
 *
 * Example: 3 requests arrive within 2 ms with params P -> one generate([p1, p2, p3], P) -> each gets its own row.
 */
export interface RequestBatcher {
  submit(prompt: Prompt, params: GenerationParams): Promise<Completion[]>;
  /** Calls made so far and prompts per call, for logs and tests. */
  stats(): { calls: number; prompts: number; largest: number };
}

interface Pending {
  readonly prompt: Prompt;
  readonly resolve: (c: Completion[]) => void;
  readonly reject: (e: unknown) => void;
}

interface Batch {
  readonly params: GenerationParams;
  readonly items: Pending[];
  timer?: NodeJS.Timeout;
}

export function createRequestBatcher(
  backend: GenerationBackend,
  options: { maxBatch?: number; windowMs?: number } = {},
): RequestBatcher {
  const maxBatch = options.maxBatch ?? 16;
  const windowMs = options.windowMs ?? 5;
  const open = new Map<string, Batch>();
  let chain: Promise<void> = Promise.resolve();
  const stats = { calls: 0, prompts: 0, largest: 0 };

  const dispatch = (key: string, batch: Batch) => {
    if (open.get(key) === batch) open.delete(key);
    clearTimeout(batch.timer);
    chain = chain.then(async () => {
      stats.calls++;
      stats.prompts += batch.items.length;
      stats.largest = Math.max(stats.largest, batch.items.length);
      try {
        const rows = await backend.generate(
          batch.items.map((p) => p.prompt),
          batch.params,
        );
        batch.items.forEach((p, i) => {
          const row = rows[i];
          if (row) p.resolve(row);
          else p.reject(new Error(`backend returned ${rows.length} rows for ${batch.items.length} prompts`));
        });
      } catch (err) {
        for (const p of batch.items) p.reject(err);
      }
    });
  };

  return {
    submit(prompt, params) {
      return new Promise<Completion[]>((resolve, reject) => {
        const key = stableStringify(params);
        let batch = open.get(key);
        if (!batch) {
          const created: Batch = { params, items: [] };
          created.timer = setTimeout(() => dispatch(key, created), windowMs);
          open.set(key, created);
          batch = created;
        }
        batch.items.push({ prompt, resolve, reject });
        if (batch.items.length >= maxBatch) dispatch(key, batch);
      });
    },
    stats: () => ({ ...stats }),
  };
}
