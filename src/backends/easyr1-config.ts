import { z } from 'zod';
import { ConfigError } from '../core/index.ts';
import { THINK_INSTRUCTION } from '../data/problem-text.ts';
import type { GrpoConfig } from '../train/config.ts';

/**
 * GRPO on EasyR1, the engine OpenVLThinker used. The algorithm's settings are vlthink's one GRPO config (train/
 * `GrpoConfig`, the run's `rl.*`); `EasyR1Config` holds only what is EasyR1's own (command, cluster, vLLM, image
 * pixels, prompt template). `easyR1TrainConfig` maps both, plus one RL stage's paths, onto EasyR1's nested YAML; a GRPO
 * setting EasyR1 cannot express is refused by `checkEasyR1Grpo` with the field named, never dropped.
 * The YAML is written for one EasyR1 revision (`dialect`), since its config keys changed over time; the tests load
 * it with each revision's own config dataclasses, as EasyR1's `main()` does:
 * - `main`: hiyouga/EasyR1 main (b44b311, 2026-07): no `worker.reward.reward_type` (the reward module's `REWARD_TYPE`
 *   says batch or sequential), `optim.lr_scheduler_type`;
 * - `v0.3.2`: the tag: `worker.reward.reward_type: batch`, `optim.warmup_style`;
 * - `openvlthinker`: the paper's fork (yihedeng9/OpenVLThinker 6997b47, `train/easyr1`): a per-sample reward
 *   (`reward_type: function`, `compute_score(predict_str, ground_truth)`), `trainer.total_episodes`, no `image_dir` and
 *   no online filtering.
 */
export const EASYR1_DIALECTS = ['main', 'v0.3.2', 'openvlthinker'] as const;
export type EasyR1Dialect = (typeof EASYR1_DIALECTS)[number];

export const EasyR1Config = z.object({
  dialect: z
    .enum(EASYR1_DIALECTS)
    .default('main')
    .describe(
      "EasyR1 revision the config is written for: 'main' (hiyouga/EasyR1 b44b311 and later), 'v0.3.2', or 'openvlthinker' (the paper's fork)",
    ),
  command: z
    .array(z.string())
    .min(1)
    .default(['python3', '-m', 'verl.trainer.main'])
    .describe('the command that trains; `config=<yaml>` is appended (EasyR1 entry point)'),
  workdir: z.string().default('.').describe('EasyR1 checkout the commands run in (holds scripts/model_merger.py)'),
  maxPromptLength: z.number().int().min(16).default(6144).describe('prompt tokens, images included (paper: 6144)'),
  minPixels: z.number().int().min(1).default(262_144).describe('image pixel floor (paper: 262,144 = max)'),
  maxPixels: z.number().int().min(1).default(262_144).describe('image pixel cap (paper: 262,144)'),
  nGpusPerNode: z.number().int().min(1).default(8).describe('GPUs per node (paper: 8xH100)'),
  nnodes: z.number().int().min(1).default(1).describe('nodes in the Ray cluster'),
  tensorParallelSize: z.number().int().min(1).default(2).describe('vLLM rollout tensor parallelism (EasyR1 default)'),
  gpuMemoryUtilization: z.number().gt(0).max(1).default(0.6).describe('vLLM rollout memory share (EasyR1 default)'),
  microBatchUpdate: z
    .number()
    .int()
    .min(1)
    .default(2)
    .describe('actor.micro_batch_size_per_device_for_update (the paper config: 2)'),
  microBatchExperience: z
    .number()
    .int()
    .min(1)
    .default(4)
    .describe('actor.micro_batch_size_per_device_for_experience (the paper config: 4)'),
  offload: z
    .boolean()
    .default(true)
    .describe('offload the actor parameters and optimizer state to CPU memory (the paper config: both)'),
  formatPrompt: z
    .string()
    .default(`{{ content | trim }} ${THINK_INSTRUCTION}`)
    .describe(
      "jinja template wrapped around each problem (`content`); vlthink's own instruction, the one the embedded policy reads",
    ),
  formatPromptFile: z
    .string()
    .nullable()
    .default(null)
    .describe(
      "a jinja file used instead of formatPrompt, e.g. the paper's train/easyr1/examples/format_prompt/math_format.jinja for exact reproduction",
    ),
  projectName: z.string().default('vlthink').describe('EasyR1 trainer.project_name'),
});
export type EasyR1Config = z.infer<typeof EasyR1Config>;

export interface EasyR1Paths {
  readonly trainFile: string;
  readonly valFile: string;
  /** Folder the parquet's image paths are relative to; null when the images are embedded as bytes. */
  readonly imageDir: string | null;
  readonly modelPath: string;
  readonly formatPromptFile: string;
  /** `<file>.py:compute_score`. */
  readonly rewardFunction: string;
  readonly rewardUrl: string;
  readonly rewardName: string;
  readonly checkpointDir: string;
  readonly experimentName: string;
  readonly episodes: number;
  readonly freezeVision: boolean;
}

/** Throws a ConfigError naming the first GRPO setting EasyR1 has no way to express (with the value it always uses). */
export function checkEasyR1Grpo(grpo: GrpoConfig, dialect: EasyR1Dialect = 'main'): void {
  const refuse = (field: keyof GrpoConfig, why: string, hint: string): never => {
    throw new ConfigError(`rl.${field}`, `EasyR1 cannot run this: ${why}`, { value: grpo[field], hint });
  };
  if (grpo.advantage !== 'grpo') refuse('advantage', "it has no 'drgrpo' estimator", "use advantage 'grpo'");
  if (grpo.advantageEps !== 1e-6) refuse('advantageEps', 'its GRPO advantage adds a fixed 1e-6', 'use 1e-6');
  if (grpo.adamEps !== 1e-8) refuse('adamEps', "its AdamW keeps PyTorch's eps 1e-8", 'use 1e-8');
  if (grpo.lossAgg === 'seq-mean-token-sum') {
    refuse('lossAgg', "its loss_avg_mode is 'token' or 'seq' only", "use 'token-mean' or 'seq-mean-token-mean'");
  }
  if (grpo.overlongBuffer > 0) {
    refuse('overlongBuffer', 'the DAPO overlong penalty is not part of the reward it calls', 'use 0');
  }
  if (dialect === 'openvlthinker' && grpo.lossAgg !== 'token-mean') {
    refuse('lossAgg', 'the OpenVLThinker fork averages the loss over tokens only', "use 'token-mean'");
  }
  if (dialect === 'openvlthinker' && grpo.dynamicSampling) {
    refuse(
      'dynamicSampling',
      'the OpenVLThinker fork has no online filtering',
      "use false, or backend.easyR1.dialect 'main'",
    );
  }
}

const LOSS_AVG_MODE = { 'token-mean': 'token', 'seq-mean-token-mean': 'seq', 'seq-mean-token-sum': null } as const;

export function easyR1TrainConfig(cfg: EasyR1Config, grpo: GrpoConfig, p: EasyR1Paths): Record<string, unknown> {
  checkEasyR1Grpo(grpo, cfg.dialect);
  const fork = cfg.dialect === 'openvlthinker';
  const kl = grpo.kl !== 'off' && grpo.klCoef > 0;
  const schedule =
    grpo.schedule === 'constant'
      ? {}
      : cfg.dialect === 'main'
        ? { lr_scheduler_type: grpo.schedule }
        : { warmup_style: grpo.schedule };
  const rewardType = cfg.dialect === 'v0.3.2' ? { reward_type: 'batch' } : fork ? { reward_type: 'function' } : {};
  return {
    data: {
      train_files: p.trainFile,
      val_files: p.valFile,
      prompt_key: 'problem',
      answer_key: 'answer',
      image_key: 'images',
      ...(fork ? {} : { image_dir: p.imageDir }),
      max_prompt_length: cfg.maxPromptLength,
      max_response_length: grpo.maxResponseTokens,
      rollout_batch_size: grpo.rolloutBatchSize,
      format_prompt: p.formatPromptFile,
      shuffle: true,
      seed: grpo.seed,
      min_pixels: cfg.minPixels,
      max_pixels: cfg.maxPixels,
      filter_overlong_prompts: true,
    },
    algorithm: {
      adv_estimator: 'grpo',
      disable_kl: !kl,
      use_kl_loss: kl,
      ...(kl ? { kl_penalty: grpo.kl === 'k1' ? 'kl' : 'low_var_kl', kl_coef: grpo.klCoef } : {}),
      // EasyR1 drops groups whose mean reward is outside (0.01, 0.99): for rewards in [0, 1], the groups all right or
      // all wrong, as DAPO's dynamic sampling does.
      ...(fork ? {} : { online_filtering: grpo.dynamicSampling }),
    },
    worker: {
      actor: {
        global_batch_size: grpo.miniBatchSize,
        max_grad_norm: grpo.maxGradNorm,
        clip_ratio_low: grpo.clipLow,
        clip_ratio_high: grpo.clipHigh,
        clip_ratio_dual: grpo.dualClip,
        ...(fork ? {} : { loss_avg_mode: LOSS_AVG_MODE[grpo.lossAgg] }),
        micro_batch_size_per_device_for_update: cfg.microBatchUpdate,
        micro_batch_size_per_device_for_experience: cfg.microBatchExperience,
        ppo_epochs: grpo.ppoEpochs,
        padding_free: true,
        model: { model_path: p.modelPath, enable_gradient_checkpointing: true, freeze_vision_tower: p.freezeVision },
        optim: {
          lr: grpo.lr,
          betas: [grpo.beta1, grpo.beta2],
          weight_decay: grpo.weightDecay,
          strategy: 'adamw',
          lr_warmup_ratio: grpo.warmupRatio,
          // EasyR1's default schedule is constant; the key was renamed after v0.3.2 (warmup_style -> lr_scheduler_type).
          ...schedule,
        },
        offload: { offload_params: cfg.offload, offload_optimizer: cfg.offload },
      },
      rollout: {
        n: grpo.groupSize,
        temperature: grpo.temperature,
        top_p: grpo.topP,
        gpu_memory_utilization: cfg.gpuMemoryUtilization,
        tensor_parallel_size: cfg.tensorParallelSize,
        val_override_config: { temperature: grpo.valTemperature, n: 1 },
      },
      reward: {
        ...rewardType,
        reward_function: p.rewardFunction,
        reward_function_kwargs: { url: p.rewardUrl, reward: p.rewardName },
      },
    },
    trainer: {
      ...(fork ? { total_episodes: p.episodes } : { total_epochs: p.episodes }),
      ...(grpo.maxSteps === null ? {} : { max_steps: grpo.maxSteps }),
      project_name: cfg.projectName,
      experiment_name: p.experimentName,
      logger: ['console'],
      nnodes: cfg.nnodes,
      n_gpus_per_node: cfg.nGpusPerNode,
      val_freq: grpo.valEvery > 0 ? grpo.valEvery : -1,
      val_before_train: grpo.valEvery > 0,
      save_freq: grpo.checkpointEvery > 0 ? grpo.checkpointEvery : -1,
      save_checkpoint_path: p.checkpointDir,
    },
  };
}
