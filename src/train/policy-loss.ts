/**
 * The per-token pieces of the GRPO loss, on plain numbers: the reference that the graph version in `graph-losses.ts`
 * must match, and what the conformance tests pin down. Semantics follow EasyR1 / verl (`compute_policy_loss`,
 * `kl_penalty`, `agg_loss`), the engines OpenVLThinker trained with.
 */

/** Clamp of the log-ratio before exponentiating (verl / EasyR1: +/-20), so exp never overflows. */
export const LOG_RATIO_CLAMP = 20;
/** Clamp of the low_var_kl value (verl: +/-10). */
export const KL_VALUE_CLAMP = 10;

export interface ClipOptions {
  /** Lower clip: the ratio is held above 1 - clipLow (paper: 0.2). */
  readonly clipLow: number;
  /** Upper clip: the ratio is held below 1 + clipHigh (paper: 0.3, "clip-higher" of DAPO). */
  readonly clipHigh: number;
  /** Dual clip for negative advantages: the loss is capped at dualClip * |A| (paper: 3.0). */
  readonly dualClip: number;
}

export interface TokenPolicyLoss {
  readonly loss: number;
  readonly ratio: number;
  /** The clipped branch was the one taken (the gradient through the ratio is zero). */
  readonly clipped: boolean;
  /** The dual clip was the one taken (negative advantage, ratio beyond dualClip). */
  readonly dualClipped: boolean;
}

const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

/**
 * The token-level PPO clipped surrogate with separate low/high clip and the dual clip.
 * ratio = exp(clamp(logp - oldLogp, -20, 20));
 * loss = max(-A * ratio, -A * clamp(ratio, 1 - clipLow, 1 + clipHigh)), then for A < 0: min(that, -A * dualClip).
 *
 * Worked example: logp -0.5, oldLogp -0.8 -> ratio e^0.3 = 1.3498588.
 *   A = +1, clipHigh 0.2 -> max(-1.34986, -1.2) = -1.2 (clipped); clipHigh 0.28 -> -1.28.
 *   A = -1 -> max(1.34986, 1.2) = 1.34986; the dual clip min(1.34986, 3.0) leaves it. With logp - oldLogp = 2
 *   (ratio 7.389) and A = -1 the loss is capped at 3.0.
 */
export function clippedSurrogate(logp: number, oldLogp: number, advantage: number, clip: ClipOptions): TokenPolicyLoss {
  const ratio = Math.exp(clamp(logp - oldLogp, -LOG_RATIO_CLAMP, LOG_RATIO_CLAMP));
  const unclipped = -advantage * ratio;
  const clippedLoss = -advantage * clamp(ratio, 1 - clip.clipLow, 1 + clip.clipHigh);
  const ppo = Math.max(unclipped, clippedLoss);
  const clipped = clippedLoss > unclipped;
  if (advantage < 0) {
    const dual = -advantage * clip.dualClip;
    if (dual < ppo) return { loss: dual, ratio, clipped, dualClipped: true };
  }
  return { loss: ppo, ratio, clipped, dualClipped: false };
}

export type KlEstimator = 'low_var_kl' | 'k1' | 'off';

/**
 * Per-token KL estimate between the policy and the frozen reference, as verl's `kl_penalty`.
 * k1: logp - refLogp. low_var_kl (k3, Schulman): with d = clamp(refLogp - logp, -20, 20),
 * kl = clamp(e^d - d - 1, -10, 10) — non-negative, unbiased, low variance.
 *
 * Worked example: logp -1.0, refLogp -1.2 -> d = -0.2, e^-0.2 + 0.2 - 1 = 0.0187308.
 */
export function klPenalty(logp: number, refLogp: number, estimator: KlEstimator): number {
  switch (estimator) {
    case 'off':
      return 0;
    case 'k1':
      return logp - refLogp;
    case 'low_var_kl': {
      const d = clamp(refLogp - logp, -LOG_RATIO_CLAMP, LOG_RATIO_CLAMP);
      return clamp(Math.exp(d) - d - 1, -KL_VALUE_CLAMP, KL_VALUE_CLAMP);
    }
    default: {
      const never: never = estimator;
      throw new RangeError(`unknown KL estimator '${String(never)}'`);
    }
  }
}

export type LossAggregation = 'token-mean' | 'seq-mean-token-mean' | 'seq-mean-token-sum';

/**
 * Reduce per-token losses of several sequences (only the response tokens: the mask is already applied by passing
 * just those) to one number, as verl's `agg_loss`.
 * token-mean: every token weighs the same across the batch; seq-mean-token-mean: mean per sequence, then over
 * sequences; seq-mean-token-sum: sum per sequence, then mean over sequences.
 *
 * Worked example: [[1,1,1,1],[3,3]] -> token-mean 10/6 = 1.6667; seq-mean-token-mean (1 + 3)/2 = 2.0;
 * seq-mean-token-sum (4 + 6)/2 = 5.0. Sequences with no tokens count as nothing (not as zeros).
 */
export function aggregateLoss(tokenLosses: readonly (readonly number[])[], mode: LossAggregation): number {
  const seqs = tokenLosses.filter((s) => s.length > 0);
  if (seqs.length === 0) return 0;
  const sums = seqs.map((s) => s.reduce((a, b) => a + b, 0));
  switch (mode) {
    case 'token-mean': {
      const count = seqs.reduce((a, s) => a + s.length, 0);
      return sums.reduce((a, b) => a + b, 0) / count;
    }
    case 'seq-mean-token-mean':
      return sums.reduce((a, s, i) => a + s / (seqs[i]?.length ?? 1), 0) / seqs.length;
    case 'seq-mean-token-sum':
      return sums.reduce((a, b) => a + b, 0) / seqs.length;
    default: {
      const never: never = mode;
      throw new RangeError(`unknown loss aggregation '${String(never)}'`);
    }
  }
}

/**
 * Per-token weights w such that sum(w * tokenLoss) equals `aggregateLoss` — the form the graph uses, where the loss
 * is one weighted sum over a padded [B, T] tensor. `lengths[b]` is sequence b's number of response tokens.
 * Weights for a mini-batch are computed over that mini-batch (verl aggregates per mini-batch too).
 */
export function aggregationWeights(lengths: readonly number[], mode: LossAggregation): number[] {
  const nonEmpty = lengths.filter((l) => l > 0).length;
  if (nonEmpty === 0) return lengths.map(() => 0);
  const total = lengths.reduce((a, b) => a + b, 0);
  return lengths.map((l) => {
    if (l === 0) return 0;
    switch (mode) {
      case 'token-mean':
        return 1 / total;
      case 'seq-mean-token-mean':
        return 1 / (l * nonEmpty);
      case 'seq-mean-token-sum':
        return 1 / nonEmpty;
      default: {
        const never: never = mode;
        throw new RangeError(`unknown loss aggregation '${String(never)}'`);
      }
    }
  });
}

/** Full GRPO token loss on plain numbers: policy surrogate + klCoef * KL. The reference for the graph version. */
export function grpoTokenLoss(
  token: { logp: number; oldLogp: number; refLogp: number; advantage: number },
  options: ClipOptions & { kl: KlEstimator; klCoef: number },
): number {
  const pg = clippedSurrogate(token.logp, token.oldLogp, token.advantage, options).loss;
  if (options.kl === 'off' || options.klCoef === 0) return pg;
  return pg + options.klCoef * klPenalty(token.logp, token.refLogp, options.kl);
}
