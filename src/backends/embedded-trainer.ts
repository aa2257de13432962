/**
 * The embedded trainer: vlthink's own SFT and GRPO loops (train/) on the tiny VLM, in-process.
 *
 * A job's output folder is a loadable checkpoint (model.safetensors, config.json, tokenizer.json,
 * optimizer.safetensors) plus `trainer-state.json` (step, data cursor, RNG state, settings hash). Step metrics go to
 * the job's `onStep` only (the caller keeps the log). While GRPO runs, `resume/` holds the state of every
 * `checkpointEvery` steps and the metrics so far: a later call with the same job and settings continues from it
 * exactly where the interrupted run stopped, reporting the earlier steps again first.
 */
import { existsSync } from 'node:fs';
import { readFile, rename, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { z } from 'zod';
import {
  contentHash,
  DataError,
  hashFile,
  type Logger,
  silentLogger,
  throwIfAborted,
  VlthinkError,
  writeJsonAtomic,
} from '../core/index.ts';
import { readJsonlAll, writeJsonl } from '../data/index.ts';
import { policyPromptText } from '../data/problem-text.ts';
import { Problem, SftExample } from '../data/types.ts';
import type { TrainState } from '../engine/index.ts';
import { loadCheckpoint, saveCheckpoint } from '../model/index.ts';
import {
  embeddedGrpoConfig,
  embeddedSftConfig,
  type GrpoConfig,
  type GrpoProgress,
  grpoTotalSteps,
  runGrpo,
  runSft,
  type SftConfig,
} from '../train/index.ts';
import { StepMetricsRecord } from '../train/metrics.ts';
import { encodeProblems, encodeSftExamples, type PolicyState } from '../train/policy-io.ts';
import { computeReward, hasThinkAnswerFormat, judgeAnswer } from '../verify/index.ts';
import type { Checkpoint, RlJob, SftJob, StepMetrics, Trainer } from './types.ts';

export interface EmbeddedTrainerOptions {
  /** SFT settings (default: train/'s embedded values; `parseSftConfig` builds one from a partial object). */
  readonly sft?: SftConfig;
  /** GRPO settings (default: train/'s embedded values; `parseGrpoConfig` builds one from a partial object). */
  readonly grpo?: GrpoConfig;
  /** ONNX Runtime intra-op threads (0: the runtime decides). */
  readonly threads?: number;
  /** The policy's prompt text for an RL problem (default: question, lettered choices, the paper's instruction). */
  readonly promptText?: (problem: Problem) => string;
  readonly logger?: Logger;
}

const STATE_FILE = 'trainer-state.json';
const RESUME_METRICS = 'metrics.jsonl';

/**
 * `trainer-state.json` beside a checkpoint: where training stood. `settingsHash` is over the settings and the
 * *contents* of the inputs (data, init and reference weights), never their paths, so the same job gives the same file
 * wherever it runs, and a resume only continues a run of the same job.
 */
export const TrainerState = z.strictObject({
  kind: z.enum(['sft', 'grpo']),
  settingsHash: z.string(),
  step: z.int().min(0),
  totalSteps: z.int().min(0),
  cursor: z.strictObject({ epoch: z.int().min(0), index: z.int().min(0) }),
  rng: z.tuple([z.number(), z.number(), z.number(), z.number()]).readonly().optional(),
});
type TrainerStateFile = z.infer<typeof TrainerState>;

async function readTrainerState(file: string): Promise<TrainerStateFile> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (cause) {
    throw new DataError(file, 'cannot be read as JSON', { cause, hint: 'delete the resume/ folder to start over' });
  }
  const parsed = TrainerState.safeParse(json);
  if (!parsed.success) {
    throw new DataError(file, `is not a trainer state: ${z.prettifyError(parsed.error)}`, {
      hint: 'delete the resume/ folder to start over',
    });
  }
  return parsed.data;
}

/** Content hash of a checkpoint's weights (what a job started from), not of its path. */
async function weightsHash(ckpt: Checkpoint | undefined): Promise<string | null> {
  return ckpt ? hashFile(join(ckpt.path, 'model.safetensors')) : null;
}

async function loadPolicy(ckpt: Checkpoint, what: string): Promise<PolicyState> {
  if (ckpt.kind !== 'embedded') {
    throw new VlthinkError(`the embedded trainer cannot ${what} from a '${ckpt.kind}' checkpoint (${ckpt.path})`, {
      hint: 'use an embedded checkpoint (model.safetensors + config.json + tokenizer.json)',
    });
  }
  const loaded = await loadCheckpoint(ckpt.path);
  if (!loaded.tokenizer) {
    throw new DataError(join(ckpt.path, 'tokenizer.json'), 'the checkpoint has no tokenizer', {
      hint: 'save base checkpoints with their tokenizer',
    });
  }
  return { config: loaded.config, params: loaded.params, tokenizer: loaded.tokenizer };
}

/** Write a checkpoint folder atomically as a whole: into `<dir>.tmp`, then renamed over `dir`. */
async function writeCheckpointDir(
  dir: string,
  policy: PolicyState,
  state: TrainState,
  trainerState: TrainerStateFile,
  metrics: readonly StepMetrics[],
): Promise<void> {
  const tmp = `${dir}.tmp`;
  await rm(tmp, { recursive: true, force: true });
  await saveCheckpoint(tmp, { config: policy.config, params: state.params, train: state, tokenizer: policy.tokenizer });
  await writeJsonAtomic(join(tmp, STATE_FILE), trainerState);
  await writeJsonl(join(tmp, RESUME_METRICS), metrics);
  await rm(dir, { recursive: true, force: true });
  await rename(tmp, dir);
}

/** Write checkpoint files into an existing output folder. */
async function writeCheckpointFiles(
  dir: string,
  policy: PolicyState,
  state: TrainState,
  trainerState: TrainerStateFile,
): Promise<void> {
  await saveCheckpoint(dir, { config: policy.config, params: state.params, train: state, tokenizer: policy.tokenizer });
  await writeJsonAtomic(join(dir, STATE_FILE), trainerState);
}

export function createEmbeddedTrainer(options: EmbeddedTrainerOptions = {}): Trainer {
  const sftConfig = options.sft ?? embeddedSftConfig;
  const grpoConfig = options.grpo ?? embeddedGrpoConfig;
  const log = options.logger ?? silentLogger;
  const threads = options.threads ?? 0;
  const promptText = options.promptText ?? policyPromptText;

  const at = (outDir: string): Checkpoint => ({ kind: 'embedded', path: outDir, name: basename(outDir) });
  return {
    id: 'embedded',
    planSft: (job) => ({
      checkpoint: at(job.outDir),
      lines: [
        `embedded SFT from ${job.base.path}: lr ${sftConfig.lr}, ${sftConfig.maxSteps ?? `${sftConfig.epochs} epochs`}, batch ${sftConfig.batchSize}; writes ${job.outDir}`,
      ],
      files: [],
    }),
    planRl: (job) => ({
      checkpoint: at(job.outDir),
      lines: [
        `embedded GRPO from ${job.init.path} (KL reference ${job.reference?.path ?? job.init.path}): ${grpoConfig.rolloutBatchSize} prompts x ${grpoConfig.groupSize} samples a step, lr ${grpoConfig.lr}, KL ${grpoConfig.kl} ${grpoConfig.klCoef}, clip ${grpoConfig.clipLow}/${grpoConfig.clipHigh}, reward ${job.reward.name}; writes ${job.outDir}`,
      ],
      files: [],
    }),

    async sft(job: SftJob, signal?: AbortSignal): Promise<Checkpoint> {
      throwIfAborted(signal, 'SFT');
      const policy = await loadPolicy(job.base, 'fine-tune');
      const maxLength = Math.min(sftConfig.cutoffLen, policy.config.maxTextLen + 1);
      const encode = async (file: string) => {
        const { records } = await readJsonlAll(file, SftExample, { signal });
        try {
          return await encodeSftExamples(records, policy, job.imageRoot, maxLength);
        } catch (err) {
          if (err instanceof RangeError) {
            throw new DataError(file, err.message, { hint: 'shorten the prompt or raise the model maxTextLen' });
          }
          throw err;
        }
      };
      const train = await encode(job.dataFile);
      if (train.length === 0) throw new DataError(job.dataFile, 'no SFT examples', { hint: 'check the filter stage' });
      const evalSet = job.evalFile ? await encode(job.evalFile) : undefined;
      log.info('sft start', { examples: train.length, out: job.outDir });
      const res = await runSft({
        config: sftConfig,
        policy,
        train,
        ...(evalSet ? { eval: evalSet } : {}),
        onStep: (m) => job.onStep?.(m),
        logger: log,
        signal,
        threads,
      });
      await writeCheckpointFiles(job.outDir, res.policy, res.state, {
        kind: 'sft',
        settingsHash: contentHash({ sftConfig, data: await hashFile(job.dataFile), base: await weightsHash(job.base) }),
        step: res.steps,
        totalSteps: res.steps,
        cursor: res.cursor,
      });
      return at(job.outDir);
    },

    async rl(job: RlJob, signal?: AbortSignal): Promise<Checkpoint> {
      throwIfAborted(signal, 'GRPO');
      const policy = await loadPolicy(job.init, 'run RL');
      const reference = job.reference ? (await loadPolicy(job.reference, 'use as reference')).params : policy.params;
      const { records: problems } = await readJsonlAll(job.problemsFile, Problem, { signal });
      if (problems.length === 0) throw new DataError(job.problemsFile, 'no RL problems', { hint: 'check the tiers' });
      let encoded: Awaited<ReturnType<typeof encodeProblems>>;
      try {
        encoded = await encodeProblems(problems, policy, job.imageRoot, promptText);
      } catch (err) {
        if (err instanceof RangeError) throw new DataError(job.problemsFile, err.message, { hint: 'raise maxTextLen' });
        throw err;
      }
      const totalSteps = grpoTotalSteps(grpoConfig, problems.length, job.episodes);
      const settingsHash = contentHash({
        grpoConfig,
        problems: await hashFile(job.problemsFile),
        init: await weightsHash(job.init),
        reference: await weightsHash(job.reference),
        reward: job.reward,
        episodes: job.episodes,
        freezeVision: job.freezeVision,
      });
      // resume/: the last `checkpointEvery` state with the step metrics so far, written as one folder; gone at the end.
      const resumeDir = join(job.outDir, 'resume');
      const metrics: StepMetrics[] = [];
      let resume: { state: TrainState; progress: GrpoProgress } | undefined;
      if (existsSync(join(resumeDir, STATE_FILE))) {
        const saved = await readTrainerState(join(resumeDir, STATE_FILE));
        if (saved.settingsHash === settingsHash && saved.rng && saved.step < totalSteps) {
          const ck = await loadCheckpoint(resumeDir);
          if (ck.train) {
            resume = {
              state: { ...ck.train, params: ck.params },
              progress: { step: saved.step, cursor: saved.cursor, rng: saved.rng },
            };
            // The steps before the interruption, reported again so the caller's log is whole.
            const { records } = await readJsonlAll(join(resumeDir, RESUME_METRICS), StepMetricsRecord);
            for (const m of records) {
              metrics.push(m);
              job.onStep?.(m);
            }
            log.info('grpo resume', { step: saved.step, of: totalSteps });
          }
        }
      }
      const stateFile = (p: GrpoProgress): TrainerStateFile => ({
        kind: 'grpo',
        settingsHash,
        step: p.step,
        totalSteps,
        cursor: p.cursor,
        rng: p.rng,
      });
      const res = await runGrpo({
        config: grpoConfig,
        policy,
        reference,
        problems: encoded,
        score: (text, i) => {
          // The reward optimized, and the two facts logged beside it by the rules that define them.
          const problem = problems[i] as Problem;
          return {
            score: computeReward(job.reward, text, problem).score,
            correct: judgeAnswer(text, problem).correct,
            formatOk: hasThinkAnswerFormat(text),
          };
        },
        totalSteps,
        freezeVision: job.freezeVision,
        ...(resume ? { resume } : {}),
        onCheckpoint: (state, progress) => writeCheckpointDir(resumeDir, policy, state, stateFile(progress), metrics),
        onStep: (m) => {
          metrics.push(m);
          job.onStep?.(m);
        },
        stage: job.stage,
        logger: log,
        signal,
        threads,
      });
      await writeCheckpointFiles(job.outDir, res.policy, res.state, stateFile(res.progress));
      await rm(resumeDir, { recursive: true, force: true });
      return at(job.outDir);
    },
  };
}
