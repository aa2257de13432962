import { existsSync, readFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import {
  BackendError,
  ConfigError,
  contentHash,
  DataError,
  type Logger,
  silentLogger,
  writeFileAtomic,
  writeJsonAtomic,
} from '../core/index.ts';
import { exportEasyR1, exportLlamaFactory, Problem, readJsonlAll, SftExample } from '../data/index.ts';
import type { GrpoConfig, SftConfig } from '../train/config.ts';
import { goldAnswer } from '../verify/index.ts';
import { checkEasyR1Grpo, EasyR1Config } from './easyr1-config.ts';
import {
  JOB_INPUT_DIR,
  type JobPlan,
  LAST_STEP_PLACEHOLDER,
  planEasyR1Rl,
  planLlamaFactorySft,
  type ServingReload,
  summarizePlan,
} from './job-plan.ts';
import type { JobRunner } from './job-runner.ts';
import { LlamaFactoryConfig } from './llamafactory-config.ts';
import { createProgressParser } from './progress-parse.ts';
import { reloadServing } from './serving-reload.ts';
import type { Checkpoint, RlJob, SftJob, StepMetrics, Trainer } from './types.ts';

/**
 * Trainers that drive external engines: LLaMA-Factory for SFT, EasyR1 for GRPO. Each call builds the job's plan
 * (job-plan.ts), writes the generated files and the exported data, runs the commands through a runner (local process
 * or Ray job) while parsing the engine's log into StepMetrics, merges the checkpoint, tells the serving endpoint, and
 * returns the merged Hugging Face checkpoint. A job whose plan already completed (same plan hash, checkpoint present)
 * is skipped, so an interrupted pipeline resumes without retraining.
 */
export interface ExternalTrainerOptions {
  readonly runner: JobRunner;
  readonly serving?: ServingReload;
  readonly logger?: Logger;
}

const DONE_FILE = 'done.json';

export function createLlamaFactoryTrainer(
  config: z.input<typeof LlamaFactoryConfig>,
  sft: SftConfig,
  options: ExternalTrainerOptions,
): Trainer {
  const cfg = LlamaFactoryConfig.parse(config);
  const planOf = (job: SftJob) => planLlamaFactorySft(cfg, sft, job, options.serving ?? { kind: 'none' });
  // Settings LLaMA-Factory cannot express fail here, before any stage spends time.
  planOf({ base: { kind: 'hf', path: cfg.model, name: 'base' }, dataFile: '', imageRoot: '', outDir: '' });
  return {
    id: `llamafactory@${options.runner.id}`,
    planSft: (job) => summarizePlan(planOf(job)),
    planRl: () => refuseRl(),
    async sft(job, signal) {
      const plan = planOf(job);
      return executePlan(plan, job.outDir, options, job.onStep, signal, async () => {
        const { records } = await readJsonlAll(job.dataFile, SftExample);
        await exportLlamaFactory({
          examples: records,
          imageRoot: job.imageRoot,
          outDir: join(job.outDir, JOB_INPUT_DIR, 'data'),
          datasetName: 'vlthink_sft',
          signal,
        });
      });
    },
    rl: async () => refuseRl(),
  };
}

function refuseRl(): never {
  throw new ConfigError('trainer.rl', 'LLaMA-Factory runs the SFT stage only', {
    hint: 'use the easyr1 trainer for GRPO (createExternalTrainer combines both)',
  });
}

function refuseSft(): never {
  throw new ConfigError('trainer.sft', 'EasyR1 runs the GRPO stage only', {
    hint: 'use the llamafactory trainer for SFT (createExternalTrainer combines both)',
  });
}

export function createEasyR1Trainer(
  config: z.input<typeof EasyR1Config>,
  grpo: GrpoConfig,
  options: ExternalTrainerOptions & { readonly rewardUrl: string },
): Trainer {
  const cfg = withFormatPromptFile(EasyR1Config.parse(config));
  // Settings EasyR1 cannot express fail here, before any stage spends time.
  checkEasyR1Grpo(grpo, cfg.dialect);
  const planOf = (job: RlJob) =>
    planEasyR1Rl(cfg, grpo, job, { serving: options.serving ?? { kind: 'none' }, rewardUrl: options.rewardUrl });
  return {
    id: `easyr1@${options.runner.id}`,
    planSft: () => refuseSft(),
    planRl: (job) => summarizePlan(planOf(job)),
    sft: async () => refuseSft(),
    async rl(job, signal) {
      return executePlan(planOf(job), job.outDir, options, job.onStep, signal, async () => {
        const { records } = await readJsonlAll(job.problemsFile, Problem);
        // The reward server judges a bare gold string: write it as the one correctness rule compares it.
        const problems = records.map((p) => ({ ...p, answer: goldAnswer(p) }));
        const dataDir = join(job.outDir, JOB_INPUT_DIR, 'data');
        await exportEasyR1({ problems, imageRoot: job.imageRoot, outFile: join(dataDir, 'train.parquet'), signal });
        await exportEasyR1({
          problems: problems.slice(0, grpo.valLimit),
          imageRoot: job.imageRoot,
          outFile: join(dataDir, 'val.parquet'),
          signal,
        });
      });
    },
  };
}

/** The format prompt from `formatPromptFile` when one is given (read once, up front; a missing file is a ConfigError). */
function withFormatPromptFile(cfg: EasyR1Config): EasyR1Config {
  if (cfg.formatPromptFile === null) return cfg;
  try {
    return { ...cfg, formatPrompt: readFileSync(cfg.formatPromptFile, 'utf8').trimEnd() };
  } catch (cause) {
    throw new ConfigError('backend.easyR1.formatPromptFile', `cannot read ${cfg.formatPromptFile}`, {
      value: cfg.formatPromptFile,
      cause,
      hint: 'give the path of a jinja template that uses {{ content }}',
    });
  }
}

/** SFT on one trainer, RL on another: the paper's LLaMA-Factory + EasyR1 pair. */
export function createExternalTrainer(parts: { readonly sft: Trainer; readonly rl: Trainer }): Trainer {
  return {
    id: `${parts.sft.id}+${parts.rl.id}`,
    sft: (job: SftJob, signal?: AbortSignal) => parts.sft.sft(job, signal),
    rl: (job: RlJob, signal?: AbortSignal) => parts.rl.rl(job, signal),
    planSft: (job: SftJob) => parts.sft.planSft(job),
    planRl: (job: RlJob) => parts.rl.planRl(job),
  };
}

async function executePlan(
  plan: JobPlan,
  outDir: string,
  options: ExternalTrainerOptions,
  onStep: ((m: StepMetrics) => void) | undefined,
  signal: AbortSignal | undefined,
  exportData: () => Promise<void>,
): Promise<Checkpoint> {
  const logger = options.logger ?? silentLogger;
  const planHash = contentHash({ files: plan.files, commands: plan.commands, runner: options.runner.id });
  const donePath = join(outDir, JOB_INPUT_DIR, DONE_FILE);
  const done = await readDone(donePath);
  if (done?.planHash === planHash && existsSync(join(done.checkpoint.path, 'config.json'))) {
    logger.info(`${plan.engine} ${plan.stage}: already trained, reusing ${done.checkpoint.path}`);
    return done.checkpoint;
  }

  for (const e of plan.endpoints.filter((x) => x.method === 'GET')) await checkReachable(e.url, e.name);
  for (const f of plan.files) if (f.contents !== undefined) await writeFileAtomic(f.path, f.contents);
  await exportData();

  const parser = createProgressParser(plan.engine);
  let last: string | undefined;
  for (const command of plan.commands) {
    const argv =
      last === undefined ? command.argv : command.argv.map((a) => a.replace(LAST_STEP_PLACEHOLDER, last ?? ''));
    logger.info(`${plan.engine} ${plan.stage}: ${command.name} on ${options.runner.id}`);
    await options.runner.run(
      { ...command, argv },
      {
        logFile: join(outDir, 'logs', `${command.name}.log`),
        signal,
        onLine: (line) => {
          if (command.name !== 'train') return;
          for (const m of parser.push(line)) onStep?.({ stage: plan.stage, ...m });
        },
      },
    );
    if (command.name !== 'train') continue;
    for (const m of parser.flush()) onStep?.({ stage: plan.stage, ...m });
    // EasyR1 names its last checkpoint by step; resolve it once training is over.
    if (plan.checkpoint.path.includes(LAST_STEP_PLACEHOLDER)) last = await lastGlobalStep(join(outDir, 'checkpoints'));
  }
  const checkpointPath = plan.checkpoint.path.replace(LAST_STEP_PLACEHOLDER, last ?? LAST_STEP_PLACEHOLDER);

  if (!existsSync(join(checkpointPath, 'config.json')))
    throw new BackendError(
      options.runner.id,
      `${plan.engine} ${plan.stage} finished but ${checkpointPath} has no config.json`,
      {
        hint: `read the logs in ${join(outDir, 'logs')}`,
      },
    );
  const checkpoint: Checkpoint = { ...plan.checkpoint, path: checkpointPath };
  for (const e of plan.endpoints.filter((x) => x.method === 'POST'))
    await reloadServing(e.url, checkpoint.path, signal);
  const record: DoneFile = { planHash, checkpoint };
  await writeJsonAtomic(donePath, record);
  return checkpoint;
}

/** `engine-job/done.json`: the plan a finished job ran and the checkpoint it made (a rerun of the same plan reuses it). */
export const DoneFile = z.strictObject({
  planHash: z.string(),
  checkpoint: z.strictObject({ kind: z.enum(['embedded', 'hf']), path: z.string(), name: z.string() }),
});
export type DoneFile = z.infer<typeof DoneFile>;

async function readDone(path: string): Promise<DoneFile | undefined> {
  if (!existsSync(path)) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (cause) {
    throw new DataError(path, 'cannot be read as JSON', { cause, hint: 'delete it to run the job again' });
  }
  const parsed = DoneFile.safeParse(json);
  if (!parsed.success) {
    throw new DataError(path, `is not a finished-job record: ${z.prettifyError(parsed.error)}`, {
      hint: 'delete it to run the job again',
    });
  }
  return parsed.data;
}

/** The highest `global_step_<N>` folder EasyR1 saved. */
export async function lastGlobalStep(checkpointDir: string): Promise<string> {
  const names = existsSync(checkpointDir) ? await readdir(checkpointDir) : [];
  const steps = names
    .map((n) => /^global_step_(\d+)$/.exec(n))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]));
  if (steps.length === 0)
    throw new BackendError(checkpointDir, 'training finished but saved no global_step_<N> checkpoint', {
      hint: 'check trainer.save_checkpoint_path and the training log',
    });
  return `global_step_${Math.max(...steps)}`;
}

async function checkReachable(url: string, name: string): Promise<void> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
  } catch (err) {
    throw new BackendError(url, `${name} is not reachable (${(err as Error).message})`, {
      hint: 'start it first, e.g. `vlthink reward-server --port 8700`, on a host the trainer can reach',
      cause: err,
    });
  }
}
