/**
 * The configuration keys the external engines document, as fixtures for the contract tests: every key vlthink
 * writes into an engine config must appear here, and each list cites where it was read.
 */

/**
 * LLaMA-Factory v0.9.3: `examples/train_full/qwen2_5vl_full_sft.yaml`; `src/llamafactory/hparams/`
 * (model_args.py: model_name_or_path, image_max_pixels, trust_remote_code; finetuning_args.py: stage,
 * finetuning_type, freeze_vision_tower, freeze_multi_modal_projector, freeze_language_model; data_args.py: dataset,
 * dataset_dir, media_dir, template, cutoff_len, overwrite_cache, preprocessing_num_workers) plus the Hugging Face
 * `TrainingArguments` it extends (output_dir, logging_steps, save_strategy, ..., deepspeed, ddp_timeout).
 */
export const LLAMAFACTORY_KEYS: ReadonlySet<string> = new Set([
  'model_name_or_path',
  'image_max_pixels',
  'video_max_pixels',
  'trust_remote_code',
  'stage',
  'do_train',
  'finetuning_type',
  'freeze_vision_tower',
  'freeze_multi_modal_projector',
  'freeze_language_model',
  'deepspeed',
  'dataset',
  'dataset_dir',
  'media_dir',
  'template',
  'cutoff_len',
  'max_samples',
  'overwrite_cache',
  'preprocessing_num_workers',
  'dataloader_num_workers',
  'output_dir',
  'logging_steps',
  'save_steps',
  'save_strategy',
  'plot_loss',
  'overwrite_output_dir',
  'save_only_model',
  'report_to',
  'per_device_train_batch_size',
  'gradient_accumulation_steps',
  'learning_rate',
  'num_train_epochs',
  'lr_scheduler_type',
  'warmup_ratio',
  'bf16',
  'ddp_timeout',
  'resume_from_checkpoint',
  'max_steps',
  'weight_decay',
  'adam_beta1',
  'adam_beta2',
  'adam_epsilon',
  'max_grad_norm',
  'seed',
]);

/** DeepSpeed config keys (DeepSpeed docs "Configuration JSON", ZeRO section; "auto" per the transformers integration). */
export const DEEPSPEED_KEYS: ReadonlySet<string> = new Set([
  'train_batch_size',
  'train_micro_batch_size_per_gpu',
  'gradient_accumulation_steps',
  'gradient_clipping',
  'zero_allow_untested_optimizer',
  'bf16',
  'bf16.enabled',
  'fp16',
  'fp16.enabled',
  'fp16.loss_scale',
  'fp16.loss_scale_window',
  'fp16.initial_scale_power',
  'fp16.hysteresis',
  'zero_optimization',
  'zero_optimization.stage',
  'zero_optimization.allgather_partitions',
  'zero_optimization.reduce_scatter',
  'zero_optimization.overlap_comm',
  'zero_optimization.contiguous_gradients',
  'zero_optimization.sub_group_size',
  'zero_optimization.reduce_bucket_size',
  'zero_optimization.stage3_prefetch_bucket_size',
  'zero_optimization.stage3_param_persistence_threshold',
  'zero_optimization.stage3_max_live_parameters',
  'zero_optimization.stage3_max_reuse_distance',
  'zero_optimization.stage3_gather_16bit_weights_on_model_save',
]);

/**
 * The union of the keys vlthink writes for its three EasyR1 dialects (hiyouga/EasyR1 main b44b311 and v0.3.2, the
 * OpenVLThinker fork 6997b47), read from their `verl/trainer/config.py` and `verl/workers/{actor,rollout,reward}/
 * config.py`: a quick offline check. The authority is test/upstream-engines.test.ts, which loads each written config
 * with that revision's own dataclasses. Dotted paths; `*.val_override_config.*` and `*.reward_function_kwargs.*` are
 * free-form.
 */
export const EASYR1_KEYS: ReadonlySet<string> = new Set([
  'data',
  'data.train_files',
  'data.val_files',
  'data.prompt_key',
  'data.answer_key',
  'data.image_key',
  'data.image_dir',
  'data.max_prompt_length',
  'data.max_response_length',
  'data.rollout_batch_size',
  'data.val_batch_size',
  'data.format_prompt',
  'data.shuffle',
  'data.seed',
  'data.min_pixels',
  'data.max_pixels',
  'data.filter_overlong_prompts',
  'algorithm',
  'algorithm.adv_estimator',
  'algorithm.disable_kl',
  'algorithm.use_kl_loss',
  'algorithm.kl_penalty',
  'algorithm.kl_coef',
  'algorithm.online_filtering',
  'worker',
  'worker.actor',
  'worker.actor.global_batch_size',
  'worker.actor.micro_batch_size_per_device_for_update',
  'worker.actor.micro_batch_size_per_device_for_experience',
  'worker.actor.max_grad_norm',
  'worker.actor.clip_ratio_low',
  'worker.actor.clip_ratio_high',
  'worker.actor.clip_ratio_dual',
  'worker.actor.loss_avg_mode',
  'worker.actor.ppo_epochs',
  'worker.actor.padding_free',
  'worker.actor.dynamic_batching',
  'worker.actor.ulysses_size',
  'worker.actor.model',
  'worker.actor.model.model_path',
  'worker.actor.model.enable_gradient_checkpointing',
  'worker.actor.model.trust_remote_code',
  'worker.actor.model.freeze_vision_tower',
  'worker.actor.optim',
  'worker.actor.optim.lr',
  'worker.actor.optim.weight_decay',
  'worker.actor.optim.strategy',
  'worker.actor.optim.lr_warmup_ratio',
  'worker.actor.optim.betas',
  'worker.actor.optim.lr_scheduler_type',
  'worker.actor.optim.warmup_style',
  'worker.rollout',
  'worker.rollout.n',
  'worker.rollout.temperature',
  'worker.rollout.top_p',
  'worker.rollout.top_k',
  'worker.rollout.limit_images',
  'worker.rollout.gpu_memory_utilization',
  'worker.rollout.enforce_eager',
  'worker.rollout.tensor_parallel_size',
  'worker.rollout.val_override_config',
  'worker.reward',
  'worker.reward.reward_type',
  'worker.reward.reward_function',
  'worker.reward.reward_function_kwargs',
  'trainer',
  'trainer.total_epochs',
  'trainer.total_episodes',
  'worker.actor.offload',
  'worker.actor.offload.offload_params',
  'worker.actor.offload.offload_optimizer',
  'trainer.max_steps',
  'trainer.project_name',
  'trainer.experiment_name',
  'trainer.logger',
  'trainer.nnodes',
  'trainer.n_gpus_per_node',
  'trainer.val_freq',
  'trainer.val_before_train',
  'trainer.save_freq',
  'trainer.save_limit',
  'trainer.save_checkpoint_path',
  'trainer.load_checkpoint_path',
]);

const FREE_FORM = ['worker.rollout.val_override_config', 'worker.reward.reward_function_kwargs'];

/** Every dotted key path of a nested config; descends into plain objects, not arrays or free-form maps. */
export function keyPaths(
  config: Record<string, unknown>,
  prefix = '',
  freeForm: readonly string[] = FREE_FORM,
): string[] {
  const out: string[] = [];
  for (const [key, value] of Object.entries(config)) {
    const path = prefix ? `${prefix}.${key}` : key;
    out.push(path);
    if (value !== null && typeof value === 'object' && !Array.isArray(value) && !freeForm.includes(path))
      out.push(...keyPaths(value as Record<string, unknown>, path, freeForm));
  }
  return out;
}

/** The keys of `config` the engine does not document (empty when all are known). */
export function undocumentedKeys(config: Record<string, unknown>, documented: ReadonlySet<string>): string[] {
  return keyPaths(config).filter((k) => !documented.has(k));
}
