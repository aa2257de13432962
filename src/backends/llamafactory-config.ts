import { z } from 'zod';

/**
 * SFT on LLaMA-Factory, the engine OpenVLThinker used: a zod config whose defaults are the paper's values, and the
 * pure functions that turn it into LLaMA-Factory's training YAML and a DeepSpeed ZeRO-3 JSON.
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
  learningRate: z
    .number()
    .positive()
    .default(5e-6)
    .describe(
      'peak learning rate; 5e-6 in the OpenVLThinker code, 5e-7 in the paper table — set 5e-7 to follow the paper',
    ),
  lrSchedulerType: z.enum(['cosine', 'linear', 'constant']).default('cosine').describe('LR schedule (paper: cosine)'),
  warmupRatio: z
    .number()
    .min(0)
    .max(1)
    .default(0.15)
    .describe('fraction of steps warming up; 0.15 in the code, 0.1 in the paper'),
  epochs: z.number().positive().default(1).describe('passes over the SFT set (paper: 1)'),
  perDeviceBatchSize: z.number().int().min(1).default(2).describe('samples per GPU per step (code: 2)'),
  gradientAccumulationSteps: z.number().int().min(1).default(4).describe('steps accumulated per update (code: 4)'),
  cutoffLen: z.number().int().min(16).default(2048).describe('max tokens per example, prompt + response (paper: 2048)'),
  imageMaxPixels: z.number().int().min(1).default(262_144).describe('image pixel cap, pixels (paper: 262,144 = 512^2)'),
  bf16: z.boolean().default(true).describe('train in bfloat16 (paper: bf16)'),
  zeroStage: z
    .union([z.literal(2), z.literal(3)])
    .default(3)
    .describe('DeepSpeed ZeRO stage (paper: ZeRO-3)'),
  freezeVisionTower: z.boolean().default(true).describe('freeze the vision encoder (paper: frozen)'),
  freezeProjector: z.boolean().default(true).describe('freeze the multimodal projector (paper: frozen)'),
  loggingSteps: z.number().int().min(1).default(1).describe('log every N optimizer steps (vlthink parses the log)'),
  preprocessingWorkers: z.number().int().min(1).default(16).describe('dataset preprocessing processes'),
  nprocPerNode: z.number().int().min(1).default(8).describe('GPUs per node (paper: 8xH100)'),
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

/** The training YAML, as an ordered object (the `stringify` of `yaml` keeps the order). */
export function llamaFactoryTrainArgs(cfg: LlamaFactoryConfig, paths: LlamaFactoryPaths): Record<string, unknown> {
  return {
    model_name_or_path: paths.modelPath ?? cfg.model,
    image_max_pixels: cfg.imageMaxPixels,
    trust_remote_code: true,
    stage: 'sft',
    do_train: true,
    finetuning_type: 'full',
    freeze_vision_tower: cfg.freezeVisionTower,
    freeze_multi_modal_projector: cfg.freezeProjector,
    freeze_language_model: false,
    deepspeed: paths.deepspeedFile,
    dataset: paths.datasetName,
    dataset_dir: paths.datasetDir,
    media_dir: paths.datasetDir,
    template: cfg.template,
    cutoff_len: cfg.cutoffLen,
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
    gradient_accumulation_steps: cfg.gradientAccumulationSteps,
    learning_rate: cfg.learningRate,
    num_train_epochs: cfg.epochs,
    lr_scheduler_type: cfg.lrSchedulerType,
    warmup_ratio: cfg.warmupRatio,
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
