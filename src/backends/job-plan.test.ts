import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { THINK_INSTRUCTION } from '../data/problem-text.ts';
import { paperGrpoConfig, paperSftConfig, parseGrpoConfig, parseSftConfig, SftConfig } from '../train/config.ts';
import { EasyR1Config } from './easyr1-config.ts';
import { DEEPSPEED_KEYS, EASYR1_KEYS, keyPaths, LLAMAFACTORY_KEYS, undocumentedKeys } from './engine-keys.ts';
import {
  type JobPlan,
  LAST_STEP_PLACEHOLDER,
  planEasyR1Rl,
  planLlamaFactorySft,
  shellQuote,
  summarizePlan,
} from './job-plan.ts';
import { LlamaFactoryConfig } from './llamafactory-config.ts';
import type { RlJob, SftJob } from './types.ts';

const sftJob: SftJob = {
  base: { kind: 'hf', path: '/models/Qwen2.5-VL-7B-Instruct', name: 'qwen2.5-vl-7b' },
  dataFile: '/runs/paper/round-1/sft-data.jsonl',
  imageRoot: '/data/seed',
  outDir: '/runs/paper/round-1/sft',
};
const rlJob: RlJob = {
  init: { kind: 'hf', path: '/runs/paper/round-1/sft/model', name: 'qwen2.5-vl-7b-sft' },
  problemsFile: '/runs/paper/round-1/medium.jsonl',
  imageRoot: '/data/seed',
  outDir: '/runs/paper/round-1/rl-medium',
  reward: { name: 'openvlthinker' },
  stage: 'medium',
  episodes: 5,
  freezeVision: true,
};

const fileText = (plan: JobPlan, suffix: string): string => {
  const file = plan.files.find((f) => f.path.endsWith(suffix));
  if (file?.contents === undefined) throw new Error(`no generated file ending ${suffix}`);
  return file.contents;
};

describe('LLaMA-Factory SFT plan', () => {
  const plan = planLlamaFactorySft(LlamaFactoryConfig.parse({}), paperSftConfig, sftJob, { kind: 'none' });
  const yaml = parse(fileText(plan, 'train.yaml')) as Record<string, unknown>;

  it("writes the paper's SFT values into the YAML", () => {
    expect(yaml).toMatchObject({
      model_name_or_path: '/models/Qwen2.5-VL-7B-Instruct',
      template: 'qwen2_vl',
      finetuning_type: 'full',
      freeze_vision_tower: true,
      freeze_multi_modal_projector: true,
      learning_rate: 5e-6,
      lr_scheduler_type: 'cosine',
      warmup_ratio: 0.15,
      num_train_epochs: 1,
      bf16: true,
      image_max_pixels: 262_144,
      cutoff_len: 2048,
      per_device_train_batch_size: 2,
      gradient_accumulation_steps: 4,
      dataset: 'vlthink_sft',
      dataset_dir: '/runs/paper/round-1/sft/engine-job/data',
      output_dir: '/runs/paper/round-1/sft/model',
      deepspeed: '/runs/paper/round-1/sft/engine-job/ds_z3.json',
    });
    expect(plan.checkpoint).toEqual({ kind: 'hf', path: '/runs/paper/round-1/sft/model', name: 'qwen2.5-vl-7b-sft' });
  });

  it("makes the paper table's 5e-7 a visible setting of the one SFT config", () => {
    const sft = parseSftConfig({ lr: 5e-7 }, 'paper');
    const paperTable = planLlamaFactorySft(LlamaFactoryConfig.parse({}), sft, sftJob, { kind: 'none' });
    expect((parse(fileText(paperTable, 'train.yaml')) as { learning_rate: number }).learning_rate).toBe(5e-7);
    expect(SftConfig.shape.lr.description).toContain('the paper table says 5e-7');
  });

  it('maps every SFT setting, deriving the gradient accumulation from the global batch', () => {
    const sft = parseSftConfig(
      { batchSize: 64, maxSteps: 100, weightDecay: 0.1, seed: 3, freezeVision: false },
      'paper',
    );
    const args = parse(
      fileText(planLlamaFactorySft(LlamaFactoryConfig.parse({}), sft, sftJob, { kind: 'none' }), 'train.yaml'),
    );
    expect(args).toMatchObject({
      gradient_accumulation_steps: 8,
      max_steps: 100,
      weight_decay: 0.1,
      seed: 3,
      freeze_vision_tower: false,
      adam_beta1: 0.9,
      adam_beta2: 0.999,
      adam_epsilon: 1e-8,
      max_grad_norm: 1,
    });
  });

  it('refuses SFT settings LLaMA-Factory cannot express, naming the field', () => {
    const plan = (sft: object) =>
      planLlamaFactorySft(LlamaFactoryConfig.parse({}), parseSftConfig(sft, 'paper'), sftJob, { kind: 'none' });
    expect(() => plan({ batchSize: 36 })).toThrow(/sft\.batchSize.*multiple of 8/);
    expect(() => plan({ evalEvery: 10 })).toThrow(/sft\.evalEvery/);
  });

  it('uses only keys LLaMA-Factory v0.9.3 and DeepSpeed document', () => {
    expect(undocumentedKeys(yaml, LLAMAFACTORY_KEYS)).toEqual([]);
    const ds = JSON.parse(fileText(plan, 'ds_z3.json')) as Record<string, unknown>;
    expect(undocumentedKeys(ds, DEEPSPEED_KEYS)).toEqual([]);
    expect((ds.zero_optimization as { stage: number }).stage).toBe(3);
  });

  it('launches llamafactory-cli on the YAML through torchrun on 4 GPUs', () => {
    expect(plan.commands).toEqual([
      {
        name: 'train',
        argv: ['llamafactory-cli', 'train', '/runs/paper/round-1/sft/engine-job/train.yaml'],
        cwd: '/runs/paper/round-1/sft/engine-job',
        env: { FORCE_TORCHRUN: '1', NPROC_PER_NODE: '4', NNODES: '1' },
      },
    ]);
  });
});

describe('EasyR1 GRPO plan', () => {
  const opts = {
    serving: { kind: 'sglang', url: 'http://10.0.0.2:30000' } as const,
    rewardUrl: 'http://10.0.0.1:8700',
  };
  const plan = planEasyR1Rl(EasyR1Config.parse({ workdir: '/opt/EasyR1' }), paperGrpoConfig, rlJob, opts);
  const config = parse(fileText(plan, 'config.yaml')) as Record<string, Record<string, unknown>>;

  it("writes the paper's GRPO values into the config", () => {
    expect(config.data).toMatchObject({
      max_response_length: 2048,
      max_prompt_length: 6144,
      rollout_batch_size: 512,
      min_pixels: 262_144,
      max_pixels: 262_144,
      prompt_key: 'problem',
      answer_key: 'answer',
      image_key: 'images',
    });
    expect(config.algorithm).toMatchObject({ use_kl_loss: true, kl_penalty: 'low_var_kl', kl_coef: 0.01 });
    expect(config.worker).toMatchObject({
      actor: {
        global_batch_size: 128,
        clip_ratio_low: 0.2,
        clip_ratio_high: 0.3,
        clip_ratio_dual: 3.0,
        model: { model_path: '/runs/paper/round-1/sft/model', freeze_vision_tower: true },
        optim: { lr: 1e-6, weight_decay: 0.01 },
      },
      rollout: { n: 5, temperature: 1.0, top_p: 0.99, val_override_config: { temperature: 0.5, n: 1 } },
      reward: {
        reward_function: '/runs/paper/round-1/rl-medium/engine-job/vlthink_reward.py:compute_score',
        reward_function_kwargs: { url: 'http://10.0.0.1:8700', reward: 'openvlthinker' },
      },
    });
    expect(config.trainer).toMatchObject({ total_epochs: 5, val_freq: 5, n_gpus_per_node: 8 });
  });

  it('freezes the vision tower only where the stage asks (medium yes, hard no)', () => {
    const hard = planEasyR1Rl(
      EasyR1Config.parse({}),
      paperGrpoConfig,
      { ...rlJob, stage: 'hard', episodes: 15, freezeVision: false },
      opts,
    );
    const hardConfig = parse(fileText(hard, 'config.yaml')) as {
      worker: { actor: { model: { freeze_vision_tower: boolean } } };
    };
    expect(hardConfig.worker.actor.model.freeze_vision_tower).toBe(false);
  });

  it('maps the one GRPO config and refuses what EasyR1 cannot express, naming the field', () => {
    const plan = (grpo: object) =>
      parse(fileText(planEasyR1Rl(EasyR1Config.parse({}), parseGrpoConfig(grpo, 'paper'), rlJob, opts), 'config.yaml'));
    expect(plan({ kl: 'off', dynamicSampling: true, lossAgg: 'seq-mean-token-mean', valEvery: 0 })).toMatchObject({
      algorithm: { disable_kl: true, use_kl_loss: false, online_filtering: true },
      worker: { actor: { loss_avg_mode: 'seq', optim: { betas: [0.9, 0.999] } } },
      trainer: { val_freq: -1, save_freq: -1 },
    });
    expect(() => plan({ advantage: 'drgrpo' })).toThrow(/rl\.advantage/);
    expect(() => plan({ overlongBuffer: 64 })).toThrow(/rl\.overlongBuffer/);
    expect(() => plan({ lossAgg: 'seq-mean-token-sum' })).toThrow(/rl\.lossAgg/);
  });

  it('writes what each targeted EasyR1 revision loads', () => {
    const yamlOf = (dialect: string) =>
      parse(
        fileText(planEasyR1Rl(EasyR1Config.parse({ dialect }), paperGrpoConfig, rlJob, opts), 'config.yaml'),
      ) as Record<string, Record<string, Record<string, unknown>>>;
    expect(yamlOf('main').worker?.reward).not.toHaveProperty('reward_type');
    expect(yamlOf('v0.3.2').worker?.reward).toMatchObject({ reward_type: 'batch' });
    const fork = yamlOf('openvlthinker');
    expect(fork.worker?.reward).toMatchObject({ reward_type: 'function' });
    expect(fork.trainer).toMatchObject({ total_episodes: 5 });
    expect(fork.trainer).not.toHaveProperty('total_epochs');
    expect(fork.data).not.toHaveProperty('image_dir');
    const shim = fileText(
      planEasyR1Rl(EasyR1Config.parse({ dialect: 'openvlthinker' }), paperGrpoConfig, rlJob, opts),
      '.py',
    );
    expect(shim).toContain('def compute_score(predict_str, ground_truth, **kwargs):');
    expect(() =>
      planEasyR1Rl(
        EasyR1Config.parse({ dialect: 'openvlthinker' }),
        parseGrpoConfig({ dynamicSampling: true }, 'paper'),
        rlJob,
        opts,
      ),
    ).toThrow(/rl\.dynamicSampling/);
  });

  it("writes the paper's micro-batches and offload, and vlthink's own format prompt unless a file is plugged in", () => {
    expect(config.worker).toMatchObject({
      actor: {
        micro_batch_size_per_device_for_update: 2,
        micro_batch_size_per_device_for_experience: 4,
        offload: { offload_params: true, offload_optimizer: true },
      },
    });
    expect(fileText(plan, '.jinja')).toBe(`{{ content | trim }} ${THINK_INSTRUCTION}\n`);
  });

  it('uses only keys EasyR1 documents', () => {
    expect(undocumentedKeys(config, EASYR1_KEYS)).toEqual([]);
    expect(keyPaths(config)).toContain('worker.actor.clip_ratio_dual');
  });

  it('ships the reward shim, trains, merges the last step, and reloads SGLang', () => {
    expect(fileText(plan, 'vlthink_reward.py')).toContain('DEFAULT_URL = "http://10.0.0.1:8700"');
    expect(plan.commands.map((c) => c.argv)).toEqual([
      ['python3', '-m', 'verl.trainer.main', 'config=/runs/paper/round-1/rl-medium/engine-job/config.yaml'],
      [
        'python3',
        'scripts/model_merger.py',
        '--local_dir',
        `/runs/paper/round-1/rl-medium/checkpoints/${LAST_STEP_PLACEHOLDER}/actor`,
      ],
    ]);
    expect(plan.endpoints).toEqual([
      { name: 'reward server health', method: 'GET', url: 'http://10.0.0.1:8700/health' },
      {
        name: 'SGLang reload',
        method: 'POST',
        url: 'http://10.0.0.2:30000/update_weights_from_disk',
        body: { model_path: `/runs/paper/round-1/rl-medium/checkpoints/${LAST_STEP_PLACEHOLDER}/actor/huggingface` },
      },
    ]);
  });

  it('adds a restart command with the checkpoint substituted', () => {
    const restart = planEasyR1Rl(EasyR1Config.parse({}), paperGrpoConfig, rlJob, {
      ...opts,
      serving: { kind: 'restart', command: ['systemctl', 'restart', 'vllm@{checkpoint}'] },
    });
    expect(restart.commands.at(-1)?.argv).toEqual([
      'systemctl',
      'restart',
      `vllm@/runs/paper/round-1/rl-medium/checkpoints/${LAST_STEP_PLACEHOLDER}/actor/huggingface`,
    ]);
  });

  it('refuses an embedded checkpoint as the policy', () => {
    expect(() =>
      planEasyR1Rl(
        EasyR1Config.parse({}),
        paperGrpoConfig,
        { ...rlJob, init: { kind: 'embedded', path: '/x', name: 'tiny' } },
        opts,
      ),
    ).toThrow(/Hugging Face/);
  });

  it('summarizes the plan for a dry run with quoted commands', () => {
    const { checkpoint, lines } = summarizePlan(plan);
    expect(checkpoint).toEqual(plan.checkpoint);
    expect(lines[0]).toBe('easyr1 job (medium):');
    expect(lines).toContain(
      '  run [train] (cd /opt/EasyR1) python3 -m verl.trainer.main config=/runs/paper/round-1/rl-medium/engine-job/config.yaml',
    );
    expect(lines.some((l) => l.startsWith('  POST http://10.0.0.2:30000/update_weights_from_disk'))).toBe(true);
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
    expect(shellQuote('/a/b.yaml')).toBe('/a/b.yaml');
  });
});
