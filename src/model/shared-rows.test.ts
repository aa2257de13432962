import { describe, expect, it } from 'vitest';
import { pickRows, shareRows } from './shared-rows.ts';

describe('shareRows', () => {
  it('maps each row to the first row with the same tokens and bit-equal image values', () => {
    const images = Float32Array.from([1, 2, 1, 2, 1, 2.5, 1, 2, 3, 4]);
    const prefix = [
      [1, 5],
      [1, 5],
      [1, 5],
      [1, 6],
      [1, 5],
    ];
    // Row 1 repeats row 0; row 2 differs in one value; row 3 in a token; row 4 in its image.
    expect(shareRows(images, prefix, 2)).toEqual({ distinct: [0, 2, 3, 4], source: Int32Array.from([0, 0, 1, 2, 3]) });
    expect(shareRows(images.subarray(0, 4), [[1], [1]], 2)).toEqual({ distinct: [0], source: Int32Array.from([0, 0]) });
    // Tokens are compared as a list ([1, 12] is not [11, 2]).
    expect(
      shareRows(
        new Float32Array(2),
        [
          [1, 12],
          [11, 2],
        ],
        1,
      ).distinct,
    ).toEqual([0, 1]);
  });

  it('picks rows in the order asked', () => {
    expect(Array.from(pickRows(Float32Array.from([0, 1, 2, 3, 4, 5]), [2, 0], 2))).toEqual([4, 5, 0, 1]);
  });
});
