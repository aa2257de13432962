/**
 * A SequenceScorer in a worker thread: `push` only posts the new position's tokens, so the scoring runs in parallel
 * with the caller's sampling (ONNX Runtime computes synchronously in whichever thread calls it).
 */
import type { VlmConfig } from './config.ts';
import type { Params } from './params.ts';
import type { SequenceScorer, SequenceScorerOptions } from './sequence-scorer.ts';
import type { ScorerRequest } from './sequence-scorer-worker-entry.ts';
import { RuntimeWorkerError, startWorkerRpc } from './worker-rpc.ts';

/** Start a worker that owns a SequenceScorer; `release()` ends the worker. */
export function createWorkerSequenceScorer(
  config: VlmConfig,
  params: Params,
  options: SequenceScorerOptions = {},
): SequenceScorer {
  const worker = startWorkerRpc('sequence-scorer-worker-entry', { config, params, options }, 'scorer worker');
  let ended = false;
  const post = (req: ScorerRequest) => worker.post(req);
  const call = (op: 'finish' | 'release') => worker.call<Float32Array[] | undefined>({ op });
  return {
    begin: (images, prefix, lastPosition) =>
      post({
        op: 'begin',
        images,
        prefix: prefix.map((r) => [...r]),
        ...(lastPosition === undefined ? {} : { lastPosition }),
      }),
    push: (position, tokens) => post({ op: 'push', position, tokens: [...tokens] }),
    async finish() {
      const value = await call('finish');
      if (!value) throw new RuntimeWorkerError('Error', 'the scorer worker returned no log-probs');
      return value;
    },
    async release() {
      if (ended) return;
      try {
        if (!worker.failed) await call('release');
      } finally {
        ended = true;
        await worker.end();
      }
    },
  };
}
