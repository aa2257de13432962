import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DataError, writeJsonAtomic } from '../core/index.ts';

/**
 * An on-disk cache of backend responses keyed by the content hash of the request: a rerun (after a crash, a
 * failed batch, or a changed downstream setting) reads what was already paid for instead of asking again.
 * One JSON file per entry, `<dir>/<hash[0:2]>/<hash>.json`, written atomically, so a killed process leaves whole
 * entries only and concurrent writers of the same key write the same bytes.
 */
export interface ResponseCache {
  readonly dir: string;
  get(key: string): Promise<unknown | undefined>;
  put(key: string, value: unknown): Promise<void>;
}

export function createResponseCache(dir: string): ResponseCache {
  const pathOf = (key: string) => {
    if (!/^[0-9a-f]{16,}$/.test(key)) throw new RangeError(`cache key must be a hex content hash, got '${key}'`);
    return join(dir, key.slice(0, 2), `${key}.json`);
  };
  return {
    dir,
    async get(key) {
      const path = pathOf(key);
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw err;
      }
      try {
        const entry = JSON.parse(text) as { key?: unknown; value?: unknown };
        if (entry.key !== key) throw new Error(`entry holds key '${String(entry.key)}'`);
        return entry.value;
      } catch (cause) {
        throw new DataError(path, `corrupt response-cache entry: ${(cause as Error).message}`, {
          hint: 'delete the file (it will be fetched again) or the whole cache folder',
          cause,
        });
      }
    },
    async put(key, value) {
      await writeJsonAtomic(pathOf(key), { key, value });
    },
  };
}
