import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/**
 * Stable JSON: object keys sorted, `undefined` fields dropped, typed arrays as plain arrays. Two values that mean the
 * same thing serialize identically, so their hashes agree across runs and machines.
 */
export function stableStringify(value: unknown): string {
  return JSON.stringify(normalize(value));
}

function normalize(value: unknown): unknown {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
    if (typeof value === 'bigint') return value.toString();
    return value;
  }
  if (ArrayBuffer.isView(value)) return Array.from(value as unknown as ArrayLike<number>);
  if (Array.isArray(value)) return value.map((v) => (v === undefined ? null : normalize(v)));
  if (value instanceof Map) return normalize(Object.fromEntries(value));
  if (value instanceof Set) return [...value].map(normalize);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const v = (value as Record<string, unknown>)[key];
    if (v !== undefined) out[key] = normalize(v);
  }
  return out;
}

/** sha256 hex of a value's stable JSON (or of a string / bytes as they are). */
export function contentHash(value: unknown): string {
  const h = createHash('sha256');
  if (typeof value === 'string') h.update(value, 'utf8');
  else if (value instanceof Uint8Array) h.update(value);
  else h.update(stableStringify(value), 'utf8');
  return h.digest('hex');
}

/** sha256 hex of a file's bytes, streamed. */
export async function hashFile(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** The first `n` hex digits: for file names and log lines. */
export function shortHash(hex: string, n = 12): string {
  return hex.slice(0, n);
}

/**
 * FNV-1a, 32 bits, over UTF-16 code units: a fast, stable, non-cryptographic hash (seeding RNG forks by label, and
 * the world's split assignment). Example: fnv1a('') = 0x811c9dc5.
 */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
