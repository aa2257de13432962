import type { Checkpoint, GenerationBackend, StepMetrics, Trainer } from '../backends/types.ts';
import type { Problem, Tier } from '../data/types.ts';

/**
 * What the loop needs from the outside world, built from the config's backend slice by `createDeps` (backend.ts) or
 * written by hand in tests. The pipeline never constructs an engine itself.
 */
export interface WorldSample {
  readonly problem: Problem;
  /** PNG bytes of the problem's (first) image. */
  readonly png: Uint8Array;
}

export interface WorldRequest {
  readonly n: number;
  readonly seed: number;
  readonly split: 'train' | 'test';
  readonly imageSize: number;
  readonly captionNoise: number;
  readonly families: readonly string[] | null;
  /** World difficulty tiers to draw from, for every family or per family (null: every tier each family has). */
  readonly tiers: WorldTiers | null;
}

export type WorldTiers = readonly Tier[] | Readonly<Record<string, readonly Tier[]>>;

export interface PipelineDeps {
  /** Generates seed and test problems with images (the synthetic world); needed when `data.kind` is `world`. */
  readonly world?: (request: WorldRequest) => Promise<readonly WorldSample[]>;
  /** The VLM that captions images; needed only where a problem carries no caption. */
  readonly captioner?: GenerationBackend;
  /** The text-only reasoner of round 1 (reads caption + question). */
  readonly reasoner: GenerationBackend;
  /**
   * A generator serving a trained checkpoint (regeneration, difficulty, evaluation); closed when the stage is done.
   * `signal` aborts opening it (a server vlthink starts for it may take minutes).
   */
  readonly policy: (checkpoint: Checkpoint, signal?: AbortSignal) => Promise<GenerationBackend>;
  readonly trainer: Trainer;
  /**
   * The base model every round's SFT starts from; `dir` is the run's folder for it (an embedded base is made there,
   * reporting its pretraining steps, if any, through `onStep`).
   */
  readonly base: (dir: string, onStep?: (m: StepMetrics) => void) => Promise<Checkpoint>;
  /**
   * The text the policy reads beside the image, for SFT examples, rollouts and evaluation alike; it must be the text
   * the trainer builds for RL problems. Defaults to the question (with its choices) and the paper's instruction.
   */
  readonly policyPromptText?: (problem: Problem) => string;
  /** Names shown in the manifest and report for the engines in use. */
  readonly describe?: () => Record<string, string>;
  /** Release engines (sessions, servers) when the run ends. */
  readonly close?: () => Promise<void>;
}
