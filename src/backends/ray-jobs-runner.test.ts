import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type RayJobsStandIn, type StandInJob, setStatus, startRayJobsStandIn } from '../../test/ray-jobs-stand-in.ts';
import { AbortedError, BackendError, ConfigError } from '../core/index.ts';
import type { PlannedCommand } from './job-plan.ts';
import { type LoopbackServer, startLoopbackServer } from './loopback-server.ts';
import { createRayJobsRunner, RayJobsOptions, raySubmission } from './ray-jobs-runner.ts';

let dir: string;
let ray: RayJobsStandIn | undefined;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vlthink-ray-'));
});
afterEach(async () => {
  await ray?.close();
  ray = undefined;
  await rm(dir, { recursive: true, force: true });
});

const command: PlannedCommand = {
  name: 'train',
  argv: ['python3', '-m', 'verl.trainer.main', 'config=/jobs/rl medium/config.yaml'],
  cwd: '/opt/EasyR1',
  env: { NCCL_DEBUG: 'WARN' },
};
const fast = {
  sharedPaths: ['/jobs'],
  pollIntervalMs: 1,
  retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2, budgetMs: 5_000 },
};
const idOf = (address: string, opts: Partial<RayJobsOptions> = {}) =>
  raySubmission(command, RayJobsOptions.parse({ address, ...fast, ...opts })).submission_id ?? '';

/** Each status poll runs the next step of a script: set the status, append log text. */
function scripted(steps: ReadonlyArray<{ status: StandInJob['status']; log?: string }>) {
  return (job: StandInJob) => {
    const step = steps[Math.min(job.statusPolls - 1, steps.length - 1)];
    if (step === undefined || job.status === 'STOPPED') return;
    if (job.status !== step.status) setStatus(job, step.status);
    job.logs += step.log ?? '';
  };
}

describe('Ray Jobs runner against a stand-in of job_head.py', () => {
  it('looks the id up, submits with runtime_env and entrypoint resources, follows to SUCCEEDED', async () => {
    ray = await startRayJobsStandIn({
      onStatusPoll: scripted([
        { status: 'PENDING' },
        { status: 'RUNNING', log: 'Step 1\n  loss: 0.5\n' },
        { status: 'SUCCEEDED', log: 'Step 2\ndone' },
      ]),
    });
    const seen: string[] = [];
    const logFile = join(dir, 'ray.log');
    const runtimeEnv = { pip: ['verl'], env_vars: { HF_HOME: '/cache' } };
    await createRayJobsRunner({
      address: ray.url,
      runtimeEnv,
      entrypointNumGpus: 1,
      entrypointNumCpus: 4,
      ...fast,
    }).run(command, { logFile, onLine: (l) => seen.push(l) });
    const id = idOf(ray.url, { runtimeEnv, entrypointNumGpus: 1, entrypointNumCpus: 4 });
    expect(id).toMatch(/^vlthink-train-[0-9a-f]{16}$/);
    expect(ray.requests.slice(0, 2).map((r) => `${r.method} ${r.path}`)).toEqual([
      `GET /api/jobs/${id}`,
      'POST /api/jobs/',
    ]);
    expect(ray.requests[1]?.body).toEqual({
      entrypoint: "cd /opt/EasyR1 && python3 -m verl.trainer.main 'config=/jobs/rl medium/config.yaml'",
      submission_id: id,
      runtime_env: { pip: ['verl'], env_vars: { HF_HOME: '/cache', NCCL_DEBUG: 'WARN' } },
      metadata: { created_by: 'vlthink', command: 'train' },
      entrypoint_num_gpus: 1,
      entrypoint_num_cpus: 4,
    });
    expect(seen).toEqual(['Step 1', '  loss: 0.5', 'Step 2', 'done']);
    expect(await readFile(logFile, 'utf8')).toBe('Step 1\n  loss: 0.5\nStep 2\ndone\n');
  });

  it('reports a FAILED job with the message and the last log lines', async () => {
    ray = await startRayJobsStandIn({
      onStatusPoll: scripted([{ status: 'RUNNING', log: 'Traceback\nValueError: bad key\n' }, { status: 'FAILED' }]),
    });
    const err = (await createRayJobsRunner({ address: ray.url, ...fast })
      .run(command, { logFile: join(dir, 'f.log') })
      .catch((e: unknown) => e)) as BackendError;
    expect(err).toBeInstanceOf(BackendError);
    expect(err.message).toContain('train Ray job FAILED: Job entrypoint command failed with exit code 1');
    expect(err.message).toContain('ValueError: bad key');
  });

  it('asks Ray to stop the job on abort', async () => {
    const ctl = new AbortController();
    ray = await startRayJobsStandIn({
      onStatusPoll: (job) => {
        setStatus(job, 'RUNNING');
        job.logs += 'tick\n';
        if (job.statusPolls === 3) ctl.abort();
      },
    });
    const err = await createRayJobsRunner({ address: ray.url, ...fast })
      .run(command, { logFile: join(dir, 's.log'), signal: ctl.signal })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AbortedError);
    expect(ray.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/stop'))).toHaveLength(1);
    expect([...ray.jobs.values()][0]?.status).toBe('STOPPED');
  });

  it('re-attaches to the job a killed vlthink submitted, writing only the output it had not yet written', async () => {
    ray = await startRayJobsStandIn({ onStatusPoll: scripted([{ status: 'RUNNING' }, { status: 'SUCCEEDED' }]) });
    const id = idOf(ray.url);
    ray.addJob(id, 'x', 'RUNNING', 'Step 1\n  loss: 0.5\nStep 2\n  loss: 0.4\nStep 3\n');
    const logFile = join(dir, 'r.log');
    await writeFile(logFile, 'Step 1\n  loss: 0.5\nStep 2\n'); // what the killed process had written
    const seen: string[] = [];
    await createRayJobsRunner({ address: ray.url, ...fast }).run(command, { logFile, onLine: (l) => seen.push(l) });
    expect(ray.requests.some((r) => r.method === 'POST' && r.path === '/api/jobs/')).toBe(false);
    // Delivered whole (the step parser needs the job from its start); the file gets only what it lacked.
    expect(seen).toEqual(['Step 1', '  loss: 0.5', 'Step 2', '  loss: 0.4', 'Step 3']);
    expect(await readFile(logFile, 'utf8')).toBe('Step 1\n  loss: 0.5\nStep 2\n  loss: 0.4\nStep 3\n');
  });

  it('follows, without retrying, a job submitted between its look-up and its submission (Ray: 500 "already exists")', async () => {
    ray = await startRayJobsStandIn({
      onRequest: (req, stand) => {
        if (req.method === 'POST' && req.path === '/api/jobs/' && stand.jobs.size === 0)
          stand.addJob(idOf(stand.url), 'x', 'RUNNING', 'from the other submitter\n');
      },
      onStatusPoll: scripted([{ status: 'SUCCEEDED', log: 'finished\n' }]),
    });
    const seen: string[] = [];
    await createRayJobsRunner({ address: ray.url, ...fast }).run(command, {
      logFile: join(dir, 'd.log'),
      onLine: (l) => seen.push(l),
    });
    const posts = ray.requests.filter((r) => r.method === 'POST' && r.path === '/api/jobs/');
    expect(posts).toHaveLength(1);
    expect(seen).toEqual(['from the other submitter', 'finished']);
  });

  it("follows a log past Ray's cap without losing or repeating a line Ray still holds", async () => {
    const written: string[] = [];
    const write = (job: StandInJob, n: number) => {
      for (let i = 0; i < n; i++) {
        const line = `line ${String(written.length).padStart(5, '0')} ${'x'.repeat(written.length % 7)}`;
        written.push(line);
        job.logs += `${line}\n`;
      }
    };
    // Cap 1 KiB; 3 to 20 lines (~60 to 400 bytes) between polls, the log ending near 40 KiB.
    ray = await startRayJobsStandIn({
      logCapBytes: 1024,
      onStatusPoll: (job) => {
        setStatus(job, job.statusPolls >= 200 ? 'SUCCEEDED' : 'RUNNING');
        write(job, 3 + ((job.statusPolls * 7) % 18));
        if (job.statusPolls === 200) job.logs += 'last line, no newline';
      },
    });
    const seen: string[] = [];
    await createRayJobsRunner({ address: ray.url, ...fast }).run(command, {
      logFile: join(dir, 'big.log'),
      onLine: (l) => seen.push(l),
    });
    expect(Buffer.byteLength([...ray.jobs.values()][0]?.logs ?? '')).toBeGreaterThan(30 * 1024);
    expect(seen).toEqual([...written, 'last line, no newline']);
  });

  it('says so once, and repeats nothing, when more than the cap was written between two polls', async () => {
    const written: string[] = [];
    ray = await startRayJobsStandIn({
      logCapBytes: 512,
      onStatusPoll: (job) => {
        setStatus(job, job.statusPolls >= 4 ? 'SUCCEEDED' : 'RUNNING');
        const n = job.statusPolls === 3 ? 100 : 5; // poll 3: ~2 KiB at once, past what the cap keeps
        for (let i = 0; i < n; i++) {
          const line = `row ${String(written.length).padStart(4, '0')}`;
          written.push(line);
          job.logs += `${line}\n`;
        }
      },
    });
    const seen: string[] = [];
    await createRayJobsRunner({ address: ray.url, ...fast }).run(command, {
      logFile: join(dir, 'gap.log'),
      onLine: (l) => seen.push(l),
    });
    const marker = seen.findIndex((l) => l.startsWith('[vlthink] Ray returned only the end'));
    expect(marker).toBe(10);
    expect(seen.slice(0, 10)).toEqual(written.slice(0, 10));
    const after = seen.slice(marker + 1);
    expect(after).toEqual(written.slice(written.length - after.length));
    expect(after.length).toBeGreaterThan(40);
    expect(seen.filter((l) => l.startsWith('[vlthink]'))).toHaveLength(1);
  });

  it('refuses, before any request, a job whose paths the cluster cannot see', async () => {
    ray = await startRayJobsStandIn();
    const err = (await createRayJobsRunner({ address: ray.url, ...fast, sharedPaths: [] })
      .run(command, { logFile: join(dir, 'n.log') })
      .catch((e: unknown) => e)) as ConfigError;
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.field).toBe('backend.ray.sharedPaths');
    expect(err.message).toContain("'/jobs/rl medium/config.yaml'");
    expect(err.message).toContain('shared folders: none');
    const outside = (await createRayJobsRunner({ address: ray.url, ...fast, sharedPaths: ['/job'] })
      .run(command, { logFile: join(dir, 'n.log') })
      .catch((e: unknown) => e)) as ConfigError;
    expect(outside).toBeInstanceOf(ConfigError);
    expect(ray.requests).toHaveLength(0);
    expect(() => RayJobsOptions.parse({ address: ray?.url, sharedPaths: ['jobs'] })).toThrow('absolute path');
  });

  it('refuses a path argument relative to this machine, which the job would resolve from its own folder', async () => {
    ray = await startRayJobsStandIn();
    const here = relative(process.cwd(), join(dir, 'config.yaml'));
    await writeFile(here, 'x: 1\n');
    const err = (await createRayJobsRunner({ address: ray.url, ...fast, sharedPaths: ['/'] })
      .run(
        { ...command, argv: ['python3', '-m', 'verl.trainer.main', `config=${here}`] },
        { logFile: join(dir, 'z.log') },
      )
      .catch((e: unknown) => e)) as ConfigError;
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.field).toBe('outDir');
    expect(err.message).toContain(
      `names '${here}' relative to this machine's current folder, but runs in '/opt/EasyR1'`,
    );
    expect(ray.requests).toHaveLength(0);
  });

  it('retries a 503 from the dashboard, then fails clearly when it stays down', async () => {
    const down: LoopbackServer = await startLoopbackServer(() => ({ status: 503, text: 'dashboard restarting' }));
    try {
      const err = (await createRayJobsRunner({ address: down.url, ...fast })
        .run(command, { logFile: join(dir, 'y.log') })
        .catch((e: unknown) => e)) as BackendError;
      expect(err.status).toBe(503);
      expect(err.message).toContain('dashboard restarting');
      expect(err.message).toContain('gave up after 3 attempts');
      expect(down.requests).toHaveLength(3);
    } finally {
      await down.close();
    }
  });
});
