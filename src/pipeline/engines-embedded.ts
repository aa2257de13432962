import { mkdir } from 'node:fs/promises';
import type { z } from 'zod';
import { createCaptionReaderBackend } from '../backends/caption-reader-backend.ts';
import { createEmbeddedGenerator } from '../backends/embedded-generator.ts';
import { createEmbeddedTrainer } from '../backends/embedded-trainer.ts';
import type { Checkpoint } from '../backends/types.ts';
import { ConfigError, type Logger } from '../core/index.ts';
import { createTokenizer, initParams, saveCheckpoint, tinyConfig } from '../model/index.ts';
import { type FamilyName, generateDataset, type SynthOptions, worldVocabulary } from '../world/index.ts';
import { type EmbeddedBackendConfig, grpoSettings, type RunConfig } from './config/schema.ts';
import type { PipelineDeps, WorldRequest, WorldSample } from './deps.ts';
import { policyPromptText, THINK_INSTRUCTION } from './prompts.ts';

/**
 * Embedded: the synthetic world makes the problems, its caption reader is the round-1 text reasoner, and the tiny VLM
 * is initialized here, trained by the embedded trainer (train/) and sampled by the embedded generator, all in-process.
 */
export async function createEmbeddedDeps(
  config: RunConfig,
  backend: z.infer<typeof EmbeddedBackendConfig>,
  options: { log?: Logger },
): Promise<PipelineDeps> {
  const trainer = createEmbeddedTrainer({
    sft: config.sft,
    grpo: grpoSettings(config.rl),
    threads: backend.threads,
    promptText: policyPromptText,
    logger: options.log,
  });
  const world = async (req: WorldRequest): Promise<WorldSample[]> =>
    generateDataset({
      n: req.n,
      seed: req.seed,
      split: req.split,
      imageSize: req.imageSize,
      noise: req.captionNoise,
      ...(req.families ? { families: req.families as FamilyName[] } : {}),
      ...(req.tiers
        ? { tiers: (Array.isArray(req.tiers) ? [...req.tiers] : { ...req.tiers }) as SynthOptions['tiers'] }
        : {}),
    }).map((r) => ({ problem: r.problem, png: r.png }));
  return {
    world,
    reasoner: createCaptionReaderBackend(),
    policy: async (ckpt) => createEmbeddedGenerator({ checkpoint: ckpt.path, threads: backend.threads }),
    trainer,
    policyPromptText,
    base: async (dir) => initEmbeddedBase(dir, config, backend),
    describe: () => ({ backend: 'embedded', trainer: trainer.id }),
  };
}

/**
 * The base model: a freshly initialized tiny VLM whose tokenizer covers the world's words and the prompt
 * instruction (so prompts carry no <unk>), saved as a checkpoint every round's SFT starts from.
 */
export async function initEmbeddedBase(
  dir: string,
  config: RunConfig,
  backend: z.infer<typeof EmbeddedBackendConfig>,
): Promise<Checkpoint> {
  const imageSize = config.data.kind === 'world' ? config.data.imageSize : 32;
  if (imageSize % backend.model.patchSize !== 0) {
    throw new ConfigError('backend.model.patchSize', `data.imageSize ${imageSize} is not divisible by it`, {
      value: backend.model.patchSize,
      hint: 'pick a patch size that divides the image size (e.g. 8 for 32 or 48 px)',
    });
  }
  const tokenizer = createTokenizer([...worldVocabulary(), THINK_INSTRUCTION, 'Choices:', 'caption question']);
  const modelConfig = tinyConfig(tokenizer.size, { ...backend.model, imageSize });
  await mkdir(dir, { recursive: true });
  await saveCheckpoint(dir, { config: modelConfig, params: initParams(modelConfig, config.seed), tokenizer });
  return { kind: 'embedded', path: dir, name: 'base' };
}
