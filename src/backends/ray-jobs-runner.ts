import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { AbortedError, BackendError, contentHash, shortHash } from '../core/index.ts';
import { type PlannedCommand, shellQuote } from './job-plan.ts';
import { createLineSplitter, createTail, type JobRunner, type RunOptions } from './job-runner.ts';
import { abortableSleep, RetryPolicy, withRetries } from './retry.ts';

/**
 * Runs engine commands as Ray jobs through the Ray Jobs REST API on the head node's dashboard (default port 8265):
 *   POST /api/jobs/                  {entrypoint, submission_id, runtime_env, metadata, entrypoint_num_gpus?}
 *   GET  /api/jobs/{submission_id}   -> {status: PENDING|RUNNING|STOPPED|SUCCEEDED|FAILED, message, ...}
 *   GET  /api/jobs/{submission_id}/logs -> {logs}
 *   POST /api/jobs/{submission_id}/stop -> {stopped}
 * (docs.ray.io, "Ray Jobs REST API" and its OpenAPI specification, Ray 2.x.)
 *
 * The submission id is derived from the command's content, so when vlthink is restarted mid-job it re-attaches to
 * the job already on the cluster instead of starting a second one. Logs are fetched on every poll and the new part
 * is streamed line by line. An abort asks Ray to stop the job.
 */
export const RayJobsOptions = z.object({
  address: z.url().describe('Ray dashboard address, e.g. http://head-node:8265'),
  runtimeEnv: z
    .record(z.string(), z.unknown())
    .default({})
    .describe('Ray runtime_env for every job (working_dir, pip, env_vars, ...); command env is merged into env_vars'),
  entrypointNumGpus: z.number().min(0).optional().describe('GPUs reserved for the entrypoint process itself'),
  entrypointNumCpus: z.number().min(0).optional().describe('CPUs reserved for the entrypoint process itself'),
  pollIntervalMs: z.number().int().min(1).default(5_000).describe('status and log poll period, ms'),
  requestTimeoutMs: z.number().int().min(1).default(30_000).describe('per-request time limit, ms'),
  retry: RetryPolicy.default(RetryPolicy.parse({})).describe('retries for each REST call (5xx, dropped connections)'),
});
export type RayJobsOptions = z.input<typeof RayJobsOptions>;

export const RayJobStatus = z.enum(['PENDING', 'RUNNING', 'STOPPED', 'SUCCEEDED', 'FAILED']);
export type RayJobStatus = z.infer<typeof RayJobStatus>;

export const RaySubmitRequest = z.object({
  entrypoint: z.string().min(1),
  submission_id: z.string().optional(),
  runtime_env: z.record(z.string(), z.unknown()).optional(),
  metadata: z.record(z.string(), z.string()).optional(),
  entrypoint_num_cpus: z.number().optional(),
  entrypoint_num_gpus: z.number().optional(),
});
export type RaySubmitRequest = z.infer<typeof RaySubmitRequest>;

export const RaySubmitResponse = z.looseObject({ submission_id: z.string(), job_id: z.string().nullable().optional() });
export const RayJobDetails = z.looseObject({
  submission_id: z.string().nullable().optional(),
  status: RayJobStatus,
  message: z.string().nullable().optional(),
  entrypoint: z.string().optional(),
});
export type RayJobDetails = z.infer<typeof RayJobDetails>;
export const RayLogsResponse = z.looseObject({ logs: z.string() });
export const RayStopResponse = z.looseObject({ stopped: z.boolean() });

const TERMINAL: ReadonlySet<RayJobStatus> = new Set(['STOPPED', 'SUCCEEDED', 'FAILED']);

/** The submission for one command: the entrypoint `cd`s to the command's folder; its env goes to runtime_env. */
export function raySubmission(command: PlannedCommand, opts: z.infer<typeof RayJobsOptions>): RaySubmitRequest {
  const envVars = { ...((opts.runtimeEnv.env_vars as Record<string, string> | undefined) ?? {}), ...command.env };
  const runtimeEnv = { ...opts.runtimeEnv, ...(Object.keys(envVars).length > 0 ? { env_vars: envVars } : {}) };
  const entrypoint = `cd ${shellQuote(command.cwd)} && ${command.argv.map(shellQuote).join(' ')}`;
  return {
    entrypoint,
    submission_id: `vlthink-${command.name}-${shortHash(contentHash({ entrypoint, runtimeEnv }), 16)}`,
    runtime_env: runtimeEnv,
    metadata: { created_by: 'vlthink', command: command.name },
    ...(opts.entrypointNumGpus !== undefined ? { entrypoint_num_gpus: opts.entrypointNumGpus } : {}),
    ...(opts.entrypointNumCpus !== undefined ? { entrypoint_num_cpus: opts.entrypointNumCpus } : {}),
  };
}

export function createRayJobsRunner(options: RayJobsOptions): JobRunner {
  const opts = RayJobsOptions.parse(options);
  const root = `${opts.address.replace(/\/+$/, '')}/api/jobs`;

  const call = <T>(method: 'GET' | 'POST', url: string, schema: z.ZodType<T>, body?: unknown): Promise<T> =>
    withRetries(async () => {
      let res: Response;
      try {
        res = await fetch(url, {
          method,
          headers: body === undefined ? {} : { 'content-type': 'application/json' },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(opts.requestTimeoutMs),
        });
      } catch (err) {
        throw new BackendError(url, `Ray Jobs API unreachable: ${(err as Error).message}`, {
          retryable: true,
          cause: err,
        });
      }
      const text = await res.text();
      if (!res.ok)
        throw new BackendError(url, `Ray Jobs API answered: ${text.slice(0, 500)}`, {
          status: res.status,
          retryable: res.status >= 500,
        });
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        throw new BackendError(url, `Ray Jobs API sent non-JSON: ${text.slice(0, 200)}`, { status: res.status });
      }
      const parsed = schema.safeParse(json);
      if (!parsed.success)
        throw new BackendError(url, `unexpected Ray Jobs API response: ${z.prettifyError(parsed.error)}`);
      return parsed.data;
    }, opts.retry);

  const submitOrAttach = async (submission: RaySubmitRequest): Promise<string> => {
    const id = submission.submission_id ?? '';
    try {
      return (await call('POST', `${root}/`, RaySubmitResponse, submission)).submission_id;
    } catch (err) {
      // Ray rejects a reused submission_id: the job is already on the cluster (a vlthink restart), so follow it.
      if (
        err instanceof BackendError &&
        err.status !== undefined &&
        err.status < 500 &&
        /already exists/i.test(err.message)
      )
        return id;
      throw err;
    }
  };

  return {
    id: `ray:${opts.address}`,
    async run(command, run: RunOptions) {
      if (run.signal?.aborted) throw new AbortedError(`${command.name} Ray job`);
      const submission = raySubmission(command, opts);
      const id = await submitOrAttach(submission);
      await mkdir(dirname(run.logFile), { recursive: true });
      const log = createWriteStream(run.logFile, { flags: 'a' });
      const tail = createTail(20);
      const lines = createLineSplitter((line) => {
        log.write(`${line}\n`);
        tail.push(line);
        run.onLine?.(line);
      });
      let seen = 0;
      const pullLogs = async () => {
        const { logs } = await call('GET', `${root}/${id}/logs`, RayLogsResponse);
        if (logs.length > seen) lines.write(logs.slice(seen));
        seen = Math.max(seen, logs.length);
      };
      try {
        for (;;) {
          if (run.signal?.aborted) {
            await call('POST', `${root}/${id}/stop`, RayStopResponse);
            throw new AbortedError(`${command.name} Ray job ${id}`);
          }
          const details = await call('GET', `${root}/${id}`, RayJobDetails);
          await pullLogs();
          if (TERMINAL.has(details.status)) {
            lines.flush();
            if (details.status === 'SUCCEEDED') return;
            throw new BackendError(
              `${root}/${id}`,
              `${command.name} Ray job ${details.status}${details.message ? `: ${details.message}` : ''}; last lines:\n${tail.text()}`,
              {
                hint: `full log: ${run.logFile}; a failed submission id is kept by Ray: \`ray job delete ${id}\` to rerun`,
              },
            );
          }
          await abortableSleep(opts.pollIntervalMs, run.signal).catch(() => undefined);
        }
      } finally {
        await new Promise<void>((resolve) => log.end(resolve));
      }
    },
  };
}
