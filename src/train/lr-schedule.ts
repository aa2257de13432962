/**
 * Learning-rate schedules with a warmup ratio, as Hugging Face's `get_cosine_schedule_with_warmup` /
 * `get_constant_schedule_with_warmup` compute them (LLaMA-Factory uses the first for SFT, EasyR1 the second for RL).
 */

export interface LrSchedule {
  readonly kind: 'cosine' | 'constant';
  /** Peak learning rate. */
  readonly lr: number;
  /** Fraction of all optimizer steps spent warming up linearly from 0 (HF rounds the step count up). */
  readonly warmupRatio: number;
  /** Floor of the cosine decay as a fraction of `lr` (HF: 0). */
  readonly minLrRatio?: number;
}

/** Warmup steps for a run of `totalSteps` optimizer steps: ceil(totalSteps * warmupRatio), as HF's TrainingArguments. */
export function warmupSteps(totalSteps: number, warmupRatio: number): number {
  return Math.ceil(totalSteps * warmupRatio);
}

/**
 * Learning rate at optimizer step `step` (0-based: the rate used by the step-th update) of `totalSteps`.
 *
 * Worked example: lr 1e-3, warmupRatio 0.1, 100 steps, cosine -> 10 warmup steps; step 0: 0, step 5: 5e-4,
 * step 10: 1e-3, step 55: 5e-4 (half way down the cosine), step 100: 0. Constant: 1e-3 from step 10 on.
 */
export function learningRateAt(schedule: LrSchedule, step: number, totalSteps: number): number {
  const warm = warmupSteps(totalSteps, schedule.warmupRatio);
  if (step < warm) return (schedule.lr * step) / Math.max(1, warm);
  if (schedule.kind === 'constant') return schedule.lr;
  const progress = Math.min(1, (step - warm) / Math.max(1, totalSteps - warm));
  const floor = schedule.minLrRatio ?? 0;
  const cosine = 0.5 * (1 + Math.cos(Math.PI * progress));
  return schedule.lr * (floor + (1 - floor) * cosine);
}
