/**
 * `npm run bench -- engine`: the embedded engine against PyTorch 2.13 CPU at the benchmark shape of
 * ../shared/bench/torch_reference.py, measured in the same run on the same machine.
 *
 * Train figure: text tokens per second of full training steps (forward + backward + AdamW, one ONNX graph).
 * Sample figure: new tokens per second sampling 32 sequences x 64 tokens with the KV cache, multinomial at temperature
 * 1, keeping each token's log-prob. Ours runs at 1 and 2 intra-op threads, and at 2 with ONNX Runtime's spinning
 * thread pool (its own default; vlthink's sessions default to no spinning, which wastes no CPU on a shared or busy
 * machine, while PyTorch's OpenMP threads spin); PyTorch runs eager at 1 and 2 threads and
 * with torch.compile (inductor) on the training step at 1 and 2 threads (its sampling stays eager). Rounds interleave
 * every setting (VLTHINK_BENCH_ROUNDS, default 2) so that load from other processes hits all of them alike; each
 * setting's figure is its median over rounds, and each ratio is ours (best setting) / PyTorch's best setting for
 * that figure.
 *
 * PyTorch: `torch==2.13.0+cpu` from pip's configured (local) index, installed into a venv cached under
 * `$XDG_CACHE_HOME/vlthink` (default ~/.cache/vlthink) on first use; VLTHINK_TORCH_PYTHON names another interpreter
 * that has torch. Reference script: VLTHINK_TORCH_REF, default ../shared/bench/torch_reference.py from the project root.
 */
import { execFile } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createRng } from '../src/core/index.ts';
import {
  compileTrainStep,
  f32,
  i64,
  neg,
  reduceMean,
  type SessionOptions,
  type TrainState,
} from '../src/engine/index.ts';
import {
  benchConfig as cfg,
  createVlmRuntime,
  imageValues,
  initParams,
  paramSpecs,
  tokenLogprobs,
  vlmForward,
} from '../src/model/index.ts';

const execFileAsync = promisify(execFile);
const B = 32;
const T = 64;
const STEPS = Number(process.env.VLTHINK_BENCH_STEPS ?? 10);
const ROUNDS = Number(process.env.VLTHINK_BENCH_ROUNDS ?? 2);
const TORCH_PIN = 'torch==2.13.0+cpu';

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

/**
 * The training step of torch_reference.py's shape, as the engine runs it: seeded inputs, the compiled step, its
 * state and feeds (shared with `bench engine-profile`).
 */
export async function benchTrainStep(session: Partial<SessionOptions>) {
  const rng = createRng(0);
  const images = Float32Array.from({ length: B * imageValues(cfg) }, () => rng.next());
  const tokens = Array.from({ length: B * T }, () => rng.int(cfg.vocabSize));
  const targets = Array.from({ length: B * T }, () => rng.int(cfg.vocabSize));
  const step = await compileTrainStep(
    (g, p) => {
      const img = g.input('images', 'float32', ['B', 3, cfg.imageSize, cfg.imageSize]);
      const tok = g.input('tokens', 'int64', ['B', 'T']);
      const tgt = g.input('targets', 'int64', ['B', 'T']);
      return { loss: neg(reduceMean(tokenLogprobs(vlmForward(cfg, p, img, tok).logits, tgt))) };
    },
    {
      // As torch_reference.py: AdamW(lr 1e-3, weight_decay 0.01) over every parameter, no clipping.
      trainable: paramSpecs(cfg).map((s) => ({ ...s, decay: true })),
      optimizer: { kind: 'adamw', lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01 },
      session,
    },
  );
  const state: TrainState = { step: 0, params: initParams(cfg, 0), m: {}, v: {} };
  const feeds = {
    images: f32(images, [B, 3, cfg.imageSize, cfg.imageSize]),
    tokens: i64(tokens, [B, T]),
    targets: i64(targets, [B, T]),
  };
  return { step, state, feeds, images };
}

interface OurSetting {
  readonly threads: number;
  readonly spin: boolean;
}

const OUR_SETTINGS: readonly OurSetting[] = [
  { threads: 1, spin: false },
  { threads: 2, spin: false },
  { threads: 2, spin: true },
];
const ourName = (s: OurSetting) => `vlthink, ${s.threads} thread(s)${s.spin ? ', spinning' : ''}`;

async function measureOurs(s: OurSetting): Promise<{ train: number; sample: number }> {
  const session = { intraOpThreads: s.threads, spinWait: s.spin };
  const { step, state, feeds, images } = await benchTrainStep(session);
  for (let i = 0; i < 2; i++) await step.run(state, feeds);
  const times: number[] = [];
  for (let i = 0; i < STEPS; i++) {
    const t0 = performance.now();
    await step.run(state, feeds);
    times.push(performance.now() - t0);
  }
  const train = (B * T) / (median(times) / 1000);
  await step.release();

  const rt = await createVlmRuntime(cfg, state.params, { session });
  const prompts = Array.from({ length: B }, () => [0]);
  await rt.sample({ images, prompts }, { maxTokens: 4, seed: 1 });
  const stimes: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    const out = await rt.sample({ images, prompts }, { maxTokens: T, seed: i, temperature: 1 });
    stimes.push(performance.now() - t0);
    if (out.some((r) => r.tokens.length !== T)) throw new Error('engine bench: a row stopped early');
  }
  await rt.release();
  return { train, sample: (B * T) / (median(stimes) / 1000) };
}

/**
 * A Python that imports torch 2.13: VLTHINK_TORCH_PYTHON, else the cached venv, created from pip's configured index
 * when absent. The venv counts only once a marker file says its install finished, so an interrupted install is redone.
 */
async function torchPython(): Promise<string> {
  const override = process.env.VLTHINK_TORCH_PYTHON;
  if (override) return override;
  const cacheRoot = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  const venv = join(cacheRoot, 'vlthink', 'torch-2.13.0-cpu');
  const python = join(venv, 'bin', 'python');
  const marker = join(venv, 'vlthink-installed');
  if (existsSync(marker)) return python;
  process.stderr.write(`engine bench: installing ${TORCH_PIN} into ${venv} (once; about a minute)\n`);
  rmSync(venv, { recursive: true, force: true });
  try {
    await execFileAsync('python3', ['-m', 'venv', venv], { timeout: 120_000 });
    await execFileAsync(python, ['-m', 'pip', 'install', '--quiet', '--retries', '0', TORCH_PIN, 'numpy'], {
      timeout: 900_000,
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (err) {
    rmSync(venv, { recursive: true, force: true });
    throw new Error(
      `engine bench: could not install ${TORCH_PIN} into ${venv} (pip's configured index must hold the wheel; or set ` +
        `VLTHINK_TORCH_PYTHON to a Python with torch): ${String(err).split('\n')[0]}`,
      { cause: err },
    );
  }
  writeFileSync(marker, `${TORCH_PIN}\n`);
  return python;
}

interface TorchSetting {
  readonly threads: number;
  readonly compile: boolean;
}

interface TorchRun {
  /** e.g. "pytorch 2.13.0+cpu compiled", as the script reports itself. */
  readonly engine: string;
  readonly train: number;
  readonly sample: number;
}

async function measureTorch(python: string, script: string, s: TorchSetting): Promise<TorchRun> {
  const args = [script, '--threads', String(s.threads), '--steps', String(STEPS), ...(s.compile ? ['--compile'] : [])];
  const { stdout } = await execFileAsync(python, args, {
    env: { ...process.env, OMP_NUM_THREADS: String(s.threads), MKL_NUM_THREADS: String(s.threads) },
    timeout: 600_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  const line = stdout.trim().split('\n').pop() ?? '';
  const j = JSON.parse(line) as { engine: string; train_tokens_per_s: number; sample_tokens_per_s: number };
  return { engine: j.engine, train: j.train_tokens_per_s, sample: j.sample_tokens_per_s };
}

const TORCH_SETTINGS: readonly TorchSetting[] = [
  { threads: 1, compile: false },
  { threads: 2, compile: false },
  { threads: 1, compile: true },
  { threads: 2, compile: true },
];
const settingName = (s: TorchSetting, engine: string) => `${engine}, ${s.threads} thread(s)`;

export async function run(): Promise<void> {
  const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
  const script = resolve(root, process.env.VLTHINK_TORCH_REF ?? '../shared/bench/torch_reference.py');
  let python: string | undefined;
  let torchError: string | undefined;
  if (!existsSync(script)) torchError = `missing reference script ${script} (set VLTHINK_TORCH_REF)`;
  else {
    try {
      python = await torchPython();
    } catch (err) {
      torchError = String(err instanceof Error ? err.message : err);
    }
  }

  const ours = OUR_SETTINGS.map((s) => ({ s, train: [] as number[], sample: [] as number[] }));
  const torch = TORCH_SETTINGS.map((s) => ({ s, engine: '', train: [] as number[], sample: [] as number[] }));
  for (let r = 0; r < ROUNDS; r++) {
    for (const o of ours) {
      const m = await measureOurs(o.s);
      o.train.push(m.train);
      o.sample.push(m.sample);
    }
    if (!python) continue;
    for (const t of torch) {
      try {
        const m = await measureTorch(python, script, t.s);
        t.engine = m.engine;
        t.train.push(m.train);
        // With --compile only the training step is compiled: its sampling figure is eager, already measured.
        if (!t.s.compile) t.sample.push(m.sample);
      } catch (err) {
        torchError = `${settingName(t.s, t.engine || 'pytorch')}: ${String(err).split('\n')[0]}`;
      }
    }
  }
  const peakRssMiB = process.resourceUsage().maxRSS / 1024;

  const round = (x: number | undefined, d = 1) => (x === undefined ? null : Math.round(x * 10 ** d) / 10 ** d);
  const med = (xs: readonly number[]) => (xs.length > 0 ? median(xs) : undefined);
  const oursMed = ours.map((o) => ({ setting: ourName(o.s), train: med(o.train), sample: med(o.sample) }));
  const torchMed = torch
    .filter((t) => t.train.length > 0)
    .map((t) => ({ setting: settingName(t.s, t.engine), train: med(t.train), sample: med(t.sample) }));
  const best = <X>(xs: readonly X[], key: (x: X) => number | undefined): X | undefined =>
    xs.reduce<X | undefined>((a, x) => ((key(x) ?? -1) > (a === undefined ? -1 : (key(a) ?? -1)) ? x : a), undefined);
  const bt = best(oursMed, (o) => o.train);
  const bs = best(oursMed, (o) => o.sample);
  const tt = best(torchMed, (t) => t.train);
  const ts = best(torchMed, (t) => t.sample);
  const ratio = (a: number | undefined, b: number | undefined) => (a && b ? round(a / b, 2) : null);
  process.stdout.write(
    `${JSON.stringify({
      bench: 'engine',
      shape: 'torch_reference.py (B 32, T 64, 16 image tokens, d 128, 4 layers, 4 heads, vocab 64)',
      rounds: ROUNDS,
      train_tokens_per_s: round(bt?.train),
      sample_tokens_per_s: round(bs?.sample),
      train_setting: bt?.setting ?? null,
      sample_setting: bs?.setting ?? null,
      torch_train_tokens_per_s: round(tt?.train),
      torch_sample_tokens_per_s: round(ts?.sample),
      torch_train_setting: tt?.setting ?? null,
      torch_sample_setting: ts ? `${ts.setting} (eager)` : null,
      train_ratio: ratio(bt?.train, tt?.train),
      sample_ratio: ratio(bs?.sample, ts?.sample),
      peak_rss_mib: round(peakRssMiB, 0),
      load_avg_1m: round(loadavg()[0], 1),
      ours: oursMed.map((o) => ({ setting: o.setting, train: round(o.train), sample: round(o.sample) })),
      torch: torchMed.map((t) => ({ setting: t.setting, train: round(t.train), sample: round(t.sample) })),
      torch_python: python ?? null,
      torch_error: torchError ?? null,
      torch_script: script,
    })}\n`,
  );
}
