import { describe, expect, it } from 'vitest';
import { batchAdvantages, defaultAdvantageOptions, groupAdvantages, meanStd } from './advantages.ts';
import { informativeGroups, overlongPenalty } from './dapo.ts';
import { learningRateAt, warmupSteps } from './lr-schedule.ts';
import { aggregateLoss, aggregationWeights, clippedSurrogate, grpoTokenLoss, klPenalty } from './policy-loss.ts';

const clip = { clipLow: 0.2, clipHigh: 0.2, dualClip: 3.0 };

describe('group advantages (numerical conformance)', () => {
  it('normalizes [1,0,0,1] by the Bessel std plus 1e-6', () => {
    const a = groupAdvantages([1, 0, 0, 1], { estimator: 'grpo', eps: 1e-6 });
    for (const [i, sign] of [1, -1, -1, 1].entries()) expect(a[i]).toBeCloseTo(sign * 0.8660239, 6);
  });
  it('Dr.GRPO only subtracts the mean', () => {
    expect(groupAdvantages([1, 0, 0, 1], { estimator: 'drgrpo', eps: 1e-6 })).toEqual([0.5, -0.5, -0.5, 0.5]);
  });
  it('gives a group of one zero advantage', () => {
    expect(groupAdvantages([1])).toEqual([0]);
    expect(groupAdvantages([])).toEqual([]);
  });
  it('gives an all-equal group zero advantage (eps keeps it finite)', () => {
    expect(groupAdvantages([1, 1, 1])).toEqual([0, 0, 0]);
  });
  it('handles many groups independently', () => {
    const out = batchAdvantages([[0, 1], [2]]);
    expect(out[0]?.[1]).toBeCloseTo(0.5 / (Math.SQRT1_2 + 1e-6), 9);
    expect(out[1]).toEqual([0]);
  });
  it('rejects a non-finite reward', () => {
    expect(() => groupAdvantages([1, Number.NaN])).toThrow(/not finite/);
  });
  it('uses the n-1 std', () => {
    expect(meanStd([2, 4]).std).toBeCloseTo(Math.SQRT2, 12);
  });
});

describe('KL estimators (numerical conformance)', () => {
  it('low_var_kl of logp -1.0 vs ref -1.2 is 0.0187308', () => {
    expect(klPenalty(-1.0, -1.2, 'low_var_kl')).toBeCloseTo(0.0187308, 6);
  });
  it('k1 is the log-ratio and off is zero', () => {
    expect(klPenalty(-1.0, -1.2, 'k1')).toBeCloseTo(0.2, 12);
    expect(klPenalty(-1.0, -1.2, 'off')).toBe(0);
  });
  it('clamps low_var_kl at 10 like verl', () => {
    expect(klPenalty(-30, 0, 'low_var_kl')).toBe(10);
    expect(klPenalty(0, -5, 'low_var_kl')).toBeCloseTo(Math.exp(-5) + 5 - 1, 9);
  });
});

describe('clipped surrogate (numerical conformance)', () => {
  it('ratio of logp -0.5 over -0.8 is 1.34986', () => {
    expect(clippedSurrogate(-0.5, -0.8, 1, clip).ratio).toBeCloseTo(1.34986, 5);
  });
  it('A=+1 clips at 1+clipHigh: -1.2 with 0.2, -1.28 with 0.28', () => {
    const a = clippedSurrogate(-0.5, -0.8, 1, clip);
    expect(a.loss).toBeCloseTo(-1.2, 6);
    expect(a.clipped).toBe(true);
    expect(clippedSurrogate(-0.5, -0.8, 1, { ...clip, clipHigh: 0.28 }).loss).toBeCloseTo(-1.28, 6);
  });
  it('A=-1 keeps the unclipped ratio: +1.34986', () => {
    const r = clippedSurrogate(-0.5, -0.8, -1, clip);
    expect(r.loss).toBeCloseTo(1.3498588, 6);
    expect(r.clipped).toBe(false);
    expect(r.dualClipped).toBe(false);
  });
  it('the dual clip caps a large ratio at 3.0 x |A| for negative advantages', () => {
    const r = clippedSurrogate(0, -2, -1, clip);
    expect(r.loss).toBe(3);
    expect(r.dualClipped).toBe(true);
    expect(clippedSurrogate(0, -2, -2.5, clip).loss).toBe(7.5);
    // positive advantages are not dual-clipped: the ppo clip already bounds them
    expect(clippedSurrogate(0, -2, 1, clip).loss).toBeCloseTo(-1.2, 12);
  });
  it('the low clip holds a small ratio for negative advantages', () => {
    // ratio e^-0.5 = 0.6065 < 0.8: loss = max(0.6065, 0.8) = 0.8
    expect(clippedSurrogate(-1, -0.5, -1, clip).loss).toBeCloseTo(0.8, 9);
  });
  it('clamps the log-ratio at 20 so the ratio stays finite', () => {
    expect(clippedSurrogate(1000, 0, 1, clip).ratio).toBeCloseTo(Math.exp(20), 0);
  });
  it('adds klCoef x KL in the full token loss', () => {
    const t = { logp: -1, oldLogp: -1, refLogp: -1.2, advantage: 0.5 };
    expect(grpoTokenLoss(t, { ...clip, kl: 'low_var_kl', klCoef: 0.01 })).toBeCloseTo(-0.5 + 0.01 * 0.0187308, 8);
    expect(grpoTokenLoss(t, { ...clip, kl: 'off', klCoef: 0.01 })).toBe(-0.5);
  });
});

describe('loss aggregation (numerical conformance)', () => {
  const losses = [
    [1, 1, 1, 1],
    [3, 3],
  ];
  it.each([
    ['token-mean', 1.6666667],
    ['seq-mean-token-mean', 2.0],
    ['seq-mean-token-sum', 5.0],
  ] as const)('%s of [1,1,1,1] and [3,3] is %f', (mode, expected) => {
    expect(aggregateLoss(losses, mode)).toBeCloseTo(expected, 6);
    const w = aggregationWeights([4, 2, 0], mode);
    const weighted = w[0] * 4 * 1 + w[1] * 2 * 3;
    expect(weighted).toBeCloseTo(expected, 6);
    expect(w[2]).toBe(0);
  });
  it('an empty batch aggregates to 0', () => {
    expect(aggregateLoss([[]], 'token-mean')).toBe(0);
  });
});

describe('learning-rate schedules', () => {
  const s = { kind: 'cosine', lr: 1e-3, warmupRatio: 0.1 } as const;
  it('warms up linearly over ceil(ratio x steps)', () => {
    expect(warmupSteps(95, 0.1)).toBe(10);
    expect(learningRateAt(s, 0, 100)).toBe(0);
    expect(learningRateAt(s, 5, 100)).toBeCloseTo(5e-4, 12);
  });
  it('decays by a half cosine to 0', () => {
    expect(learningRateAt(s, 10, 100)).toBeCloseTo(1e-3, 12);
    expect(learningRateAt(s, 55, 100)).toBeCloseTo(5e-4, 12);
    expect(learningRateAt(s, 100, 100)).toBeCloseTo(0, 12);
  });
  it('stays constant after warmup, and from step 0 without warmup', () => {
    expect(learningRateAt({ ...s, kind: 'constant' }, 60, 100)).toBe(1e-3);
    expect(learningRateAt({ kind: 'constant', lr: 1e-6, warmupRatio: 0 }, 0, 10)).toBe(1e-6);
  });
});

describe('DAPO pieces', () => {
  it('dynamic sampling keeps only groups whose rewards differ', () => {
    expect(informativeGroups([[1, 1, 1], [0, 1, 0], [0, 0, 0], [1]])).toEqual([1]);
  });
  it('the overlong penalty ramps from 0 to -factor over the buffer', () => {
    const o = { maxTokens: 20, bufferTokens: 4, factor: 1 };
    expect(overlongPenalty(16, o)).toBe(0);
    expect(overlongPenalty(18, o)).toBeCloseTo(-0.5, 12);
    expect(overlongPenalty(20, o)).toBe(-1);
    expect(overlongPenalty(25, { ...o, factor: 0.5 })).toBe(-0.5);
  });
});

describe('pure-math edge cases', () => {
  it('defaults to GRPO with eps 1e-6; mean and std of zero and one values are 0 and 0, the value and 0', () => {
    expect(defaultAdvantageOptions).toEqual({ estimator: 'grpo', eps: 1e-6 });
    expect(meanStd([])).toEqual({ mean: 0, std: 0 });
    expect(meanStd([5])).toEqual({ mean: 5, std: 0 });
  });
  it('DAPO overlong penalty: full size beyond maxTokens, scaled by factor in the soft zone', () => {
    const o = { maxTokens: 20, bufferTokens: 4, factor: 2 };
    expect(overlongPenalty(18, o)).toBe(-1);
    expect(overlongPenalty(25, o)).toBe(-2);
    expect(overlongPenalty(16, o)).toBe(0);
    expect(overlongPenalty(21, { ...o, bufferTokens: 0 })).toBe(-2);
  });
  it('cosine decays to the min-lr floor', () => {
    const s = { kind: 'cosine' as const, lr: 1, warmupRatio: 0, minLrRatio: 0.1 };
    expect(learningRateAt(s, 100, 100)).toBeCloseTo(0.1, 12);
    expect(learningRateAt(s, 50, 100)).toBeCloseTo(0.55, 12);
  });
  it('a ratio inside the clip range is not clipped; A = 0 costs nothing', () => {
    expect(clippedSurrogate(-0.5, -0.5, 1, clip)).toEqual({ loss: -1, ratio: 1, clipped: false, dualClipped: false });
    expect(clippedSurrogate(-0.5, -0.5, -1, clip).clipped).toBe(false);
    expect(clippedSurrogate(0, -2, 0, clip)).toMatchObject({ clipped: false, dualClipped: false });
  });
  it('refuses an unknown KL estimator or loss aggregation', () => {
    expect(() => klPenalty(0, 0, 'k2' as never)).toThrow("unknown KL estimator 'k2'");
    expect(() => aggregateLoss([[1]], 'sum' as never)).toThrow("unknown loss aggregation 'sum'");
    expect(() => aggregationWeights([1], 'sum' as never)).toThrow("unknown loss aggregation 'sum'");
  });
  it('weights an all-empty mini-batch with zeros', () => {
    expect(aggregationWeights([0, 0], 'token-mean')).toEqual([0, 0]);
    expect(aggregationWeights([], 'token-mean')).toEqual([]);
  });
  it('adds klCoef x KL to the surrogate unless the KL is off', () => {
    const tok = { logp: -1, oldLogp: -1, refLogp: -1.2, advantage: 1 };
    const o = { ...clip, kl: 'k1' as const, klCoef: 0.5 };
    expect(grpoTokenLoss(tok, o)).toBeCloseTo(-1 + 0.5 * 0.2, 12);
    expect(grpoTokenLoss(tok, { ...o, kl: 'off' })).toBe(-1);
    expect(grpoTokenLoss(tok, { ...o, klCoef: 0 })).toBe(-1);
  });
});
