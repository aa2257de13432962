import { join } from 'node:path';
import { z } from 'zod';
import type { GrpoConfig, SftConfig } from '../train/config.ts';
import { type EasyR1Config, easyR1TrainConfig } from './easyr1-config.ts';
import { easyR1RewardShim } from './easyr1-reward-shim.ts';
import { engineYaml } from './engine-yaml.ts';
import {
  deepspeedConfig,
  type LlamaFactoryConfig,
  llamaFactoryEnv,
  llamaFactoryTrainArgs,
} from './llamafactory-config.ts';
import { ManagedServingConfig } from './managed-server.ts';
import type { Checkpoint, RlJob, SftJob, TrainingPlan } from './types.ts';

/**
 * What an external training job will do, as data: the files it writes (with their exact contents where vlthink
 * generates them), the commands it runs, and the HTTP endpoints it calls. Building a plan touches nothing, so
 * `vlthink run --preset paper --dry-run` prints plans, and the trainers execute the same plans.
 */
export interface PlannedFile {
  readonly path: string;
  readonly description: string;
  /** Generated text; absent for data exports, which the trainer writes from the job's records. */
  readonly contents?: string;
}

export interface PlannedCommand {
  readonly name: 'train' | 'merge' | 'restart-server' | 'serve';
  readonly argv: readonly string[];
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
}

export interface PlannedEndpoint {
  readonly name: string;
  readonly method: 'GET' | 'POST';
  readonly url: string;
  readonly body?: unknown;
}

export interface JobPlan {
  readonly engine: 'llamafactory' | 'easyr1';
  readonly stage: string;
  readonly files: readonly PlannedFile[];
  readonly commands: readonly PlannedCommand[];
  /** Calls made before (health checks) and after (reload) the commands, in order. */
  readonly endpoints: readonly PlannedEndpoint[];
  readonly checkpoint: Checkpoint;
}

/**
 * How the serving endpoint gets a new checkpoint: `vllm` (vlthink starts and stops a server per generating stage,
 * managed-server.ts), or, for a server running all along, an SGLang reload or a restart command after training.
 */
export const ServingReload = z
  .discriminatedUnion('kind', [
    z.object({
      kind: z.literal('sglang'),
      url: z.url().describe('SGLang server root; vlthink POSTs /update_weights_from_disk {model_path}'),
    }),
    z.object({
      kind: z.literal('restart'),
      command: z
        .array(z.string())
        .min(1)
        .describe('a command that restarts the server; `{checkpoint}` in an argument is replaced by the path'),
    }),
    ManagedServingConfig,
    z.object({ kind: z.literal('none') }),
  ])
  .describe(
    'how the policy server gets each new checkpoint: vlthink runs `vllm serve` per stage (vllm), SGLang reload, a restart command, or nothing (a server you manage)',
  );
export type ServingReload = z.infer<typeof ServingReload>;

/** Sub-folder of the job's outDir where the engine's inputs (data, configs) are written. */
export const JOB_INPUT_DIR = 'engine-job';

export function planLlamaFactorySft(
  cfg: LlamaFactoryConfig,
  sft: SftConfig,
  job: SftJob,
  serving: ServingReload,
): JobPlan {
  const jobDir = join(job.outDir, JOB_INPUT_DIR);
  const datasetDir = join(jobDir, 'data');
  const datasetName = 'vlthink_sft';
  const outputDir = join(job.outDir, 'model');
  const yamlPath = join(jobDir, 'train.yaml');
  const dsPath = join(jobDir, `ds_z${cfg.zeroStage}.json`);
  const modelPath = job.base.kind === 'hf' ? job.base.path : undefined;
  const args = llamaFactoryTrainArgs(cfg, sft, {
    datasetDir,
    datasetName,
    outputDir,
    deepspeedFile: dsPath,
    modelPath,
  });
  const checkpoint: Checkpoint = { kind: 'hf', path: outputDir, name: `${job.base.name}-sft` };
  return {
    engine: 'llamafactory',
    stage: 'sft',
    files: [
      { path: join(datasetDir, `${datasetName}.json`), description: `sharegpt messages exported from ${job.dataFile}` },
      { path: join(datasetDir, 'dataset_info.json'), description: `LLaMA-Factory dataset entry '${datasetName}'` },
      { path: join(datasetDir, 'images'), description: `images copied from ${job.imageRoot}` },
      { path: dsPath, description: `DeepSpeed ZeRO-${cfg.zeroStage}`, contents: json(deepspeedConfig(cfg.zeroStage)) },
      { path: yamlPath, description: 'LLaMA-Factory training config', contents: engineYaml(args) },
    ],
    commands: [
      { name: 'train', argv: [...cfg.command, yamlPath], cwd: jobDir, env: llamaFactoryEnv(cfg) },
      ...restartCommands(serving, checkpoint, jobDir),
    ],
    endpoints: reloadEndpoints(serving, checkpoint),
    checkpoint,
  };
}

export interface EasyR1PlanOptions {
  readonly serving: ServingReload;
  /** Reward server root the shim calls, as reachable from the training nodes. */
  readonly rewardUrl: string;
}

export function planEasyR1Rl(cfg: EasyR1Config, grpo: GrpoConfig, job: RlJob, opts: EasyR1PlanOptions): JobPlan {
  const jobDir = join(job.outDir, JOB_INPUT_DIR);
  const dataDir = join(jobDir, 'data');
  const trainFile = join(dataDir, 'train.parquet');
  const valFile = join(dataDir, 'val.parquet');
  const shimPath = join(jobDir, 'vlthink_reward.py');
  const promptPath = join(jobDir, 'format_prompt.jinja');
  const yamlPath = join(jobDir, 'config.yaml');
  const checkpointDir = join(job.outDir, 'checkpoints');
  if (job.init.kind !== 'hf')
    throw new TypeError(`EasyR1 trains Hugging Face checkpoints; '${job.init.path}' is ${job.init.kind}`);
  const config = easyR1TrainConfig(cfg, grpo, {
    trainFile,
    valFile,
    imageDir: null,
    modelPath: job.init.path,
    formatPromptFile: promptPath,
    rewardFunction: `${shimPath}:compute_score`,
    rewardUrl: opts.rewardUrl,
    rewardName: job.reward.name,
    checkpointDir,
    experimentName: `${job.stage}`,
    episodes: job.episodes,
    freezeVision: job.freezeVision,
  });
  // EasyR1 saves the last step as global_step_<N>/actor; the trainer resolves <N> after training.
  const actorDir = join(checkpointDir, LAST_STEP_PLACEHOLDER, 'actor');
  const checkpoint: Checkpoint = {
    kind: 'hf',
    path: join(actorDir, 'huggingface'),
    name: `${job.init.name}-${job.stage}`,
  };
  return {
    engine: 'easyr1',
    stage: job.stage,
    files: [
      {
        path: trainFile,
        description: `EasyR1 parquet (problem with <image>, answer, images embedded as bytes) from ${job.problemsFile}`,
      },
      { path: valFile, description: `the first ${grpo.valLimit} of those problems, for validation (rl.valLimit)` },
      {
        path: promptPath,
        description: 'format prompt (jinja, `content` = the problem)',
        contents: `${cfg.formatPrompt}\n`,
      },
      {
        path: shimPath,
        description: 'reward shim forwarding batches to the vlthink reward server',
        contents: easyR1RewardShim({
          url: opts.rewardUrl,
          reward: job.reward.name,
          weights: job.reward.weights,
          perSample: cfg.dialect === 'openvlthinker',
        }),
      },
      { path: yamlPath, description: 'EasyR1 config', contents: engineYaml(config) },
    ],
    commands: [
      { name: 'train', argv: [...cfg.command, `config=${yamlPath}`], cwd: cfg.workdir, env: {} },
      {
        name: 'merge',
        argv: ['python3', 'scripts/model_merger.py', '--local_dir', actorDir],
        cwd: cfg.workdir,
        env: {},
      },
      ...restartCommands(opts.serving, checkpoint, jobDir),
    ],
    endpoints: [
      { name: 'reward server health', method: 'GET', url: `${opts.rewardUrl.replace(/\/+$/, '')}/health` },
      ...reloadEndpoints(opts.serving, checkpoint),
    ],
    checkpoint,
  };
}

/** Stands for the last `global_step_<N>` folder until training has run. */
export const LAST_STEP_PLACEHOLDER = 'global_step_<last>';

function reloadEndpoints(serving: ServingReload, checkpoint: Checkpoint): PlannedEndpoint[] {
  if (serving.kind !== 'sglang') return [];
  return [
    {
      name: 'SGLang reload',
      method: 'POST',
      url: `${serving.url.replace(/\/+$/, '')}/update_weights_from_disk`,
      body: { model_path: checkpoint.path },
    },
  ];
}

function restartCommands(serving: ServingReload, checkpoint: Checkpoint, cwd: string): PlannedCommand[] {
  if (serving.kind !== 'restart') return [];
  const argv = serving.command.map((a) => a.replaceAll('{checkpoint}', checkpoint.path));
  return [{ name: 'restart-server', argv, cwd, env: {} }];
}

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** A plan as a Trainer reports it: its checkpoint, and one line per file, command and endpoint (for `--dry-run`). */
export function summarizePlan(plan: JobPlan): TrainingPlan {
  const lines = [`${plan.engine} job (${plan.stage}):`];
  for (const f of plan.files) lines.push(`  file ${f.path}: ${f.description}`);
  for (const c of plan.commands) {
    const env = Object.entries(c.env).map(([k, v]) => `${k}=${shellQuote(v)} `);
    lines.push(`  run [${c.name}] (cd ${shellQuote(c.cwd)}) ${env.join('')}${c.argv.map(shellQuote).join(' ')}`);
  }
  for (const e of plan.endpoints)
    lines.push(`  ${e.method} ${e.url}${e.body === undefined ? '' : ` ${JSON.stringify(e.body)}`}  (${e.name})`);
  lines.push(`  checkpoint ${plan.checkpoint.path}`);
  const files = plan.files.flatMap((f) => (f.contents === undefined ? [] : [{ path: f.path, contents: f.contents }]));
  return { checkpoint: plan.checkpoint, lines, files };
}

export function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}
