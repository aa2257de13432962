/**
 * The training losses as graph ops, compiled into the one-graph train step. Each mirrors its plain-number reference
 * in policy-loss.ts (tests compare the two) — the conformance tests pin the plain version, this one must agree.
 *
 * All per-token tensors are [B, T] at *target* positions (see batching.ts): position t scores the token at t + 1.
 */

import type { Tensor } from '../engine/ir.ts';
import {
  add,
  cast,
  clip,
  exp,
  gatherElements,
  greater,
  less,
  logSoftmax,
  maximum,
  minimum,
  mul,
  neg,
  reduceSum,
  squeeze,
  sub,
  unsqueeze,
} from '../engine/ops.ts';
import { type ClipOptions, KL_VALUE_CLAMP, type KlEstimator, LOG_RATIO_CLAMP } from './policy-loss.ts';

/**
 * Per-token log-probabilities of the targets. logits [B, T, V], targets [B, T] int64 -> logp [B, T], and the full
 * log-softmax [B, T, V] (for the entropy). `temperature` divides the logits first, as verl / EasyR1 do so that the
 * loss scores tokens under the same distribution they were sampled from.
 */
export function targetLogProbs(logits: Tensor, targets: Tensor, temperature = 1): { logp: Tensor; logProbs: Tensor } {
  const scaled = temperature === 1 ? logits : mul(logits, 1 / temperature);
  const logProbs = logSoftmax(scaled, -1); // [B, T, V]
  const logp = squeeze(gatherElements(logProbs, unsqueeze(targets, -1), -1), -1); // [B, T]
  return { logp, logProbs };
}

/** Per-token entropy -sum_v p log p of a log-softmax [B, T, V] -> [B, T]. */
export function tokenEntropy(logProbs: Tensor): Tensor {
  return neg(reduceSum(mul(exp(logProbs), logProbs), [-1]));
}

/** SFT: cross-entropy of the response tokens. `weights` [B, T] is the mask scaled so that the loss is a token mean. */
export function sftLoss(logp: Tensor, weights: Tensor): Tensor {
  return neg(reduceSum(mul(logp, weights)));
}

export interface GrpoLossTensors {
  /** Current policy log-probs [B, T] (differentiated). */
  readonly logp: Tensor;
  /** Rollout-time log-probs [B, T] (data). */
  readonly oldLogp: Tensor;
  /** Frozen reference log-probs [B, T] (data; ignored when kl is off). */
  readonly refLogp: Tensor;
  /** Advantage of each token's completion [B, T]. */
  readonly advantages: Tensor;
  /** Aggregation weight of each token [B, T] (aggregationWeights x mask): the loss is sum(weights * tokenLoss). */
  readonly weights: Tensor;
  /** 1 on response tokens [B, T], for the statistics. */
  readonly mask: Tensor;
}

export interface GrpoLossOptions extends ClipOptions {
  readonly kl: KlEstimator;
  readonly klCoef: number;
}

export interface GrpoLossGraph {
  /** Scalar loss to minimize. */
  readonly loss: Tensor;
  /** Scalars summed over response tokens (divide by the mask sum on the host): no gradient flows through these. */
  readonly clippedTokens: Tensor;
  readonly klSum: Tensor;
  readonly pgSum: Tensor;
}

/**
 * The GRPO token loss: clipped surrogate (separate low/high clip, dual clip for A < 0, log-ratio clamped at +/-20)
 * plus klCoef x KL to the reference (low_var_kl clamped at +/-10 like verl, or k1), aggregated by `weights`.
 * The dual clip is blended with a 0/1 mask instead of ONNX Where (slow in ONNX Runtime).
 */
export function grpoLoss(t: GrpoLossTensors, o: GrpoLossOptions): GrpoLossGraph {
  const ratio = exp(clip(sub(t.logp, t.oldLogp), -LOG_RATIO_CLAMP, LOG_RATIO_CLAMP));
  const negAdv = neg(t.advantages);
  const unclipped = mul(negAdv, ratio);
  const clippedLoss = mul(negAdv, clip(ratio, 1 - o.clipLow, 1 + o.clipHigh));
  const ppo = maximum(unclipped, clippedLoss);
  const negative = cast(less(t.advantages, 0), 'float32');
  const dual = minimum(ppo, mul(negAdv, o.dualClip));
  const pg = add(ppo, mul(negative, sub(dual, ppo))); // ppo where A >= 0, min(ppo, -A * dualClip) where A < 0
  const clippedTokens = reduceSum(mul(cast(greater(clippedLoss, unclipped), 'float32'), t.mask));
  const pgSum = reduceSum(mul(pg, t.mask));
  let tokenLoss = pg;
  let klSum = reduceSum(mul(t.mask, 0));
  if (o.kl !== 'off') {
    const kl = klGraph(t.logp, t.refLogp, o.kl);
    klSum = reduceSum(mul(kl, t.mask));
    if (o.klCoef !== 0) tokenLoss = add(pg, mul(kl, o.klCoef));
  }
  return { loss: reduceSum(mul(tokenLoss, t.weights)), clippedTokens, klSum, pgSum };
}

/** Per-token KL estimate [B, T] as in policy-loss.ts `klPenalty`. */
export function klGraph(logp: Tensor, refLogp: Tensor, estimator: 'low_var_kl' | 'k1'): Tensor {
  if (estimator === 'k1') return sub(logp, refLogp);
  const d = clip(sub(refLogp, logp), -LOG_RATIO_CLAMP, LOG_RATIO_CLAMP);
  return clip(sub(sub(exp(d), d), 1), -KL_VALUE_CLAMP, KL_VALUE_CLAMP);
}
