import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify, stripVTControlCharacters } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { createCaptionReaderBackend } from '../src/backends/caption-reader-backend.ts';
import { type ChatServer, startChatServer } from '../src/backends/chat-server.ts';
import { parseRunConfig } from '../src/pipeline/config/load.ts';
import { initEmbeddedBase } from '../src/pipeline/engines-embedded.ts';
import { writeWorldDataset } from '../src/world/index.ts';
import { freePort } from './free-port.ts';
import { testPython } from './python.ts';
import { type RayJobsStandIn, startRayJobsStandIn } from './ray-jobs-stand-in.ts';
import { sharedDataDir } from './shared-data.ts';

/**
 * The dress rehearsal: `vlthink run --preset paper`, all 3 rounds, on this CPU machine, through the scale-out face
 * exactly as a user runs it (the CLI, the run directory, the engines' commands and files), with small stand-ins for the
 * engines (test/stand-ins/): `llamafactory-cli` and EasyR1's `verl.trainer.main` + `scripts/model_merger.py` load what
 * vlthink wrote with the upstream loaders (LLaMA-Factory v0.9.3's and transformers' dataclasses, EasyR1 b44b311's
 * `main()` config loading), read the data in the engines' formats, render EasyR1's prompt, score rollouts through the
 * reward shim against a real `vlthink reward-server`, print the engines' log formats and save checkpoints in their
 * layouts. The policy endpoint is `vlthink serve` on a tiny embedded checkpoint (every "trained" checkpoint carries its
 * weights), the round-1 reasoner the world's caption reader behind the chat server. Sizes are shrunk by config only.
 * Each runner is killed (SIGKILL) during an engine job and rerun: the local runner starts that job again, the Ray
 * runner (the stand-in Ray Jobs server, running jobs for real) re-attaches to it; both runs end with summary.json and
 * report.html. Skips, saying why, without the upstream files or the Python packages the stand-ins use.
 */
const run = promisify(execFile);
const upstream = resolve(sharedDataDir, '..', 'upstream');
const standIns = join(import.meta.dirname, 'stand-ins');
const bin = resolve(import.meta.dirname, '../bin/vlthink.js');

async function probe(): Promise<{ transformers: string } | { skip: string }> {
  for (const need of [
    'easyr1/check_config.py',
    'easyr1/b44b311',
    'openvlthinker/6997b47/train/easyr1',
    'llamafactory/v0.9.3',
  ]) {
    if (!existsSync(join(upstream, need)))
      return { skip: `${join(upstream, need)} not found (set VLTHINK_SHARED_DATA; upstream/ sits beside it)` };
  }
  const script = [
    'import importlib.util, omegaconf, yaml, jinja2, numpy, pyarrow, PIL',
    "assert tuple(int(x) for x in omegaconf.__version__.split('.')[:2]) >= (2, 3), omegaconf.__version__",
    "spec = importlib.util.find_spec('transformers')",
    "print(spec.submodule_search_locations[0] if spec else '')",
  ].join('\n');
  try {
    const { stdout } = await run(testPython, ['-c', script], { timeout: 30_000 });
    const transformers = stdout.trim();
    if (!transformers) return { skip: `${testPython} has no transformers sources (npm run setup:python)` };
    return { transformers };
  } catch (err) {
    const why = (err as { stderr?: string }).stderr?.trim().split('\n').at(-1) ?? String(err);
    return {
      skip: `${testPython} lacks what the stand-ins import (omegaconf >= 2.3, PyYAML, jinja2, numpy, pyarrow, pillow): ${why}`,
    };
  }
}

const env = await probe();
const skip = 'skip' in env ? env.skip : '';
if (skip) console.warn(`dress rehearsal skipped: ${skip}`);

/** A vlthink server command; resolves once it prints its `{url}` line. */
async function startCli(args: string[]): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  const url = await new Promise<string>((done, fail) => {
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) done((JSON.parse(line) as { url: string }).url);
    });
    child.once('exit', (code) => fail(new Error(`vlthink ${args[0]} exited ${code}: ${stderr}`)));
  });
  return { url, child };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((done) => child.once('exit', done));
  child.kill('SIGTERM');
  await exited;
}

/** Files named `name` anywhere under `dir` whose text contains `text`. */
async function findLog(dir: string, name: string, text: string): Promise<string | undefined> {
  // The staging folder comes and goes while the run works: a listing that fails finds nothing this time.
  const entries = await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => []);
  for (const e of entries) {
    if (!e.isFile() || e.name !== name) continue;
    const path = join(e.parentPath, e.name);
    if ((await readFile(path, 'utf8').catch(() => '')).includes(text)) return path;
  }
  return undefined;
}

interface RunResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stderr: string;
}

/** `vlthink run`; with `killAt`, SIGKILLed once a log file under the run's staging folder shows the given text. */
function vlthinkRun(
  args: string[],
  extraEnv: Record<string, string>,
  killAt?: { dir: string; log: string; text: string },
): Promise<RunResult> {
  const child = spawn(process.execPath, [bin, 'run', ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, ...extraEnv },
  });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  let poll: NodeJS.Timeout | undefined;
  if (killAt) {
    const check = async () => {
      if (await findLog(killAt.dir, killAt.log, killAt.text)) child.kill('SIGKILL');
      else poll = setTimeout(check, 100);
    };
    poll = setTimeout(check, 100);
  }
  return new Promise((done) => {
    child.once('exit', (code, signal) => {
      clearTimeout(poll);
      done({ code, signal, stderr });
    });
  });
}

describe.skipIf(skip !== '')('dress rehearsal: the paper preset on stand-in engines', () => {
  let root = '';
  let reasoner: ChatServer | undefined;
  let ray: RayJobsStandIn | undefined;
  const children: ChildProcess[] = [];
  let standInEnv: Record<string, string> = {};
  let overlay: Record<string, unknown> = {};

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'vlthink-rehearsal-'));
    // Problems and images in the files layout the paper preset reads: the world's clocks, rendered at 32 px.
    const world = { families: ['clock' as const], tiers: ['easy' as const], imageSize: 32, noise: 0 };
    await writeWorldDataset(join(root, 'seed'), { n: 24, seed: 3, split: 'train', ...world });
    await writeWorldDataset(join(root, 'test'), { n: 6, seed: 3, split: 'test', ...world });
    // The "7B" base model: a tiny embedded VLM whose files the stand-ins carry from checkpoint to checkpoint.
    const tiny = parseRunConfig({
      data: { kind: 'world', imageSize: 32 },
      // a plain initialized model folder, as a Hugging Face base is: no caption pretraining
      backend: {
        kind: 'embedded',
        model: { dModel: 16, nLayers: 1, nHeads: 2, dFF: 32, maxTextLen: 160 },
        pretrain: { problems: 0 },
      },
    });
    if (tiny.backend.kind !== 'embedded') throw new Error('unreachable');
    await initEmbeddedBase(join(root, 'base'), tiny, tiny.backend);

    const rewards = await startCli(['reward-server', '--port', '0']);
    children.push(rewards.child);
    reasoner = await startChatServer({ backend: createCaptionReaderBackend(), model: 'reasoner', port: 0 });
    ray = await startRayJobsStandIn({ execute: true });

    const transformers = 'transformers' in env ? env.transformers : '';
    standInEnv = {
      VLTHINK_STANDIN_LLAMAFACTORY: join(upstream, 'llamafactory', 'v0.9.3'),
      VLTHINK_STANDIN_TRANSFORMERS: transformers,
      VLTHINK_STANDIN_EASYR1: join(upstream, 'easyr1', 'b44b311'),
      VLTHINK_STANDIN_EASYR1_CHECK: join(upstream, 'easyr1', 'check_config.py'),
      VLTHINK_STANDIN_STEP_SECONDS: '0.2',
      VLTHINK_STANDIN_NODE: process.execPath,
    };
    const sampling = { k: 2, maxTokens: 24 };
    overlay = {
      outDir: join(root, 'runs'),
      data: {
        train: join(root, 'seed', 'problems.jsonl'),
        test: join(root, 'test', 'problems.jsonl'),
        testName: 'world',
      },
      distill: sampling,
      regenerate: sampling,
      // The tiny policy answers nothing right: later rounds keep round 1's traces for what it missed.
      filter: { keepPrevious: true },
      difficulty: { k: 2, maxTokens: 16 },
      eval: { maxTokens: 16 },
      rl: {
        rolloutBatchSize: 4,
        miniBatchSize: 4,
        valLimit: 4,
        stages: [
          { name: 'medium', tiers: ['medium'], episodes: 2, freezeVision: true },
          { name: 'hard', tiers: ['medium', 'hard'], episodes: 1, freezeVision: false },
        ],
      },
      backend: {
        kind: 'scale-out',
        baseModel: join(root, 'base'),
        // The world's problems carry captions: the captioner is never asked.
        captioner: { baseUrl: `${reasoner.url}/v1`, model: 'reasoner' },
        reasoner: { baseUrl: `${reasoner.url}/v1`, model: 'reasoner' },
        // vlthink serves each checkpoint itself (`vllm serve`, here the stand-in) on the policy URL.
        policy: { baseUrl: `http://127.0.0.1:${await freePort()}/v1`, model: null },
        serving: {
          kind: 'vllm',
          command: [testPython, join(standIns, 'bin', 'vllm'), 'serve'],
          gpus: '0',
          extraArgs: ['--max-num-seqs', '8'],
          startTimeoutS: 120,
        },
        rewardUrl: rewards.url,
        concurrency: 4,
        llamaFactory: { command: [testPython, join(standIns, 'bin', 'llamafactory-cli'), 'train'] },
        easyR1: { command: [testPython, '-m', 'verl.trainer.main'], workdir: join(standIns, 'easyr1') },
        rayAddress: ray.url,
        ray: { sharedPaths: ['/'], pollIntervalMs: 200 },
      },
    };
  }, 120_000);

  afterAll(async () => {
    await Promise.all(children.map(stop));
    await reasoner?.close();
    await ray?.close();
    if (root && !process.env.VLTHINK_KEEP_REHEARSAL) await rm(root, { recursive: true, force: true });
  });

  async function rehearse(runner: 'local' | 'ray', killAt: { log: string; text: string }) {
    const configFile = join(root, `${runner}.yaml`);
    const backend = overlay.backend as Record<string, unknown>;
    // A Ray job sees the cluster's environment, not vlthink's: the stand-ins' settings travel in runtime_env. The Ray
    // run targets the paper's own EasyR1 fork (per-sample reward calls, total_episodes), the local run EasyR1 main.
    const fork = { VLTHINK_STANDIN_EASYR1: join(upstream, 'openvlthinker', '6997b47', 'train', 'easyr1') };
    const ray = { ...(backend.ray as object), runtimeEnv: { env_vars: { ...standInEnv, ...fork } } };
    const easyR1 = { ...(backend.easyR1 as object), dialect: runner === 'ray' ? 'openvlthinker' : 'main' };
    await writeFile(configFile, stringify({ ...overlay, name: runner, backend: { ...backend, runner, ray, easyR1 } }));
    const args = ['--preset', 'paper', '--config', configFile, '--no-checks'];
    const runDir = join(root, 'runs', runner);
    const localEnv = { VLTHINK_STANDIN_NODE: process.execPath, ...(runner === 'local' ? standInEnv : {}) };
    const killed = await vlthinkRun(args, localEnv, { dir: join(runDir, '.staging'), ...killAt });
    expect(killed.signal, killed.stderr).toBe('SIGKILL');
    const rerun = await vlthinkRun(args, runner === 'local' ? { ...localEnv, VLTHINK_STANDIN_STEP_SECONDS: '0' } : {});
    expect(rerun.code, rerun.stderr).toBe(0);

    const summary = JSON.parse(await readFile(join(runDir, 'summary.json'), 'utf8')) as {
      rounds: Array<{ round: number; sft: { accuracy: number }; rl: { accuracy: number } }>;
    };
    expect(summary.rounds.map((r) => r.round)).toEqual([1, 2, 3]);
    for (const r of summary.rounds) {
      expect(r.sft.accuracy).toBeGreaterThanOrEqual(0);
      expect(r.rl.accuracy).toBeGreaterThanOrEqual(0);
    }
    const report = await readFile(join(runDir, 'report.html'), 'utf8');
    // EasyR1's metric names feed the report's GRPO curves (reward, rollout accuracy, KL, length, clip fraction).
    expect(report).not.toContain('No RL steps recorded yet.');
    for (const field of ['reward', 'accuracy', 'kl', 'length', 'clip'])
      expect(report).toContain(`data-chart="grpo-${field}"`);

    // The engines' layouts: an HF folder from LLaMA-Factory; EasyR1's last global_step, merged to huggingface/.
    for (const round of [1, 2, 3]) {
      const sft = join(runDir, `round-${round}`, 'sft', 'model');
      expect(existsSync(join(sft, 'trainer_state.json')) && existsSync(join(sft, 'model.safetensors'))).toBe(true);
      for (const stage of ['medium', 'hard']) {
        const checkpoints = join(runDir, `round-${round}`, `rl-${stage}`, 'checkpoints');
        const [step] = (await readdir(checkpoints)).filter((n) => n.startsWith('global_step_'));
        expect(existsSync(join(checkpoints, step ?? '', 'actor', 'huggingface', 'model.safetensors'))).toBe(true);
      }
    }

    // Curves from the engines' logs: Trainer dicts for SFT, EasyR1's Ray-prefixed steps (rewards from the real
    // reward server) for each RL stage.
    const metrics = (await readFile(join(runDir, 'metrics.jsonl'), 'utf8'))
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    for (const round of [1, 2, 3]) {
      const sft = metrics.filter((m) => m.stage === `round-${round}/sft` && typeof m.loss === 'number');
      expect(sft.length).toBeGreaterThan(0);
      for (const stage of ['medium', 'hard']) {
        const steps = metrics.filter((m) => m.stage === `round-${round}/rl-${stage}`);
        expect(steps.length).toBeGreaterThan(0);
        for (const m of steps) expect(m).toMatchObject({ engine: 'easyr1', 'reward/overall': expect.any(Number) });
      }
    }
    // Managed serving: each evaluated checkpoint (3 per round) was served by its own server, whose log is kept.
    const logs = (await readdir(join(runDir, 'serving'))).sort();
    expect(logs).toHaveLength(9);
    for (const name of logs)
      expect(name).toMatch(
        /^round-[123]-(sft-model|rl-(medium|hard)-checkpoints-global_step_\d+-actor-huggingface)\.log$/,
      );
    for (const name of logs) {
      const text = await readFile(join(runDir, 'serving', name), 'utf8');
      expect(text).toMatch(
        /^\[vlthink [^\]]+\] \S+ \S+vllm serve \/\S+ --host 127\.0\.0\.1 --port \d+ --served-model-name \/\S+ --max-num-seqs 8 \(on (local|ray:\S+)\)$/m,
      );
      expect(text).toContain('serving ');
    }
    // and stopped after its stage: nothing listens on the policy URL now.
    const policyUrl = (overlay.backend as { policy: { baseUrl: string } }).policy.baseUrl;
    expect(
      await fetch(`${policyUrl}/models`).then(
        () => 'answered',
        () => 'refused',
      ),
    ).toBe('refused');

    // The killed stage ran twice; no other stage did.
    const manifest = JSON.parse(await readFile(join(runDir, 'manifest.json'), 'utf8')) as {
      stages: Record<string, { state: string; attempts: number }>;
    };
    const attempts = Object.entries(manifest.stages).filter(([, s]) => s.state === 'done' && s.attempts > 1);
    expect(attempts.map(([k, s]) => [k, s.attempts])).toEqual([['round-1/rl-medium', 2]]);
    return { runDir, metrics };
  }

  it('local runner: 3 rounds end to end; a SIGKILL mid-job and a rerun restart that job and finish', async () => {
    const { runDir } = await rehearse('local', { log: 'train.log', text: 'Step 1' });
    // The killed EasyR1 job ran again from its start: its log holds two first steps.
    const log = await findLog(join(runDir, 'round-1', 'rl-medium'), 'train.log', 'Step 1');
    const text = await readFile(log ?? '', 'utf8');
    expect(text.match(/Step 1\n/g)?.length).toBe(2);
  }, 600_000);

  it('Ray runner, the paper fork of EasyR1: 3 rounds end to end; a SIGKILL mid-job and a rerun re-attach to the running job', async () => {
    const stand = ray as RayJobsStandIn;
    const { runDir, metrics } = await rehearse('ray', { log: 'train.log', text: 'Step 1' });
    // Re-attached, the log goes on where the killed run stopped reading: every step once, as Ray printed it.
    const log = await readFile(join(runDir, 'round-1', 'rl-medium', 'logs', 'train.log'), 'utf8');
    const steps = [...stripVTControlCharacters(log).matchAll(/^\(Runner pid=\d+\) Step (\d+)$/gm)].map((m) =>
      Number(m[1]),
    );
    const parsed = metrics.filter((m) => m.stage === 'round-1/rl-medium').map((m) => m.step);
    expect(steps).toEqual(parsed);
    expect(steps).toEqual(Array.from({ length: steps.length }, (_, i) => i + 1));
    const submissions = stand.requests.filter((r) => r.method === 'POST' && r.path === '/api/jobs/');
    const ids = submissions.map((r) => (r.body as { submission_id: string }).submission_id);
    // Every job was submitted once: the rerun followed the job the killed run had started.
    expect(new Set(ids).size).toBe(ids.length);
    // Training and merging jobs succeeded; the policy servers ran as Ray jobs too, each stopped after its stage.
    const jobs = [...stand.jobs.values()];
    const byCommand = (name: string) =>
      jobs.filter((j) => (j.request.metadata as { command: string }).command === name);
    expect(byCommand('train').length).toBe(9);
    expect([...byCommand('train'), ...byCommand('merge')].every((j) => j.status === 'SUCCEEDED')).toBe(true);
    const serves = byCommand('serve');
    expect(serves.length).toBeGreaterThanOrEqual(12); // per round: difficulty + 3 evaluations (+ regeneration)
    expect(serves.every((j) => j.status === 'STOPPED')).toBe(true);
  }, 600_000);
});
