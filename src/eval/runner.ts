import { access, appendFile, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { Completion, GenerationBackend, GenerationParams, ImageRef, Prompt } from '../backends/types.ts';
import {
  contentHash,
  DataError,
  type Logger,
  mapPool,
  silentLogger,
  throwIfAborted,
  writeFileAtomic,
  writeJsonAtomic,
} from '../core/index.ts';
import { imageInfo } from '../data/images.ts';
import type { BenchItem, Benchmark, ScoreContext } from './benchmarks.ts';
import type { BenchScore } from './types.ts';

/**
 * One benchmark run: prompts -> generation (bounded concurrency, in batches) -> score -> files. Every response is
 * appended to `responses.jsonl` the moment it completes (not when its batch does), keyed by a hash of (backend, sampling parameters,
 * prompt text, images); a rerun reuses every response whose key matches and generates only the rest, so an
 * interrupted run resumes where it stopped and a changed prompt or model regenerates. A torn last line (crash mid-write)
 * is ignored.
 *
 * Files in `<outDir>/<bench>/`: responses.jsonl (cache), predictions.jsonl (one line per problem: id, extraction,
 * prediction, correct, response), scores.json (the benchmark's official layout), summary.json.
 */

/** Greedy decoding by default (the paper: temperature ~0, top-k 1, up to 2048 new tokens). */
export const EvalGeneration = z.object({
  temperature: z.number().min(0).default(0).describe('sampling temperature; 0 = greedy (paper: 0.01 with top-k 1)'),
  topP: z.number().gt(0).max(1).default(1).describe('nucleus cut; 1 = none'),
  topK: z.number().int().min(0).default(1).describe('top-k cut (paper: 1 = greedy); 0 = none'),
  maxTokens: z.number().int().min(1).default(2048).describe('new tokens per response (paper: 2048)'),
  seed: z.number().int().default(0).describe('sampling seed (matters only when temperature > 0)'),
  concurrency: z.number().int().min(1).max(1024).default(4).describe('generate calls in flight at once'),
  batchSize: z.number().int().min(1).max(1024).default(8).describe('prompts per generate call'),
});
export type EvalGeneration = z.infer<typeof EvalGeneration>;

const CachedResponse = z.object({
  id: z.string(),
  key: z.string(),
  text: z.string(),
  finishReason: z.enum(['stop', 'length']),
});
type CachedResponse = z.infer<typeof CachedResponse>;

export interface EvalRunOptions {
  readonly bench: Benchmark;
  readonly items: readonly BenchItem[];
  readonly backend: GenerationBackend;
  readonly generation: EvalGeneration;
  readonly score: Omit<ScoreContext, 'signal'>;
  readonly outDir: string;
  readonly logger?: Logger;
  readonly signal?: AbortSignal;
  /** Told after each stored response (responses from the cache are not counted). */
  readonly onProgress?: (p: { done: number; total: number }) => void;
}

export interface EvalRunResult {
  readonly score: BenchScore;
  /** Responses generated in this run (the rest came from the cache). */
  readonly generated: number;
  readonly cached: number;
  readonly dir: string;
}

export function evalPrompt(text: string, images: readonly ImageRef[]): Prompt {
  return [
    {
      role: 'user',
      content: [...images.map((image) => ({ type: 'image' as const, image })), { type: 'text' as const, text }],
    },
  ];
}

function imageKey(image: ImageRef): unknown {
  return 'path' in image ? { path: image.path } : { bytes: contentHash(image.bytes), mime: image.mime };
}

async function readCache(file: string): Promise<Map<string, CachedResponse>> {
  const out = new Map<string, CachedResponse>();
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return out;
    throw new DataError(file, 'cannot read the response cache', { cause });
  }
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const parsed = CachedResponse.safeParse(JSON.parse(line));
      if (parsed.success) out.set(`${parsed.data.id}\u0000${parsed.data.key}`, parsed.data);
    } catch {
      // A torn line from an interrupted append: that response is simply generated again.
    }
  }
  return out;
}

/**
 * Every image a pending prompt needs exists and decodes (sharp reads its header), checked before any generation so a
 * bad dataset fails in seconds with the problem id, not halfway through a long run.
 */
async function checkImages(items: readonly BenchItem[], bench: string, signal?: AbortSignal): Promise<void> {
  const refs = items.flatMap((item) => item.images.map((image) => ({ id: item.problem.id, image })));
  await mapPool(
    refs,
    8,
    async ({ id, image }) => {
      if (!('path' in image)) return;
      try {
        await access(image.path);
      } catch {
        throw new DataError(image.path, `image of ${bench} problem '${id}' not found`, {
          hint:
            bench === 'mathvista'
              ? 'MathVista images are not shipped with the JSON: download the HF dataset AI4Math/MathVista and put its images/ folder beside testmini.json'
              : 'check --data (the folder holding the benchmark files and their images)',
        });
      }
      await imageInfo(image.path, { problemId: id });
    },
    signal,
  );
}

export async function runEval(options: EvalRunOptions): Promise<EvalRunResult> {
  const { bench, items, backend, generation: g, signal } = options;
  const logger = options.logger ?? silentLogger;
  const dir = join(options.outDir, bench.name);
  await mkdir(dir, { recursive: true });
  const cacheFile = join(dir, 'responses.jsonl');
  const params: GenerationParams = {
    n: 1,
    temperature: g.temperature,
    topP: g.topP,
    topK: g.topK,
    maxTokens: g.maxTokens,
    seed: g.seed,
  };

  const prompts = items.map((item) => {
    const text = bench.promptText(item.problem, options.score.mode);
    const key = contentHash({ backend: backend.id, params, text, images: item.images.map(imageKey) });
    return { item, text, key };
  });
  const cache = await readCache(cacheFile);
  const responses = new Map<string, string>();
  const pending = prompts.filter((p) => {
    const hit = cache.get(`${p.item.problem.id}\u0000${p.key}`);
    if (hit) responses.set(p.item.problem.id, hit.text);
    return !hit;
  });
  logger.info(
    `${bench.name}: ${items.length} problems, ${items.length - pending.length} cached, ${pending.length} to generate`,
  );
  await checkImages(
    pending.map((p) => p.item),
    bench.name,
    signal,
  );

  const batches: (typeof pending)[] = [];
  for (let i = 0; i < pending.length; i += g.batchSize) batches.push(pending.slice(i, i + g.batchSize));
  let done = 0;
  // Appends go one after another (each a whole line), so concurrent completions never interleave in the file.
  let appending: Promise<void> = Promise.resolve();
  const store = (p: (typeof pending)[number], completion: Completion | undefined) => {
    const text = completion?.text ?? '';
    responses.set(p.item.problem.id, text);
    const line = JSON.stringify({
      id: p.item.problem.id,
      key: p.key,
      text,
      finishReason: completion?.finishReason ?? 'stop',
    });
    done++;
    appending = appending.then(() => appendFile(cacheFile, `${line}\n`));
    options.onProgress?.({ done, total: pending.length });
    return appending;
  };
  try {
    await mapPool(
      batches,
      g.concurrency,
      async (batch) => {
        throwIfAborted(signal, `${bench.name} generation`);
        const stored = new Set<number>();
        const out = await backend.generate(
          batch.map((p) => evalPrompt(p.text, p.item.images)),
          params,
          signal,
          {
            // Each response goes to the cache the moment it completes: a failed neighbour or Ctrl-C loses nothing done.
            onResult: (i, completions) => {
              const p = batch[i];
              if (!p || stored.has(i)) return;
              stored.add(i);
              void store(p, completions[0]);
            },
          },
        );
        for (const [i, p] of batch.entries()) {
          if (!stored.has(i)) {
            stored.add(i);
            void store(p, out[i]?.[0]);
          }
        }
        await appending;
        logger.info(`${bench.name}: generated ${done}/${pending.length}`);
      },
      signal,
    );
  } finally {
    await appending;
  }

  const judged = items.map((item) => ({ problem: item.problem, response: responses.get(item.problem.id) ?? '' }));
  const score = await bench.score(judged, { ...options.score, signal });
  const predictions = score.rows.map((row, i) => JSON.stringify({ ...row, response: judged[i]?.response ?? '' }));
  await writeFileAtomic(join(dir, 'predictions.jsonl'), predictions.length > 0 ? `${predictions.join('\n')}\n` : '');
  await writeJsonAtomic(join(dir, 'scores.json'), score.official);
  await writeJsonAtomic(join(dir, 'summary.json'), score.summary);
  return { score, generated: pending.length, cached: items.length - pending.length, dir };
}
