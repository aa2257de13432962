/**
 * The one-graph training steps of SFT and GRPO on the tiny VLM: model forward -> per-token log-probs -> loss ->
 * backward -> global-norm clipping -> AdamW, compiled once per (model config, loss options) and fed each batch.
 *
 * Feeds (B rows, T target positions, see batching.ts): images [B, C, H, W], ids [B, T], targets [B, T],
 * weights [B, T] (aggregation weight x response mask); GRPO adds old_logp, ref_logp, adv and mask [B, T].
 */
import {
  asF32,
  compile,
  compileTrainStep,
  createGraph,
  type HostTensor,
  mul,
  type OptimizerConfig,
  reduceSum,
  type SessionOptions,
  type StepResult,
  type Tensor,
  type TrainStep,
} from '../engine/index.ts';
import { declareParams, isVisionParam, type Params, paramSpecs, type VlmConfig, vlmForward } from '../model/index.ts';
import type { TokenBatch } from './batching.ts';
import { type GrpoLossOptions, grpoLoss, sftLoss, targetLogProbs, tokenEntropy } from './graph-losses.ts';

export interface StepOptions {
  readonly freezeVision: boolean;
  readonly optimizer: OptimizerConfig;
  readonly maxGradNorm: number;
  readonly session?: Partial<SessionOptions>;
}

/** The optimizer settings both loops' configs share (GrpoConfig and SftConfig name them alike). */
export interface OptimizerSettings {
  readonly lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly adamEps: number;
  readonly weightDecay: number;
  readonly maxGradNorm: number;
}

/** StepOptions from a loop's config: AdamW with its settings, its clipping, `threads` intra-op threads (0 = all). */
export function stepOptionsOf(cfg: OptimizerSettings, freezeVision: boolean, threads = 0): StepOptions {
  return {
    freezeVision,
    optimizer: {
      kind: 'adamw',
      lr: cfg.lr,
      beta1: cfg.beta1,
      beta2: cfg.beta2,
      eps: cfg.adamEps,
      weightDecay: cfg.weightDecay,
    },
    maxGradNorm: cfg.maxGradNorm,
    session: { intraOpThreads: threads },
  };
}

function specsFor(c: VlmConfig, freezeVision: boolean) {
  const all = paramSpecs(c);
  return {
    trainable: all.filter((s) => !(freezeVision && isVisionParam(s.name))),
    frozen: all.filter((s) => freezeVision && isVisionParam(s.name)),
  };
}

const imagesShape = (c: VlmConfig) => ['B', c.channels, c.imageSize, c.imageSize] as const;

/** SFT: weighted cross-entropy of response tokens; also reports the summed entropy. */
export function compileSftStep(c: VlmConfig, o: StepOptions): Promise<TrainStep> {
  return compileTrainStep(
    (g, params) => {
      const images = g.input('images', 'float32', imagesShape(c));
      const ids = g.input('ids', 'int64', ['B', 'T']);
      const targets = g.input('targets', 'int64', ['B', 'T']);
      const weights = g.input('weights', 'float32', ['B', 'T']);
      const { logits } = vlmForward(c, params, images, ids); // [B, T, V]
      const { logp } = targetLogProbs(logits, targets);
      return { loss: sftLoss(logp, weights) };
    },
    { ...specsFor(c, o.freezeVision), optimizer: o.optimizer, maxGradNorm: o.maxGradNorm, session: o.session },
  );
}

/**
 * GRPO: clipped surrogate + KL, aggregated by the fed weights; statistics as metrics (no gradient). `temperature`
 * divides the logits before the log-softmax, as verl / EasyR1 score rollouts sampled at that temperature.
 */
export function compileGrpoStep(
  c: VlmConfig,
  o: StepOptions & { loss: GrpoLossOptions; temperature?: number },
): Promise<TrainStep> {
  return compileTrainStep(
    (g, params) => {
      const bt = ['B', 'T'] as const;
      const images = g.input('images', 'float32', imagesShape(c));
      const ids = g.input('ids', 'int64', bt);
      const targets = g.input('targets', 'int64', bt);
      const { logits } = vlmForward(c, params, images, ids); // [B, T, V]
      const { logp, logProbs } = targetLogProbs(logits, targets, o.temperature ?? 1);
      const mask = g.input('mask', 'float32', bt);
      const out = grpoLoss(
        {
          logp,
          oldLogp: g.input('old_logp', 'float32', bt),
          refLogp: g.input('ref_logp', 'float32', bt),
          advantages: g.input('adv', 'float32', bt),
          weights: g.input('weights', 'float32', bt),
          mask,
        },
        o.loss,
      );
      const entropySum = tokenEntropySum(tokenEntropy(logProbs), mask);
      return {
        loss: out.loss,
        metrics: { clipped: out.clippedTokens, klSum: out.klSum, pgSum: out.pgSum, entropySum },
      };
    },
    { ...specsFor(c, o.freezeVision), optimizer: o.optimizer, maxGradNorm: o.maxGradNorm, session: o.session },
  );
}

function tokenEntropySum(entropy: Tensor, mask: Tensor): Tensor {
  return reduceSum(mul(entropy, mask));
}

/**
 * Per-token log-probs [B, T] of a batch's targets at `temperature` (the old policy's log-probs when rollouts are
 * sampled at a temperature other than 1; the sampler reports temperature-1 log-probs).
 */
export async function compileTargetLogprobs(
  c: VlmConfig,
  temperature: number,
  session?: Partial<SessionOptions>,
): Promise<(params: Params, batch: TokenBatch, images: Float32Array) => Promise<Float32Array>> {
  const g = createGraph();
  const p = declareParams(g, c);
  const ids = g.input('ids', 'int64', ['B', 'T']);
  const { logits } = vlmForward(c, p, g.input('images', 'float32', imagesShape(c)), ids);
  const { logp } = targetLogProbs(logits, g.input('targets', 'int64', ['B', 'T']), temperature);
  const graph = await compile({ logp }, session);
  return async (params, batch, images) => {
    const feeds: Record<string, HostTensor> = batchFeeds(c, batch, images);
    for (const s of paramSpecs(c)) feeds[s.name] = { data: params[s.name] as Float32Array, dims: s.shape };
    return asF32((await graph.run(feeds)).logp, 'logp');
  };
}

/** The feeds shared by both steps. */
export function batchFeeds(c: VlmConfig, batch: TokenBatch, images: Float32Array): Record<string, HostTensor> {
  const dims = [batch.batch, batch.length];
  return {
    images: { data: images, dims: [batch.batch, c.channels, c.imageSize, c.imageSize] },
    ids: { data: batch.ids, dims },
    targets: { data: batch.targets, dims },
  };
}

export function f32Feed(data: Float32Array, batch: TokenBatch): HostTensor {
  return { data, dims: [batch.batch, batch.length] };
}

/** A scalar metric of a step result (NaN when the step did not report it). */
export function scalarMetric(result: StepResult, name: string): number {
  const t = result.metrics[name];
  if (!t || !(t.data instanceof Float32Array)) return Number.NaN;
  return t.data[0] ?? Number.NaN;
}
