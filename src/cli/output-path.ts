import { stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { makeDirs, UsageError } from '../core/index.ts';

/**
 * Checks an output file path before any work is done: it must not be a folder, and its folder must be creatable.
 * (The write itself is atomic later; this only moves a path mistake from the end of a long job to its start.)
 */
export async function prepareOutputFile(flag: string, path: string): Promise<void> {
  const info = await stat(path).catch(() => null);
  if (info?.isDirectory())
    throw new UsageError(`${flag} ${path} is a folder`, { hint: `give a file path, e.g. ${path}/predictions.jsonl` });
  await makeDirs(dirname(path));
}
