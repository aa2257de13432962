/**
 * GRPO advantages: each completion's reward compared with the other completions of the same prompt.
 *
 * Simplification stated up front: the advantage is one number per completion (outcome reward), broadcast over every
 * response token by the loss — as in EasyR1 / verl's `grpo` estimator, which OpenVLThinker used.
 */

export interface AdvantageOptions {
  /** `grpo`: (r - mean) / (std + eps); `drgrpo`: r - mean (Dr. GRPO, Liu et al. 2025: no std division). */
  readonly estimator: 'grpo' | 'drgrpo';
  /** Added to the std before dividing (EasyR1 / verl: 1e-6). */
  readonly eps: number;
}

export const defaultAdvantageOptions: AdvantageOptions = { estimator: 'grpo', eps: 1e-6 };

/** Mean and Bessel-corrected (n - 1) standard deviation, as `torch.std` computes it. A single value has std 0. */
export function meanStd(values: readonly number[]): { mean: number; std: number } {
  const n = values.length;
  if (n === 0) return { mean: 0, std: 0 };
  let sum = 0;
  for (const v of values) sum += v;
  const mean = sum / n;
  if (n === 1) return { mean, std: 0 };
  let sq = 0;
  for (const v of values) sq += (v - mean) * (v - mean);
  return { mean, std: Math.sqrt(sq / (n - 1)) };
}

/**
 * Advantages of one group (the n completions of one prompt).
 *
 * Worked example: rewards [1, 0, 0, 1] -> mean 0.5, std sqrt(1/3) = 0.5773503 (Bessel),
 * grpo -> 0.5 / (0.5773503 + 1e-6) = +/-0.8660239; drgrpo -> +/-0.5.
 * A group of one has no baseline to compare with, so its advantage is 0 (verl instead uses mean 0, std 1 there, which
 * would push the policy toward whatever a lone sample did; we drop that signal).
 */
export function groupAdvantages(
  rewards: readonly number[],
  options: AdvantageOptions = defaultAdvantageOptions,
): number[] {
  if (rewards.length <= 1) return rewards.map(() => 0);
  for (const r of rewards) {
    if (!Number.isFinite(r)) throw new RangeError(`groupAdvantages: reward ${r} is not finite`);
  }
  const { mean, std } = meanStd(rewards);
  if (options.estimator === 'drgrpo') return rewards.map((r) => r - mean);
  return rewards.map((r) => (r - mean) / (std + options.eps));
}

/** Advantages for many groups at once; the output has the same nesting as the input. */
export function batchAdvantages(
  groups: readonly (readonly number[])[],
  options: AdvantageOptions = defaultAdvantageOptions,
): number[][] {
  return groups.map((g) => groupAdvantages(g, options));
}
