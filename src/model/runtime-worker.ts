/**
 * The VLM runtime in a worker thread. ONNX Runtime's Node binding computes synchronously (it blocks the event loop
 * for the length of a run), so a server or a progress display that must stay responsive runs the engine here: the
 * same `VlmRuntime` interface, each call a message to the worker. Parameters and batches are copied across.
 */
import type { HostTensor, SessionOptions } from '../engine/index.ts';
import type { VlmConfig } from './config.ts';
import type { Params } from './params.ts';
import type { SampleResult, VlmRuntime } from './runtime.ts';
import type { WorkerRequest } from './runtime-worker-entry.ts';
import { startWorkerRpc } from './worker-rpc.ts';

export { RuntimeWorkerError } from './worker-rpc.ts';

type Request = WorkerRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

/** Start a worker that owns a VlmRuntime; `release()` ends the worker. */
export async function createVlmWorkerRuntime(
  config: VlmConfig,
  params: Params,
  opts: { session?: Partial<SessionOptions> } = {},
): Promise<VlmRuntime> {
  const worker = startWorkerRpc('runtime-worker-entry', { config, params, session: opts.session }, 'worker');
  const call = <T>(req: Request): Promise<T> => worker.call<T>(req);
  return {
    config,
    setParams(p) {
      // Fire and forget: requests run in order, so the next call sees the new weights.
      call<void>({ op: 'setParams', params: p }).catch(() => undefined);
    },
    logprobs: (batch) => call<Float32Array[]>({ op: 'logprobs', batch }),
    logits: (batch, padToken) =>
      call<HostTensor>({ op: 'logits', batch, ...(padToken === undefined ? {} : { padToken }) }),
    sample: (batch, options) => call<SampleResult[]>({ op: 'sample', batch, ...(options ? { options } : {}) }),
    async release() {
      try {
        await call<void>({ op: 'release' });
      } finally {
        await worker.end();
      }
    },
  };
}
