import { readFile } from 'node:fs/promises';
import sharp, { type Metadata, type Sharp } from 'sharp';
import { z } from 'zod';
import { DataError } from '../core/index.ts';
import { interleavedToChw } from './pixels.ts';

/**
 * Image I/O with sharp (libvips): JPEG / PNG / WebP (and GIF / TIFF) in, PNG out. Every image becomes 8-bit sRGB
 * with alpha flattened onto white and EXIF orientation applied, so a picture reads the same whatever produced it.
 * Resizing follows the engines' pixel-count caps (`minPixels` / `maxPixels`), optionally snapped to a patch factor
 * the way Qwen2.5-VL's `smart_resize` does. Errors name the problem id and the image path.
 */

/** An image given by path (absolute, or relative to the current folder) or by its encoded bytes. */
export type ImageSource = string | Uint8Array;

/** Who needs the image: put into every error so a user can find the record. */
export interface ImageContext {
  readonly problemId?: string;
}

/** Decoded pixels: row-major RGB, 3 bytes a pixel (`[H, W, 3]`). */
export interface RgbImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

export const PixelCaps = z
  .object({
    minPixels: z.number().int().positive().describe('smallest allowed width*height after resizing, in pixels'),
    maxPixels: z.number().int().positive().describe('largest allowed width*height after resizing, in pixels'),
    factor: z
      .number()
      .int()
      .positive()
      .default(1)
      .describe('both sides are snapped to a multiple of this (28 = Qwen2.5-VL patch 14 x merge 2; 1 = no snapping)'),
  })
  .refine((c) => c.minPixels <= c.maxPixels, { message: 'minPixels must not exceed maxPixels', path: ['minPixels'] });
export type PixelCaps = z.infer<typeof PixelCaps>;

/** The caps the engines the paper used apply by default. */
export const ENGINE_PIXEL_CAPS = {
  /** qwen-vl-utils (Qwen2.5-VL): MIN_PIXELS = 4*28*28, MAX_PIXELS = 16384*28*28, IMAGE_FACTOR = 28. */
  qwen25vl: { minPixels: 4 * 28 * 28, maxPixels: 16384 * 28 * 28, factor: 28 },
  /** EasyR1 examples/config.yaml: data.min_pixels = 262144 (512^2), data.max_pixels = 4194304 (2048^2). */
  easyr1: { minPixels: 262144, maxPixels: 4194304, factor: 1 },
  /** LLaMA-Factory model args: image_min_pixels = 32*32, image_max_pixels = 768*768. */
  llamaFactory: { minPixels: 32 * 32, maxPixels: 768 * 768, factor: 1 },
} as const satisfies Record<string, PixelCaps>;

/** Python's round(): halves go to the even neighbour (smart_resize relies on it). */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

const MAX_ASPECT = 200;

/**
 * The size an image of `width` x `height` is resized to under `caps`.
 * factor > 1: Qwen2.5-VL `smart_resize` — sides rounded to the factor, then scaled down (floored) or up (ceiled) by
 * sqrt of the pixel ratio when outside [minPixels, maxPixels]. factor = 1: EasyR1 / LLaMA-Factory — scaled by the
 * sqrt ratio and truncated, only when outside the caps. Example: 1000 x 500 under qwen25vl -> 1008 x 504.
 */
export function fitPixels(width: number, height: number, caps: PixelCaps): { width: number; height: number } {
  if (!(width > 0 && height > 0)) throw new RangeError(`image size must be positive, got ${width}x${height}`);
  const { minPixels, maxPixels } = caps;
  const factor = caps.factor ?? 1;
  if (factor === 1) {
    let w = width;
    let h = height;
    if (w * h > maxPixels) {
      const s = Math.sqrt(maxPixels / (w * h));
      [w, h] = [Math.max(1, Math.trunc(w * s)), Math.max(1, Math.trunc(h * s))];
    }
    if (w * h < minPixels) {
      const s = Math.sqrt(minPixels / (w * h));
      [w, h] = [Math.trunc(w * s), Math.trunc(h * s)];
    }
    return { width: w, height: h };
  }
  if (Math.max(width, height) / Math.min(width, height) > MAX_ASPECT) {
    throw new RangeError(`aspect ratio ${width}x${height} exceeds ${MAX_ASPECT}:1, which Qwen2.5-VL rejects`);
  }
  let h = Math.max(factor, roundHalfEven(height / factor) * factor);
  let w = Math.max(factor, roundHalfEven(width / factor) * factor);
  if (h * w > maxPixels) {
    const beta = Math.sqrt((height * width) / maxPixels);
    h = Math.max(factor, Math.floor(height / beta / factor) * factor);
    w = Math.max(factor, Math.floor(width / beta / factor) * factor);
  } else if (h * w < minPixels) {
    const beta = Math.sqrt(minPixels / (height * width));
    h = Math.ceil((height * beta) / factor) * factor;
    w = Math.ceil((width * beta) / factor) * factor;
  }
  return { width: w, height: h };
}

function describeSource(source: ImageSource): string {
  return typeof source === 'string' ? source : `<${source.byteLength} bytes in memory>`;
}

function imageError(source: ImageSource, ctx: ImageContext, what: string, hint: string, cause?: unknown): DataError {
  const who = ctx.problemId === undefined ? 'image' : `image of problem '${ctx.problemId}'`;
  return new DataError(describeSource(source), `${who} ${what}`, { field: 'images', hint, cause });
}

async function readSource(source: ImageSource, ctx: ImageContext): Promise<Uint8Array> {
  if (typeof source !== 'string') return source;
  try {
    const buf = await readFile(source);
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw imageError(source, ctx, 'not found', 'image paths are relative to the dataset file; check the folder');
    }
    throw imageError(source, ctx, `cannot be read (${code ?? String(err)})`, 'check the file permissions', err);
  }
}

/**
 * The format of encoded image bytes from their magic number, or undefined when they are none we decode. Cheaper than
 * asking libvips (one async round trip less per image on the tensor-loading path).
 */
export function sniffImageFormat(bytes: Uint8Array): 'png' | 'jpeg' | 'webp' | 'gif' | 'tiff' | undefined {
  const b = bytes;
  const ascii = (from: number, to: number) => String.fromCharCode(...b.subarray(from, to));
  if (b.length >= 8 && b[0] === 0x89 && ascii(1, 4) === 'PNG') return 'png';
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpeg';
  if (b.length >= 12 && ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'webp';
  if (b.length >= 6 && (ascii(0, 6) === 'GIF87a' || ascii(0, 6) === 'GIF89a')) return 'gif';
  if (b.length >= 4 && (ascii(0, 4) === 'II*\u0000' || ascii(0, 4) === 'MM\u0000*')) return 'tiff';
  return undefined;
}

/** Opens the bytes with sharp after checking their magic number; the pipeline applies EXIF orientation. */
function openImage(bytes: Uint8Array, source: ImageSource, ctx: ImageContext): Sharp {
  if (sniffImageFormat(bytes) === undefined) {
    const head = Array.from(bytes.subarray(0, 4), (x) => x.toString(16).padStart(2, '0')).join(' ');
    throw imageError(
      source,
      ctx,
      `cannot be decoded: not a PNG, JPEG, WebP, GIF or TIFF image (${bytes.length} bytes starting ${head || '(empty)'})`,
      'convert it to PNG, JPEG or WebP, or fix the path',
    );
  }
  return sharp(bytes, { failOn: 'error', autoOrient: true });
}

/** Reads the header through libvips; a header it cannot parse is a decode error naming the image. */
async function readMetadata(img: Sharp, source: ImageSource, ctx: ImageContext): Promise<Metadata> {
  try {
    return await img.metadata();
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    throw imageError(source, ctx, `cannot be decoded (${msg})`, 'the file is corrupt or truncated', err);
  }
}

async function toRgb(pipeline: Sharp, source: ImageSource, ctx: ImageContext): Promise<RgbImage> {
  try {
    const { data, info } = await pipeline
      .flatten({ background: '#ffffff' })
      .toColourspace('srgb')
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`decoder gave ${info.channels} channels, expected 3`);
    return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    throw imageError(source, ctx, `cannot be decoded (${msg})`, 'the file is corrupt or truncated', err);
  }
}

/** Decodes an image to RGB pixels at its own size. */
export async function decodeImage(source: ImageSource, ctx: ImageContext = {}): Promise<RgbImage> {
  const bytes = await readSource(source, ctx);
  return toRgb(openImage(bytes, source, ctx), source, ctx);
}

/** Format and size (after EXIF orientation) without decoding the pixels. */
export async function imageInfo(
  source: ImageSource,
  ctx: ImageContext = {},
): Promise<{ format: string; width: number; height: number }> {
  const bytes = await readSource(source, ctx);
  const meta = await readMetadata(openImage(bytes, source, ctx), source, ctx);
  const rotated = (meta.orientation ?? 1) >= 5;
  const width = meta.width ?? 0;
  const height = meta.height ?? 0;
  return { format: String(meta.format), width: rotated ? height : width, height: rotated ? width : height };
}

/** The file extension a decoded format is saved under. */
export function imageExtension(format: string): string {
  return format === 'jpeg' ? 'jpg' : format === 'tiff' ? 'tif' : format;
}

/**
 * Reads an image file (or bytes) and checks that it decodes, without converting it: for copying images verbatim into
 * an engine's dataset. Errors name the problem id and the path.
 */
export async function loadImageFile(
  source: ImageSource,
  ctx: ImageContext = {},
): Promise<{ bytes: Uint8Array; format: string; width: number; height: number }> {
  const bytes = await readSource(source, ctx);
  const img = openImage(bytes, source, ctx);
  const meta = await readMetadata(img, source, ctx);
  try {
    // Decode the pixels too: a truncated file can have a readable header.
    await img.raw().toBuffer();
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    throw imageError(source, ctx, `cannot be decoded (${msg})`, 'the file is corrupt or truncated', err);
  }
  return { bytes, format: String(meta.format), width: meta.width ?? 0, height: meta.height ?? 0 };
}

/** Encodes RGB pixels as PNG. */
export async function encodePng(image: RgbImage): Promise<Uint8Array> {
  if (image.data.length !== image.width * image.height * 3) {
    throw new RangeError(`RGB buffer holds ${image.data.length} bytes, expected ${image.width}x${image.height}x3`);
  }
  const png = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
    .png()
    .toBuffer();
  return new Uint8Array(png.buffer, png.byteOffset, png.length);
}

/**
 * Decodes, resizes under the pixel caps, and re-encodes as PNG — what an exporter writes next to an engine's dataset.
 * An image already inside the caps (and on the factor grid) is re-encoded at its own size.
 */
export async function prepareImagePng(
  source: ImageSource,
  caps: PixelCaps,
  ctx: ImageContext = {},
): Promise<{ png: Uint8Array; width: number; height: number }> {
  const bytes = await readSource(source, ctx);
  const rgb = await toRgb(openImage(bytes, source, ctx), source, ctx);
  let size: { width: number; height: number };
  try {
    size = fitPixels(rgb.width, rgb.height, caps);
  } catch (err) {
    throw imageError(source, ctx, (err as Error).message, 'crop or pad the image to a saner aspect ratio', err);
  }
  const resized =
    size.width === rgb.width && size.height === rgb.height
      ? rgb
      : await toRgb(
          sharp(rgb.data, { raw: { width: rgb.width, height: rgb.height, channels: 3 } }).resize(
            size.width,
            size.height,
            {
              fit: 'fill',
            },
          ),
          source,
          ctx,
        );
  return { png: await encodePng(resized), width: resized.width, height: resized.height };
}

/**
 * Interleaved RGB bytes `[H, W, 3]` -> planar floats `[3, H, W]` in [0, 1] (what the tiny VLM's patch encoder eats).
 * Example: one red pixel [255, 0, 0] -> [1, 0, 0].
 */
export function rgbToChw(image: RgbImage): Float32Array {
  return interleavedToChw(image.data, image.width, image.height, 3);
}

export interface ImageTensorOptions extends ImageContext {
  /** How a non-square image becomes square: 'contain' pads with white (keeps shapes), 'fill' stretches. */
  readonly fit?: 'contain' | 'fill';
}

/** Decodes and fits an image into a `size` x `size` RGB square (letterboxed onto white unless `fit: 'fill'`). */
export async function loadImageSquare(
  source: ImageSource,
  size: number,
  options: ImageTensorOptions = {},
): Promise<RgbImage> {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`tensor size must be a positive integer, got ${size}`);
  const bytes = await readSource(source, options);
  const rgb = await toRgb(
    openImage(bytes, source, options).resize(size, size, { fit: options.fit ?? 'contain', background: '#ffffff' }),
    source,
    options,
  );
  if (rgb.width !== size || rgb.height !== size) {
    throw imageError(source, options, `resized to ${rgb.width}x${rgb.height}, expected ${size}x${size}`, 'report it');
  }
  return rgb;
}

/**
 * Loads an image as the tiny VLM's input: a Float32Array `[3, size, size]` (channel-major, values in [0, 1]).
 * Non-square images are letterboxed onto white by default so angles and proportions survive.
 */
export async function loadImageTensor(
  source: ImageSource,
  size: number,
  options: ImageTensorOptions = {},
): Promise<Float32Array> {
  return rgbToChw(await loadImageSquare(source, size, options));
}
