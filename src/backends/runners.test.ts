import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AbortedError, BackendError } from '../core/index.ts';
import type { PlannedCommand } from './job-plan.ts';
import { createLocalRunner } from './local-runner.ts';
import { type LoopbackServer, type RecordedRequest, type Reply, startLoopbackServer } from './loopback-server.ts';
import { createRayJobsRunner, raySubmission } from './ray-jobs-runner.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vlthink-runner-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const nodeCommand = (script: string, env: Record<string, string> = {}): PlannedCommand => ({
  name: 'train',
  argv: [process.execPath, '-e', script],
  cwd: dir,
  env,
});

describe('local runner', () => {
  it('streams stdout and stderr lines to the log and the caller, with the command env and cwd', async () => {
    const seen: string[] = [];
    const logFile = join(dir, 'logs', 'train.log');
    await createLocalRunner().run(
      nodeCommand(
        "console.log('step 1'); console.error('warn: ' + process.env.VLTHINK_TEST); process.stdout.write('cwd ' + process.cwd())",
        { VLTHINK_TEST: 'x1' },
      ),
      { logFile, onLine: (l) => seen.push(l) },
    );
    expect(seen).toContain('step 1');
    expect(seen).toContain('warn: x1');
    expect(seen).toContain(`cwd ${dir}`);
    expect((await readFile(logFile, 'utf8')).split('\n').filter(Boolean).sort()).toEqual([...seen].sort());
  });

  it('fails with the exit code and the last lines', async () => {
    const err = (await createLocalRunner()
      .run(nodeCommand("console.log('loading'); console.log('CUDA out of memory'); process.exit(3)"), {
        logFile: join(dir, 'a.log'),
      })
      .catch((e: unknown) => e)) as BackendError;
    expect(err).toBeInstanceOf(BackendError);
    expect(err.message).toContain('train exited with code 3');
    expect(err.message).toContain('CUDA out of memory');
  });

  it('names a program that cannot be started', async () => {
    const err = (await createLocalRunner()
      .run({ name: 'train', argv: ['vlthink-no-such-program'], cwd: dir, env: {} }, { logFile: join(dir, 'b.log') })
      .catch((e: unknown) => e)) as BackendError;
    expect(err.message).toContain("cannot start 'vlthink-no-such-program'");
  });

  it('stops a running command on abort', async () => {
    const ctl = new AbortController();
    setTimeout(() => ctl.abort(), 200);
    // The command never ends by itself: only the abort (and the kill it sends) can settle this run.
    const err = await createLocalRunner({ killGraceMs: 500 })
      .run(nodeCommand('setInterval(() => console.log("tick"), 50)'), {
        logFile: join(dir, 'c.log'),
        signal: ctl.signal,
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AbortedError);
  });
});

/**
 * A stand-in for the Ray dashboard's job server implementing the documented endpoints and payloads. Each job runs a
 * script of (status, new log text) steps, one step per status poll.
 */
function rayStandIn(script: ReadonlyArray<{ status: string; log?: string }>, opts: { existing?: boolean } = {}) {
  const jobs = new Map<string, { step: number; logs: string; stopped: boolean }>();
  const handler = (req: RecordedRequest): Reply => {
    const m = /^\/api\/jobs\/([^/]*)(\/logs|\/stop)?$/.exec(req.path);
    if (!m) return { status: 404, text: 'not found' };
    const [, id = '', sub] = m;
    if (req.method === 'POST' && id === '' && sub === undefined) {
      const body = req.body as { entrypoint?: string; submission_id?: string };
      if (typeof body?.entrypoint !== 'string') return { status: 400, text: 'entrypoint required' };
      const sid = body.submission_id ?? 'raysubmit_1';
      if (jobs.has(sid) || opts.existing) {
        jobs.set(sid, jobs.get(sid) ?? { step: 0, logs: '', stopped: false });
        return {
          status: 400,
          text: `Job with submission_id ${sid} already exists. Please use a different submission_id.`,
        };
      }
      jobs.set(sid, { step: 0, logs: '', stopped: false });
      return { json: { job_id: 'raysubmit_job', submission_id: sid } };
    }
    const job = jobs.get(id);
    if (!job) return { status: 404, text: `Job ${id} does not exist` };
    if (req.method === 'GET' && sub === undefined) {
      const step = script[Math.min(job.step, script.length - 1)] ?? { status: 'PENDING' };
      job.step++;
      job.logs += step.log ?? '';
      const status = job.stopped ? 'STOPPED' : step.status;
      return {
        json: {
          type: 'SUBMISSION',
          submission_id: id,
          status,
          message: status === 'FAILED' ? 'Job entrypoint command failed with exit code 1' : '',
          entrypoint: 'x',
        },
      };
    }
    if (req.method === 'GET' && sub === '/logs') return { json: { logs: job.logs } };
    if (req.method === 'POST' && sub === '/stop') {
      job.stopped = true;
      return { json: { stopped: true } };
    }
    return { status: 405, text: 'method not allowed' };
  };
  return handler;
}

describe('Ray Jobs runner against a loopback stand-in of the documented API', () => {
  let ray: LoopbackServer;
  afterEach(async () => ray?.close());
  const command: PlannedCommand = {
    name: 'train',
    argv: ['python3', '-m', 'verl.trainer.main', 'config=/jobs/rl medium/config.yaml'],
    cwd: '/opt/EasyR1',
    env: { NCCL_DEBUG: 'WARN' },
  };
  const fast = { pollIntervalMs: 5, retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2, budgetMs: 5_000 } };

  it('submits with runtime_env, polls to SUCCEEDED and streams the logs', async () => {
    ray = await startLoopbackServer(
      rayStandIn([
        { status: 'PENDING' },
        { status: 'RUNNING', log: 'Step 1\n  loss: 0.5\n' },
        { status: 'SUCCEEDED', log: 'Step 2\ndone\n' },
      ]),
    );
    const seen: string[] = [];
    const logFile = join(dir, 'ray.log');
    const runner = createRayJobsRunner({
      address: ray.url,
      runtimeEnv: { working_dir: '/opt/EasyR1', env_vars: { HF_HOME: '/cache' } },
      entrypointNumGpus: 0,
      ...fast,
    });
    await runner.run(command, { logFile, onLine: (l) => seen.push(l) });
    const submit = ray.requests[0];
    expect(submit?.method).toBe('POST');
    expect(submit?.path).toBe('/api/jobs/');
    const expected = raySubmission(command, {
      address: ray.url,
      runtimeEnv: { working_dir: '/opt/EasyR1', env_vars: { HF_HOME: '/cache' } },
      entrypointNumGpus: 0,
      pollIntervalMs: 5,
      requestTimeoutMs: 30_000,
      retry: fast.retry,
    });
    expect(submit?.body).toEqual({
      entrypoint: "cd /opt/EasyR1 && python3 -m verl.trainer.main 'config=/jobs/rl medium/config.yaml'",
      submission_id: expected.submission_id,
      runtime_env: { working_dir: '/opt/EasyR1', env_vars: { HF_HOME: '/cache', NCCL_DEBUG: 'WARN' } },
      metadata: { created_by: 'vlthink', command: 'train' },
      entrypoint_num_gpus: 0,
    });
    expect(expected.submission_id).toMatch(/^vlthink-train-[0-9a-f]{16}$/);
    expect(seen).toEqual(['Step 1', '  loss: 0.5', 'Step 2', 'done']);
    expect(await readFile(logFile, 'utf8')).toBe('Step 1\n  loss: 0.5\nStep 2\ndone\n');
    const paths = ray.requests.map((r) => `${r.method} ${r.path}`);
    expect(paths).toContain(`GET /api/jobs/${expected.submission_id}`);
    expect(paths).toContain(`GET /api/jobs/${expected.submission_id}/logs`);
  });

  it('reports a FAILED job with the message and the last log lines', async () => {
    ray = await startLoopbackServer(
      rayStandIn([{ status: 'RUNNING', log: 'Traceback\nValueError: bad key\n' }, { status: 'FAILED' }]),
    );
    const err = (await createRayJobsRunner({ address: ray.url, ...fast })
      .run(command, { logFile: join(dir, 'f.log') })
      .catch((e: unknown) => e)) as BackendError;
    expect(err).toBeInstanceOf(BackendError);
    expect(err.message).toContain('train Ray job FAILED: Job entrypoint command failed with exit code 1');
    expect(err.message).toContain('ValueError: bad key');
  });

  it('asks Ray to stop the job on abort', async () => {
    ray = await startLoopbackServer(rayStandIn([{ status: 'RUNNING', log: 'tick\n' }]));
    const ctl = new AbortController();
    setTimeout(() => ctl.abort(), 60);
    const err = await createRayJobsRunner({ address: ray.url, ...fast, pollIntervalMs: 20 })
      .run(command, { logFile: join(dir, 's.log'), signal: ctl.signal })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AbortedError);
    expect(ray.requests.some((r) => r.method === 'POST' && r.path.endsWith('/stop'))).toBe(true);
  });

  it('re-attaches to a job already submitted under the same id instead of failing', async () => {
    ray = await startLoopbackServer(
      rayStandIn([{ status: 'SUCCEEDED', log: 'finished earlier\n' }], { existing: true }),
    );
    const seen: string[] = [];
    await createRayJobsRunner({ address: ray.url, ...fast }).run(command, {
      logFile: join(dir, 'r.log'),
      onLine: (l) => seen.push(l),
    });
    expect(seen).toEqual(['finished earlier']);
  });

  it('retries a 503 from the dashboard, then fails clearly when it stays down', async () => {
    let n = 0;
    const inner = rayStandIn([{ status: 'SUCCEEDED' }]);
    ray = await startLoopbackServer((req) =>
      req.method === 'GET' && n++ === 0 ? { status: 503, text: 'busy' } : inner(req),
    );
    await createRayJobsRunner({ address: ray.url, ...fast }).run(command, { logFile: join(dir, 'x.log') });
    ray.setHandler(() => ({ status: 503, text: 'dashboard restarting' }));
    const err = (await createRayJobsRunner({ address: ray.url, ...fast })
      .run({ ...command, name: 'merge' }, { logFile: join(dir, 'y.log') })
      .catch((e: unknown) => e)) as BackendError;
    expect(err.status).toBe(503);
    expect(err.message).toContain('dashboard restarting');
    expect(err.message).toContain('gave up after 3 attempts');
  });
});
