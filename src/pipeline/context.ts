import { join } from 'node:path';
import type { Completion, GenerationBackend, GenerationParams, Prompt } from '../backends/types.ts';
import { contentHash, type Logger, mapPool, throwIfAborted } from '../core/index.ts';
import type { RunConfig } from './config/schema.ts';
import type { PipelineDeps } from './deps.ts';
import type { RunLedger } from './manifest.ts';
import type { Progress } from './progress.ts';

/** What every stage receives besides its own config slice and inputs. */
export interface StageContext {
  readonly runDir: string;
  readonly config: RunConfig;
  readonly deps: PipelineDeps;
  readonly ledger: RunLedger;
  readonly progress: Progress;
  readonly log: Logger;
  readonly signal?: AbortSignal;
}

/** Prompts per generate call: fixed, so the seeds below (one per chunk) do not depend on concurrency. */
export const GENERATE_CHUNK = 16;

/** A 31-bit seed derived from the run seed and a label (`round-1/distill#3`). */
export function derivedSeed(runSeed: number, label: string): number {
  return Number.parseInt(contentHash(`${runSeed}:${label}`).slice(0, 8), 16) & 0x7fffffff;
}

/** Generate for many prompts in fixed chunks, `concurrency` chunks in flight, ticking progress per prompt. */
export async function generateAll(
  ctx: StageContext,
  backend: GenerationBackend,
  prompts: readonly Prompt[],
  params: Omit<GenerationParams, 'seed'>,
  label: string,
): Promise<Completion[][]> {
  const chunks: Prompt[][] = [];
  for (let i = 0; i < prompts.length; i += GENERATE_CHUNK) chunks.push(prompts.slice(i, i + GENERATE_CHUNK));
  const task = ctx.progress.task(label, prompts.length, 'prompts');
  const concurrency = ctx.config.backend.concurrency;
  const results = await mapPool(
    chunks,
    concurrency,
    async (chunk, i) => {
      throwIfAborted(ctx.signal, label);
      const out = await backend.generate(
        chunk,
        { ...params, seed: derivedSeed(ctx.config.seed, `${label}#${i}`) },
        ctx.signal,
      );
      if (out.length !== chunk.length) {
        throw new Error(`${backend.id} returned ${out.length} results for ${chunk.length} prompts`);
      }
      task.tick(chunk.length);
      return out;
    },
    ctx.signal,
  );
  task.done();
  return results.flat();
}

/** Run-relative paths of a round's artifacts (DESIGN.md "Run directory"). */
export const paths = {
  dataDir: 'data',
  trainProblems: 'data/train.jsonl',
  testProblems: 'data/test.jsonl',
  round: (r: number) => `round-${r}`,
  captions: (r: number) => `round-${r}/captions.jsonl`,
  traces: (r: number) => (r === 1 ? `round-${r}/distill.jsonl` : `round-${r}/regenerate.jsonl`),
  sftData: (r: number) => `round-${r}/sft-data.jsonl`,
  filterStats: (r: number) => `round-${r}/filter-stats.json`,
  sft: (r: number) => `round-${r}/sft`,
  difficulty: (r: number) => `round-${r}/difficulty.json`,
  rlData: (r: number, stage: string) => `round-${r}/rl-data/${stage}.jsonl`,
  rl: (r: number, stage: string) => `round-${r}/rl-${stage}`,
  stageMetrics: (r: number, stage: string) => `round-${r}/metrics/${stage}.jsonl`,
  evalResults: (r: number, ckpt: string) => `round-${r}/eval/${ckpt}.jsonl`,
  evalSummary: (r: number, ckpt: string) => `round-${r}/eval/${ckpt}.json`,
  base: 'base',
  metrics: 'metrics.jsonl',
  summary: 'summary.json',
  config: 'config.json',
  report: 'report.html',
} as const;

export function abs(ctx: { runDir: string }, rel: string): string {
  return join(ctx.runDir, rel);
}
