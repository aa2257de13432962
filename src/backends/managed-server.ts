import { randomUUID } from 'node:crypto';
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { AbortedError, BackendError, type Logger, silentLogger } from '../core/index.ts';
import type { PlannedCommand } from './job-plan.ts';
import { createTail, type JobRunner } from './job-runner.ts';
import { abortableSleep } from './retry.ts';

/**
 * A policy server vlthink runs itself: for each checkpoint a stage generates with (regeneration, difficulty,
 * evaluation) it starts `vllm serve <checkpoint>` through a job runner — a local process, or a Ray job (then it must
 * land on the host the policy URL names: a one-node cluster, or GPUs only there) —, waits until `GET /v1/models` lists
 * the model, hands out its URL, and stops it when the stage is done. Output goes to a log file in the run directory.
 *
 * The command line is vLLM's: `<command...> <checkpoint> --host H --port P --served-model-name NAME <extraArgs...>`
 * (vLLM's OpenAI server: `vllm serve MODEL_TAG`, `--host`, `--port`, `--served-model-name`; SGLang or another server
 * with the same flags works too). GPUs: CUDA_VISIBLE_DEVICES for a local process, `entrypoint_num_gpus` for a Ray job.
 * Stopping a local server sends SIGTERM to its process group (vLLM's engine cores are child processes), then SIGKILL
 * after `stopTimeoutS`; a Ray job is stopped through the Jobs API.
 */
export const ManagedServingConfig = z.strictObject({
  kind: z
    .literal('vllm')
    .describe(
      'vlthink starts `vllm serve <checkpoint>` on the policy URL for each stage that generates, and stops it after',
    ),
  command: z
    .array(z.string())
    .min(1)
    .default(['vllm', 'serve'])
    .describe('the server command; the checkpoint, --host, --port and --served-model-name are appended'),
  gpus: z
    .string()
    .regex(/^\d+(,\d+)*$/, 'a comma-separated list of GPU indices, e.g. 0,1')
    .nullable()
    .default(null)
    .describe(
      'CUDA_VISIBLE_DEVICES for a local server; on Ray, their count is its entrypoint_num_gpus (null: inherit)',
    ),
  extraArgs: z
    .array(z.string())
    .default([])
    .describe('more server arguments, e.g. ["--tensor-parallel-size", "2", "--max-model-len", "8192"]'),
  env: z.record(z.string(), z.string()).default({}).describe('extra environment for the server'),
  startTimeoutS: z
    .number()
    .positive()
    .default(1800)
    .describe('how long the server may take to list the model on /v1/models (loading a 7B model: minutes)'),
  stopTimeoutS: z.number().positive().default(30).describe('grace after SIGTERM before SIGKILL'),
});
export type ManagedServingConfig = z.infer<typeof ManagedServingConfig>;

export interface ManagedServerOptions {
  readonly config: ManagedServingConfig;
  /** Where the server runs: a local process (createLocalRunner({ killGraceMs: stopTimeoutS })) or a Ray job. */
  readonly runner: JobRunner;
  readonly checkpoint: string;
  /** The OpenAI base URL clients use, e.g. http://127.0.0.1:8002/v1: its host and port are the server's. */
  readonly baseUrl: string;
  readonly model: string;
  /** Appended to: every output line of the server, after a header naming the command. */
  readonly logFile: string;
  readonly signal?: AbortSignal;
  readonly logger?: Logger;
  /** Health poll period, ms. */
  readonly pollMs?: number;
}

export interface ManagedServer {
  readonly baseUrl: string;
  /** Stops the server (local: SIGTERM to its process group, SIGKILL after the grace; Ray: the job is stopped). */
  stop(): Promise<void>;
}

/** The argv that serves `checkpoint` as `model` on the base URL's host and port. */
export function managedServerArgv(config: ManagedServingConfig, checkpoint: string, baseUrl: string, model: string) {
  const url = new URL(baseUrl);
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return [
    ...config.command,
    checkpoint,
    '--host',
    url.hostname,
    '--port',
    port,
    '--served-model-name',
    model,
    ...config.extraArgs,
  ];
}

export async function startManagedServer(options: ManagedServerOptions): Promise<ManagedServer> {
  const { config, runner } = options;
  const log = options.logger ?? silentLogger;
  const modelsUrl = `${options.baseUrl.replace(/\/+$/, '')}/models`;
  if (options.signal?.aborted) throw new AbortedError('policy server start');
  // Something already answering there would be taken for the new server (or make it fail to bind): refuse.
  const before = await listModels(modelsUrl).catch(() => undefined);
  if (before !== undefined)
    throw new BackendError(modelsUrl, `a server already answers there (serving ${before.join(', ') || 'nothing'})`, {
      hint: 'stop it (a server left behind by a killed run?) or point backend.policy.baseUrl at a free port',
    });

  const argv = managedServerArgv(config, options.checkpoint, options.baseUrl, options.model);
  await mkdir(dirname(options.logFile), { recursive: true });
  await appendFile(options.logFile, `[vlthink ${new Date().toISOString()}] ${argv.join(' ')} (on ${runner.id})\n`);
  const command: PlannedCommand = {
    name: 'serve',
    argv,
    cwd: dirname(options.logFile),
    env: {
      ...config.env,
      // A Ray job gets its GPUs from Ray (entrypoint_num_gpus); a local process from CUDA_VISIBLE_DEVICES.
      ...(config.gpus !== null && runner.id === 'local' ? { CUDA_VISIBLE_DEVICES: config.gpus } : {}),
      // Each start is a new job: Ray keeps a stopped job's id, and the next stage may serve the same checkpoint.
      VLTHINK_SERVE_ID: randomUUID(),
    },
  };
  const tail = createTail(20);
  const stopping = new AbortController();
  let ended: string | undefined;
  const running = runner
    .run(command, { logFile: options.logFile, signal: stopping.signal, onLine: (line) => tail.push(line) })
    .then(
      () => {
        ended = `exited before serving ${options.model}; last lines:\n${tail.text()}`;
      },
      (err: unknown) => {
        // The runner's error names the exit status and the last lines.
        ended = `stopped before serving ${options.model}: ${(err as Error).message}`;
      },
    );
  const stop = async () => {
    stopping.abort();
    await running;
  };

  log.info(`policy server: ${argv.join(' ')} on ${runner.id} (log ${options.logFile})`);
  const deadline = Date.now() + config.startTimeoutS * 1000;
  try {
    for (;;) {
      if (ended !== undefined)
        throw new BackendError(runner.id, `the policy server ${ended}`, {
          hint: `full log: ${options.logFile}; is ${argv[0]} installed (backend.serving.command)?`,
        });
      const ids = await listModels(modelsUrl).catch(() => undefined);
      if (ids?.includes(options.model)) break;
      if (Date.now() > deadline)
        throw new BackendError(
          modelsUrl,
          `the policy server did not list ${options.model} within ${config.startTimeoutS} s${ids ? ` (it lists ${ids.join(', ') || 'nothing'})` : ''}`,
          { hint: `see ${options.logFile}; raise backend.serving.startTimeoutS for a large model` },
        );
      await abortableSleep(options.pollMs ?? 500, options.signal);
    }
  } catch (err) {
    await stop();
    if (options.signal?.aborted) throw new AbortedError('policy server start');
    throw err;
  }
  log.info(`policy server: ${options.model} ready at ${options.baseUrl}`);
  return { baseUrl: options.baseUrl, stop };
}

async function listModels(url: string): Promise<string[]> {
  const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  const body = (await res.json()) as { data?: Array<{ id?: unknown }> };
  return (body.data ?? []).map((m) => String(m.id));
}
