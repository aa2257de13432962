/**
 * A SequenceScorer in a worker thread: `push` only posts the new position's tokens, so the scoring runs in parallel
 * with the caller's sampling (ONNX Runtime computes synchronously in whichever thread calls it).
 */
import { Worker } from 'node:worker_threads';
import type { VlmConfig } from './config.ts';
import type { Params } from './params.ts';
import { RuntimeWorkerError } from './runtime-worker.ts';
import type { SequenceScorer, SequenceScorerOptions } from './sequence-scorer.ts';
import type { ScorerReply, ScorerRequest } from './sequence-scorer-worker-entry.ts';

/** Start a worker that owns a SequenceScorer; `release()` ends the worker. */
export function createWorkerSequenceScorer(
  config: VlmConfig,
  params: Params,
  options: SequenceScorerOptions = {},
): SequenceScorer {
  const fromSource = import.meta.url.endsWith('.ts');
  const entry = new URL(
    fromSource ? './sequence-scorer-worker-entry.ts' : './sequence-scorer-worker-entry.js',
    import.meta.url,
  ).href;
  const boot = fromSource
    ? `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`
    : `import(${JSON.stringify(entry)});`;
  const worker = new Worker(boot, { eval: true, workerData: { config, params, options } });
  const pending = new Map<number, { resolve: (v: Float32Array[] | undefined) => void; reject: (e: Error) => void }>();
  let nextId = 0;
  let failed: Error | undefined;
  let ended = false;
  const failAll = (err: Error) => {
    failed = err;
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  };
  worker.on('message', (reply: ScorerReply) => {
    const p = pending.get(reply.id);
    if (!p) return;
    pending.delete(reply.id);
    if (reply.ok) p.resolve(reply.value);
    else p.reject(new RuntimeWorkerError(reply.name, reply.message));
  });
  worker.on('error', (err) => failAll(new RuntimeWorkerError(err.name, err.message)));
  worker.on('exit', (code) => {
    if (!ended) failAll(new RuntimeWorkerError('Exit', `the scorer worker exited with code ${code}`));
  });
  const post = (req: ScorerRequest) => {
    if (failed) throw failed;
    worker.postMessage(req);
  };
  const call = (op: 'finish' | 'release'): Promise<Float32Array[] | undefined> => {
    if (failed) return Promise.reject(failed);
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      worker.postMessage({ id, op });
    });
  };
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
        if (!failed) await call('release');
      } finally {
        ended = true;
        await worker.terminate();
      }
    },
  };
}
