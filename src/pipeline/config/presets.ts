import { paperGrpoConfig, paperSftConfig } from '../../train/config.ts';
import { PAPER_REFLECTION_MARKERS, type RunConfigInput } from './schema.ts';

/**
 * Presets are overlays deep-merged onto the schema defaults, then under the user's config files and CLI overrides.
 * The schema defaults are the `embedded` preset, so its overlay is empty. `paper` carries every hyperparameter
 * the paper (OpenVLThinker, arXiv 2503.17352, and its v1.2 code) states; the engines' own settings sit in their
 * backends' configs.
 */
export const PRESETS = {
  embedded: {},
  'embedded-quick': {
    // The default's model, images, traces and training at a toy size, in about a minute: the hour reading alone
    // (clock-arith's addition table needs more data than a minute buys), a base caption-pretrained on 600 images for
    // 3 epochs (~7 s), 600 seed problems, 8 SFT epochs, and 4 GRPO steps a stage on 32 prompts x 8 (16 x 4 made RL_1
    // fall 6 points below SFT_1). One thread, the box shared with another run (137 s): SFT_1 63% (the majority answer
    // scores 12%) -> RL_1 66% -> SFT_2 69% -> RL_2 73%; without pretraining 57 -> 60 -> 75 -> 75% (2 threads, 82 s).
    name: 'embedded-quick',
    rounds: 2,
    data: { kind: 'world', train: 600, test: 100, families: ['clock'], tiers: ['easy'] },
    backend: { kind: 'embedded', pretrain: { problems: 600, epochs: 3 } },
    distill: { k: 2 },
    difficulty: { k: 2 },
    sft: { epochs: 8, evalLimit: 32, evalMaxTokens: 64 },
    rl: {
      maxSteps: 4,
      maxResponseTokens: 64,
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
    filter: { markers: [...PAPER_REFLECTION_MARKERS], minWords: 1, maxWords: 500, dedup: true, keepPrevious: false },
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
