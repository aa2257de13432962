import { type ChildProcess, spawn } from 'node:child_process';
import {
  type LoopbackServer,
  type RecordedRequest,
  type Reply,
  startLoopbackServer,
} from '../src/backends/loopback-server.ts';

/**
 * A stand-in for the Ray dashboard's job server on 127.0.0.1, answering as `dashboard/modules/job/job_head.py` does
 * (read from ray-project/ray; no code taken from it):
 * - POST /api/jobs/: 200 `{job_id, submission_id}`; a body that is not a job request: 400 with a traceback; a
 *   submission_id already taken: **500**, the job agent's 400 ("Job with submission_id ... already exists") re-raised
 *   by the head as a RuntimeError traceback.
 * - GET /api/jobs/{id}: JobDetails (type SUBMISSION, status one of PENDING, RUNNING, STOPPED, SUCCEEDED, FAILED,
 *   message, entrypoint, metadata, runtime_env, entrypoint resources, times); unknown id: 404 "Job {id} does not exist".
 * - GET /api/jobs/{id}/logs: `{logs}`, the whole log; past the cap (16 MiB unless a test sets a smaller one) only the
 *   log's last `cap` bytes under a truncation header line. (The header's wording here is the stand-in's own.)
 * - POST /api/jobs/{id}/stop: `{stopped}` (false for a job already ended); unknown id: 404.
 * A test drives each job through `onStatusPoll`, called before every GET /api/jobs/{id} is answered, or, with
 * `execute`, the stand-in runs each submitted entrypoint as Ray's job supervisor does: `bash -c` in its own process
 * group, runtime_env.env_vars added to this process's environment, stdout and stderr appended to the job's log;
 * RUNNING while it runs, then SUCCEEDED or FAILED by its exit code; stop kills the process group (STOPPED). The jobs
 * run in the test's process, so they outlive a vlthink that is killed, as jobs on a cluster do.
 */
export type RayStatus = 'PENDING' | 'RUNNING' | 'STOPPED' | 'SUCCEEDED' | 'FAILED';

export interface StandInJob {
  readonly submissionId: string;
  readonly request: Readonly<Record<string, unknown>>;
  status: RayStatus;
  message: string;
  logs: string;
  statusPolls: number;
}

export interface RayJobsStandIn {
  readonly url: string;
  readonly requests: RecordedRequest[];
  readonly jobs: Map<string, StandInJob>;
  /** Adds a job as if submitted earlier (by a vlthink process that has since died). */
  addJob(submissionId: string, entrypoint: string, status: RayStatus, logs?: string): StandInJob;
  close(): Promise<void>;
}

export interface RayJobsStandInOptions {
  /** Bytes of log Ray answers at most (Ray: 16 MiB). */
  readonly logCapBytes?: number;
  readonly onStatusPoll?: (job: StandInJob) => void;
  /** Called first on every request (a test can change the cluster between two calls of the runner). */
  readonly onRequest?: (req: RecordedRequest, stand: RayJobsStandIn) => void;
  /** Run each submitted entrypoint for real (see above). */
  readonly execute?: boolean;
}

export const RAY_LOG_CAP_BYTES = 16 * 1024 * 1024;
const TERMINAL: ReadonlySet<RayStatus> = new Set(['STOPPED', 'SUCCEEDED', 'FAILED']);
const DEFAULT_MESSAGES: Record<RayStatus, string> = {
  PENDING: 'Job has not started yet. It may be waiting for the runtime environment to be set up.',
  RUNNING: 'Job is currently running.',
  STOPPED: 'Job was intentionally stopped.',
  SUCCEEDED: 'Job finished successfully.',
  FAILED: 'Job entrypoint command failed with exit code 1',
};

/** Moves a job to a status, with the message Ray gives it. */
export function setStatus(job: StandInJob, status: RayStatus, message = DEFAULT_MESSAGES[status]): void {
  job.status = status;
  job.message = message;
}

export async function startRayJobsStandIn(options: RayJobsStandInOptions = {}): Promise<RayJobsStandIn> {
  const cap = options.logCapBytes ?? RAY_LOG_CAP_BYTES;
  const jobs = new Map<string, StandInJob>();
  let generated = 0;
  const running = new Map<string, ChildProcess>();

  /** Ray's job supervisor, in short: the entrypoint in a shell, its output the job's log, its exit code the status. */
  const start = (job: StandInJob): void => {
    const envVars = ((job.request.runtime_env as Record<string, unknown> | undefined)?.env_vars ?? {}) as Record<
      string,
      string
    >;
    const child = spawn('bash', ['-c', String(job.request.entrypoint)], {
      env: { ...process.env, ...envVars },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    running.set(job.submissionId, child);
    setStatus(job, 'RUNNING');
    const append = (chunk: Buffer) => {
      job.logs += chunk.toString('utf8');
    };
    child.stdout?.on('data', append);
    child.stderr?.on('data', append);
    child.once('close', (code) => {
      running.delete(job.submissionId);
      if (job.status !== 'RUNNING') return;
      if (code === 0) setStatus(job, 'SUCCEEDED');
      else setStatus(job, 'FAILED', `Job entrypoint command failed with exit code ${code ?? 'unknown'}`);
    });
  };
  const kill = (id: string): void => {
    const child = running.get(id);
    if (child?.pid === undefined) return;
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  };

  const add = (submissionId: string, request: Record<string, unknown>, status: RayStatus, logs = ''): StandInJob => {
    const job: StandInJob = { submissionId, request, status, message: DEFAULT_MESSAGES[status], logs, statusPolls: 0 };
    jobs.set(submissionId, job);
    return job;
  };

  const handler = (req: RecordedRequest): Reply => {
    options.onRequest?.(req, stand);
    const m = /^\/api\/jobs\/([^/]*)(\/logs|\/stop)?$/.exec(req.path);
    if (!m) return { status: 404, text: '404: Not Found' };
    const [, id = '', sub] = m;
    if (req.method === 'POST' && id === '' && sub === undefined) return submit(req);
    const job = jobs.get(id);
    if (!job) return { status: 404, text: `Job ${id} does not exist` };
    if (req.method === 'GET' && sub === undefined) {
      job.statusPolls++;
      options.onStatusPoll?.(job);
      return { json: details(job) };
    }
    if (req.method === 'GET' && sub === '/logs') return { json: { logs: capped(job.logs, cap) } };
    if (req.method === 'POST' && sub === '/stop') {
      if (TERMINAL.has(job.status)) return { json: { stopped: false } };
      setStatus(job, 'STOPPED');
      kill(id);
      return { json: { stopped: true } };
    }
    return { status: 405, text: '405: Method Not Allowed' };
  };

  const submit = (req: RecordedRequest): Reply => {
    const body = req.body as Record<string, unknown> | undefined;
    if (typeof body !== 'object' || body === null || typeof body.entrypoint !== 'string')
      return {
        status: 400,
        text: traceback('job_head.py', "TypeError: __init__() missing 1 required positional argument: 'entrypoint'"),
      };
    const id = typeof body.submission_id === 'string' ? body.submission_id : `raysubmit_${String(++generated)}`;
    if (jobs.has(id)) {
      const agent = traceback(
        'job_manager.py',
        `ValueError: Job with submission_id ${id} already exists. Please use a different submission_id.`,
      );
      return {
        status: 500,
        text: traceback('job_head.py', `RuntimeError: Request failed with status code 400: ${agent}.`),
      };
    }
    const job = add(id, body, 'PENDING');
    if (options.execute) start(job);
    return { json: { job_id: id, submission_id: id } };
  };

  const server: LoopbackServer = await startLoopbackServer(handler);
  const stand: RayJobsStandIn = {
    url: server.url,
    requests: server.requests,
    jobs,
    addJob: (submissionId, entrypoint, status, logs) => add(submissionId, { entrypoint }, status, logs),
    close: async () => {
      for (const id of running.keys()) kill(id);
      await server.close();
    },
  };
  return stand;
}

function details(job: StandInJob): Record<string, unknown> {
  const r = job.request;
  return {
    type: 'SUBMISSION',
    job_id: job.status === 'PENDING' ? null : '02000000',
    submission_id: job.submissionId,
    driver_info: null,
    status: job.status,
    entrypoint: r.entrypoint,
    message: job.message,
    error_type: job.status === 'FAILED' ? 'JOB_ENTRYPOINT_COMMAND_ERROR' : null,
    start_time: 1_765_000_000_000,
    end_time: TERMINAL.has(job.status) ? 1_765_000_600_000 : null,
    metadata: r.metadata ?? {},
    runtime_env: r.runtime_env ?? {},
    driver_agent_http_address: 'http://127.0.0.1:52365',
    driver_node_id: 'a1b2c3',
    driver_exit_code: job.status === 'FAILED' ? 1 : null,
    entrypoint_num_cpus: r.entrypoint_num_cpus ?? 0,
    entrypoint_num_gpus: r.entrypoint_num_gpus ?? 0,
    entrypoint_memory: r.entrypoint_memory ?? 0,
    entrypoint_resources: r.entrypoint_resources ?? null,
  };
}

/** The log as Ray answers it: whole, or its last `cap` bytes under a header line. */
export function capped(logs: string, cap: number): string {
  const bytes = Buffer.from(logs, 'utf8');
  if (bytes.length <= cap) return logs;
  return `[Truncated: the log has ${bytes.length} bytes; only its last ${cap} follow]\n${bytes.subarray(-cap).toString('utf8')}`;
}

function traceback(file: string, last: string): string {
  return `Traceback (most recent call last):\n  File "/ray/dashboard/modules/job/${file}", line 1, in submit_job\n${last}\n`;
}
