import { z } from 'zod';
import { isZeroVariance } from './dapo.ts';

/** One training-step record (SFT or GRPO, embedded or parsed from an engine's log), appended to metrics.jsonl. */
export type StepMetrics = Readonly<Record<string, number | string>>;
export const StepMetricsRecord = z.record(z.string(), z.union([z.number(), z.string()]));

export interface ScoredSample {
  /** The reward optimized (after any overlong penalty). */
  readonly reward: number;
  /** The answer was right (the accuracy component). */
  readonly correct: boolean;
  /** `<think>...</think><answer>...</answer>` format held (the format component). */
  readonly formatOk: boolean;
  /** Response tokens generated. */
  readonly length: number;
  /** Generation hit the token limit instead of stopping. */
  readonly truncated: boolean;
}

export interface RolloutStats {
  readonly reward_mean: number;
  readonly reward_std: number;
  readonly accuracy: number;
  readonly format_rate: number;
  readonly response_length_mean: number;
  readonly response_length_max: number;
  readonly zero_variance_groups: number;
  readonly truncated_fraction: number;
}

/**
 * Statistics of one rollout batch, grouped per prompt.
 * Example: groups [[r 1 ok len 4], [r 0 len 6 truncated, r 0 len 2]] -> reward_mean 1/3, accuracy 1/3,
 * response_length_max 6, zero_variance_groups 1 (both groups: the first has one sample, the second equal rewards),
 * truncated_fraction 1/3.
 */
export function rolloutStats(groups: readonly (readonly ScoredSample[])[]): RolloutStats {
  const all = groups.flat();
  const n = Math.max(1, all.length);
  const sum = (f: (s: ScoredSample) => number) => all.reduce((a, s) => a + f(s), 0);
  const mean = sum((s) => s.reward) / n;
  const variance = all.length > 1 ? sum((s) => (s.reward - mean) ** 2) / (all.length - 1) : 0;
  return {
    reward_mean: mean,
    reward_std: Math.sqrt(variance),
    accuracy: sum((s) => (s.correct ? 1 : 0)) / n,
    format_rate: sum((s) => (s.formatOk ? 1 : 0)) / n,
    response_length_mean: sum((s) => s.length) / n,
    response_length_max: all.reduce((m, s) => Math.max(m, s.length), 0),
    zero_variance_groups:
      groups.filter((g) => g.length <= 1 || isZeroVariance(g.map((s) => s.reward))).length / Math.max(1, groups.length),
    truncated_fraction: sum((s) => (s.truncated ? 1 : 0)) / n,
  };
}

/** Running token-weighted means of update statistics over the mini-batches of one step. */
export interface UpdateAccumulator {
  add(stats: {
    loss: number;
    tokens: number;
    pgSum: number;
    klSum: number;
    clipped: number;
    entropySum: number;
    gradNorm: number;
  }): void;
  summary(): {
    loss: number;
    pg_loss: number;
    kl: number;
    clip_fraction: number;
    entropy: number;
    grad_norm: number;
    updates: number;
  };
}

export function createUpdateAccumulator(): UpdateAccumulator {
  let updates = 0;
  let tokens = 0;
  let loss = 0;
  let pg = 0;
  let kl = 0;
  let clipped = 0;
  let entropy = 0;
  let gradNorm = 0;
  return {
    add(s) {
      updates++;
      tokens += s.tokens;
      loss += s.loss;
      pg += s.pgSum;
      kl += s.klSum;
      clipped += s.clipped;
      entropy += s.entropySum;
      gradNorm += s.gradNorm;
    },
    summary() {
      const t = Math.max(1, tokens);
      const u = Math.max(1, updates);
      return {
        loss: loss / u,
        pg_loss: pg / t,
        kl: kl / t,
        clip_fraction: clipped / t,
        entropy: entropy / t,
        grad_norm: gradNorm / u,
        updates,
      };
    },
  };
}

/** Append one record to a metrics.jsonl file (created with its folder when missing). */

/** Round every number to 6 significant digits so metrics lines stay short and diffable. */
export function roundMetrics(record: Record<string, number | string>): StepMetrics {
  const out: Record<string, number | string> = {};
  for (const [k, v] of Object.entries(record))
    out[k] = typeof v === 'number' && !Number.isInteger(v) ? Number(v.toPrecision(6)) : v;
  return out;
}
