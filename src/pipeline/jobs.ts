import type { Checkpoint, RlJob, SftJob } from '../backends/types.ts';
import type { RlStageConfig, RunConfig } from './config/schema.ts';
import { paths } from './paths.ts';

/**
 * The training jobs of a round, built in one place for the stages (which run them) and for `--dry-run` (which asks
 * the trainer to plan them). `at` turns a run-relative path into the path the job uses; a stage passes its staging
 * folder as `outDir`.
 */
export type PathIn = (runRelative: string) => string;

/** Round r's SFT: the *base* model fine-tuned on that round's SFT set (every round restarts from the base). */
export function sftJobOf(at: PathIn, round: number, base: Checkpoint, outDir = at(paths.sft(round))): SftJob {
  return { base, dataFile: at(paths.sftData(round)), imageRoot: at(paths.dataDir), outDir };
}

/**
 * One curriculum stage of round r: GRPO from `init` (the SFT model or the previous stage) on the stage's tiers. The
 * KL reference is the round's SFT model (the paper) or, with `rl.referenceFromSft: false`, the stage's own init.
 */
export function rlJobOf(
  config: RunConfig,
  at: PathIn,
  round: number,
  stage: RlStageConfig,
  init: Checkpoint,
  sft: Checkpoint,
  outDir = at(paths.rl(round, stage.name)),
): RlJob {
  return {
    init,
    reference: config.rl.referenceFromSft ? sft : init,
    problemsFile: at(paths.rlData(round, stage.name)),
    imageRoot: at(paths.dataDir),
    outDir,
    reward: { name: config.rl.reward },
    stage: stage.name,
    episodes: stage.episodes,
    freezeVision: stage.freezeVision,
  };
}
