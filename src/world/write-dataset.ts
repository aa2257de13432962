import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ConfigError, throwIfAborted, writeJsonAtomic } from '../core/index.ts';
import { writeJsonl } from '../data/jsonl.ts';
import { Problem } from '../data/types.ts';
import { iterateDataset, parseSynthOptions, type SynthOptions } from './dataset.ts';

/**
 * A world dataset on disk: `problems.jsonl` (Problem records), `images/<id>.png`, and `world.json` (the options and
 * counts per family and tier). Built in a temporary folder beside `outDir` and renamed into place at the end, so an
 * interrupted or failed run leaves nothing half-written.
 */

export interface WriteWorldOptions {
  /** Replace an existing dataset at `outDir`. */
  readonly force?: boolean;
  readonly signal?: AbortSignal;
}

export interface WorldDatasetSummary {
  readonly outDir: string;
  readonly problems: number;
  readonly byFamily: Record<string, number>;
  readonly byTier: Record<string, number>;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

export async function writeWorldDataset(
  outDir: string,
  options: SynthOptions,
  opts: WriteWorldOptions = {},
): Promise<WorldDatasetSummary> {
  const parsed = parseSynthOptions(options);
  if ((await exists(outDir)) && !opts.force) {
    throw new ConfigError('out', `'${outDir}' already exists`, {
      value: outDir,
      hint: 'choose another --out folder, or pass --force to replace it',
    });
  }
  const tmp = join(dirname(outDir), `.${basename(outDir)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const byFamily: Record<string, number> = {};
  const byTier: Record<string, number> = {};
  try {
    await mkdir(join(tmp, 'images'), { recursive: true });
    async function* problems() {
      for (const record of iterateDataset(parsed)) {
        throwIfAborted(opts.signal);
        const { problem, png } = record;
        await writeFile(join(tmp, problem.images[0]), png);
        byFamily[problem.source] = (byFamily[problem.source] ?? 0) + 1;
        const tier = problem.tier ?? 'none';
        byTier[tier] = (byTier[tier] ?? 0) + 1;
        yield problem;
      }
    }
    const count = await writeJsonl(join(tmp, 'problems.jsonl'), problems(), { schema: Problem, signal: opts.signal });
    await writeJsonAtomic(join(tmp, 'world.json'), { options: parsed, problems: count, byFamily, byTier });
    if (await exists(outDir)) await rm(outDir, { recursive: true, force: true });
    await rename(tmp, outDir);
    return { outDir, problems: count, byFamily, byTier };
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
}
