import { describe, expect, it } from 'vitest';
import { createVlmRuntime, imageValues, initParams, tinyConfig } from './index.ts';
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

  it("sampling: a group's rows share one prefill row and get what rows of their own get", async () => {
    const cfg = tinyConfig(13, {
      dModel: 16,
      nLayers: 2,
      nHeads: 2,
      dFF: 32,
      imageSize: 8,
      patchSize: 4,
      maxTextLen: 12,
    });
    const rt = await createVlmRuntime(cfg, initParams(cfg, 6));
    const n = imageValues(cfg);
    const two = Float32Array.from({ length: 2 * n }, (_, i) => ((i * 7919) % 97) / 97);
    const prompts = [
      [1, 5, 6],
      [1, 7],
    ];
    const own = await rt.sample({ images: two, prompts }, { maxTokens: 6, temperature: 0 });
    // Four rows, two per prompt: greedy gives each copy its prompt's own continuation, log-probs to float rounding.
    const group = await rt.sample(
      {
        images: pickRows(two, [0, 0, 1, 1], n),
        prompts: [prompts[0], prompts[0], prompts[1], prompts[1]] as number[][],
      },
      { maxTokens: 6, temperature: 0 },
    );
    group.forEach((r, b) => {
      const want = own[b >> 1];
      expect(r.tokens).toEqual(want?.tokens);
      for (const [i, lp] of r.logprobs.entries())
        expect(Math.abs(lp - (want?.logprobs[i] as number))).toBeLessThan(1e-5);
    });
    await rt.release();
  });
});
