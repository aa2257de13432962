/**
 * The VLM runtime in a worker thread. ONNX Runtime's Node binding computes synchronously (it blocks the event loop
 * for the length of a run), so a server or a progress display that must stay responsive runs the engine here: the
 * same `VlmRuntime` interface, each call a message to the worker. Parameters and batches are copied across.
 */
import { Worker } from 'node:worker_threads';
import { VlthinkError } from '../core/index.ts';
import type { HostTensor, SessionOptions } from '../engine/index.ts';
import type { VlmConfig } from './config.ts';
import type { Params } from './params.ts';
import type { SampleResult, VlmRuntime } from './runtime.ts';
import type { WorkerReply, WorkerRequest } from './runtime-worker-entry.ts';

/** An error raised inside the runtime worker, re-raised in the caller with the worker's error name. */
export class RuntimeWorkerError extends VlthinkError {
  readonly workerErrorName: string;

  constructor(name: string, message: string) {
    super(`runtime worker: ${name}: ${message}`);
    this.workerErrorName = name;
  }
}

type Request = WorkerRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

/** Start a worker that owns a VlmRuntime; `release()` ends the worker. */
export async function createVlmWorkerRuntime(
  config: VlmConfig,
  params: Params,
  opts: { session?: Partial<SessionOptions> } = {},
): Promise<VlmRuntime> {
  // Compiled (dist/*.js) the entry is JavaScript; from source, workers do not inherit the parent's loader hooks, so
  // tsx is registered before importing the TypeScript entry.
  const fromSource = import.meta.url.endsWith('.ts');
  const entry = new URL(fromSource ? './runtime-worker-entry.ts' : './runtime-worker-entry.js', import.meta.url).href;
  const boot = fromSource
    ? `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`
    : `import(${JSON.stringify(entry)});`;
  const worker = new Worker(boot, { eval: true, workerData: { config, params, session: opts.session } });
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextId = 0;
  let failed: Error | undefined;
  const failAll = (err: Error) => {
    failed = err;
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  };
  worker.on('message', (reply: WorkerReply) => {
    const p = pending.get(reply.id);
    if (!p) return;
    pending.delete(reply.id);
    if (reply.ok) p.resolve(reply.value);
    else p.reject(new RuntimeWorkerError(reply.name, reply.message));
  });
  worker.on('error', (err) => failAll(new RuntimeWorkerError(err.name, err.message)));
  worker.on('exit', (code) => {
    if (pending.size > 0) failAll(new RuntimeWorkerError('Exit', `the worker exited with code ${code}`));
  });
  const call = <T>(req: Request): Promise<T> => {
    if (failed) return Promise.reject(failed);
    const id = nextId++;
    return new Promise<T>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      worker.postMessage({ ...req, id });
    });
  };
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
        await worker.terminate();
      }
    },
  };
}
