/**
 * The worker side of `createVlmWorkerRuntime`: owns one VlmRuntime and answers its parent's requests in order.
 * Loaded through a small bootstrap that registers tsx first (workers do not inherit the parent's loader hooks).
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { SessionOptions } from '../engine/index.ts';
import type { VlmConfig } from './config.ts';
import type { Params } from './params.ts';
import { createVlmRuntime, type SampleBatch, type SampleOptions, type VlmBatch } from './runtime.ts';

export type WorkerRequest =
  | { id: number; op: 'setParams'; params: Params }
  | { id: number; op: 'logprobs'; batch: VlmBatch }
  | { id: number; op: 'logits'; batch: VlmBatch; padToken?: number }
  | { id: number; op: 'sample'; batch: SampleBatch; options?: SampleOptions }
  | { id: number; op: 'release' };

export type WorkerReply =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; name: string; message: string };

const port = parentPort;
if (port) {
  const init = workerData as { config: VlmConfig; params: Params; session?: Partial<SessionOptions> };
  const ready = createVlmRuntime(init.config, init.params, { session: init.session ?? {} });
  let queue: Promise<void> = Promise.resolve();
  port.on('message', (req: WorkerRequest) => {
    queue = queue.then(async () => {
      try {
        const rt = await ready;
        let value: unknown;
        if (req.op === 'setParams') value = rt.setParams(req.params);
        else if (req.op === 'logprobs') value = await rt.logprobs(req.batch);
        else if (req.op === 'logits') value = await rt.logits(req.batch, req.padToken);
        else if (req.op === 'sample') value = await rt.sample(req.batch, req.options);
        else value = await rt.release();
        port.postMessage({ id: req.id, ok: true, value } satisfies WorkerReply);
      } catch (err) {
        const e = err instanceof Error ? err : new Error(String(err));
        port.postMessage({ id: req.id, ok: false, name: e.name, message: e.message } satisfies WorkerReply);
      }
    });
  });
}
