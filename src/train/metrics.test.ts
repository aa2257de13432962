import { describe, expect, it } from 'vitest';
import { createUpdateAccumulator, rolloutStats, roundMetrics } from './metrics.ts';

const s = (reward: number, length: number, extra: { truncated?: boolean; formatOk?: boolean } = {}) => ({
  reward,
  correct: reward > 0,
  formatOk: extra.formatOk ?? true,
  length,
  truncated: extra.truncated ?? false,
});

describe('metrics record', () => {
  it('summarizes a rollout batch per sample and per group', () => {
    const r = rolloutStats([[s(1, 4)], [s(0, 6, { truncated: true, formatOk: false }), s(0, 2)]]);
    expect(r.reward_mean).toBeCloseTo(1 / 3, 12);
    expect(r.accuracy).toBeCloseTo(1 / 3, 12);
    expect(r.format_rate).toBeCloseTo(2 / 3, 12);
    expect(r.response_length_mean).toBe(4);
    expect(r.response_length_max).toBe(6);
    expect(r.zero_variance_groups).toBe(1);
    expect(r.truncated_fraction).toBeCloseTo(1 / 3, 12);
    expect(rolloutStats([[s(1, 1), s(0, 1)]]).zero_variance_groups).toBe(0);
  });
  it('averages update statistics per token and per update', () => {
    const acc = createUpdateAccumulator();
    acc.add({ loss: 1, tokens: 10, pgSum: 2, klSum: 0.5, clipped: 1, entropySum: 20, gradNorm: 3 });
    acc.add({ loss: 3, tokens: 30, pgSum: 2, klSum: 1.5, clipped: 3, entropySum: 20, gradNorm: 1 });
    expect(acc.summary()).toEqual({
      loss: 2,
      pg_loss: 0.1,
      kl: 0.05,
      clip_fraction: 0.1,
      entropy: 1,
      grad_norm: 2,
      updates: 2,
    });
  });
});

describe('metrics edge cases', () => {
  it('gives the Bessel std of all rewards, 0 for a single sample', () => {
    expect(rolloutStats([[s(1, 4)], [s(0, 6), s(0, 2)]]).reward_std).toBeCloseTo(Math.sqrt(1 / 3), 12);
    expect(rolloutStats([[s(1, 4)]]).reward_std).toBe(0);
    expect(rolloutStats([]).reward_mean).toBe(0);
  });
  it('rounds non-integers to 6 significant digits and keeps integers and strings', () => {
    expect(roundMetrics({ a: 1 / 3, b: 12, c: 'grpo', d: 123456.789 })).toEqual({
      a: 0.333333,
      b: 12,
      c: 'grpo',
      d: 123457,
    });
  });
});
