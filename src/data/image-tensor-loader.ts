import { mapPool } from '../core/index.ts';
import { loadImageSquare, rgbToChw } from './images.ts';

/**
 * Image batches for the tiny VLM's training and sampling loops, which read the same images every epoch. Decoded
 * squares are kept as RGB bytes (a quarter of the floats' size: 12 KB per 64 px image) in an LRU bounded by bytes;
 * floats are made per batch. Requests for an image already being decoded share that decode.
 */

export interface ImageTensorLoaderOptions {
  /** Side of the square the model sees, in pixels. */
  readonly size: number;
  readonly fit?: 'contain' | 'fill';
  /** Most bytes of decoded pixels kept (default 256 MiB). */
  readonly maxBytes?: number;
  /** Images decoded at once (default 2). */
  readonly concurrency?: number;
}

export interface ImageRequest {
  /** Image file path (absolute, or relative to the current folder). */
  readonly path: string;
  /** Named in the error if the image is missing or corrupt. */
  readonly problemId?: string;
}

export interface ImageTensorLoader {
  readonly size: number;
  /** One image as `[3, size, size]` floats in [0, 1]. */
  load(request: ImageRequest): Promise<Float32Array>;
  /** A batch as `[N, 3, size, size]` floats, images in request order. */
  loadBatch(requests: readonly ImageRequest[], signal?: AbortSignal): Promise<Float32Array>;
  /** Images held decoded now. */
  readonly cached: number;
}

export function createImageTensorLoader(options: ImageTensorLoaderOptions): ImageTensorLoader {
  const { size } = options;
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`image size must be a positive integer, got ${size}`);
  const maxBytes = options.maxBytes ?? 256 * 1024 * 1024;
  const entryBytes = size * size * 3;
  const maxEntries = Math.max(1, Math.floor(maxBytes / entryBytes));
  const cache = new Map<string, Uint8Array>();
  const inFlight = new Map<string, Promise<Uint8Array>>();

  async function pixels(request: ImageRequest): Promise<Uint8Array> {
    const hit = cache.get(request.path);
    if (hit !== undefined) {
      // Refresh recency: Map iteration order is insertion order, so the first key is the least recently used.
      cache.delete(request.path);
      cache.set(request.path, hit);
      return hit;
    }
    const pending = inFlight.get(request.path);
    if (pending !== undefined) return pending;
    const task = loadImageSquare(request.path, size, { problemId: request.problemId, fit: options.fit })
      .then((rgb) => {
        cache.set(request.path, rgb.data);
        while (cache.size > maxEntries) {
          const oldest = cache.keys().next().value;
          if (oldest === undefined) break;
          cache.delete(oldest);
        }
        return rgb.data;
      })
      .finally(() => inFlight.delete(request.path));
    inFlight.set(request.path, task);
    return task;
  }

  return {
    size,
    get cached() {
      return cache.size;
    },
    load: async (request) => rgbToChw({ width: size, height: size, data: await pixels(request) }),
    loadBatch: async (requests, signal) => {
      const plane = 3 * size * size;
      const out = new Float32Array(requests.length * plane); // [N, 3, S, S]
      const all = await mapPool(requests, options.concurrency ?? 2, pixels, signal);
      all.forEach((data, i) => {
        out.set(rgbToChw({ width: size, height: size, data }), i * plane);
      });
      return out;
    },
  };
}
