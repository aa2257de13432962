import { describe, expect, it } from 'vitest';
import { logprobAt, topLogprobsAt } from './runtime.ts';

describe('topLogprobsAt', () => {
  const row = Float32Array.from([Math.log(0.1), Math.log(0.4), Math.log(0.1), Math.log(0.3), Math.log(0.1)]);

  it('returns the k most likely tokens, most likely first, ties by lower id', () => {
    expect(topLogprobsAt(row, 3, 1).map((e) => e.token)).toEqual([1, 3, 0]);
    expect(topLogprobsAt(row, 5, 1).map((e) => e.token)).toEqual([1, 3, 0, 2, 4]);
    expect(topLogprobsAt(row, 1, 1)).toEqual([{ token: 1, logprob: row[1] }]);
    expect(topLogprobsAt(row, 9, 1)).toHaveLength(5);
  });

  it('gives the log-probs at the temperature asked, in the same order', () => {
    const hot = topLogprobsAt(row, 2, 2);
    expect(hot.map((e) => e.token)).toEqual([1, 3]);
    expect(hot[0]?.logprob).toBeCloseTo(logprobAt(row, 1, 2), 6);
    expect(hot[1]?.logprob).toBeCloseTo(logprobAt(row, 3, 2), 6);
  });
});
