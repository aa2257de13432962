import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { z } from 'zod';
import { createCaptionReaderBackend } from '../backends/caption-reader-backend.ts';
import { createEmbeddedGenerator } from '../backends/embedded-generator.ts';
import { createEmbeddedTrainer } from '../backends/embedded-trainer.ts';
import type { Checkpoint, StepMetrics } from '../backends/types.ts';
import { ConfigError, type Logger } from '../core/index.ts';
import { readJsonlAll, writeJsonl } from '../data/jsonl.ts';
import { Problem, SftExample } from '../data/types.ts';
import { createTokenizer, initParams, saveCheckpoint, tinyConfig } from '../model/index.ts';
import {
  type FamilyName,
  generateDataset,
  type SynthOptions,
  worldVocabulary,
  writeWorldDataset,
} from '../world/index.ts';
import { basePretraining, type EmbeddedBackendConfig, grpoSettings, type RunConfig } from './config/schema.ts';
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
    base: async (dir, onStep) => initEmbeddedBase(dir, config, backend, { log: options.log, onStep }),
    describe: () => ({ backend: 'embedded', trainer: trainer.id }),
  };
}

/**
 * The base model: a freshly initialized tiny VLM whose tokenizer covers the world's words and the prompt
 * instruction (so prompts carry no <unk>), saved as a checkpoint every round's SFT starts from. With
 * `backend.pretrain.problems` set, it first learns to caption that many world images (faithful captions, the
 * configured caption prompt): the initialized weights stay in `init/`, the pretrained model is `model/`.
 */
export async function initEmbeddedBase(
  dir: string,
  config: RunConfig,
  backend: z.infer<typeof EmbeddedBackendConfig>,
  options: { log?: Logger; onStep?: (m: StepMetrics) => void } = {},
): Promise<Checkpoint> {
  const imageSize = config.data.kind === 'world' ? config.data.imageSize : 32;
  if (imageSize % backend.model.patchSize !== 0) {
    throw new ConfigError('backend.model.patchSize', `data.imageSize ${imageSize} is not divisible by it`, {
      value: backend.model.patchSize,
      hint: 'pick a patch size that divides the image size (e.g. 8 for 32 or 48 px)',
    });
  }
  const pretrain = basePretraining(config);
  const corpus = [...worldVocabulary(), THINK_INSTRUCTION, 'Choices:', 'caption question'];
  const tokenizer = createTokenizer(pretrain ? [...corpus, pretrain.prompt] : corpus);
  const modelConfig = tinyConfig(tokenizer.size, { ...backend.model, imageSize });
  const initDir = pretrain ? join(dir, 'init') : dir;
  await mkdir(initDir, { recursive: true });
  await saveCheckpoint(initDir, { config: modelConfig, params: initParams(modelConfig, config.seed), tokenizer });
  const init: Checkpoint = { kind: 'embedded', path: initDir, name: 'base' };
  if (!pretrain) return init;

  // The world's own dataset writer (streamed, written atomically): problems.jsonl + images/; each problem's faithful
  // caption (noise 0) becomes the response to the caption prompt.
  const dataDir = join(dir, 'pretrain-data');
  await writeWorldDataset(dataDir, {
    n: pretrain.problems,
    seed: pretrain.worldSeed,
    split: 'rl',
    imageSize,
    noise: 0,
    ...(pretrain.families ? { families: pretrain.families } : {}),
  });
  const { records: problems } = await readJsonlAll(join(dataDir, 'problems.jsonl'), Problem);
  const examples: SftExample[] = problems.map((p, i) => ({
    id: `pretrain-${i}`,
    problemId: p.id,
    images: p.images,
    prompt: pretrain.prompt,
    response: p.caption ?? '',
    answer: '',
  }));
  const dataFile = join(dataDir, 'captions.jsonl');
  await writeJsonl(dataFile, examples, { schema: SftExample });
  const trainer = createEmbeddedTrainer({ sft: pretrain.sft, threads: backend.threads, logger: options.log });
  const made = await trainer.sft({
    base: init,
    dataFile,
    imageRoot: dataDir,
    outDir: join(dir, 'model'),
    ...(options.onStep ? { onStep: options.onStep } : {}),
  });
  return { ...made, name: 'base' };
}
