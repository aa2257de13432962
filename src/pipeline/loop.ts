import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { contentHash, type Logger, silentLogger, writeFileAtomic, writeJsonAtomic } from '../core/index.ts';
import type { RunConfig } from './config/schema.ts';
import type { StageContext } from './context.ts';
import type { PipelineDeps } from './deps.ts';
import { openLedger, type StageEvent } from './manifest.ts';
import { abs, paths, runDirOf } from './paths.ts';
import { formatDuration, type Progress, silentProgress } from './progress.ts';
import { dataStage, readProblems } from './stages/data.ts';
import { difficultyStage } from './stages/difficulty.ts';
import { EvalSummary, evaluateStage } from './stages/evaluate.ts';
import { captionStage, filterStage, sampleStage } from './stages/sample.ts';
import { baseStage, rlStages, type StageCheckpoint, sftStage } from './stages/train.ts';

/**
 * The OpenVLThinker loop, for rounds r = 1..R:
 *   r = 1: caption -> distill (text reasoner on caption + question);  r >= 2: regenerate (round r-1 RL policy)
 *   -> filter -> sft (from the base model) -> difficulty -> rl (curriculum stages) -> evaluate (SFT and RL checkpoints)
 * Every stage goes through the ledger, so a rerun skips what is done and a killed run resumes where it stopped.
 */
const Score = z.object({ accuracy: z.number(), correct: z.int(), total: z.int() });
/** A checkpoint's test score, overall and per source (the world family, or the dataset of a files test set). */
const CheckpointScore = Score.extend({ bySource: z.record(z.string(), Score) });
export const RunSummary = z.object({
  rounds: z.array(
    z.object({
      round: z.int(),
      sft: CheckpointScore,
      rl: CheckpointScore.extend({ stage: z.string() }),
      rlStages: z.record(z.string(), z.object({ accuracy: z.number() })),
    }),
  ),
  test: z.object({ name: z.string(), size: z.int() }),
});
export type RunSummary = z.infer<typeof RunSummary>;

export interface RunOptions {
  readonly progress?: Progress;
  readonly log?: Logger;
  readonly signal?: AbortSignal;
  /** Told when a stage is skipped, starts or finishes, after its manifest record is saved (the CLI refreshes report.html). */
  readonly onStage?: (event: StageEvent) => void;
}

export async function runPipeline(
  config: RunConfig,
  deps: PipelineDeps,
  options: RunOptions = {},
): Promise<RunSummary> {
  const runDir = runDirOf(config);
  const progress = options.progress ?? silentProgress;
  await mkdir(runDir, { recursive: true });
  await writeJsonAtomic(join(runDir, paths.config), config);
  const ledger = await openLedger(runDir, config.name, contentHash(config), (e) => {
    progress.line(describeEvent(e));
    options.onStage?.(e);
  });
  const ctx: StageContext = {
    runDir,
    config,
    deps,
    ledger,
    progress,
    log: options.log ?? silentLogger,
    signal: options.signal,
  };

  const data = await dataStage(ctx);
  const train = await readProblems(ctx, 'train');
  const test = await readProblems(ctx, 'test');
  const testName = config.data.kind === 'files' ? config.data.testName : 'synthetic-test';
  const base = await baseStage(ctx);

  const rows: RunSummary['rounds'] = [];
  let previousPolicy: StageCheckpoint | undefined;
  let previousSftData: { hash: string } | null = null;
  for (let round = 1; round <= config.rounds; round++) {
    let traces: { hash: string };
    if (round === 1 || !previousPolicy) {
      const captions = await captionStage(ctx, train, data.outputHash);
      traces = await sampleStage(ctx, round, train, { kind: 'reasoner', captionsHash: captions.hash }, data.outputHash);
    } else {
      const source = {
        kind: 'policy' as const,
        checkpoint: previousPolicy.checkpoint,
        checkpointHash: previousPolicy.hash,
      };
      traces = await sampleStage(ctx, round, train, source, data.outputHash);
    }
    const sftData = await filterStage(ctx, round, train, traces.hash, previousSftData);
    previousSftData = { hash: sftData.hash };
    const sft = await sftStage(ctx, round, base, sftData.hash);
    const difficulty = await difficultyStage(ctx, round, train, sft, data.outputHash);
    const rl = await rlStages(ctx, round, sft, difficulty.hash);
    const last = rl[rl.length - 1];
    if (!last) throw new Error('config.rl.stages is empty');

    const evalSft = await evaluateStage(ctx, round, 'sft', sft, test, testName, data.outputHash);
    const rlEvals: Record<string, EvalSummary> = {};
    for (const [i, { stage, result }] of rl.entries()) {
      if (config.eval.checkpoints === 'final' && i < rl.length - 1) continue;
      rlEvals[stage] = await evaluateStage(ctx, round, `rl-${stage}`, result, test, testName, data.outputHash);
    }
    const final = rlEvals[last.stage] as EvalSummary;
    rows.push({
      round,
      sft: scoreOf(evalSft),
      rl: { ...scoreOf(final), stage: last.stage },
      rlStages: Object.fromEntries(Object.entries(rlEvals).map(([k, v]) => [k, { accuracy: v.accuracy }])),
    });
    previousPolicy = last.result;
    await rebuildMetrics(ctx);
  }
  const summary: RunSummary = { rounds: rows, test: { name: testName, size: test.length } };
  await writeJsonAtomic(join(runDir, paths.summary), summary);
  return summary;
}

function scoreOf(e: EvalSummary): z.infer<typeof CheckpointScore> {
  return { accuracy: e.accuracy, correct: e.correct, total: e.total, bySource: e.bySource };
}

/**
 * metrics.jsonl: the step metrics and evaluations of this run's stages, in stage order (derived, rebuilt each round;
 * stages the manifest remembers from other settings or more rounds are left out).
 */
async function rebuildMetrics(ctx: StageContext): Promise<void> {
  const lines: string[] = [];
  const manifest = ctx.ledger.manifest();
  for (const key of ctx.ledger.visited()) {
    const record = manifest.stages[key];
    if (record?.state !== 'done') continue;
    for (const log of record.logs) {
      if (!existsSync(abs(ctx, log))) continue;
      lines.push(...(await readFile(abs(ctx, log), 'utf8')).split('\n').filter((l) => l.trim() !== ''));
    }
    for (const out of Object.keys(record.outputs)) {
      if (!(out.endsWith('.json') && out.includes('/eval/'))) continue;
      const s = EvalSummary.parse(JSON.parse(await readFile(abs(ctx, out), 'utf8')));
      const { round, checkpoint, accuracy, correct, total } = s;
      lines.push(JSON.stringify({ stage: key, kind: 'eval', round, checkpoint, accuracy, correct, total }));
    }
  }
  await writeFileAtomic(abs(ctx, paths.metrics), lines.length > 0 ? `${lines.join('\n')}\n` : '');
}

function describeEvent(e: StageEvent): string {
  if (e.type === 'skip') return `${e.key}: up to date, skipped`;
  if (e.type === 'start') return `${e.key}: running${e.attempt > 1 ? ` (attempt ${e.attempt})` : ''}`;
  const counts = Object.entries(e.record.counts)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  return `${e.key}: done in ${formatDuration((e.record.durationMs ?? 0) / 1000)}${counts ? ` (${counts})` : ''}`;
}
