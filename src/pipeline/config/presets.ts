import { paperGrpoConfig, paperSftConfig } from '../../train/config.ts';
import { REFLECTION_MARKERS } from '../../world/index.ts';
import type { RunConfigInput } from './schema.ts';

const PAPER_MARKERS = ['Wait,', 'But wait,', 'But the question'];
const EMBEDDED_FAMILIES = ['clock'];

/**
 * Presets are overlays deep-merged onto the schema defaults (which are the `embedded` preset), then under the user's
 * config files and CLI overrides. `paper` carries every hyperparameter PAPER.md states that the pipeline owns; the
 * engines' own hyperparameters (learning rates, batch sizes, clipping) sit in their backends' configs.
 */
export const PRESETS = {
  embedded: {
    // The clock family's easy tier ("what hour does the clock show?", 12 answers read off a 32 px clock face): a task
    // the tiny VLM learns from scratch in minutes on 2 cores, with room left for RL. Measured on the clock's three
    // tiers, SFT stayed near chance on the medium / hard ones (reading the minute hand, then time arithmetic), RL's
    // rollouts were mostly guesses among 4 options, and RL_1 fell below SFT_1. The curriculum's medium / hard tiers
    // come from the difficulty stage (the SFT policy's error rates), as in the paper.
    data: { kind: 'world', train: 1500, test: 400, families: EMBEDDED_FAMILIES, tiers: ['easy'] },
    // The world's caption reader writes the paper's markers in its own spelling ("wait ,").
    filter: { markers: [...PAPER_MARKERS, ...REFLECTION_MARKERS], keepPrevious: true },
    // Later rounds: one greedy sample per problem from the previous RL policy, as the paper's code draws (temperature
    // 0.01, top-k 1). Measured (seeds 1 and 2): SFT_2 on these traces 79% / 82%, on the shortest correct of 4 samples
    // at temperature 1 68% / 74% (lucky guesses with garbled reasoning got in).
    regenerate: { k: 1, temperature: 0 },
    // A light SFT (4 epochs, ~165 steps: 67% held-out) as the paper's 1-epoch SFT is light; 8 epochs reach 95%.
    sft: { epochs: 4 },
    // GRPO at lr 2e-4 on 32 prompts x 8 samples a step. Measured from the same SFT model: lr 5e-4 on 16 prompts made
    // greedy accuracy fall (67% -> 55%): its updates were mostly noise. The hard stage trains on the medium and hard
    // tiers: on the hard tier alone (141 problems in round 2, mostly clocks showing 8 or 2) 9 steps taught the policy
    // to answer 8 and 2 and cost 18 points. Vision is frozen in the medium stage as in the paper; the gains come in
    // the hard stage, where it trains.
    rl: {
      lr: 2e-4,
      rolloutBatchSize: 32,
      miniBatchSize: 32,
      stages: [
        { name: 'medium', tiers: ['medium'], episodes: 2, freezeVision: true },
        { name: 'hard', tiers: ['medium', 'hard'], episodes: 1, freezeVision: false },
      ],
    },
    eval: { checkpoints: 'final' },
  },
  'embedded-quick': {
    filter: { markers: [...PAPER_MARKERS, ...REFLECTION_MARKERS], keepPrevious: true },
    name: 'embedded-quick',
    rounds: 2,
    // The embedded preset's choices at a toy size, so the test runs the same code paths.
    data: { kind: 'world', train: 48, test: 32, families: EMBEDDED_FAMILIES, tiers: ['easy'] },
    distill: { k: 2 },
    regenerate: { k: 1, temperature: 0 },
    difficulty: { k: 2 },
    sft: { epochs: 4, evalLimit: 32, evalMaxTokens: 64 },
    rl: {
      rolloutBatchSize: 16,
      groupSize: 4,
      miniBatchSize: 16,
      maxResponseTokens: 64,
      valEvery: 0,
      stages: [
        { name: 'medium', tiers: ['medium'], episodes: 1, freezeVision: true },
        { name: 'hard', tiers: ['medium', 'hard'], episodes: 1, freezeVision: false },
      ],
    },
  },
  paper: {
    name: 'paper',
    rounds: 3,
    data: {
      kind: 'files',
      train: 'data/seed-problems.jsonl',
      test: 'data/mathvista-testmini.jsonl',
      testName: 'MathVista',
    },
    caption: { maxTokens: 2048, temperature: 0, skipWhenPresent: true },
    // Round 1: the text reasoner samples k = 4 chains and the shortest correct one is kept (paper §3).
    distill: { k: 4, temperature: 1, topP: 1, maxTokens: 2048, selection: 'shortest' },
    // Later rounds: the paper says k samples; its code draws one near-greedy sample (temperature 0.01, top-k 1).
    regenerate: { k: 4, temperature: 1, topP: 1, maxTokens: 2048, selection: 'shortest' },
    filter: { markers: PAPER_MARKERS, minWords: 1, maxWords: 500, dedup: true },
    sft: paperSftConfig,
    difficulty: { k: 5, temperature: 1, maxTokens: 2048, groupBy: 'source' },
    rl: {
      ...paperGrpoConfig,
      reward: 'openvlthinker',
      stages: [
        { name: 'medium', tiers: ['medium'], episodes: 5, freezeVision: true },
        { name: 'hard', tiers: ['hard'], episodes: 15, freezeVision: false },
      ],
      referenceFromSft: true,
    },
    // Greedy decoding (temperature 0.01, top-k 1), up to 2048 new tokens.
    eval: { temperature: 0, maxTokens: 2048, checkpoints: 'all' },
    backend: { kind: 'scale-out', baseModel: 'Qwen/Qwen2.5-VL-7B-Instruct', runner: 'local' },
  },
} as const satisfies Record<string, RunConfigInput>;

export type PresetName = keyof typeof PRESETS;
export const PRESET_NAMES = Object.keys(PRESETS) as PresetName[];
