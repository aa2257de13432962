/**
 * `npm run bench -- grpo`: one GRPO step of the tiny VLM at the engine's benchmark shape (model of
 * ../shared/bench/torch_reference.py; 32 rollouts per step, prompt 8 tokens + 56 sampled = 64 text tokens), twice: 32
 * distinct prompts (group 1), and GRPO's layout of 4 prompts x 8 samples (group 8), whose rows share a prefill row.
 *
 * Figures: rollout_tokens_per_s (new tokens per second of the rollout phase: KV-cache sampling at temperature 1 with
 * log-probs, plus the frozen reference's log-probs of the same sequences, scored as `runGrpo` scores them) and
 * update_tokens_per_s (response tokens per second of the one-graph GRPO update: forward, clipped surrogate +
 * low_var_kl, backward, clipping, AdamW).
 * Reference, measured in the same run on the same batch: the plain cross-entropy train step and bare sampling, so the
 * ratios say what the RL machinery costs on top of the engine.
 */
import { createRng } from '../src/core/index.ts';
import type { TrainState } from '../src/engine/index.ts';
import {
  benchConfig as cfg,
  createVlmRuntime,
  createWorkerSequenceScorer,
  imageValues,
  initParams,
  pickRows,
} from '../src/model/index.ts';
import {
  aggregationWeights,
  batchFeeds,
  compileGrpoStep,
  compileSftStep,
  compileTargetLogprobs,
  f32Feed,
  gatherResponseValues,
  padBatch,
  paperGrpoConfig,
  scatterResponseValues,
} from '../src/train/index.ts';

const ROWS = 32;
const PROMPT = 8;
const NEW = cfg.maxTextLen - PROMPT;
const STEPS = Number(process.env.VLTHINK_BENCH_STEPS ?? 5);
const THREADS = Number(process.env.VLTHINK_BENCH_THREADS ?? 2);

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

/** The overlapped reference's log-probs equal the serial forward's (a bench that scores wrongly measures nothing). */
function checkClose(a: readonly (readonly number[])[], b: readonly (readonly number[])[]): void {
  for (const [i, row] of a.entries()) {
    for (const [j, x] of row.entries()) {
      const y = b[i]?.[j];
      if (y === undefined || Math.abs(x - y) > 1e-4)
        throw new Error(`grpo bench: reference log-prob ${i},${j}: ${x} (overlapped) vs ${y} (serial)`);
    }
  }
}

export async function run(): Promise<void> {
  // 32 distinct prompts, then GRPO's layout: 4 prompts x a group of 8 samples (whose rows share one prefill row).
  for (const group of [1, 8]) await measure(group);
}

async function measure(group: number): Promise<void> {
  const rng = createRng(0);
  const session = { intraOpThreads: THREADS };
  const params = initParams(cfg, 0);
  const distinct = ROWS / group;
  const image = Float32Array.from({ length: distinct * imageValues(cfg) }, () => rng.next());
  const prompt = Array.from({ length: distinct }, () => [
    1,
    ...Array.from({ length: PROMPT - 1 }, () => 3 + rng.int(60)),
  ]);
  const rows = Array.from({ length: ROWS }, (_, b) => Math.floor(b / group));
  const images = pickRows(image, rows, imageValues(cfg));
  const prompts = rows.map((p) => prompt[p] as number[]);
  const actor = await createVlmRuntime(cfg, params, { session });
  const serialRef = await compileTargetLogprobs(cfg, 1, session);
  // The frozen reference, scored as runGrpo scores it: in a worker, chunk by chunk while the actor samples.
  const reference = createWorkerSequenceScorer(cfg, params, { temperature: 1, session: { intraOpThreads: 1 } });
  const g = paperGrpoConfig;
  const opt = { kind: 'adamw' as const, lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01 };
  const loss = { clipLow: g.clipLow, clipHigh: g.clipHigh, dualClip: g.dualClip, kl: g.kl, klCoef: g.klCoef };
  const grpo = await compileGrpoStep(cfg, { freezeVision: false, optimizer: opt, maxGradNorm: 1, session, loss });
  const sft = await compileSftStep(cfg, { freezeVision: false, optimizer: opt, maxGradNorm: 1, session });

  const rollout: number[] = [];
  const serial: number[] = [];
  const sampleOnly: number[] = [];
  const update: number[] = [];
  const ce: number[] = [];
  const state: TrainState = { step: 0, params: { ...params }, m: {}, v: {} };
  const ceState: TrainState = { step: 0, params: { ...params }, m: {}, v: {} };
  for (let s = 0; s <= STEPS; s++) {
    actor.setParams(state.params);
    // Bare sampling, then the rollout: the same sampling with the reference scored alongside.
    let t = performance.now();
    await actor.sample({ images, prompts }, { temperature: 1, maxTokens: NEW, seed: s });
    const sampled = performance.now() - t;
    t = performance.now();
    reference.begin(images, prompts, PROMPT + NEW - 1);
    const samples = await actor.sample(
      { images, prompts, onColumn: (pos, tokens) => reference.push(pos, tokens) },
      { temperature: 1, maxTokens: NEW, seed: s },
    );
    const scored = await reference.finish();
    const refLp = samples.map((r, i) =>
      Array.from(scored[i] as Float32Array).slice(PROMPT - 1, PROMPT - 1 + r.tokens.length),
    );
    const rolloutMs = performance.now() - t;
    const seqs = samples.map((r, i) => ({ promptIds: prompts[i] as number[], responseIds: r.tokens }));
    const batch = padBatch(seqs, 0);
    // For comparison, the reference scored after the sampling by one full forward (the serial way).
    t = performance.now();
    const serialLp = gatherResponseValues(batch, await serialRef(params, batch, images));
    const serialMs = sampled + performance.now() - t;
    if (s === 0) checkClose(serialLp, refLp);
    const newTokens = samples.reduce((a, r) => a + r.tokens.length, 0);

    const w = aggregationWeights(batch.responseLengths, 'token-mean');
    const weights = batch.mask.map((m, i) => m * (w[Math.floor(i / batch.length)] as number));
    const adv = seqs.map((q) => q.responseIds.map(() => rng.normal()));
    const feeds = {
      ...batchFeeds(cfg, batch, images),
      mask: f32Feed(batch.mask, batch),
      weights: f32Feed(weights, batch),
      adv: f32Feed(scatterResponseValues(batch, adv), batch),
      old_logp: f32Feed(
        scatterResponseValues(
          batch,
          samples.map((r) => r.logprobs),
        ),
        batch,
      ),
      ref_logp: f32Feed(scatterResponseValues(batch, refLp), batch),
    };
    t = performance.now();
    await grpo.run(state, feeds, { lr: 1e-6 });
    const updateMs = performance.now() - t;
    t = performance.now();
    await sft.run(ceState, { ...batchFeeds(cfg, batch, images), weights: f32Feed(weights, batch) }, { lr: 1e-6 });
    const ceMs = performance.now() - t;
    if (s === 0) continue; // warm-up: session creation
    rollout.push(newTokens / (rolloutMs / 1000));
    serial.push(newTokens / (serialMs / 1000));
    sampleOnly.push(newTokens / (sampled / 1000));
    update.push(newTokens / (updateMs / 1000));
    ce.push(newTokens / (ceMs / 1000));
  }
  const r = median(rollout);
  const u = median(update);
  await reference.release();
  await actor.release();
  process.stdout.write(
    `${JSON.stringify({
      bench: 'grpo',
      shape: `V${cfg.vocabSize} D${cfg.dModel} L${cfg.nLayers} H${cfg.nHeads} T${cfg.maxTextLen} B${ROWS}`,
      prompts: distinct,
      group,
      threads: THREADS,
      steps: STEPS,
      rollout_tokens_per_s: Math.round(r),
      update_tokens_per_s: Math.round(u),
      rollout_vs_bare_sampling: Number((r / median(sampleOnly)).toFixed(3)),
      serial_rollout_vs_bare_sampling: Number((median(serial) / median(sampleOnly)).toFixed(3)),
      update_vs_cross_entropy_step: Number((u / median(ce)).toFixed(3)),
    })}\n`,
  );
}
