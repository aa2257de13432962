import { z } from 'zod';

/**
 * GRPO on EasyR1, the engine OpenVLThinker used: a zod config whose defaults are the paper's values, and the pure
 * function that turns it (plus one RL stage's paths) into EasyR1's nested YAML config.
 * Keys follow EasyR1 at commit 46c6c210 (2025: `examples/config.yaml`, `verl/workers/actor/config.py`,
 * `verl/workers/rollout/config.py`, `verl/workers/reward/function.py`); the contract test checks every generated
 * key against `EASYR1_KEYS`.
 */
export const EasyR1Config = z.object({
  command: z
    .array(z.string())
    .min(1)
    .default(['python3', '-m', 'verl.trainer.main'])
    .describe('the command that trains; `config=<yaml>` is appended (EasyR1 entry point)'),
  workdir: z.string().default('.').describe('EasyR1 checkout the commands run in (holds scripts/model_merger.py)'),
  rolloutN: z.number().int().min(2).default(5).describe('samples per prompt, the GRPO group (paper: 5)'),
  temperature: z.number().min(0).default(1.0).describe('rollout temperature (paper: 1.0)'),
  topP: z.number().gt(0).max(1).default(0.99).describe('rollout nucleus cut (paper: 0.99)'),
  valTemperature: z.number().min(0).default(0.5).describe('validation temperature (paper: 0.5)'),
  learningRate: z.number().positive().default(1e-6).describe('actor LR, constant, no warmup (paper: 1e-6)'),
  weightDecay: z.number().min(0).default(0.01).describe('AdamW weight decay (paper: 0.01)'),
  klCoef: z.number().min(0).default(0.01).describe('KL coefficient, fixed (paper: 0.01)'),
  klPenalty: z
    .enum(['kl', 'abs', 'mse', 'low_var_kl', 'full'])
    .default('low_var_kl')
    .describe('KL estimator in the loss (paper: low_var_kl, the k3 estimator)'),
  clipRatioLow: z.number().positive().default(0.2).describe('PPO clip below 1 (paper: 0.2)'),
  clipRatioHigh: z.number().positive().default(0.3).describe('PPO clip above 1, DAPO clip-higher (paper: 0.3)'),
  clipRatioDual: z.number().min(1).default(3.0).describe('dual-clip constant C for negative advantages (paper: 3.0)'),
  ppoEpochs: z.number().int().min(1).default(1).describe('passes over each rollout batch (paper: 1)'),
  maxGradNorm: z.number().positive().default(1.0).describe('gradient-norm clip (paper: 1.0)'),
  rolloutBatchSize: z.number().int().min(1).default(512).describe('prompts per rollout batch (paper: 512)'),
  globalBatchSize: z
    .number()
    .int()
    .min(1)
    .default(128)
    .describe('prompts per actor update; 512/128 = 4 updates per rollout batch (paper)'),
  maxPromptLength: z.number().int().min(16).default(6144).describe('prompt tokens, images included (paper: 6144)'),
  maxResponseLength: z.number().int().min(16).default(2048).describe('response tokens (paper: 2048)'),
  minPixels: z.number().int().min(1).default(262_144).describe('image pixel floor (paper: 262,144 = max)'),
  maxPixels: z.number().int().min(1).default(262_144).describe('image pixel cap (paper: 262,144)'),
  valFreq: z.number().int().default(5).describe('validate every N steps (paper: 5); -1 disables'),
  nGpusPerNode: z.number().int().min(1).default(8).describe('GPUs per node (paper: 8xH100)'),
  nnodes: z.number().int().min(1).default(1).describe('nodes in the Ray cluster'),
  tensorParallelSize: z.number().int().min(1).default(2).describe('vLLM rollout tensor parallelism (EasyR1 default)'),
  gpuMemoryUtilization: z.number().gt(0).max(1).default(0.6).describe('vLLM rollout memory share (EasyR1 default)'),
  formatPrompt: z
    .string()
    .default(
      '{{ content | trim }} You first think about the reasoning process as an internal monologue and then provide the final answer. The reasoning process MUST BE enclosed within <think> </think> tags, and the final answer MUST BE enclosed within <answer> </answer> tags.',
    )
    .describe(
      'jinja template wrapped around each problem (`content`); paper: think as an internal monologue, then answer',
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

export function easyR1TrainConfig(cfg: EasyR1Config, p: EasyR1Paths): Record<string, unknown> {
  return {
    data: {
      train_files: p.trainFile,
      val_files: p.valFile,
      prompt_key: 'problem',
      answer_key: 'answer',
      image_key: 'images',
      image_dir: p.imageDir,
      max_prompt_length: cfg.maxPromptLength,
      max_response_length: cfg.maxResponseLength,
      rollout_batch_size: cfg.rolloutBatchSize,
      format_prompt: p.formatPromptFile,
      shuffle: true,
      seed: 1,
      min_pixels: cfg.minPixels,
      max_pixels: cfg.maxPixels,
      filter_overlong_prompts: true,
    },
    algorithm: {
      adv_estimator: 'grpo',
      disable_kl: false,
      use_kl_loss: true,
      kl_penalty: cfg.klPenalty,
      kl_coef: cfg.klCoef,
    },
    worker: {
      actor: {
        global_batch_size: cfg.globalBatchSize,
        max_grad_norm: cfg.maxGradNorm,
        clip_ratio_low: cfg.clipRatioLow,
        clip_ratio_high: cfg.clipRatioHigh,
        clip_ratio_dual: cfg.clipRatioDual,
        loss_avg_mode: 'token',
        ppo_epochs: cfg.ppoEpochs,
        padding_free: true,
        model: { model_path: p.modelPath, enable_gradient_checkpointing: true, freeze_vision_tower: p.freezeVision },
        optim: { lr: cfg.learningRate, weight_decay: cfg.weightDecay, strategy: 'adamw', lr_warmup_ratio: 0.0 },
      },
      rollout: {
        n: cfg.rolloutN,
        temperature: cfg.temperature,
        top_p: cfg.topP,
        gpu_memory_utilization: cfg.gpuMemoryUtilization,
        tensor_parallel_size: cfg.tensorParallelSize,
        val_override_config: { temperature: cfg.valTemperature, n: 1 },
      },
      reward: {
        reward_type: 'batch',
        reward_function: p.rewardFunction,
        reward_function_kwargs: { url: p.rewardUrl, reward: p.rewardName },
      },
    },
    trainer: {
      total_epochs: p.episodes,
      project_name: cfg.projectName,
      experiment_name: p.experimentName,
      logger: ['console'],
      nnodes: cfg.nnodes,
      n_gpus_per_node: cfg.nGpusPerNode,
      val_freq: cfg.valFreq,
      val_before_train: true,
      save_freq: -1,
      save_checkpoint_path: p.checkpointDir,
    },
  };
}
