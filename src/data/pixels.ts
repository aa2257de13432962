/**
 * Interleaved pixel bytes `[H, W, C]` (C = 3 for RGB, 4 for RGBA; alpha is dropped) -> planar RGB floats `[3, H, W]`
 * in [0, 1], the layout the tiny VLM's patch encoder eats. Example: one red RGBA pixel [255, 0, 0, 255] -> [1, 0, 0].
 * No dependencies, so the world's renderer uses it without loading the image codecs.
 */
export function interleavedToChw(
  data: ArrayLike<number>,
  width: number,
  height: number,
  channels: 3 | 4,
): Float32Array {
  const plane = width * height;
  const out = new Float32Array(3 * plane);
  for (let p = 0, i = 0; p < plane; p++, i += channels) {
    out[p] = data[i] / 255;
    out[plane + p] = data[i + 1] / 255;
    out[2 * plane + p] = data[i + 2] / 255;
  }
  return out;
}
