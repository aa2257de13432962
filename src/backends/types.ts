import type { StepMetrics } from '../train/metrics.ts';
import type { RewardSpec } from '../verify/rewards.ts';

/**
 * The seams between the pipeline and the engines that generate and train. Implementations are made by factories
 * (`createEmbeddedGenerator`, `createOpenAICompatibleGenerator`, ...) that return these interfaces.
 */

/** An image given to a model: a file path, or encoded bytes (PNG / JPEG / WebP). */
export type ImageRef = { readonly path: string } | { readonly bytes: Uint8Array; readonly mime: string };

export type ContentPart =
  | { readonly type: 'text'; readonly text: string }
  | { readonly type: 'image'; readonly image: ImageRef };

export interface Message {
  readonly role: 'system' | 'user' | 'assistant';
  readonly content: string | readonly ContentPart[];
}

/** One prompt is a list of messages. */
export type Prompt = readonly Message[];

export interface GenerationParams {
  /** Samples per prompt. */
  readonly n: number;
  readonly temperature: number;
  readonly topP: number;
  /** 0 means no top-k cut. */
  readonly topK?: number;
  readonly maxTokens: number;
  readonly seed?: number;
  readonly stop?: readonly string[];
  /** Return each sampled token's log-probability. */
  readonly logprobs?: boolean;
  /** With `logprobs`: also the k most likely tokens at each position (OpenAI `top_logprobs`, 0-20). */
  readonly topLogprobs?: number;
}

export interface Completion {
  readonly text: string;
  readonly tokenIds?: readonly number[];
  /** Log-probability of each generated token under the sampling policy (before temperature where the engine says so). */
  readonly logprobs?: readonly number[];
  /** With `topLogprobs`: per generated token, the most likely tokens (ids) and their log-probs, most likely first. */
  readonly topLogprobs?: ReadonlyArray<ReadonlyArray<{ readonly token: number; readonly logprob: number }>>;
  readonly finishReason: 'stop' | 'length';
}

/** Per-call options beyond the sampling params. */
export interface GenerateOptions {
  /**
   * Per-prompt cancellation (a server's client hung up): once `promptSignals[i]` aborts, prompt i's rows stop at the
   * next decode step and its completions are dropped. Backends that cannot stop one prompt may ignore it.
   */
  readonly promptSignals?: readonly (AbortSignal | undefined)[];
  /**
   * Told as soon as prompt i's completions are ready, so a caller can store each one at once (eval's response cache):
   * a prompt that fails, or Ctrl-C, then loses only the work not finished yet. A backend that answers a whole call at
   * once may not call it; callers handle the returned rows too.
   */
  readonly onResult?: (prompt: number, completions: Completion[]) => void;
  /**
   * Streaming: told the text appended to completion `sample` of `prompt` as it is generated. The deltas of a sample
   * join to its final text; the returned completions stay the authority. Backends that cannot stream may not call it.
   */
  readonly onDelta?: (prompt: number, sample: number, text: string) => void;
}

export interface GenerationBackend {
  readonly id: string;
  /** Per prompt, `params.n` completions. */
  generate(
    prompts: readonly Prompt[],
    params: GenerationParams,
    signal?: AbortSignal,
    options?: GenerateOptions,
  ): Promise<Completion[][]>;
  close?(): Promise<void>;
}

/** A trained model on disk. `embedded` checkpoints are vlthink's own (safetensors + config.json); `hf` are Hugging Face folders. */
export interface Checkpoint {
  readonly kind: 'embedded' | 'hf';
  /** Folder of the checkpoint. */
  readonly path: string;
  /** Model name for OpenAI-compatible serving. */
  readonly name: string;
}

export type { RewardSpec, StepMetrics };

export interface SftJob {
  /** Every round fine-tunes the *base* model again (the paper), so this is the base checkpoint. */
  readonly base: Checkpoint;
  /** JSONL of SftExample records. */
  readonly dataFile: string;
  /** Folder that the records' image paths are relative to. */
  readonly imageRoot: string;
  /** Where the trained checkpoint goes. */
  readonly outDir: string;
  /** Optional held-out SftExample JSONL for periodic loss/accuracy. */
  readonly evalFile?: string;
  readonly onStep?: (metrics: StepMetrics) => void;
}

export interface RlJob {
  readonly init: Checkpoint;
  /** The frozen KL reference; defaults to `init`. */
  readonly reference?: Checkpoint;
  /** JSONL of Problem records for this stage (e.g. the medium tier). */
  readonly problemsFile: string;
  readonly imageRoot: string;
  readonly outDir: string;
  readonly reward: RewardSpec;
  /** Stage name for logs and metrics (`medium`, `hard`). */
  readonly stage: string;
  /** Passes over this stage's problems (paper: 5 for medium, 15 for hard). */
  readonly episodes: number;
  /** Freeze the vision part (paper: in the medium stage). */
  readonly freezeVision: boolean;
  readonly onStep?: (metrics: StepMetrics) => void;
}

/**
 * What a training job will do, known before it runs: the checkpoint it returns, lines for `--dry-run`, and the files it
 * generates for its engine (configs, prompts, shims; not the exported data), with their exact contents.
 */
export interface TrainingPlan {
  readonly checkpoint: Checkpoint;
  readonly lines: readonly string[];
  readonly files: ReadonlyArray<{ readonly path: string; readonly contents: string }>;
}

/**
 * A training engine. Its typed configs (the run's `sft` / `rl` settings and the engine's own) are given to its
 * factory (`createEmbeddedTrainer(opts)`, `createLlamaFactoryTrainer(cfg, sft, opts)`, ...); jobs carry only the data
 * and per-stage settings. `planSft` / `planRl` describe a job without running it or writing anything.
 */
export interface Trainer {
  readonly id: string;
  sft(job: SftJob, signal?: AbortSignal): Promise<Checkpoint>;
  rl(job: RlJob, signal?: AbortSignal): Promise<Checkpoint>;
  planSft(job: SftJob): TrainingPlan;
  planRl(job: RlJob): TrainingPlan;
}
