import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { AbortedError, BackendError, type Logger, silentLogger } from '../core/index.ts';
import { createLineSplitter, createTail } from './job-runner.ts';
import { abortableSleep } from './retry.ts';

/**
 * A policy server vlthink runs itself: for each checkpoint a stage generates with (regeneration, difficulty,
 * evaluation) it starts `vllm serve <checkpoint>` as a local process, waits until `GET /v1/models` lists the model,
 * hands out its URL, and stops it when the stage is done. Output goes to a log file in the run directory.
 *
 * The command line is vLLM's: `<command...> <checkpoint> --host H --port P --served-model-name NAME <extraArgs...>`
 * (vLLM's OpenAI server: `vllm serve MODEL_TAG`, `--host`, `--port`, `--served-model-name`; SGLang or another server
 * with the same flags works too). GPUs are chosen with CUDA_VISIBLE_DEVICES. Stopping sends SIGTERM to the process
 * group (vLLM's engine cores are child processes), then SIGKILL after `stopTimeoutS`.
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
    .describe('CUDA_VISIBLE_DEVICES for the server (null: inherit)'),
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
  readonly pid: number;
  /** Stops the server (SIGTERM to its process group, SIGKILL after the grace) and waits for it to exit. */
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
  const { config, signal } = options;
  const log = options.logger ?? silentLogger;
  const modelsUrl = `${options.baseUrl.replace(/\/+$/, '')}/models`;
  if (signal?.aborted) throw new AbortedError('policy server start');
  // Something already answering there would be taken for the new server (or make it fail to bind): refuse.
  const before = await listModels(modelsUrl).catch(() => undefined);
  if (before !== undefined)
    throw new BackendError(modelsUrl, `a server already answers there (serving ${before.join(', ') || 'nothing'})`, {
      hint: 'stop it (a server left behind by a killed run?) or point backend.policy.baseUrl at a free port',
    });

  const argv = managedServerArgv(config, options.checkpoint, options.baseUrl, options.model);
  const [program, ...args] = argv;
  if (program === undefined) throw new BackendError('serving', 'empty serving command');
  await mkdir(dirname(options.logFile), { recursive: true });
  const out = createWriteStream(options.logFile, { flags: 'a' });
  out.write(`[vlthink ${new Date().toISOString()}] ${argv.join(' ')}\n`);
  const tail = createTail(20);
  const env = { ...process.env, ...config.env, ...(config.gpus !== null ? { CUDA_VISIBLE_DEVICES: config.gpus } : {}) };
  const child = spawn(program, args, { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const emit = (line: string) => {
    out.write(`${line}\n`);
    tail.push(line);
  };
  const so = createLineSplitter(emit);
  const se = createLineSplitter(emit);
  child.stdout?.setEncoding('utf8').on('data', (c: string) => so.write(c));
  child.stderr?.setEncoding('utf8').on('data', (c: string) => se.write(c));
  const exited = new Promise<string>((resolve) => {
    child.once('error', (err) => resolve(`cannot start '${program}': ${err.message}`));
    child.once('close', (code, sig) => {
      so.flush();
      se.flush();
      resolve(code === null ? `killed by ${sig}` : `exited with code ${code}`);
    });
  });
  let exitReason: string | undefined;
  void exited.then((why) => {
    exitReason = why;
  });
  const closeLog = () => new Promise<void>((resolve) => out.end(resolve));
  const stop = async () => {
    if (exitReason === undefined) {
      signalGroup(child, 'SIGTERM');
      const timer = setTimeout(() => signalGroup(child, 'SIGKILL'), config.stopTimeoutS * 1000);
      await exited;
      clearTimeout(timer);
    }
    await closeLog();
  };

  log.info(`policy server: ${argv.join(' ')} (log ${options.logFile})`);
  const deadline = Date.now() + config.startTimeoutS * 1000;
  try {
    for (;;) {
      if (exitReason !== undefined)
        throw new BackendError(
          `local:${program}`,
          `the policy server ${exitReason} before serving ${options.model}; last lines:\n${tail.text()}`,
          { hint: `full log: ${options.logFile}; is ${program} installed (backend.serving.command)?` },
        );
      const ids = await listModels(modelsUrl).catch(() => undefined);
      if (ids?.includes(options.model)) break;
      if (Date.now() > deadline)
        throw new BackendError(
          modelsUrl,
          `the policy server did not list ${options.model} within ${config.startTimeoutS} s${ids ? ` (it lists ${ids.join(', ') || 'nothing'})` : ''}`,
          { hint: `see ${options.logFile}; raise backend.serving.startTimeoutS for a large model` },
        );
      await abortableSleep(options.pollMs ?? 500, signal);
    }
  } catch (err) {
    await stop();
    if (signal?.aborted) throw new AbortedError('policy server start');
    throw err;
  }
  log.info(`policy server: ${options.model} ready at ${options.baseUrl}`);
  return { baseUrl: options.baseUrl, pid: child.pid ?? -1, stop };
}

async function listModels(url: string): Promise<string[]> {
  const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  const body = (await res.json()) as { data?: Array<{ id?: unknown }> };
  return (body.data ?? []).map((m) => String(m.id));
}

function signalGroup(child: ChildProcess, sig: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, sig);
  } catch {
    // The group is already gone.
  }
}
