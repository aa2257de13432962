/**
 * The embedded trainer: vlthink's own SFT and GRPO loops (train/) on the tiny VLM, in-process.
 *
 * A job's output folder is a loadable checkpoint (model.safetensors, config.json, tokenizer.json,
 * optimizer.safetensors) plus `trainer-state.json` (step, data cursor, RNG state, settings hash) and the stage's own
 * `metrics.jsonl`. GRPO also keeps `resume/` (the same files, written every `checkpointEvery` steps): a later call with
 * the same job and settings continues from it exactly where the interrupted run stopped.
 */
import { readFile, rename, rm, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import {
  contentHash,
  DataError,
  type Logger,
  type RngState,
  silentLogger,
  throwIfAborted,
  VlthinkError,
  writeJsonAtomic,
} from '../core/index.ts';
import { readJsonlAll } from '../data/index.ts';
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
import { appendMetrics } from '../train/metrics.ts';
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

interface TrainerStateFile {
  readonly kind: 'sft' | 'grpo';
  readonly settingsHash: string;
  readonly step: number;
  readonly totalSteps: number;
  readonly cursor: { epoch: number; index: number };
  readonly rng?: RngState;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
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
): Promise<void> {
  const tmp = `${dir}.tmp`;
  await rm(tmp, { recursive: true, force: true });
  await saveCheckpoint(tmp, { config: policy.config, params: state.params, train: state, tokenizer: policy.tokenizer });
  await writeJsonAtomic(join(tmp, STATE_FILE), trainerState);
  await rm(dir, { recursive: true, force: true });
  await rename(tmp, dir);
}

/** Copy checkpoint files into an existing output folder (keeps metrics.jsonl and resume/ beside them). */
async function writeCheckpointFiles(
  dir: string,
  policy: PolicyState,
  state: TrainState,
  trainerState: TrainerStateFile,
): Promise<void> {
  await saveCheckpoint(dir, { config: policy.config, params: state.params, train: state, tokenizer: policy.tokenizer });
  await writeJsonAtomic(join(dir, STATE_FILE), trainerState);
}

function stepSink(file: string, job: { onStep?: (m: StepMetrics) => void }) {
  return async (m: Record<string, number | string>) => {
    await appendMetrics(file, m);
    job.onStep?.(m);
  };
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
    }),
    planRl: (job) => ({
      checkpoint: at(job.outDir),
      lines: [
        `embedded GRPO from ${job.init.path} (KL reference ${job.reference?.path ?? job.init.path}): ${grpoConfig.rolloutBatchSize} prompts x ${grpoConfig.groupSize} samples a step, lr ${grpoConfig.lr}, KL ${grpoConfig.kl} ${grpoConfig.klCoef}, clip ${grpoConfig.clipLow}/${grpoConfig.clipHigh}, reward ${job.reward.name}; writes ${job.outDir}`,
      ],
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
      await rm(join(job.outDir, 'metrics.jsonl'), { force: true });
      log.info('sft start', { examples: train.length, out: job.outDir });
      const res = await runSft({
        config: sftConfig,
        policy,
        train,
        ...(evalSet ? { eval: evalSet } : {}),
        onStep: stepSink(join(job.outDir, 'metrics.jsonl'), job),
        logger: log,
        signal,
        threads,
      });
      await writeCheckpointFiles(job.outDir, res.policy, res.state, {
        kind: 'sft',
        settingsHash: contentHash({ sftConfig, data: job.dataFile }),
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
        problems: job.problemsFile,
        init: job.init.path,
        reference: job.reference?.path ?? null,
        reward: job.reward,
        episodes: job.episodes,
        freezeVision: job.freezeVision,
      });
      const resumeDir = join(job.outDir, 'resume');
      let resume: { state: TrainState; progress: GrpoProgress } | undefined;
      if (await exists(join(resumeDir, STATE_FILE))) {
        const saved = JSON.parse(await readFile(join(resumeDir, STATE_FILE), 'utf8')) as TrainerStateFile;
        if (saved.settingsHash === settingsHash && saved.rng && saved.step < totalSteps) {
          const ck = await loadCheckpoint(resumeDir);
          if (ck.train) {
            resume = {
              state: { ...ck.train, params: ck.params },
              progress: { step: saved.step, cursor: saved.cursor, rng: saved.rng },
            };
            log.info('grpo resume', { step: saved.step, of: totalSteps });
          }
        }
      }
      if (!resume) await rm(join(job.outDir, 'metrics.jsonl'), { force: true });
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
        onCheckpoint: (state, progress) => writeCheckpointDir(resumeDir, policy, state, stateFile(progress)),
        onStep: stepSink(join(job.outDir, 'metrics.jsonl'), job),
        stage: job.stage,
        logger: log,
        signal,
        threads,
      });
      await writeCheckpointFiles(job.outDir, res.policy, res.state, stateFile(res.progress));
      return { kind: 'embedded', path: job.outDir, name: basename(job.outDir) };
    },
  };
}
