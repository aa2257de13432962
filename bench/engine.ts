/**
 * `npm run bench -- engine`: the embedded engine against PyTorch CPU at the benchmark shape of
 * ../shared/bench/torch_reference.py (run in the same process tree, right after ours, on the same machine).
 *
 * Train figure: text tokens per second of full training steps (forward + backward + AdamW, one ONNX graph).
 * Sample figure: new tokens per second sampling 32 sequences x 64 tokens with the KV cache, multinomial at temperature
 * 1, keeping each token's log-prob. Several thread settings are tried for both engines; the best of each is reported
 * with the ratios ours / PyTorch. Reference path: env VLTHINK_TORCH_REF, default ../shared/bench/torch_reference.py
 * from the project root; Python: /usr/bin/python3 (Debian's torch: apt-get install python3-torch libopenblas0-pthread).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createRng } from '../src/core/index.ts';
import { compileTrainStep, f32, i64, neg, reduceMean, type TrainState } from '../src/engine/index.ts';
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

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

async function measureOurs(threads: number): Promise<{ train: number; sample: number }> {
  const rng = createRng(0);
  const images = Float32Array.from({ length: B * imageValues(cfg) }, () => rng.next());
  const tokens = Array.from({ length: B * T }, () => rng.int(cfg.vocabSize));
  const targets = Array.from({ length: B * T }, () => rng.int(cfg.vocabSize));
  const session = { intraOpThreads: threads };
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
  for (let i = 0; i < 2; i++) await step.run(state, feeds);
  const times: number[] = [];
  for (let i = 0; i < STEPS; i++) {
    const t0 = performance.now();
    await step.run(state, feeds);
    times.push(performance.now() - t0);
  }
  const train = (B * T) / (median(times) / 1000);

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
  await step.release();
  await rt.release();
  return { train, sample: (B * T) / (median(stimes) / 1000) };
}

interface TorchFigures {
  readonly setting: string;
  readonly train: number;
  readonly sample: number;
}

async function measureTorch(
  script: string,
  threads: number,
  blas: number,
): Promise<TorchFigures | { setting: string; error: string }> {
  const setting = `torch ${threads} thread(s), OPENBLAS_NUM_THREADS=${blas}`;
  try {
    const { stdout } = await execFileAsync(
      '/usr/bin/python3',
      [script, '--threads', String(threads), '--steps', String(STEPS)],
      {
        env: { ...process.env, OPENBLAS_NUM_THREADS: String(blas), OMP_NUM_THREADS: String(threads) },
        timeout: 600_000,
      },
    );
    const line = stdout.trim().split('\n').pop() ?? '';
    const j = JSON.parse(line) as { train_tokens_per_s: number; sample_tokens_per_s: number };
    return { setting, train: j.train_tokens_per_s, sample: j.sample_tokens_per_s };
  } catch (err) {
    return { setting, error: String(err).split('\n')[0] ?? 'failed' };
  }
}

export async function run(): Promise<void> {
  const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
  const script = resolve(root, process.env.VLTHINK_TORCH_REF ?? '../shared/bench/torch_reference.py');
  const ours: { threads: number; train: number; sample: number }[] = [];
  for (const threads of [1, 2]) ours.push({ threads, ...(await measureOurs(threads)) });
  const peakRssMiB = process.resourceUsage().maxRSS / 1024;

  const torch: (TorchFigures | { setting: string; error: string })[] = [];
  if (existsSync(script)) {
    for (const [threads, blas] of [
      [1, 1],
      [1, 2],
      [2, 2],
    ] as const) {
      torch.push(await measureTorch(script, threads, blas));
    }
  }
  const okTorch = torch.filter((t): t is TorchFigures => 'train' in t);
  const best = <X>(xs: X[], key: (x: X) => number): X | undefined =>
    xs.reduce<X | undefined>((a, x) => (a === undefined || key(x) > key(a) ? x : a), undefined);
  const bt = best(ours, (o) => o.train);
  const bs = best(ours, (o) => o.sample);
  const tt = best(okTorch, (t) => t.train);
  const ts = best(okTorch, (t) => t.sample);
  const round = (x: number | undefined, d = 1) => (x === undefined ? null : Math.round(x * 10 ** d) / 10 ** d);
  process.stdout.write(
    `${JSON.stringify({
      bench: 'engine',
      shape: 'torch_reference.py (B 32, T 64, 16 image tokens, d 128, 4 layers, 4 heads, vocab 64)',
      train_tokens_per_s: round(bt?.train),
      sample_tokens_per_s: round(bs?.sample),
      train_threads: bt?.threads,
      sample_threads: bs?.threads,
      torch_train_tokens_per_s: round(tt?.train),
      torch_sample_tokens_per_s: round(ts?.sample),
      torch_train_setting: tt?.setting ?? null,
      torch_sample_setting: ts?.setting ?? null,
      train_ratio: bt && tt ? round(bt.train / tt.train, 2) : null,
      sample_ratio: bs && ts ? round(bs.sample / ts.sample, 2) : null,
      peak_rss_mib: round(peakRssMiB, 0),
      ours: ours.map((o) => ({ threads: o.threads, train: round(o.train), sample: round(o.sample) })),
      torch: torch.map((t) => ('train' in t ? { setting: t.setting, train: t.train, sample: t.sample } : t)),
      torch_script: existsSync(script) ? script : `missing: ${script} (set VLTHINK_TORCH_REF)`,
    })}\n`,
  );
}
