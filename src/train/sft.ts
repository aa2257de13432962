/**
 * Supervised fine-tuning of the tiny VLM, top to bottom:
 *   shuffle (seeded, per epoch) -> batch -> pad and mask (response tokens only) -> one-graph step (cross-entropy,
 *   backward, clipping, AdamW at the scheduled rate) -> metrics -> periodic held-out loss and greedy accuracy.
 *
 * Simplifications: one optimizer step per batch (no gradient accumulation: the batch is the global batch); the
 * loss is a token mean over the batch's response tokens (LLaMA-Factory / HF's default reduction).
 */
import { type Logger, silentLogger, throwIfAborted } from '../core/index.ts';
import type { TrainState, TrainStep } from '../engine/index.ts';
import { createVlmRuntime, type VlmRuntime } from '../model/index.ts';
import { padBatch } from './batching.ts';
import type { SftConfig } from './config.ts';
import { type DataCursor, startCursor, takeBatch } from './data-order.ts';
import { learningRateAt } from './lr-schedule.ts';
import { roundMetrics } from './metrics.ts';
import {
  type EncodedExample,
  exampleAt,
  type HeldOut,
  heldOutAccuracy,
  heldOutLoss,
  type PolicyState,
  stackImages,
} from './policy-io.ts';
import { batchFeeds, compileSftStep, f32Feed, stepOptionsOf } from './train-steps.ts';

export interface SftRun {
  readonly config: SftConfig;
  readonly policy: PolicyState;
  readonly train: readonly EncodedExample[];
  readonly eval?: readonly EncodedExample[];
  readonly onStep?: (metrics: Record<string, number | string>) => void | Promise<void>;
  readonly logger?: Logger;
  readonly signal?: AbortSignal;
  readonly threads?: number;
}

export interface SftResult {
  readonly policy: PolicyState;
  readonly state: TrainState;
  readonly cursor: DataCursor;
  readonly steps: number;
  /** The last held-out measure (when an eval set was given). */
  readonly heldOut: HeldOut | undefined;
}

/** Optimizer steps of a run: maxSteps, else epochs x ceil(examples / batch). */
export function sftTotalSteps(config: SftConfig, examples: number): number {
  return config.maxSteps ?? config.epochs * Math.ceil(examples / config.batchSize);
}

export async function runSft(run: SftRun): Promise<SftResult> {
  const { config: cfg, policy } = run;
  if (run.train.length === 0) throw new RangeError('SFT needs at least one training example');
  const model = policy.config;
  const stepOptions = stepOptionsOf(cfg, cfg.freezeVision, run.threads);
  const step = await compileSftStep(model, stepOptions);
  const state: TrainState = { step: 0, params: { ...policy.params }, m: {}, v: {} };
  const total = sftTotalSteps(cfg, run.train.length);
  const runtime = await createVlmRuntime(model, state.params, { session: stepOptions.session });
  try {
    return await trainSteps(run, step, runtime, state, total);
  } finally {
    // ONNX Runtime's sessions hold native memory the GC never sees: a run's stages each compile their own, so a
    // three-round run that kept them grew past 7 GiB.
    await runtime.release();
    await step.release();
  }
}

async function trainSteps(
  run: SftRun,
  step: TrainStep,
  runtime: VlmRuntime,
  state: TrainState,
  total: number,
): Promise<SftResult> {
  const { config: cfg, policy } = run;
  const log = run.logger ?? silentLogger;
  const model = policy.config;
  let cursor = startCursor;
  let heldOut: HeldOut | undefined;

  const evaluate = async (at: number) => {
    if (!run.eval || run.eval.length === 0) return;
    runtime.setParams(state.params);
    const part = run.eval.slice(0, cfg.evalLimit);
    const loss = await heldOutLoss(runtime, part);
    const maxTokens = Math.max(1, Math.min(cfg.evalMaxTokens, model.maxTextLen - 1));
    const { accuracy } = await heldOutAccuracy(runtime, policy.tokenizer, part, { maxTokens });
    heldOut = { loss, accuracy, count: part.length };
    log.info('sft eval', { step: at, loss, accuracy });
    await run.onStep?.(roundMetrics({ phase: 'sft-eval', step: at, eval_loss: loss, eval_accuracy: accuracy }));
  };

  for (let s = 0; s < total; s++) {
    throwIfAborted(run.signal, 'SFT');
    const started = performance.now();
    const { indices, next } = takeBatch(run.train.length, Math.min(cfg.batchSize, run.train.length), cursor, cfg.seed);
    cursor = next;
    const rows = indices.map((i) => exampleAt(run.train, i));
    const batch = padBatch(rows, policy.tokenizer.pad);
    const tokens = batch.responseLengths.reduce((a, b) => a + b, 0);
    const weights = batch.mask.map((m) => m / Math.max(1, tokens)); // token mean over the batch
    const lr = learningRateAt({ kind: cfg.schedule, lr: cfg.lr, warmupRatio: cfg.warmupRatio }, s, total);
    const res = await step.run(
      state,
      {
        ...batchFeeds(model, batch, stackImages(rows.map((r) => r.image))),
        weights: f32Feed(weights, batch),
      },
      { lr },
    );
    const seconds = (performance.now() - started) / 1000;
    const record = {
      phase: 'sft',
      step: s + 1,
      epoch: cursor.epoch,
      loss: res.loss,
      grad_norm: res.gradNorm,
      lr,
      tokens,
      step_time_s: seconds,
      tokens_per_s: tokens / seconds,
    };
    if (!Number.isFinite(res.loss)) {
      throw new RangeError(`SFT loss became ${res.loss} at step ${s + 1} (lr ${lr}); lower the learning rate`);
    }
    await run.onStep?.(roundMetrics(record));
    if (cfg.evalEvery > 0 && (s + 1) % cfg.evalEvery === 0 && s + 1 < total) await evaluate(s + 1);
  }
  await evaluate(total);
  return { policy: { ...policy, params: state.params }, state, cursor, steps: total, heldOut };
}
