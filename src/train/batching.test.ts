import { describe, expect, it } from 'vitest';
import { chunks, fitSequence, gatherResponseValues, padBatch, scatterResponseValues } from './batching.ts';

describe('padding and masking', () => {
  it('shifts targets and masks only the response', () => {
    const b = padBatch([{ promptIds: [5, 6], responseIds: [7, 8] }], 0, 4);
    expect(Array.from(b.ids, Number)).toEqual([5, 6, 7, 0]);
    expect(Array.from(b.targets, Number)).toEqual([6, 7, 8, 0]);
    expect(Array.from(b.mask)).toEqual([0, 1, 1, 0]);
  });
  it('pads to the longest sequence and keeps each row its own mask', () => {
    const b = padBatch(
      [
        { promptIds: [1], responseIds: [2, 3, 4] },
        { promptIds: [1, 9, 9], responseIds: [2] },
      ],
      0,
    );
    expect(b.length).toBe(3);
    expect(Array.from(b.mask)).toEqual([1, 1, 1, 0, 0, 1]);
    expect(b.responseLengths).toEqual([3, 1]);
  });
  it('scatters and gathers per-token values at the response positions', () => {
    const b = padBatch(
      [
        { promptIds: [1, 2], responseIds: [3, 4] },
        { promptIds: [1], responseIds: [5] },
      ],
      0,
    );
    const v = scatterResponseValues(b, [[-0.5, -0.25], [-1]]);
    expect(Array.from(v)).toEqual([0, -0.5, -0.25, -1, 0, 0]);
    expect(gatherResponseValues(b, v)).toEqual([[-0.5, -0.25], [-1]]);
  });
  it('cuts the response to fit the length limit and rejects a prompt that cannot fit', () => {
    expect(fitSequence({ promptIds: [1, 2], responseIds: [3, 4, 5] }, 4).responseIds).toEqual([3, 4]);
    expect(() => fitSequence({ promptIds: [1, 2, 3, 4], responseIds: [5] }, 4, 7)).toThrow(/sequence 7/);
    expect(() => padBatch([{ promptIds: [1], responseIds: [2, 3, 4] }], 0, 2)).toThrow(/shorter/);
  });
  it('chunks keep order and a short tail', () => {
    expect(chunks([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
  });
});

describe('batching edge cases', () => {
  it('places every row of a multi-row batch at its own offset', () => {
    const b = padBatch(
      [
        { promptIds: [1, 2], responseIds: [3] },
        { promptIds: [4], responseIds: [5, 6] },
      ],
      0,
      3,
    );
    expect(Array.from(b.ids, Number)).toEqual([1, 2, 0, 4, 5, 0]);
    expect(Array.from(b.targets, Number)).toEqual([2, 3, 0, 5, 6, 0]);
    expect(Array.from(b.mask)).toEqual([0, 1, 0, 1, 1, 0]);
  });
  it('refuses an empty prompt, naming the sequence', () => {
    expect(() => fitSequence({ promptIds: [], responseIds: [1] }, 4, 7)).toThrow(
      'sequence 7: the prompt needs at least one token',
    );
    expect(fitSequence({ promptIds: [1], responseIds: [2, 3] }, 2)).toEqual({ promptIds: [1], responseIds: [2] });
  });
  it('refuses fewer scattered values than response tokens, naming the sequence', () => {
    const b = padBatch([{ promptIds: [1], responseIds: [2, 3] }], 0);
    expect(() => scatterResponseValues(b, [[0.5]])).toThrow('sequence 0: 1 values for 2 response tokens');
    expect(() => scatterResponseValues(b, [])).toThrow('sequence 0: 0 values for 2 response tokens');
  });
  it('chunks into consecutive pieces, the last one shorter, and refuses a size below 1', () => {
    expect(chunks([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(chunks([1, 2, 3, 4], 2)).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(chunks([1, 2], 1)).toEqual([[1], [2]]);
    expect(chunks([], 3)).toEqual([]);
    expect(() => chunks([1], 0)).toThrow('chunk size must be >= 1, got 0');
    expect(() => chunks([1], Number.NaN)).toThrow(/got NaN/);
  });
});
