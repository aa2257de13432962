import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataError } from '../core/index.ts';
import {
  decodeImage,
  ENGINE_PIXEL_CAPS,
  encodePng,
  fitPixels,
  imageInfo,
  loadImageTensor,
  prepareImagePng,
  type RgbImage,
  rgbToChw,
  sniffImageFormat,
} from './images.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vlthink-img-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A 4x2 image: left half red, right half blue, as raw RGB. */
function halves(): RgbImage {
  const data = new Uint8Array(4 * 2 * 3);
  for (let y = 0; y < 2; y++) {
    for (let x = 0; x < 4; x++) {
      const i = (y * 4 + x) * 3;
      if (x < 2) data[i] = 255;
      else data[i + 2] = 255;
    }
  }
  return { width: 4, height: 2, data };
}

describe('fitPixels', () => {
  it.each([
    // [w, h, caps, expected w, expected h] — qwen values worked by hand from smart_resize
    [1000, 500, ENGINE_PIXEL_CAPS.qwen25vl, 1008, 504],
    [4000, 4000, { minPixels: 3136, maxPixels: 28 * 28 * 1280, factor: 28 }, 980, 980],
    [10, 10, { minPixels: 3136, maxPixels: 12845056, factor: 28 }, 56, 56],
    // 70/28 = 2.5 and 42/28 = 1.5 both round to 2 under Python's half-to-even rounding
    [70, 42, ENGINE_PIXEL_CAPS.qwen25vl, 56, 56],
    [100, 100, ENGINE_PIXEL_CAPS.easyr1, 512, 512],
    [800, 600, ENGINE_PIXEL_CAPS.easyr1, 800, 600],
    [4096, 4096, ENGINE_PIXEL_CAPS.easyr1, 2048, 2048],
    [1536, 1536, ENGINE_PIXEL_CAPS.llamaFactory, 768, 768],
  ])('%i x %i under %o -> %i x %i', (w, h, caps, ew, eh) => {
    expect(fitPixels(w, h, caps)).toEqual({ width: ew, height: eh });
  });

  it('keeps a scaled-down image within maxPixels and its aspect ratio', () => {
    const { width, height } = fitPixels(4000, 3000, ENGINE_PIXEL_CAPS.easyr1);
    expect(width * height).toBeLessThanOrEqual(4194304);
    expect(width * height).toBeGreaterThan(4194304 * 0.99);
    expect(width / height).toBeCloseTo(4 / 3, 2);
  });

  it('rejects aspect ratios past 200:1 on the factor grid', () => {
    expect(() => fitPixels(10_000, 20, ENGINE_PIXEL_CAPS.qwen25vl)).toThrow(/aspect ratio/);
  });
});

describe('decode and encode', () => {
  it.each(['png', 'jpeg', 'webp'] as const)('decodes %s to RGB with the right size and colours', async (format) => {
    const src = halves();
    const bytes = await sharp(src.data, { raw: { width: 4, height: 2, channels: 3 } })
      .toFormat(format, { quality: 100, lossless: format === 'webp' })
      .toBuffer();
    const img = await decodeImage(new Uint8Array(bytes));
    expect([img.width, img.height]).toEqual([4, 2]);
    const tol = format === 'jpeg' ? 60 : 0;
    expect(Math.abs(img.data[0] - 255)).toBeLessThanOrEqual(tol); // red at (0,0)
    expect(Math.abs(img.data[3 * 3 + 2] - 255)).toBeLessThanOrEqual(tol); // blue at (3,0)
    expect((await imageInfo(new Uint8Array(bytes))).format).toBe(format);
  });

  it('round-trips pixels exactly through PNG', async () => {
    const src = halves();
    const back = await decodeImage(await encodePng(src));
    expect(back).toEqual({ width: 4, height: 2, data: src.data });
  });

  it('flattens transparency onto white', async () => {
    const rgba = Buffer.from([0, 0, 0, 0, 0, 0, 0, 255]);
    const png = await sharp(rgba, { raw: { width: 2, height: 1, channels: 4 } })
      .png()
      .toBuffer();
    const img = await decodeImage(new Uint8Array(png));
    expect(Array.from(img.data)).toEqual([255, 255, 255, 0, 0, 0]);
  });

  it('resizes under the caps and writes a PNG of the fitted size', async () => {
    const big = await sharp({ create: { width: 1000, height: 500, channels: 3, background: '#336699' } })
      .jpeg()
      .toBuffer();
    const path = join(dir, 'big.jpg');
    await writeFile(path, big);
    const out = await prepareImagePng(path, { minPixels: 1024, maxPixels: 100 * 100, factor: 28 });
    expect([out.width, out.height]).toEqual([140, 56]);
    const info = await imageInfo(out.png);
    expect(info).toEqual({ format: 'png', width: 140, height: 56 });
  });
});

describe('loadImageTensor', () => {
  it('gives [3, size, size] floats in [0, 1], channel-major', async () => {
    const square: RgbImage = {
      width: 2,
      height: 2,
      data: new Uint8Array([255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255]),
    };
    const t = await loadImageTensor(await encodePng(square), 2);
    expect(t).toBeInstanceOf(Float32Array);
    expect(Array.from(t)).toEqual([1, 0, 0, 1, 0, 1, 0, 1, 0, 0, 1, 1]);
  });

  it('letterboxes a wide image onto white rows', async () => {
    const t = await loadImageTensor(await encodePng(halves()), 4);
    expect(t.length).toBe(3 * 16);
    // row 0 is padding (white), rows 1-2 carry the image, row 3 padding
    expect(Array.from(t.slice(0, 4))).toEqual([1, 1, 1, 1]); // red plane, row 0
    expect(t[16 + 4]).toBeLessThan(0.1); // green plane, row 1, x 0: red pixel has no green
    expect(t[4]).toBeGreaterThan(0.9); // red plane, row 1, x 0
  });

  it('equals rgbToChw of the pixels for an image already at the size', async () => {
    const data = new Uint8Array(4 * 4 * 3);
    for (let i = 0; i < data.length; i++) data[i] = (i * 37) % 256;
    const src: RgbImage = { width: 4, height: 4, data };
    const t = await loadImageTensor(await encodePng(src), 4);
    expect(Array.from(t)).toEqual(Array.from(rgbToChw(src)));
    expect(t[16]).toBeCloseTo(data[1] / 255, 6); // green plane starts at H*W
  });
});

describe('sniffImageFormat', () => {
  it.each([
    [[0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'png'],
    [[0xff, 0xd8, 0xff, 0xe0], 'jpeg'],
    [[...Buffer.from('RIFF'), 0, 0, 0, 0, ...Buffer.from('WEBP')], 'webp'],
    [[...Buffer.from('GIF89a')], 'gif'],
    [[0x49, 0x49, 0x2a, 0x00], 'tiff'],
    [[...Buffer.from('<svg')], undefined],
    [[], undefined],
  ])('%j -> %s', (bytes, expected) => {
    expect(sniffImageFormat(new Uint8Array(bytes))).toBe(expected);
  });
});

describe('bad images', () => {
  it('names the problem id and path of a missing image', async () => {
    const path = join(dir, 'gone.png');
    const err = (await loadImageTensor(path, 32, { problemId: 'count-0042' }).catch((e: unknown) => e)) as DataError;
    expect(err).toBeInstanceOf(DataError);
    expect(err.file).toBe(path);
    expect(err.message).toContain(path);
    expect(err.message).toContain("image of problem 'count-0042' not found");
  });

  it('names the problem id and path of a corrupt image', async () => {
    const good = await encodePng(halves());
    const path = join(dir, 'broken.png');
    await writeFile(path, good.slice(0, 40));
    const err = (await decodeImage(path, { problemId: 'p7' }).catch((e: unknown) => e)) as DataError;
    expect(err).toBeInstanceOf(DataError);
    expect(err.message).toMatch(new RegExp(`^${path} \\(field 'images'\\): image of problem 'p7' cannot be decoded`));
  });

  it('rejects a file that is not an image at all', async () => {
    const path = join(dir, 'note.png');
    await writeFile(path, 'hello, not a picture');
    await expect(decodeImage(path, { problemId: 'p8' })).rejects.toThrow(/image of problem 'p8' cannot be decoded/);
  });

  it('rejects a format outside the supported set', async () => {
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"></svg>');
    await expect(decodeImage(new Uint8Array(svg), { problemId: 'p9' })).rejects.toThrow(
      /image of problem 'p9' cannot be decoded: not a PNG, JPEG, WebP, GIF or TIFF image \(\d+ bytes starting 3c 73 76 67\)/,
    );
  });
});
