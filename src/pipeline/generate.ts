import type { Checkpoint, Completion, GenerationBackend, GenerationParams, Prompt } from '../backends/types.ts';
import { contentHash, mapPool, throwIfAborted } from '../core/index.ts';
import type { StageContext } from './context.ts';

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

/**
 * Generate with a served checkpoint: open its policy backend, run `generate(prompts)` through `generateAll`, and close
 * the backend whatever happens (the regenerate, difficulty and evaluate stages).
 */
export async function generateWithPolicy(
  ctx: StageContext,
  checkpoint: Checkpoint,
  prompts: readonly Prompt[],
  params: Omit<GenerationParams, 'seed'>,
  label: string,
): Promise<{ completions: Completion[][]; generator: string }> {
  const policy = await ctx.deps.policy(checkpoint, ctx.signal);
  try {
    return { completions: await generateAll(ctx, policy, prompts, params, label), generator: policy.id };
  } finally {
    await policy.close?.();
  }
}
