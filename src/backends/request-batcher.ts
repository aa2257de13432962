import { stableStringify } from '../core/index.ts';
import type { Completion, GenerationBackend, GenerationParams, Prompt } from './types.ts';

/**
 * Batches concurrent single-prompt requests into one `generate` call, so a server in front of the embedded engine
 * decodes many prompts per step instead of one. Requests join a batch only when their sampling params are identical
 * (one call has one params object). A batch is ready when it holds `maxBatch` prompts or `windowMs` after its first
 * request; batches run one at a time, oldest ready first (the engine is one CPU-bound worker), and while the engine
 * is busy a ready batch keeps taking requests, so batches grow with the load.
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
  const stats = { calls: 0, prompts: 0, largest: 0 };

  const run = async (batch: Batch) => {
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
    submit(prompt, params) {
      return new Promise<Completion[]>((resolve, reject) => {
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
        batch.items.push({ prompt, resolve, reject });
        if (batch.items.length >= maxBatch) {
          open.delete(key);
          batch.ready = true;
          pump();
        }
      });
    },
    stats: () => ({ ...stats }),
  };
}
