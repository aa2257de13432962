import { writeJsonAtomic } from '../../core/index.ts';
import { writeJsonl } from '../../data/jsonl.ts';
import { type Problem, Problem as ProblemSchema, type Tier } from '../../data/types.ts';
import { judgeAnswer } from '../../verify/index.ts';
import type { StageContext } from '../context.ts';
import { assignTiers } from '../difficulty.ts';
import { generateWithPolicy } from '../generate.ts';
import { abs, paths } from '../paths.ts';
import { policyPrompt } from '../prompts.ts';
import type { StageCheckpoint } from './train.ts';

export interface DifficultyEntry {
  readonly problemId: string;
  readonly source: string;
  readonly errorRate: number;
  readonly z: number;
  readonly tier: Tier;
}

/** difficulty: the round's SFT policy samples k answers per seed problem; error rates -> z -> 1-D k-means tiers. */
export async function difficultyStage(
  ctx: StageContext,
  round: number,
  problems: readonly Problem[],
  sft: StageCheckpoint,
  dataHash: string,
): Promise<{ hash: string }> {
  const cfg = ctx.config.difficulty;
  const out = paths.difficulty(round);
  const stageFiles = ctx.config.rl.stages.map((s) => paths.rlData(round, s.name));
  const { record } = await ctx.ledger.runStage({
    key: `round-${round}/difficulty`,
    inputs: { cfg, stages: ctx.config.rl.stages, sft: sft.hash, dataHash, seed: ctx.config.seed },
    outputs: [out, ...stageFiles],
    run: async (staged) => {
      const imageRoot = abs(ctx, paths.dataDir);
      const params = { n: cfg.k, temperature: cfg.temperature, topP: 1, maxTokens: cfg.maxTokens };
      const { completions } = await generateWithPolicy(
        ctx,
        sft.checkpoint,
        problems.map((p) => policyPrompt(p, imageRoot, ctx.deps.policyPromptText)),
        params,
        `round ${round} difficulty`,
      );
      const perProblem = problems.map((p, i) => {
        const samples = completions[i] ?? [];
        const wrong = samples.filter((c) => !judgeAnswer(c.text, p).correct).length;
        return samples.length > 0 ? wrong / samples.length : 1;
      });
      const rates = cfg.groupBy === 'source' ? poolBySource(problems, perProblem) : perProblem;
      const { tiers, z, centroids } = assignTiers(rates);
      const entries: DifficultyEntry[] = problems.map((p, i) => ({
        problemId: p.id,
        source: p.source,
        errorRate: rates[i] ?? 1,
        z: z[i] ?? 0,
        tier: tiers[i] ?? 'medium',
      }));
      const tierCount = (t: Tier) => entries.filter((e) => e.tier === t).length;
      await writeJsonAtomic(staged(out), {
        centroids,
        counts: { easy: tierCount('easy'), medium: tierCount('medium'), hard: tierCount('hard') },
        problems: entries,
      });
      const counts: Record<string, number> = {
        easy: tierCount('easy'),
        medium: tierCount('medium'),
        hard: tierCount('hard'),
      };
      for (const stage of ctx.config.rl.stages) {
        const chosen = problems.filter((_, i) => stage.tiers.includes(entries[i]?.tier ?? 'medium'));
        const withTier = chosen.map((p) => ({ ...p, tier: entries[problems.indexOf(p)]?.tier ?? null }));
        await writeJsonl(staged(paths.rlData(round, stage.name)), withTier, { schema: ProblemSchema });
        counts[`rl-${stage.name}`] = chosen.length;
      }
      return counts;
    },
  });
  return { hash: record.outputs[out] ?? '' };
}

function poolBySource(problems: readonly Problem[], rates: readonly number[]): number[] {
  const sums = new Map<string, { sum: number; n: number }>();
  problems.forEach((p, i) => {
    const s = sums.get(p.source) ?? { sum: 0, n: 0 };
    s.sum += rates[i] ?? 0;
    s.n += 1;
    sums.set(p.source, s);
  });
  return problems.map((p) => {
    const s = sums.get(p.source);
    return s ? s.sum / s.n : 1;
  });
}
