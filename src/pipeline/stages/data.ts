import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { DataError, hashFile, mapPool, VlthinkError } from '../../core/index.ts';
import { decodeImage } from '../../data/images.ts';
import { readJsonlAll, writeJsonl } from '../../data/jsonl.ts';
import { Problem } from '../../data/types.ts';
import type { DataConfig } from '../config/schema.ts';
import type { StageContext } from '../context.ts';
import { abs, paths } from '../paths.ts';
import { resolveImage } from '../prompts.ts';

/**
 * data: the seed problems and the held-out test set, written into the run as `data/train.jsonl`, `data/test.jsonl`
 * and `data/images/`. The world generates them (deterministic per seed); `files` copies the records with image paths
 * made absolute, so later stages need only the run directory.
 */
export async function dataStage(ctx: StageContext): Promise<{ outputHash: string }> {
  const cfg = ctx.config.data;
  const inputs =
    cfg.kind === 'files' ? { cfg, train: await hashFile(cfg.train), test: await hashFile(cfg.test) } : { cfg };
  const { record } = await ctx.ledger.runStage({
    key: 'data',
    inputs,
    outputs: [paths.dataDir],
    run: async (staged) => writeData(ctx, cfg, staged(paths.dataDir)),
  });
  return { outputHash: record.outputs[paths.dataDir] ?? '' };
}

async function writeData(ctx: StageContext, cfg: DataConfig, dir: string): Promise<Record<string, number>> {
  if (cfg.kind === 'files') {
    const train = await loadProblemFile(cfg.train, ctx.signal);
    const test = await loadProblemFile(cfg.test, ctx.signal);
    const trainIds = new Set(train.map((p) => p.id));
    const overlap = test.filter((p) => trainIds.has(p.id)).length;
    if (overlap > 0) ctx.log.warn(`${overlap} test problem ids also appear in the training file`);
    await writeJsonl(join(dir, 'train.jsonl'), train, { schema: Problem });
    await writeJsonl(join(dir, 'test.jsonl'), test, { schema: Problem });
    return { train: train.length, test: test.length, overlap };
  }
  const world = ctx.deps.world;
  if (!world) throw new VlthinkError('data.kind is "world" but no world generator was given to the pipeline');
  const counts: Record<string, number> = {};
  await mkdir(join(dir, 'images'), { recursive: true });
  for (const split of ['train', 'test'] as const) {
    const samples = await world({
      n: split === 'train' ? cfg.train : cfg.test,
      seed: cfg.seed,
      split,
      imageSize: cfg.imageSize,
      captionNoise: cfg.captionNoise,
      families: cfg.families,
      tiers: cfg.tiers,
    });
    const problems: Problem[] = [];
    for (const [i, { problem, png }] of samples.entries()) {
      const file = `images/${split}-${String(i).padStart(5, '0')}.png`;
      await writeFile(join(dir, file), png);
      problems.push({ ...problem, images: [file] });
    }
    await writeJsonl(join(dir, `${split}.jsonl`), problems, { schema: Problem });
    counts[split] = problems.length;
  }
  return counts;
}

/**
 * A `files` problem file with its image paths made absolute. Every image is decoded here, in the data stage, so a
 * missing or corrupt image is reported now, naming the problems file:line and the problem id, not stages later.
 */
async function loadProblemFile(file: string, signal?: AbortSignal): Promise<Problem[]> {
  const root = dirname(resolve(file));
  const { records } = await readJsonlAll(file, Problem);
  const problems = records.map((p) => ({ ...p, images: p.images.map((img) => resolveImage(root, img)) }));
  const checks = problems.flatMap((p, i) => p.images.map((img) => ({ p, line: i + 1, img })));
  await mapPool(
    checks,
    8,
    async ({ p, line, img }) => {
      if (!existsSync(img)) throw new DataError(file, `image ${img} of problem ${p.id} does not exist`, { line });
      await decodeImage(img, { problemId: p.id }).catch((cause: unknown) => {
        const why = cause instanceof Error ? cause.message : String(cause);
        throw new DataError(file, `image ${img} of problem ${p.id} cannot be decoded (${why})`, {
          line,
          hint: 'replace or remove the image (PNG, JPEG, WebP, GIF or TIFF), or drop the problem from the file',
          cause,
        });
      });
    },
    signal,
  );
  return problems;
}

export async function readProblems(ctx: StageContext, split: 'train' | 'test'): Promise<Problem[]> {
  const rel = split === 'train' ? paths.trainProblems : paths.testProblems;
  return (await readJsonlAll(abs(ctx, rel), Problem)).records;
}
