/**
 * One engine worker thread and its request / reply protocol, shared by the runtime worker and the sequence scorer's
 * worker: the entry module booted (compiled, `dist/*.js` is JavaScript; from source, workers do not inherit the
 * parent's loader hooks, so tsx is registered before importing the TypeScript entry), each request tagged with an id
 * and settled by the reply carrying it, and every pending request failed when the worker errors or exits unasked.
 */
import { Worker } from 'node:worker_threads';
import { VlthinkError } from '../core/index.ts';

/** An error raised inside an engine worker, re-raised in the caller with the worker's error name. */
export class RuntimeWorkerError extends VlthinkError {
  readonly workerErrorName: string;

  constructor(name: string, message: string) {
    super(`runtime worker: ${name}: ${message}`);
    this.workerErrorName = name;
  }
}

/** What an entry posts back for a request: its value, or the error it raised. */
export type WorkerReplyOf<T> =
  | { id: number; ok: true; value: T }
  | { id: number; ok: false; name: string; message: string };

export interface WorkerRpc {
  /** Post a request and wait for its reply. */
  call<T>(request: object): Promise<T>;
  /** Post a message that gets no reply; throws the worker's failure, if any. */
  post(message: object): void;
  /** The error that ended the worker, if one did. */
  readonly failed: Error | undefined;
  /** Terminate the worker (its exit is then not a failure). */
  end(): Promise<void>;
}

/** Start the worker whose entry is `./<entry>.ts` (or `.js` compiled) beside this module. */
export function startWorkerRpc(entry: string, workerData: unknown, what: string): WorkerRpc {
  const fromSource = import.meta.url.endsWith('.ts');
  const url = new URL(`./${entry}${fromSource ? '.ts' : '.js'}`, import.meta.url).href;
  const boot = fromSource
    ? `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(url)}); });`
    : `import(${JSON.stringify(url)});`;
  const worker = new Worker(boot, { eval: true, workerData });
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextId = 0;
  let failed: Error | undefined;
  let ended = false;
  const failAll = (err: Error) => {
    failed = err;
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  };
  worker.on('message', (reply: WorkerReplyOf<unknown>) => {
    const p = pending.get(reply.id);
    if (!p) return;
    pending.delete(reply.id);
    if (reply.ok) p.resolve(reply.value);
    else p.reject(new RuntimeWorkerError(reply.name, reply.message));
  });
  worker.on('error', (err) => failAll(new RuntimeWorkerError(err.name, err.message)));
  worker.on('exit', (code) => {
    if (!ended) failAll(new RuntimeWorkerError('Exit', `the ${what} exited with code ${code}`));
  });
  return {
    call<T>(request: object): Promise<T> {
      if (failed) return Promise.reject(failed);
      const id = nextId++;
      return new Promise<T>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
        worker.postMessage({ ...request, id });
      });
    },
    post(message) {
      if (failed) throw failed;
      worker.postMessage(message);
    },
    get failed() {
      return failed;
    },
    async end() {
      ended = true;
      await worker.terminate();
    },
  };
}
