import { z } from 'zod';
import { EasyR1Config } from '../../backends/easyr1-config.ts';
import { ServingReload } from '../../backends/job-plan.ts';
import { LlamaFactoryConfig } from '../../backends/llamafactory-config.ts';
import { RayJobsSettings } from '../../backends/ray-jobs-runner.ts';
import { DEFAULT_REWARD_SERVER_PORT } from '../../backends/reward-server.ts';
import { embeddedGrpoConfig, embeddedSftConfig, GrpoConfig, SftConfig } from '../../train/config.ts';
// family.ts alone (names, no renderer), so parsing a config loads no canvas
import { FAMILIES } from '../../world/family.ts';
import { REFLECTION_MARKERS } from '../../world/index.ts';

/**
 * The pipeline's root config. Each concept owns its slice; the root nests them. The defaults ARE the `embedded`
 * preset (the tiny VLM on the synthetic world, sized to finish in minutes on a laptop): `parseRunConfig({})` is that
 * run, and its training values come from train/'s `embeddedSftConfig` / `embeddedGrpoConfig`. `presets.ts` holds the
 * `embedded-quick` and `paper` overlays. Parse once at the edge (`resolveConfig`), pass the frozen result inward.
 */

/** The self-reflection markers the paper cuts traces at (§3.2). */
export const PAPER_REFLECTION_MARKERS: readonly string[] = Object.freeze(['Wait,', 'But wait,', 'But the question']);

const Int = (min: number, max = Number.MAX_SAFE_INTEGER) => z.int().min(min).max(max);

/**
 * A schema's fields with other defaults (descriptions kept): how a slice owned by another folder (train/'s SFT and
 * GRPO schemas, whose own defaults are the paper's) gets the embedded values as *its* defaults here, field by field,
 * so a partial slice (`{ sft: { lr: 1e-3 } }`) keeps the embedded value of every field it does not set.
 */
function withDefaults<T extends z.ZodRawShape>(shape: T, values: Readonly<Record<string, unknown>>): T {
  const out: Record<string, z.ZodType> = {};
  for (const [key, field] of Object.entries(shape) as Array<[string, z.ZodType]>) {
    out[key] = key in values ? field.default(values[key] as never).describe(field.description ?? '') : field;
  }
  return out as unknown as T;
}

/** Where the problems come from: the synthetic world (embedded) or JSONL files of Problem records (scale-out). */
export const DataConfig = z
  .discriminatedUnion('kind', [
    z.strictObject({
      kind: z.literal('world').describe('generate problems with the synthetic visual-math world (world/)'),
      train: Int(1).default(1500).describe('seed problems for distillation, SFT and RL (paper: ~7k over 14 sources)'),
      // 1,000 (MathVista testmini's size), not 400: by round 2 the tiny VLM is at 93-97%, RL moves a handful of
      // problems either way, and on 400 one problem is 0.25 points, so RL_r vs SFT_r was often a tie or a coin flip.
      // Greedy evaluation costs ~6 s per 1,000 problems.
      test: Int(1).default(1000).describe('held-out test problems, a split that never overlaps train (vlthink)'),
      seed: Int(0).default(7).describe('world seed; the same seed gives byte-identical problems and images'),
      imageSize: Int(16, 1024)
        .default(32)
        .describe('rendered image side in pixels; the embedded model reads this size (32-64)'),
      families: z
        .array(z.enum(FAMILIES))
        .min(1)
        .nullable()
        // Half the problems need a chain (clock-arith: read the hour hand, add 2-11 hours, wrap past 12), half are its
        // first step alone (clock, easy tier: read the hour). With the caption-pretrained base the hour is read 97%
        // of the time from round 1, and the addition table is what the rounds improve (clock-arith 43 -> 47 -> 63 ->
        // 69 -> 58 -> 69%, world seed 7). Measured at 32 px, 1,500 problems, 8 SFT epochs: the bar families (read a
        // bar 34%, bar arithmetic 24-31%), the clock's time tiers (20-41% on 4 options) and count-arith (28-38%,
        // about its majority answer, even after pretraining) stayed near chance.
        .default(['clock', 'clock-arith'])
        .describe(
          'world families to draw from (null: all ten; see `vlthink data synth --help`). Default: the clock hour and clock-arith (the hour N hours later), which the tiny VLM learns in minutes',
        ),
      tiers: z
        .union([
          z.array(z.enum(['easy', 'medium', 'hard'])).min(1),
          z.record(z.string(), z.array(z.enum(['easy', 'medium', 'hard'])).min(1)),
        ])
        .nullable()
        .default({ clock: ['easy'] })
        .describe(
          "the world's own tiers to draw from, for every family or per family ({ clock: [easy] }; a family not named draws all its tiers; null: every tier a family has); RL tiers come from the difficulty stage",
        ),
      captionNoise: z
        .number()
        .min(0)
        .max(1)
        .default(0.15)
        .describe('rate at which the world captioner drops or corrupts facts (a weak captioner, as in the paper)'),
    }),
    z.strictObject({
      kind: z.literal('files').describe('read Problem records from JSONL files (paper: LLaVA-OneVision subsets)'),
      train: z.string().min(1).describe('JSONL of seed problems; image paths relative to its folder'),
      test: z.string().min(1).describe('JSONL of held-out test problems'),
      testName: z.string().default('test').describe('name of the test set in the summary'),
    }),
  ])
  .describe('the seed problems and the held-out test set');
export type DataConfig = z.infer<typeof DataConfig>;

export const DEFAULT_CAPTION_PROMPT =
  'Describe this image in detail: be specific and complete, in natural language, so that another model that cannot ' +
  'see the image could understand it and answer questions about it.';

export const CaptionConfig = z
  .strictObject({
    prompt: z.string().min(1).default(DEFAULT_CAPTION_PROMPT).describe('instruction given to the captioner (paper §3)'),
    maxTokens: Int(1).default(1024).describe('longest caption in tokens'),
    temperature: z.number().min(0).default(0).describe('captioner sampling temperature (greedy by default)'),
    skipWhenPresent: z
      .boolean()
      .default(true)
      .describe('skip captioning where the dataset already carries captions (the world does)'),
  })
  .describe('caption stage: images -> captions for the text reasoner');

export const SamplingConfig = z.strictObject({
  k: Int(1, 64).default(4).describe('samples drawn per problem (paper: k = 4)'),
  temperature: z.number().min(0).default(1).describe('sampling temperature'),
  topP: z.number().gt(0).max(1).default(1).describe('nucleus sampling mass'),
  maxTokens: Int(1).default(256).describe('longest trace in tokens (paper: 2048 for the 7B model)'),
  selection: z
    .enum(['shortest', 'second-longest'])
    .default('shortest')
    .describe(
      "which correct trace to keep: the paper's 'shortest', or its code's 'second-longest' (drop the longest correct, take the next; the only one when one is correct)",
    ),
});

export type SamplingConfig = z.infer<typeof SamplingConfig>;

export const FilterConfig = z
  .strictObject({
    markers: z
      .array(z.string().min(1))
      .default([...PAPER_REFLECTION_MARKERS, ...REFLECTION_MARKERS])
      .describe(
        "self-reflection markers: each trace is cut at the first one, keeping the final answer (paper §3.2: 'Wait,', 'But wait,', 'But the question'; the default adds the world reader's spelling)",
      ),
    minWords: Int(0).default(3).describe('drop traces with fewer reasoning words than this'),
    maxWords: Int(1)
      .default(500)
      .describe('drop traces with more reasoning words than this (paper Table 3: < 500 words)'),
    dedup: z.boolean().default(true).describe('drop a trace whose (problem, response) pair was already kept'),
    target: z
      .enum(['chain', 'answer'])
      .default('chain')
      .describe(
        "what SFT learns to write: the (cut) reasoning chain, or 'answer' alone (`<think></think> <answer>..`: a control for what the chain adds, `npm run bench -- ablations`)",
      ),
    keepPrevious: z
      .boolean()
      .default(true)
      .describe(
        "rounds >= 2: a problem whose regenerated chains were all wrong keeps its previous round's SFT example (vlthink, for weak policies; the paper drops it)",
      ),
  })
  .describe('filter stage: traces -> sft-data.jsonl');

export const DifficultyConfig = z
  .strictObject({
    k: Int(1, 64)
      .default(4)
      .describe('policy samples per problem for the error rate (paper: the base model error rate)'),
    temperature: z.number().min(0).default(1).describe('sampling temperature for the error-rate samples'),
    maxTokens: Int(1).default(256).describe('longest sample in tokens'),
    groupBy: z
      .enum(['problem', 'source'])
      .default('problem')
      .describe("rate each problem, or pool per source as the paper does (per dataset); 'problem' suits the world"),
  })
  .describe('difficulty stage: error rate over k samples, z-scored, 1-D k-means into easy / medium / hard');

export const RlStageConfig = z.strictObject({
  name: z
    .string()
    .regex(/^[a-z0-9-]+$/)
    .describe('stage name, used for its folder (rl-<name>) and its metrics'),
  tiers: z
    .array(z.enum(['easy', 'medium', 'hard']))
    .min(1)
    .describe('difficulty tiers this stage trains on'),
  episodes: Int(1).describe('passes over the stage problems (paper: 5 medium, 15 hard)'),
  freezeVision: z.boolean().describe('freeze the vision part (paper: in the medium stage)'),
});

export type RlStageConfig = z.infer<typeof RlStageConfig>;

/** The RL slice: the curriculum and reward (pipeline) plus the GRPO algorithm settings (train/, embedded trainer). */
export const RlConfig = z
  .strictObject({
    ...withDefaults(GrpoConfig.shape, embeddedGrpoConfig),
    reward: z
      .enum(['accuracy', 'format', 'openvlthinker'])
      .default('openvlthinker')
      .describe("reward from verify/: the paper's (1 correct, 0.5 correct with nothing between </think> and <answer>)"),
    stages: z
      .array(RlStageConfig)
      .min(1)
      // Embedded: the hard stage trains on medium + hard, since the hard tier alone (a few answers the SFT model
      // misreads) taught the tiny VLM to always give those; two episodes of it, because by round 3 what greedy still
      // gets wrong is mostly a misread hour, which one episode left where it was (RL_3 - SFT_3 on world seeds 7 / 8 /
      // 9 at rollout temperature 0.5: -0.3 / +0.7 / 0 points with one, +1.0 / +2.0 / +0.8 with two). Medium: one.
      .default([
        { name: 'medium', tiers: ['medium'], episodes: 1, freezeVision: true },
        { name: 'hard', tiers: ['medium', 'hard'], episodes: 2, freezeVision: false },
      ])
      .describe(
        'the curriculum, run in order, each from the previous stage checkpoint (paper: medium 5 episodes, vision frozen, then hard 15)',
      ),
    referenceFromSft: z
      .boolean()
      .default(true)
      .describe('KL reference is the round SFT model for every stage (paper), else each stage own init'),
  })
  .describe('rl stage: GRPO curriculum over difficulty tiers');

export type RlConfig = z.infer<typeof RlConfig>;

/** The GRPO algorithm settings of the rl slice, typed (the rest of the slice is the pipeline's curriculum and reward). */
export function grpoSettings(rl: RlConfig): GrpoConfig {
  const { reward: _reward, stages: _stages, referenceFromSft: _reference, ...grpo } = rl;
  return grpo;
}

/** What the base's caption pretraining is, when it is on: its world draw, prompt and training settings. */
export function basePretraining(config: RunConfig) {
  const b = config.backend;
  if (b.kind !== 'embedded' || b.pretrain.problems === 0) return null;
  return {
    problems: b.pretrain.problems,
    families: b.pretrain.families,
    // the data's own world seed (file data: the run seed); the third split keeps it apart from seeds and test
    worldSeed: config.data.kind === 'world' ? config.data.seed : config.seed,
    prompt: config.caption.prompt,
    sft: SftConfig.parse({ ...config.sft, epochs: b.pretrain.epochs }),
  };
}

export const EvalConfig = z
  .strictObject({
    temperature: z.number().min(0).default(0).describe('decoding temperature (paper: 0.01 with top-k 1, i.e. greedy)'),
    maxTokens: Int(1).default(256).describe('longest answer in tokens (paper: 2048)'),
    checkpoints: z
      .enum(['all', 'final'])
      .default('final')
      .describe("'all': every SFT and RL stage checkpoint; 'final': SFT and the last RL stage"),
  })
  .describe('evaluate stage: checkpoints -> accuracy on the held-out test set');

/** The tiny VLM's sizes (model/ VlmConfig without the vocabulary, which the tokenizer sets, and the image size, which the data sets). */
export const EmbeddedModelConfig = z.strictObject({
  dModel: Int(4).default(96).describe('residual width (model/ tiny default 96)'),
  nLayers: Int(1).default(3).describe('transformer blocks (model/ tiny default 3)'),
  nHeads: Int(1).default(4).describe('attention heads; dModel must divide by it'),
  dFF: Int(1).default(384).describe('MLP hidden width'),
  patchSize: Int(1).default(8).describe('square patch side in pixels; data.imageSize must divide by it'),
  maxTextLen: Int(8).default(192).describe('most text tokens (prompt + response) in a sequence'),
});

/**
 * Caption pretraining of the embedded base: the paper's base is a VLM that can already see (Qwen2.5-VL was pretrained
 * on image-text pairs); a freshly initialized tiny VLM cannot, so each round's SFT had to learn perception from scratch.
 */
export const EmbeddedPretrainConfig = z.strictObject({
  // 3,000 images of all ten families, 6 epochs (~70 s on 2 cores): round-1 SFT on the same data then reads the hour
  // 93-97% of the time at 8 epochs, where from a fresh base it landed anywhere in 75-97% (world seeds 7 / 9, one
  // thread: 79.3 / 79.3% from a fresh base; 89.0 / 93.5% after 3 pretraining epochs; 95.6% after 6, seed 7).
  problems: Int(0)
    .default(3000)
    .describe(
      "world images the base learns to caption (faithfully) before any SFT, drawn from the world's third split, disjoint from the seed and test problems; 0: a freshly initialized base",
    ),
  epochs: Int(1).default(6).describe('passes over the caption set (the SFT settings otherwise)'),
  families: z
    .array(z.enum(FAMILIES))
    .min(1)
    .nullable()
    .default(null)
    .describe('world families the caption images come from (null: all ten)'),
});

export const EmbeddedBackendConfig = z.strictObject({
  kind: z.literal('embedded').describe('the tiny VLM trained on CPU by the project engine (default)'),
  concurrency: Int(1, 64).default(1).describe('generation requests in flight'),
  model: EmbeddedModelConfig.prefault({}).describe('the base model initialized for the run'),
  pretrain: EmbeddedPretrainConfig.prefault({}).describe('caption pretraining of the base model'),
  threads: Int(0, 256)
    .default(0)
    .describe(
      'ONNX Runtime intra-op threads per session; 0: ONNX Runtime decides (fastest); 1: every sum in one order, so two runs of the same config are byte-identical, RL included (the deterministic setting)',
    ),
});

export const ScaleOutBackendConfig = z.strictObject({
  kind: z
    .literal('scale-out')
    .describe('OpenAI-compatible servers for generation; LLaMA-Factory / EasyR1 for training'),
  baseModel: z.string().default('Qwen/Qwen2.5-VL-7B-Instruct').describe('the base VLM (paper)'),
  captioner: z
    .strictObject({
      baseUrl: z.url().default('http://127.0.0.1:8000/v1').describe('OpenAI-compatible endpoint of the captioner'),
      model: z.string().default('Qwen/Qwen2.5-VL-7B-Instruct').describe('captioner model (paper v1.2: Qwen2.5-VL-7B)'),
    })
    .prefault({}),
  reasoner: z
    .strictObject({
      baseUrl: z.url().default('http://127.0.0.1:8001/v1').describe('OpenAI-compatible endpoint of the text reasoner'),
      model: z.string().default('Qwen/QwQ-32B').describe('text reasoner (paper v1.2: QwQ-32B)'),
    })
    .prefault({}),
  policy: z
    .strictObject({
      baseUrl: z
        .url()
        .default('http://127.0.0.1:8002/v1')
        .describe('OpenAI-compatible endpoint that serves each round policy checkpoint (vLLM / SGLang)'),
      model: z
        .string()
        .nullable()
        .default(null)
        .describe('model name the policy server answers to; null: the checkpoint path (vLLM --served-model-name)'),
    })
    .prefault({}),
  serving: ServingReload.default({ kind: 'none' }),
  rewardUrl: z
    .url()
    .default(`http://127.0.0.1:${DEFAULT_REWARD_SERVER_PORT}`)
    .describe('vlthink reward server as reachable from the EasyR1 nodes (`vlthink reward-server`)'),
  llamaFactory: LlamaFactoryConfig.prefault({}).describe('SFT on LLaMA-Factory (paper values by default)'),
  easyR1: EasyR1Config.prefault({}).describe('GRPO on EasyR1 (paper values by default)'),
  runner: z.enum(['local', 'ray']).default('local').describe('where the training engines run'),
  rayAddress: z.url().default('http://127.0.0.1:8265').describe('Ray dashboard address for the Ray Jobs API'),
  ray: RayJobsSettings.prefault({}).describe(
    'Ray Jobs settings (runner: ray): the folders the cluster shares with this machine, runtime_env, entrypoint resources',
  ),
  concurrency: Int(1, 1024).default(32).describe('generation requests in flight'),
});

/** The engines behind the seams; dispatched by one switch in `backend.ts`. */
export const BackendConfig = z
  .discriminatedUnion('kind', [EmbeddedBackendConfig, ScaleOutBackendConfig])
  .describe('which engines generate and train');
export type BackendConfig = z.infer<typeof BackendConfig>;

export const RunConfig = z
  .strictObject({
    name: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, {
        error: 'letters, digits, . _ - (starting with a letter or digit, at most 128), e.g. embedded-seed2',
      })
      .default('embedded')
      .describe('run name; the run directory is <outDir>/<name>'),
    outDir: z.string().min(1).default('runs').describe('folder that holds run directories'),
    seed: Int(0).default(1).describe('seed for every sampling and training choice of the run'),
    rounds: Int(1, 10).default(3).describe('SFT -> RL rounds (paper: 3)'),
    data: DataConfig.prefault({ kind: 'world' }),
    caption: CaptionConfig.prefault({}),
    distill: SamplingConfig.prefault({}).describe('round 1: the text reasoner on caption + question'),
    regenerate: z
      .strictObject(withDefaults(SamplingConfig.shape, { k: 1, temperature: 0 }))
      .prefault({})
      .describe(
        'rounds >= 2: the previous round RL policy on image + question (paper: k samples; its code: one near-greedy sample, the default)',
      ),
    filter: FilterConfig.prefault({}),
    sft: z
      .strictObject(withDefaults(SftConfig.shape, embeddedSftConfig))
      .prefault({})
      .describe('SFT settings (train/): run by the embedded trainer, mapped onto LLaMA-Factory at scale'),
    difficulty: DifficultyConfig.prefault({}),
    rl: RlConfig.prefault({}),
    eval: EvalConfig.prefault({}),
    backend: BackendConfig.prefault({ kind: 'embedded' }),
  })
  .describe('vlthink run configuration');
export type RunConfig = z.infer<typeof RunConfig>;
/** What a config file or preset may say: any subset of the fields. */
export type RunConfigInput = z.input<typeof RunConfig>;
