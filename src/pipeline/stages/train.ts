import { cp, mkdir, readFile } from 'node:fs/promises';
import { isAbsolute, join, relative } from 'node:path';
import type { Checkpoint, StepMetrics } from '../../backends/types.ts';
import { writeJsonAtomic } from '../../core/index.ts';
import { writeJsonl } from '../../data/jsonl.ts';
import { type Problem, Problem as ProblemSchema, type Tier } from '../../data/types.ts';
import { grpoTotalSteps } from '../../train/grpo.ts';
import { sftTotalSteps } from '../../train/sft.ts';
import { abs, generateAll, paths, type StageContext } from '../context.ts';
import { assignTiers } from '../difficulty.ts';
import { judgeAnswer } from '../judge.ts';
import type { StepProgress } from '../progress.ts';
import { policyPrompt } from '../prompts.ts';

/** A checkpoint produced by a stage, with the content hash downstream stages key on. */
export interface StageCheckpoint {
  readonly checkpoint: Checkpoint;
  readonly hash: string;
}

/**
 * A trainer may put the model in a sub-folder of its output (an external engine's merged `model/`); the stage records
 * where, in `vlthink-checkpoint.json` inside the output, so a skipped stage still knows its checkpoint.
 */
const DESCRIPTOR = 'vlthink-checkpoint.json';

async function describeCheckpoint(outDir: string, made: Checkpoint): Promise<void> {
  const sub = relative(outDir, made.path);
  const inside = sub === '' || !(sub.startsWith('..') || isAbsolute(sub));
  await writeJsonAtomic(join(outDir, DESCRIPTOR), {
    kind: made.kind,
    sub: inside ? sub : null,
    path: inside ? null : made.path,
  });
}

async function checkpointAt(ctx: StageContext, rel: string): Promise<Checkpoint> {
  const d = JSON.parse(await readFile(join(abs(ctx, rel), DESCRIPTOR), 'utf8')) as {
    kind: Checkpoint['kind'];
    sub: string | null;
    path: string | null;
  };
  return { kind: d.kind, path: d.path ?? join(abs(ctx, rel), d.sub ?? ''), name: rel };
}

function collectMetrics(stage: string, into: StepMetrics[], display?: StepProgress) {
  return (m: StepMetrics) => {
    into.push({ stage, ...m });
    // SFT's periodic held-out evaluation records are not steps of their own.
    if (m.phase !== 'sft-eval') display?.step(m);
  };
}

/** sft: the base model fine-tuned on this round's SFT set (every round restarts from the base, as in the paper). */
export async function sftStage(
  ctx: StageContext,
  round: number,
  base: StageCheckpoint,
  sftDataHash: string,
): Promise<StageCheckpoint> {
  const out = paths.sft(round);
  const metricsFile = paths.stageMetrics(round, 'sft');
  const { record } = await ctx.ledger.runStage({
    key: `round-${round}/sft`,
    inputs: {
      trainer: ctx.deps.trainer.id,
      sft: ctx.config.sft,
      backend: ctx.config.backend,
      base: base.hash,
      sftDataHash,
    },
    outputs: [out, metricsFile],
    run: async (staged) => {
      const metrics: StepMetrics[] = [];
      await mkdir(staged(out), { recursive: true });
      const examples = await readProblemCount(abs(ctx, paths.sftData(round)));
      const display = ctx.progress.steps(
        `round ${round} sft`,
        ctx.config.backend.kind === 'embedded' ? sftTotalSteps(ctx.config.sft, examples) : undefined,
      );
      const made = await ctx.deps.trainer.sft(
        {
          base: base.checkpoint,
          dataFile: abs(ctx, paths.sftData(round)),
          imageRoot: abs(ctx, paths.dataDir),
          outDir: staged(out),
          onStep: collectMetrics(`round-${round}/sft`, metrics, display),
        },
        ctx.signal,
      );
      await describeCheckpoint(staged(out), made);
      display.done();
      await writeJsonl(staged(metricsFile), metrics);
      return { steps: metrics.length };
    },
  });
  return { checkpoint: await checkpointAt(ctx, out), hash: record.outputs[out] ?? '' };
}

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
      const policy = await ctx.deps.policy(sft.checkpoint);
      const imageRoot = abs(ctx, paths.dataDir);
      const params = { n: cfg.k, temperature: cfg.temperature, topP: 1, maxTokens: cfg.maxTokens };
      const label = `round ${round} difficulty`;
      const completions = await generateAll(
        ctx,
        policy,
        problems.map((p) => policyPrompt(p, imageRoot, ctx.deps.policyPromptText)),
        params,
        label,
      );
      await policy.close?.();
      const perProblem = problems.map((p, i) => {
        const samples = completions[i] ?? [];
        const wrong = samples.filter((c) => !judgeAnswer(c.text, p, 'eval').correct).length;
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

/** rl: the GRPO curriculum, each stage from the previous stage's checkpoint; the KL reference is the round's SFT. */
export async function rlStages(
  ctx: StageContext,
  round: number,
  sft: StageCheckpoint,
  difficultyHash: string,
): Promise<Array<{ stage: string; result: StageCheckpoint }>> {
  const cfg = ctx.config.rl;
  const results: Array<{ stage: string; result: StageCheckpoint }> = [];
  let init = sft;
  for (const stage of cfg.stages) {
    const out = paths.rl(round, stage.name);
    const metricsFile = paths.stageMetrics(round, `rl-${stage.name}`);
    const dataFile = paths.rlData(round, stage.name);
    const from = init;
    const { record } = await ctx.ledger.runStage({
      key: `round-${round}/rl-${stage.name}`,
      inputs: {
        stage,
        rl: { ...cfg, stages: undefined },
        backend: ctx.config.backend,
        trainer: ctx.deps.trainer.id,
        init: from.hash,
        sft: sft.hash,
        difficultyHash,
      },
      outputs: [out, metricsFile],
      run: async (staged) => {
        const metrics: StepMetrics[] = [];
        const problems = await readProblemCount(abs(ctx, dataFile));
        if (problems === 0) {
          // Nothing in these tiers: the stage passes its init checkpoint through unchanged (recorded as 0 problems).
          await mkdir(staged(out), { recursive: true });
          await cp(from.checkpoint.path, staged(out), { recursive: true });
          await describeCheckpoint(staged(out), { ...from.checkpoint, path: staged(out) });
          await writeJsonl(staged(metricsFile), []);
          return { problems: 0, steps: 0 };
        }
        await mkdir(staged(out), { recursive: true });
        // The embedded trainer's step count (grpoTotalSteps); other engines report their own progress.
        const total =
          ctx.config.backend.kind === 'embedded' ? grpoTotalSteps(cfg, problems, stage.episodes) : undefined;
        const display = ctx.progress.steps(`round ${round} rl-${stage.name}`, total);
        const made = await ctx.deps.trainer.rl(
          {
            init: from.checkpoint,
            reference: cfg.referenceFromSft ? sft.checkpoint : from.checkpoint,
            problemsFile: abs(ctx, dataFile),
            imageRoot: abs(ctx, paths.dataDir),
            outDir: staged(out),
            reward: { name: cfg.reward },
            stage: stage.name,
            episodes: stage.episodes,
            freezeVision: stage.freezeVision,
            onStep: collectMetrics(`round-${round}/rl-${stage.name}`, metrics, display),
          },
          ctx.signal,
        );
        await describeCheckpoint(staged(out), made);
        display.done();
        await writeJsonl(staged(metricsFile), metrics);
        return { problems, steps: metrics.length };
      },
    });
    init = { checkpoint: await checkpointAt(ctx, out), hash: record.outputs[out] ?? '' };
    results.push({ stage: stage.name, result: init });
  }
  return results;
}

async function readProblemCount(file: string): Promise<number> {
  return (await readFile(file, 'utf8')).split('\n').filter((l) => l.trim() !== '').length;
}
