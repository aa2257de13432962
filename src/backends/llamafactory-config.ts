import { z } from 'zod';
import { ConfigError } from '../core/index.ts';
import type { SftConfig } from '../train/config.ts';

/**
 * SFT on LLaMA-Factory, the engine OpenVLThinker used. The training settings are vlthink's one SFT config (train/
 * `SftConfig`, the run's `sft.*`); `LlamaFactoryConfig` holds only what is LLaMA-Factory's own (command, model,
 * template, devices, DeepSpeed). The pure functions here map both onto LLaMA-Factory's training YAML and a DeepSpeed
 * JSON; an SFT setting LLaMA-Factory cannot express is refused with the field named, never dropped.
 * Keys follow LLaMA-Factory v0.9.3 (`examples/train_full/qwen2_5vl_full_sft.yaml`, hparams/*_args.py); the contract
 * test checks every generated key against `LLAMAFACTORY_KEYS`.
 */
export const LlamaFactoryConfig = z.object({
  command: z
    .array(z.string())
    .min(1)
    .default(['llamafactory-cli', 'train'])
    .describe('the command that trains, the YAML path appended (LLaMA-Factory CLI)'),
  model: z
    .string()
    .default('Qwen/Qwen2.5-VL-7B-Instruct')
    .describe('base model (OpenVLThinker: Qwen2.5-VL-7B-Instruct); every round restarts from it'),
  template: z.string().default('qwen2_vl').describe('LLaMA-Factory chat template (qwen2_vl for Qwen2.5-VL)'),
  perDeviceBatchSize: z
    .number()
    .int()
    .min(1)
    .default(2)
    .describe('samples per GPU per step (code: 2); gradient accumulation makes up sft.batchSize'),
  imageMaxPixels: z.number().int().min(1).default(262_144).describe('image pixel cap, pixels (paper: 262,144 = 512^2)'),
  bf16: z.boolean().default(true).describe('train in bfloat16 (paper: bf16)'),
  zeroStage: z
    .union([z.literal(2), z.literal(3)])
    .default(3)
    .describe('DeepSpeed ZeRO stage (paper: ZeRO-3)'),
  freezeProjector: z.boolean().default(true).describe('freeze the multimodal projector (paper: frozen)'),
  loggingSteps: z.number().int().min(1).default(1).describe('log every N optimizer steps (vlthink parses the log)'),
  preprocessingWorkers: z.number().int().min(1).default(16).describe('dataset preprocessing processes'),
  nprocPerNode: z
    .number()
    .int()
    .min(1)
    .default(4)
    .describe('GPUs per node (paper: global batch 32 = 2 per device x 4 accumulation x 4 GPUs)'),
  nnodes: z.number().int().min(1).default(1).describe('nodes; > 1 needs MASTER_ADDR in `env`'),
  env: z
    .record(z.string(), z.string())
    .default({})
    .describe('extra environment for the training command (e.g. MASTER_ADDR, NCCL_*)'),
});
export type LlamaFactoryConfig = z.infer<typeof LlamaFactoryConfig>;

export interface LlamaFactoryPaths {
  /** Folder holding dataset_info.json, the data file and images (LLaMA-Factory's dataset_dir and media_dir). */
  readonly datasetDir: string;
  readonly datasetName: string;
  readonly outputDir: string;
  readonly deepspeedFile: string;
  /** Overrides `cfg.model` (a local copy of the base model). */
  readonly modelPath?: string;
}

/** Optimizer steps accumulate `sft.batchSize / (per-device batch x GPUs)` micro-batches; it must divide evenly. */
export function gradientAccumulation(cfg: LlamaFactoryConfig, sft: SftConfig): number {
  const perStep = cfg.perDeviceBatchSize * cfg.nprocPerNode * cfg.nnodes;
  const steps = sft.batchSize / perStep;
  if (!Number.isInteger(steps) || steps < 1) {
    throw new ConfigError(
      'sft.batchSize',
      `${sft.batchSize} is not a multiple of ${perStep} sequences per micro-step`,
      {
        value: sft.batchSize,
        hint: `per device ${cfg.perDeviceBatchSize} x ${cfg.nprocPerNode} GPUs x ${cfg.nnodes} nodes: pick a multiple, or change backend.llamaFactory.perDeviceBatchSize / nprocPerNode`,
      },
    );
  }
  return steps;
}

/** The training YAML, as an ordered object (the `stringify` of `yaml` keeps the order). */
export function llamaFactoryTrainArgs(
  cfg: LlamaFactoryConfig,
  sft: SftConfig,
  paths: LlamaFactoryPaths,
): Record<string, unknown> {
  if (sft.evalEvery > 0) {
    throw new ConfigError('sft.evalEvery', 'LLaMA-Factory has no held-out generation accuracy during training', {
      value: sft.evalEvery,
      hint: 'use 0 (the pipeline evaluates every checkpoint after training)',
    });
  }
  return {
    model_name_or_path: paths.modelPath ?? cfg.model,
    image_max_pixels: cfg.imageMaxPixels,
    trust_remote_code: true,
    stage: 'sft',
    do_train: true,
    finetuning_type: 'full',
    freeze_vision_tower: sft.freezeVision,
    freeze_multi_modal_projector: cfg.freezeProjector,
    freeze_language_model: false,
    deepspeed: paths.deepspeedFile,
    dataset: paths.datasetName,
    dataset_dir: paths.datasetDir,
    media_dir: paths.datasetDir,
    template: cfg.template,
    cutoff_len: sft.cutoffLen,
    overwrite_cache: true,
    preprocessing_num_workers: cfg.preprocessingWorkers,
    output_dir: paths.outputDir,
    logging_steps: cfg.loggingSteps,
    save_strategy: 'no',
    plot_loss: true,
    overwrite_output_dir: true,
    save_only_model: true,
    report_to: 'none',
    per_device_train_batch_size: cfg.perDeviceBatchSize,
    gradient_accumulation_steps: gradientAccumulation(cfg, sft),
    learning_rate: sft.lr,
    num_train_epochs: sft.epochs,
    ...(sft.maxSteps === null ? {} : { max_steps: sft.maxSteps }),
    lr_scheduler_type: sft.schedule,
    warmup_ratio: sft.warmupRatio,
    weight_decay: sft.weightDecay,
    adam_beta1: sft.beta1,
    adam_beta2: sft.beta2,
    adam_epsilon: sft.adamEps,
    max_grad_norm: sft.maxGradNorm,
    seed: sft.seed,
    bf16: cfg.bf16,
    ddp_timeout: 180_000_000,
  };
}

/** DeepSpeed config; "auto" values are filled from the HF Trainer arguments by the transformers integration. */
export function deepspeedConfig(stage: 2 | 3): Record<string, unknown> {
  const zero: Record<string, unknown> =
    stage === 3
      ? {
          stage: 3,
          overlap_comm: false,
          contiguous_gradients: true,
          sub_group_size: 1e9,
          reduce_bucket_size: 'auto',
          stage3_prefetch_bucket_size: 'auto',
          stage3_param_persistence_threshold: 'auto',
          stage3_max_live_parameters: 1e9,
          stage3_max_reuse_distance: 1e9,
          stage3_gather_16bit_weights_on_model_save: true,
        }
      : { stage: 2, allgather_partitions: true, overlap_comm: false, reduce_scatter: true, contiguous_gradients: true };
  return {
    train_batch_size: 'auto',
    train_micro_batch_size_per_gpu: 'auto',
    gradient_accumulation_steps: 'auto',
    gradient_clipping: 'auto',
    zero_allow_untested_optimizer: true,
    bf16: { enabled: 'auto' },
    fp16: { enabled: 'auto', loss_scale: 0, loss_scale_window: 1000, initial_scale_power: 16, hysteresis: 2 },
    zero_optimization: zero,
  };
}

/** Environment LLaMA-Factory's CLI reads to launch torchrun over several GPUs / nodes. */
export function llamaFactoryEnv(cfg: LlamaFactoryConfig): Record<string, string> {
  return {
    FORCE_TORCHRUN: '1',
    NPROC_PER_NODE: String(cfg.nprocPerNode),
    NNODES: String(cfg.nnodes),
    ...cfg.env,
  };
}
