import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { z } from 'zod';
import { AbortedError, BackendError, ConfigError, contentHash, shortHash } from '../core/index.ts';
import { type PlannedCommand, shellQuote } from './job-plan.ts';
import { createLineSplitter, createTail, type JobRunner, type RunOptions } from './job-runner.ts';
import { ANCHOR_CHARS, createLogFollower } from './ray-log-follower.ts';
import { abortableSleep, RetryPolicy, withRetries } from './retry.ts';

/**
 * Runs engine commands as Ray jobs through the Ray Jobs REST API on the head node's dashboard (default port 8265), as
 * `dashboard/modules/job/job_head.py` serves it:
 *   POST /api/jobs/                    {entrypoint, submission_id, runtime_env, metadata, entrypoint_num_gpus?, ...}
 *                                      -> 200 {job_id, submission_id}; a submission_id already taken -> 500 whose
 *                                      body (the agent's 400 re-raised as a traceback) says "already exists"
 *   GET  /api/jobs/{id}                -> {status: PENDING|RUNNING|STOPPED|SUCCEEDED|FAILED, message, ...}; 404 unknown
 *   GET  /api/jobs/{id}/logs           -> {logs}: the whole log, or past Ray's 16 MiB cap its end under a header
 *   POST /api/jobs/{id}/stop           -> {stopped}
 *
 * The submission id is derived from the command's content. Before submitting, the runner looks the id up: a job
 * already on the cluster (vlthink was restarted mid-job) is followed, not submitted again; a submission that races
 * another one and gets "already exists" is followed too, never retried. On such a re-attach, output already in the
 * local log file is not written to it again, but is delivered to `onLine` again before the new output, so a parser of
 * the engine's log (step metrics) sees the whole job. Logs are followed by content (ray-log-follower.ts), so a log past the cap
 * loses or repeats nothing the API still holds. An abort asks Ray to stop the job.
 *
 * Ray jobs read and write the submitter's paths (the job's configs, data and checkpoints live in the run directory),
 * so the runner refuses, before submitting anything, a command whose path arguments lie outside `sharedPaths`: the
 * folders every Ray node mounts at the same path.
 */
export const RayJobsSettings = z.strictObject({
  sharedPaths: z
    .array(z.string().refine(isAbsolute, 'must be an absolute path'))
    .default([])
    .describe(
      "absolute folders every Ray node sees at the same path as this machine (a shared mount holding the run directory); ['/'] when the cluster shares the whole filesystem; a job with a path argument outside them is refused",
    ),
  runtimeEnv: z
    .record(z.string(), z.unknown())
    .default({})
    .describe(
      'Ray runtime_env for every job (pip, env_vars, working_dir URI, ...); command env is merged into env_vars',
    ),
  entrypointNumGpus: z
    .number()
    .min(0)
    .optional()
    .describe(
      'GPUs reserved for the entrypoint process itself (Ray entrypoint_num_gpus; EasyR1 places its own actors)',
    ),
  entrypointNumCpus: z
    .number()
    .min(0)
    .optional()
    .describe('CPUs reserved for the entrypoint process (entrypoint_num_cpus)'),
  pollIntervalMs: z.number().int().min(1).default(5_000).describe('status and log poll period, ms'),
});
export type RayJobsSettings = z.input<typeof RayJobsSettings>;

export const RayJobsOptions = RayJobsSettings.extend({
  address: z.url().describe('Ray dashboard address, e.g. http://head-node:8265'),
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
/** Ray's words for a submission_id that is taken (JobManager.submit_job, re-raised by the head as a 500). */
const ALREADY_EXISTS = /already exists/i;

/**
 * The submission for one command: the entrypoint `cd`s to the command's folder (made absolute: a Ray job does not
 * start in the submitter's current folder); its env goes to runtime_env.env_vars.
 */
export function raySubmission(command: PlannedCommand, opts: z.infer<typeof RayJobsOptions>): RaySubmitRequest {
  const envVars = { ...((opts.runtimeEnv.env_vars as Record<string, string> | undefined) ?? {}), ...command.env };
  const runtimeEnv = { ...opts.runtimeEnv, ...(Object.keys(envVars).length > 0 ? { env_vars: envVars } : {}) };
  const entrypoint = `cd ${shellQuote(resolve(command.cwd))} && ${command.argv.map(shellQuote).join(' ')}`;
  return {
    entrypoint,
    submission_id: `vlthink-${command.name}-${shortHash(contentHash({ entrypoint, runtimeEnv }), 16)}`,
    runtime_env: runtimeEnv,
    metadata: { created_by: 'vlthink', command: command.name },
    ...(opts.entrypointNumGpus !== undefined ? { entrypoint_num_gpus: opts.entrypointNumGpus } : {}),
    ...(opts.entrypointNumCpus !== undefined ? { entrypoint_num_cpus: opts.entrypointNumCpus } : {}),
  };
}

/** A command's arguments after the program, a `key=value` argument as its value. */
function argValues(command: PlannedCommand): string[] {
  return command.argv.slice(1).map((arg) => /^[\w.-]+=(.+)$/.exec(arg)?.[1] ?? arg);
}

/**
 * The absolute paths a command hands to the cluster: its arguments after the program, bare or as `key=/path`.
 * (The program and the working folder are the cluster's own: EasyR1's checkout, an installed CLI.)
 */
export function submitterPaths(command: PlannedCommand): string[] {
  return argValues(command).filter((arg) => isAbsolute(arg));
}

/**
 * Refuses a command that names a path the cluster cannot see: outside every shared folder, or relative to this
 * process's folder (a file here, that the job would look for relative to its own folder instead).
 */
export function checkSharedPaths(command: PlannedCommand, sharedPaths: readonly string[]): void {
  const relativeHere = argValues(command).filter(
    (arg) => !isAbsolute(arg) && arg.includes('/') && resolve(command.cwd) !== process.cwd() && existsSync(arg),
  );
  if (relativeHere.length > 0)
    throw new ConfigError(
      'outDir',
      `the Ray job '${command.name}' names ${relativeHere.map((p) => `'${p}'`).join(', ')} relative to this ` +
        `machine's current folder, but runs in '${command.cwd}' on the cluster`,
      { value: relativeHere, hint: 'give outDir as an absolute path on a folder listed in backend.ray.sharedPaths' },
    );
  const inside = (p: string) =>
    sharedPaths.some((root) => {
      const rel = relative(resolve(root), resolve(p));
      return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
    });
  const unseen = submitterPaths(command).filter((p) => !inside(p));
  if (unseen.length === 0) return;
  throw new ConfigError(
    'backend.ray.sharedPaths',
    `the Ray job '${command.name}' reads or writes ${unseen.map((p) => `'${p}'`).join(', ')} on this machine, ` +
      `which the cluster cannot see (shared folders: ${sharedPaths.length > 0 ? sharedPaths.join(', ') : 'none'})`,
    {
      value: sharedPaths,
      hint:
        'put the run directory on a folder every Ray node mounts at the same path and list it in ' +
        "backend.ray.sharedPaths (['/'] if the cluster shares the whole filesystem), or use backend.runner: local",
    },
  );
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
        throw new BackendError(url, `Ray Jobs API answered: ${text.slice(-500)}`, {
          status: res.status,
          // A taken submission_id comes back as a 500 too; asking again cannot change the answer.
          retryable: res.status >= 500 && !ALREADY_EXISTS.test(text),
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

  /** Whether the job was already on the cluster (a re-attach) rather than submitted now. */
  const submitOrAttach = async (submission: RaySubmitRequest): Promise<boolean> => {
    const id = submission.submission_id ?? '';
    try {
      await call('GET', `${root}/${id}`, RayJobDetails);
      return true;
    } catch (err) {
      if (!(err instanceof BackendError && err.status === 404)) throw err;
    }
    try {
      await call('POST', `${root}/`, RaySubmitResponse, submission);
      return false;
    } catch (err) {
      // Submitted meanwhile (another vlthink, or a reply lost after Ray took the job): follow that job.
      if (err instanceof BackendError && err.status !== undefined && ALREADY_EXISTS.test(err.message)) return true;
      throw err;
    }
  };

  return {
    id: `ray:${opts.address}`,
    async run(command, run: RunOptions) {
      if (run.signal?.aborted) throw new AbortedError(`${command.name} Ray job`);
      checkSharedPaths(command, opts.sharedPaths);
      const submission = raySubmission(command, opts);
      const id = submission.submission_id ?? '';
      const reattached = await submitOrAttach(submission);
      await mkdir(dirname(run.logFile), { recursive: true });
      // Re-attached: what the killed process had written is in the log file. It is not written again, but it is
      // delivered again (onLine), so the caller's engine-log parser sees the job from its first line.
      const before = reattached ? await readFile(run.logFile, 'utf8').catch(() => '') : '';
      const follower = createLogFollower(id, before.slice(-ANCHOR_CHARS));
      const log = createWriteStream(run.logFile, { flags: 'a' });
      const tail = createTail(20);
      const earlier = before === '' ? [] : before.replace(/\n$/, '').split('\n');
      for (const line of earlier) {
        tail.push(line);
        run.onLine?.(line);
      }
      const lines = createLineSplitter((line) => {
        log.write(`${line}\n`);
        tail.push(line);
        run.onLine?.(line);
      });
      const pullLogs = async (final: boolean) => {
        const { logs } = await call('GET', `${root}/${id}/logs`, RayLogsResponse);
        lines.write(follower.next(logs, final));
      };
      try {
        for (;;) {
          if (run.signal?.aborted) {
            await call('POST', `${root}/${id}/stop`, RayStopResponse);
            // What the job printed since the last poll still reaches the log file (a short-lived job, such as a
            // policy server stopped right after its stage, may have printed everything in between).
            await pullLogs(true).catch(() => undefined);
            lines.flush();
            throw new AbortedError(`${command.name} Ray job ${id}`);
          }
          const details = await call('GET', `${root}/${id}`, RayJobDetails);
          const done = TERMINAL.has(details.status);
          await pullLogs(done);
          if (done) {
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
