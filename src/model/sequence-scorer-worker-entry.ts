/**
 * The worker side of `createWorkerSequenceScorer`: owns one SequenceScorer and applies its parent's messages in order.
 * Loaded through a small bootstrap that registers tsx first (workers do not inherit the parent's loader hooks).
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { VlmConfig } from './config.ts';
import type { Params } from './params.ts';
import { createSequenceScorer, type SequenceScorerOptions } from './sequence-scorer.ts';

export type ScorerRequest =
  | { op: 'begin'; images: Float32Array; prefix: number[][]; lastPosition?: number }
  | { op: 'push'; position: number; tokens: number[] }
  | { id: number; op: 'finish' }
  | { id: number; op: 'release' };

export type ScorerReply =
  | { id: number; ok: true; value: Float32Array[] | undefined }
  | { id: number; ok: false; name: string; message: string };

const port = parentPort;
if (port) {
  const init = workerData as { config: VlmConfig; params: Params; options: SequenceScorerOptions };
  const ready = createSequenceScorer(init.config, init.params, init.options);
  // begin / push answer nothing: their first error is kept and told by the next finish.
  let failed: Error | undefined;
  let queue: Promise<void> = Promise.resolve();
  port.on('message', (req: ScorerRequest) => {
    queue = queue.then(async () => {
      try {
        const scorer = await ready;
        if (req.op === 'begin') {
          failed = undefined;
          scorer.begin(req.images, req.prefix, req.lastPosition);
        } else if (req.op === 'push') {
          if (!failed) scorer.push(req.position, req.tokens);
        } else {
          const value = req.op === 'finish' ? await scorer.finish() : await scorer.release();
          if (req.op === 'finish' && failed) throw failed;
          port.postMessage({ id: req.id, ok: true, value: value ?? undefined } satisfies ScorerReply);
        }
      } catch (err) {
        const e = err instanceof Error ? err : new Error(String(err));
        if (req.op === 'begin' || req.op === 'push') failed ??= e;
        else port.postMessage({ id: req.id, ok: false, name: e.name, message: e.message } satisfies ScorerReply);
      }
    });
  });
}
