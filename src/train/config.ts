/**
 * Training configs, one schema each for SFT and GRPO: the embedded trainer runs them and the external engines' configs
 * (LLaMA-Factory, EasyR1) are derived from them. Schema defaults are the paper's values (OpenVLThinker v1.2 code:
 * LLaMA-Factory for SFT, EasyR1 for GRPO); `embeddedSftConfig` / `embeddedGrpoConfig` are the tiny VLM's values, parsed
 * through the same schemas, so every field is still checked and described.
 */
import { z } from 'zod';
import { ConfigError } from '../core/index.ts';

const lr = (paper: number, what: string) =>
  z.number().positive().max(1).default(paper).describe(`peak learning rate (${what})`);

export const OptimizerFields = {
  weightDecay: z.number().min(0).max(1).describe('AdamW decoupled weight decay coefficient'),
  beta1: z.number().min(0).lt(1).default(0.9).describe('AdamW beta1 (paper: 0.9, both engines)'),
  beta2: z.number().min(0).lt(1).default(0.999).describe('AdamW beta2 (paper: 0.999, both engines)'),
  adamEps: z.number().positive().default(1e-8).describe('AdamW epsilon (PyTorch default 1e-8)'),
  maxGradNorm: z
    .number()
    .min(0)
    .default(1.0)
    .describe('global-norm gradient clipping threshold; 0 disables (paper: 1.0 in EasyR1; HF default 1.0 for SFT)'),
};

export const SftConfig = z
  .object({
    lr: lr(5e-6, 'LLaMA-Factory, OpenVLThinker code: 5e-6; the paper table says 5e-7'),
    schedule: z
      .enum(['cosine', 'constant'])
      .default('cosine')
      .describe('learning-rate decay after warmup (paper: cosine)'),
    warmupRatio: z
      .number()
      .min(0)
      .max(1)
      .default(0.15)
      .describe('fraction of optimizer steps with linear warmup (code: 0.15; paper table: 0.1)'),
    epochs: z.number().int().positive().default(1).describe('passes over the SFT set (paper: 1)'),
    batchSize: z
      .number()
      .int()
      .positive()
      .default(32)
      .describe('sequences per optimizer step (paper: global batch 32 = 2 per device x 4 accumulation x 4 GPUs)'),
    maxSteps: z
      .number()
      .int()
      .positive()
      .nullable()
      .default(null)
      .describe('optimizer steps of the run, in place of the epochs (null: the epochs decide)'),
    ...OptimizerFields,
    weightDecay: OptimizerFields.weightDecay.default(0).describe('AdamW weight decay (LLaMA-Factory / HF default 0)'),
    freezeVision: z
      .boolean()
      .default(true)
      .describe('keep the vision part (patch embedding) fixed (paper: vision tower and projector frozen in SFT)'),
    cutoffLen: z
      .number()
      .int()
      .positive()
      .default(2048)
      .describe('max tokens of prompt + response per example; longer responses are cut (paper: cutoff 2048)'),
    evalEvery: z
      .number()
      .int()
      .min(0)
      .default(0)
      .describe('optimizer steps between held-out loss/accuracy evaluations; 0: only at the end'),
    evalMaxTokens: z
      .number()
      .int()
      .positive()
      .default(2048)
      .describe('max new tokens when the held-out accuracy is measured by greedy generation'),
    evalLimit: z
      .number()
      .int()
      .positive()
      .default(256)
      .describe('held-out examples used per evaluation (the first N of the eval file)'),
    seed: z.number().int().default(42).describe('seed of the data order and any sampling (LLaMA-Factory default 42)'),
  })
  .strict();
export type SftConfig = z.infer<typeof SftConfig>;

export const GrpoConfig = z
  .object({
    lr: lr(1e-6, 'EasyR1, OpenVLThinker: 1e-6'),
    schedule: z.enum(['cosine', 'constant']).default('constant').describe('learning-rate schedule (paper: constant)'),
    warmupRatio: z.number().min(0).max(1).default(0).describe('fraction of updates with linear warmup (paper: 0)'),
    ...OptimizerFields,
    weightDecay: OptimizerFields.weightDecay.default(0.01).describe('AdamW weight decay (paper / EasyR1: 0.01)'),
    rolloutBatchSize: z
      .number()
      .int()
      .positive()
      .default(512)
      .describe('prompts per rollout batch (paper / EasyR1 data.rollout_batch_size: 512)'),
    groupSize: z.number().int().positive().default(5).describe('completions sampled per prompt, n (paper: 5)'),
    miniBatchSize: z
      .number()
      .int()
      .positive()
      .default(128)
      .describe('prompts (with all their completions) per optimizer update (EasyR1 actor.global_batch_size: 128)'),
    ppoEpochs: z.number().int().positive().default(1).describe('passes over each rollout batch (paper: 1)'),
    temperature: z.number().positive().default(1.0).describe('rollout sampling temperature (paper: 1.0)'),
    topP: z.number().gt(0).max(1).default(0.99).describe('rollout nucleus sampling mass (paper: 0.99)'),
    maxResponseTokens: z.number().int().positive().default(2048).describe('max new tokens per rollout (paper: 2048)'),
    clipLow: z.number().min(0).lt(1).default(0.2).describe('PPO clip below 1 (paper: 0.2)'),
    clipHigh: z.number().min(0).default(0.3).describe('PPO clip above 1, DAPO clip-higher (paper: 0.3)'),
    dualClip: z
      .number()
      .gt(1)
      .default(3.0)
      .describe('dual-clip cap on the loss of negative-advantage tokens, x|A| (paper / EasyR1: 3.0)'),
    kl: z
      .enum(['low_var_kl', 'k1', 'off'])
      .default('low_var_kl')
      .describe('KL-to-reference estimator in the loss (paper: low_var_kl, the k3 estimator)'),
    klCoef: z.number().min(0).default(0.01).describe('weight of the KL term in the loss (paper: 0.01, fixed)'),
    lossAgg: z
      .enum(['token-mean', 'seq-mean-token-mean', 'seq-mean-token-sum'])
      .default('token-mean')
      .describe('how token losses become one number (paper / EasyR1: token-mean)'),
    advantage: z
      .enum(['grpo', 'drgrpo'])
      .default('grpo')
      .describe('advantage estimator: grpo (r - mean) / (std + eps), or drgrpo r - mean (paper: grpo)'),
    advantageEps: z.number().positive().default(1e-6).describe('eps added to the group std (paper / EasyR1: 1e-6)'),
    dynamicSampling: z
      .boolean()
      .default(false)
      .describe('DAPO: drop groups whose rewards are all equal before the update (paper: off)'),
    overlongBuffer: z
      .number()
      .int()
      .min(0)
      .default(0)
      .describe('DAPO soft overlong penalty zone in tokens before maxResponseTokens; 0 disables (paper: off)'),
    overlongFactor: z.number().min(0).default(1).describe('DAPO overlong penalty size at the limit (verl default 1.0)'),
    valTemperature: z.number().min(0).default(0.5).describe('validation sampling temperature (paper: 0.5)'),
    valEvery: z
      .number()
      .int()
      .min(0)
      .default(5)
      .describe('rollout steps between validations; 0: none (paper: every 5 steps)'),
    valLimit: z.number().int().positive().default(256).describe('held-out problems per validation'),
    checkpointEvery: z
      .number()
      .int()
      .min(0)
      .default(0)
      .describe('rollout steps between resumable checkpoints; 0: only at the end'),
    maxSteps: z
      .number()
      .int()
      .positive()
      .nullable()
      .default(null)
      .describe('rollout steps of each GRPO job, in place of its episodes (null: the episodes decide)'),
    seed: z.number().int().default(1).describe('seed of data order and rollout sampling (EasyR1 default 1)'),
  })
  .strict();
export type GrpoConfig = z.infer<typeof GrpoConfig>;

/** The paper's settings (every schema default). */
export const paperSftConfig: SftConfig = Object.freeze(SftConfig.parse({}));
export const paperGrpoConfig: GrpoConfig = Object.freeze(GrpoConfig.parse({}));

/**
 * The embedded values: the tiny VLM trained from scratch on CPU. They are the defaults of the pipeline's run config
 * (`vlthink run` with no preset) and of the embedded trainer; nothing else holds a copy. A model trained from scratch
 * needs a far larger learning rate than fine-tuning a 7B one, and short responses; the algorithm (clips, KL,
 * aggregation) stays the paper's.
 */
export const embeddedSftConfig: SftConfig = Object.freeze(
  SftConfig.parse({
    lr: 2e-3,
    warmupRatio: 0.05,
    // 10 epochs from the caption-pretrained base: at 8 the addition table sat on the steep part of its learning
    // curve and SFT_r landed anywhere in 70-83% (round 1, four runs), so a round's SFT could fall below the last one's
    // and take RL_r under RL_{r-1} (the paper's shape on 1 of 3 world seeds); at 10 it held on all three (round 1
    // 84-87%, RL above SFT in every round). From a fresh base 8 epochs were needed to read the hour at all.
    epochs: 10,
    batchSize: 32,
    weightDecay: 0.01,
    freezeVision: false,
    cutoffLen: 256,
    evalMaxTokens: 96,
    evalLimit: 128,
  }),
);
export const embeddedGrpoConfig: GrpoConfig = Object.freeze(
  GrpoConfig.parse({
    // Adam moves every weight by about lr a step, signal or not: at 1e-4 one round's 47 steps moved the weights by
    // 1.2-1.4% of their norm and greedy test accuracy fell below SFT (round 1 at one thread, world seeds 8 / 9: -0.2 /
    // -4.6 points; the hour read 4 became 5 on 24 test clocks), though the sampled reward rose. 3e-5: +1.2 / -0.6.
    // KL 0.1, vision frozen in both stages, easy problems in both stages or temperature 1.0 did no better at 1e-4.
    lr: 3e-5,
    rolloutBatchSize: 32,
    groupSize: 8,
    miniBatchSize: 32,
    // Evaluation is greedy, so what RL must move is the argmax where it is wrong. At 0.5 a group's samples differ
    // mostly where the top answers are close; at 0.8 most of the variance sits on problems greedy already gets right,
    // and GRPO sharpens those. RL_r - SFT_r from the same SFT models (one thread, world seeds 7 / 8 / 9): round 1
    // +1.0 / +2.0 / +3.3 points at 0.5, +1.5 / - / +0.8 at 0.8, -1.5 / +2.5 / +5.2 at 0.3; round 3 about 0 at every
    // temperature with one hard episode. At 1.0 the samples break the answer template (round 1, seed 9: -7.6).
    temperature: 0.5,
    maxResponseTokens: 96,
    valEvery: 0,
    valLimit: 128,
  }),
);

/** Parse a zod schema, turning the first issue into a ConfigError that names the field (`sft.lr`). */
function parseOrThrow<T>(schema: z.ZodType<T>, input: unknown, where: string): T {
  const out = schema.safeParse(input);
  if (out.success) return out.data;
  const issue = out.error.issues[0];
  const field = [where, ...(issue?.path ?? []).map(String)].join('.');
  throw new ConfigError(field, issue?.message ?? 'invalid value', { hint: z.prettifyError(out.error) });
}

function overObject(input: unknown, where: string): Record<string, unknown> {
  if (input === undefined || input === null) return {};
  if (typeof input !== 'object' || Array.isArray(input)) {
    throw new ConfigError(where, `expected an object of settings, got ${JSON.stringify(input)}`);
  }
  return input as Record<string, unknown>;
}

/** A user-supplied SFT config over a preset; unknown or bad fields fail with a ConfigError naming `sft.<field>`. */
export function parseSftConfig(input: unknown, preset: 'paper' | 'embedded' = 'embedded'): SftConfig {
  const base = preset === 'paper' ? paperSftConfig : embeddedSftConfig;
  return Object.freeze(parseOrThrow(SftConfig, { ...base, ...overObject(input, 'sft') }, 'sft'));
}

/** A user-supplied GRPO config over a preset; unknown or bad fields fail with a ConfigError naming `grpo.<field>`. */
export function parseGrpoConfig(input: unknown, preset: 'paper' | 'embedded' = 'embedded'): GrpoConfig {
  const base = preset === 'paper' ? paperGrpoConfig : embeddedGrpoConfig;
  return Object.freeze(parseOrThrow(GrpoConfig, { ...base, ...overObject(input, 'grpo') }, 'grpo'));
}
