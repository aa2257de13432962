import { isAbsolute, join } from 'node:path';
import { contentHash, mapPool, shortHash } from '../core/index.ts';
import { imageExtension, loadImageFile, type PixelCaps, prepareImagePng } from './images.ts';

/**
 * The images an exporter ships with an engine's dataset. Each is read and fully decoded first (a missing or corrupt
 * image fails the export naming the problem id and path, before anything is written), optionally resized under the
 * engine's pixel caps and re-encoded as PNG, and named by a hash of its bytes so identical images are stored once.
 */

export interface ExportImageOptions {
  /** Resize under these caps and re-encode as PNG; without it, image files are shipped byte for byte. */
  readonly pixelCaps?: PixelCaps;
  /** Images decoded at once (default 4). */
  readonly concurrency?: number;
  readonly signal?: AbortSignal;
}

export interface ExportedImage {
  /** `<sha256 prefix>.<ext>`: unique per content. */
  readonly fileName: string;
  readonly bytes: Uint8Array;
  /** The path it was read from. */
  readonly source: string;
}

/** A dataset's image path is relative to its image root unless absolute. */
export function resolveImagePath(imageRoot: string, path: string): string {
  return isAbsolute(path) ? path : join(imageRoot, path);
}

async function exportOne(source: string, problemId: string, caps: PixelCaps | undefined): Promise<ExportedImage> {
  if (caps) {
    const { png } = await prepareImagePng(source, caps, { problemId });
    return { fileName: `${shortHash(contentHash(png), 16)}.png`, bytes: png, source };
  }
  const { bytes, format } = await loadImageFile(source, { problemId });
  return { fileName: `${shortHash(contentHash(bytes), 16)}.${imageExtension(format)}`, bytes, source };
}

/** Loads every record's images, in order. The same source path is loaded once even when records share it. */
export async function collectImages(
  records: readonly { readonly problemId: string; readonly images: readonly string[] }[],
  imageRoot: string,
  options: ExportImageOptions = {},
): Promise<ExportedImage[][]> {
  const firstUse = new Map<string, string>();
  for (const r of records) {
    for (const p of r.images) {
      const source = resolveImagePath(imageRoot, p);
      if (!firstUse.has(source)) firstUse.set(source, r.problemId);
    }
  }
  const sources = [...firstUse.entries()];
  const loaded = await mapPool(
    sources,
    options.concurrency ?? 4,
    ([source, problemId]) => exportOne(source, problemId, options.pixelCaps),
    options.signal,
  );
  const bySource = new Map(loaded.map((img) => [img.source, img]));
  return records.map((r) =>
    r.images.map((p) => {
      const img = bySource.get(resolveImagePath(imageRoot, p));
      if (img === undefined) throw new Error(`image ${p} was not loaded`);
      return img;
    }),
  );
}

/** `<image>` placeholders, one per image, in front of a text that has none; a text that has some must match. */
export function withImageTokens(text: string, imageCount: number, where: string): string {
  const present = text.split('<image>').length - 1;
  if (present === 0) return '<image>'.repeat(imageCount) + text;
  if (present !== imageCount) {
    throw new Error(`${where}: text has ${present} <image> placeholders but the record has ${imageCount} images`);
  }
  return text;
}

/** Undoes `withImageTokens` for a text it prefixed: strips `imageCount` leading placeholders. */
export function withoutImageTokens(text: string, imageCount: number): string {
  const prefix = '<image>'.repeat(imageCount);
  return imageCount > 0 && text.startsWith(prefix) ? text.slice(prefix.length) : text;
}
