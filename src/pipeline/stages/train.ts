import { cp, mkdir, readFile } from 'node:fs/promises';
import type { Checkpoint, StepMetrics } from '../../backends/types.ts';
import { writeJsonl } from '../../data/jsonl.ts';
import { grpoTotalSteps } from '../../train/grpo.ts';
import { sftTotalSteps } from '../../train/sft.ts';
import { readCheckpointDescriptor, writeCheckpointDescriptor } from '../checkpoint-descriptor.ts';
import { basePretraining } from '../config/schema.ts';
import type { StageContext } from '../context.ts';
import { baseModelKey, trainingEngineKey } from '../engines.ts';
import { rlJobOf, sftJobOf } from '../jobs.ts';
import { abs, paths } from '../paths.ts';
import type { StepProgress } from '../progress.ts';

/** A checkpoint produced by a stage, with the content hash downstream stages key on. */
export interface StageCheckpoint {
  readonly checkpoint: Checkpoint;
  readonly hash: string;
}

/** Collects a stage's step metrics, tagged with the stage key, for its metrics log, and shows each step's progress. */
function metricsLog(stage: string, display: StepProgress): { onStep: (m: StepMetrics) => void; lines: StepMetrics[] } {
  const lines: StepMetrics[] = [];
  const onStep = (m: StepMetrics) => {
    // The stage key is the pipeline's: an engine's own name for its stage ('sft', 'medium') must not replace it.
    lines.push({ ...m, stage });
    // SFT's periodic held-out evaluation records are not steps of their own.
    if (m.phase !== 'sft-eval') display.step(m);
  };
  return { lines, onStep };
}

/**
 * base: the model every round's SFT starts from (an embedded base is initialized, and caption-pretrained when
 * `backend.pretrain` asks, here; an HF base is named).
 */
export async function baseStage(ctx: StageContext): Promise<StageCheckpoint> {
  const key = 'base';
  const { record } = await ctx.ledger.runStage({
    key,
    inputs: { base: baseModelKey(ctx.config) },
    outputs: [paths.base],
    run: async (staged) => {
      const dir = staged(paths.base);
      await mkdir(dir, { recursive: true });
      const pretrain = basePretraining(ctx.config);
      const display = pretrain
        ? ctx.progress.steps('base pretrain', sftTotalSteps(pretrain.sft, pretrain.problems))
        : null;
      const made = await ctx.deps.base(dir, display ? metricsLog(key, display).onStep : undefined);
      await writeCheckpointDescriptor(dir, made);
      display?.done();
      return {};
    },
  });
  return { checkpoint: await readCheckpointDescriptor(abs(ctx, paths.base)), hash: record.outputs[paths.base] ?? '' };
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
  const key = `round-${round}/sft`;
  const { record } = await ctx.ledger.runStage({
    key,
    inputs: {
      trainer: ctx.deps.trainer.id,
      engine: trainingEngineKey(ctx.config.backend),
      sft: ctx.config.sft,
      base: base.hash,
      sftDataHash,
    },
    outputs: [out],
    logs: [metricsFile],
    run: async (staged) => {
      await mkdir(staged(out), { recursive: true });
      const job = sftJobOf((rel) => abs(ctx, rel), round, base.checkpoint, staged(out));
      // The embedded trainer's step count; other engines report their own progress.
      const examples = await readProblemCount(job.dataFile);
      const total = ctx.config.backend.kind === 'embedded' ? sftTotalSteps(ctx.config.sft, examples) : undefined;
      const display = ctx.progress.steps(`round ${round} sft`, total);
      const metrics = metricsLog(key, display);
      const made = await ctx.deps.trainer.sft({ ...job, onStep: metrics.onStep }, ctx.signal);
      await writeCheckpointDescriptor(staged(out), made);
      display.done();
      await writeJsonl(staged(metricsFile), metrics.lines);
      return { steps: metrics.lines.length };
    },
  });
  return { checkpoint: await readCheckpointDescriptor(abs(ctx, out)), hash: record.outputs[out] ?? '' };
}

/** rl: the GRPO curriculum, each stage from the previous stage's checkpoint (the KL reference: see `rlJobOf`). */
export async function rlStages(
  ctx: StageContext,
  round: number,
  sft: StageCheckpoint,
  difficultyHash: string,
): Promise<Array<{ stage: string; result: StageCheckpoint }>> {
  const { stages, ...rl } = ctx.config.rl;
  const results: Array<{ stage: string; result: StageCheckpoint }> = [];
  let init = sft;
  for (const stage of stages) {
    const out = paths.rl(round, stage.name);
    const key = `round-${round}/rl-${stage.name}`;
    const metricsFile = paths.stageMetrics(round, `rl-${stage.name}`);
    const from = init;
    const { record } = await ctx.ledger.runStage({
      key,
      inputs: {
        stage,
        rl,
        trainer: ctx.deps.trainer.id,
        engine: trainingEngineKey(ctx.config.backend),
        init: from.hash,
        sft: sft.hash,
        difficultyHash,
      },
      outputs: [out],
      logs: [metricsFile],
      run: async (staged) => {
        const job = rlJobOf(
          ctx.config,
          (rel) => abs(ctx, rel),
          round,
          stage,
          from.checkpoint,
          sft.checkpoint,
          staged(out),
        );
        await mkdir(staged(out), { recursive: true });
        const problems = await readProblemCount(job.problemsFile);
        if (problems === 0) {
          // Nothing in these tiers: the stage passes its init checkpoint through unchanged (recorded as 0 problems).
          await cp(from.checkpoint.path, staged(out), { recursive: true });
          await writeCheckpointDescriptor(staged(out), { ...from.checkpoint, path: staged(out) });
          await writeJsonl(staged(metricsFile), []);
          return { problems: 0, steps: 0 };
        }
        const total = ctx.config.backend.kind === 'embedded' ? grpoTotalSteps(rl, problems, stage.episodes) : undefined;
        const display = ctx.progress.steps(`round ${round} rl-${stage.name}`, total);
        const metrics = metricsLog(key, display);
        const made = await ctx.deps.trainer.rl({ ...job, onStep: metrics.onStep }, ctx.signal);
        await writeCheckpointDescriptor(staged(out), made);
        display.done();
        await writeJsonl(staged(metricsFile), metrics.lines);
        return { problems, steps: metrics.lines.length };
      },
    });
    init = { checkpoint: await readCheckpointDescriptor(abs(ctx, out)), hash: record.outputs[out] ?? '' };
    results.push({ stage: stage.name, result: init });
  }
  return results;
}

async function readProblemCount(file: string): Promise<number> {
  return (await readFile(file, 'utf8')).split('\n').filter((l) => l.trim() !== '').length;
}
