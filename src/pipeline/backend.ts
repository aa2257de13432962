import { join } from 'node:path';
import type { z } from 'zod';
import {
  createEasyR1Trainer,
  createExternalTrainer,
  createLlamaFactoryTrainer,
} from '../backends/external-trainers.ts';
import type { JobRunner } from '../backends/job-runner.ts';
import { createLocalRunner } from '../backends/local-runner.ts';
import { createOpenAICompatibleGenerator } from '../backends/openai-generator.ts';
import { createRayJobsRunner } from '../backends/ray-jobs-runner.ts';
import type { Logger } from '../core/index.ts';
import { createEmbeddedDeps } from './backend-embedded.ts';
import type { RunConfig, ScaleOutBackendConfig } from './config/schema.ts';
import type { PipelineDeps } from './deps.ts';
import { runDirOf } from './loop.ts';

/** The engines behind the seams, chosen by the config's backend slice: one switch, exhaustively checked. */
export interface DepsOptions {
  readonly log?: Logger;
}

export async function createDeps(config: RunConfig, options: DepsOptions = {}): Promise<PipelineDeps> {
  const backend = config.backend;
  switch (backend.kind) {
    case 'embedded':
      return createEmbeddedDeps(config, backend, options);
    case 'scale-out':
      return createScaleOutDeps(config, backend, options);
    default: {
      const unreachable: never = backend;
      throw new Error(`unknown backend ${JSON.stringify(unreachable)}`);
    }
  }
}

export function createRunner(backend: z.infer<typeof ScaleOutBackendConfig>): JobRunner {
  return backend.runner === 'ray' ? createRayJobsRunner({ address: backend.rayAddress }) : createLocalRunner();
}

/**
 * Scale-out: every generation goes to an OpenAI-compatible server (responses cached in the run directory, so a resumed
 * run never pays twice); SFT runs on LLaMA-Factory and GRPO on EasyR1, locally or as Ray jobs.
 */
function createScaleOutDeps(
  config: RunConfig,
  backend: z.infer<typeof ScaleOutBackendConfig>,
  options: DepsOptions,
): PipelineDeps {
  const cacheDir = join(runDirOf(config), 'cache');
  const generator = (baseURL: string, model: string, cacheNamespace = '') =>
    createOpenAICompatibleGenerator(
      { baseURL, model, concurrency: backend.concurrency, cacheDir, cacheNamespace },
      { logger: options.log },
    );
  const runner = createRunner(backend);
  const serving = backend.serving;
  return {
    captioner: generator(backend.captioner.baseUrl, backend.captioner.model),
    reasoner: generator(backend.reasoner.baseUrl, backend.reasoner.model),
    policy: async (ckpt) => generator(backend.policy.baseUrl, backend.policy.model ?? ckpt.path, ckpt.path),
    trainer: createExternalTrainer({
      sft: createLlamaFactoryTrainer(backend.llamaFactory, { runner, serving, logger: options.log }),
      rl: createEasyR1Trainer(backend.easyR1, { runner, serving, logger: options.log, rewardUrl: backend.rewardUrl }),
    }),
    base: async () => ({ kind: 'hf', path: backend.baseModel, name: backend.baseModel }),
    describe: () => ({ backend: 'scale-out', baseModel: backend.baseModel, runner: backend.runner }),
  };
}
