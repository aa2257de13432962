import { isAbsolute, join, relative } from 'node:path';
import type { z } from 'zod';
import {
  createEasyR1Trainer,
  createExternalTrainer,
  createLlamaFactoryTrainer,
} from '../backends/external-trainers.ts';
import type { JobRunner } from '../backends/job-runner.ts';
import { createLocalRunner } from '../backends/local-runner.ts';
import { type ManagedServingConfig, startManagedServer } from '../backends/managed-server.ts';
import { createOpenAICompatibleGenerator } from '../backends/openai-generator.ts';
import { createRayJobsRunner } from '../backends/ray-jobs-runner.ts';
import type { Logger } from '../core/index.ts';
import {
  type BackendConfig,
  basePretraining,
  grpoSettings,
  type RunConfig,
  type ScaleOutBackendConfig,
} from './config/schema.ts';
import type { PipelineDeps } from './deps.ts';
import { createEmbeddedDeps } from './engines-embedded.ts';
import { runDirOf } from './paths.ts';

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

/**
 * What of the backend config decides a trained checkpoint, besides the run's `sft` / `rl` settings: the training
 * stages' cache key. Thread counts, concurrency and endpoints change how fast a model trains, not what it learns.
 */
export function trainingEngineKey(backend: BackendConfig): unknown {
  switch (backend.kind) {
    case 'embedded':
      return { kind: 'embedded' };
    case 'scale-out': {
      const { command: _lf, env: _env, ...llamaFactory } = backend.llamaFactory;
      const { command: _r1, workdir: _dir, ...easyR1 } = backend.easyR1;
      return { kind: 'scale-out', baseModel: backend.baseModel, llamaFactory, easyR1 };
    }
    default: {
      const unreachable: never = backend;
      throw new Error(`unknown backend ${JSON.stringify(unreachable)}`);
    }
  }
}

/**
 * What decides the base model: the embedded model's sizes, image size and seed, and its caption pretraining (the
 * world seed it draws from, the caption prompt, the training settings); or the named Hugging Face model.
 */
export function baseModelKey(config: RunConfig): unknown {
  const b = config.backend;
  if (b.kind === 'scale-out') return { kind: 'hf', model: b.baseModel };
  const imageSize = config.data.kind === 'world' ? config.data.imageSize : null;
  const pretrain = basePretraining(config);
  return { kind: 'embedded', model: b.model, imageSize, seed: config.seed, ...(pretrain ? { pretrain } : {}) };
}

export function createRunner(backend: z.infer<typeof ScaleOutBackendConfig>): JobRunner {
  return backend.runner === 'ray'
    ? createRayJobsRunner({ address: backend.rayAddress, ...backend.ray })
    : createLocalRunner();
}

/** Where a managed policy server runs: beside the training jobs (a local process, or a Ray job with its GPUs). */
function servingRunner(backend: z.infer<typeof ScaleOutBackendConfig>, serving: ManagedServingConfig): JobRunner {
  if (backend.runner === 'local') return createLocalRunner({ killGraceMs: serving.stopTimeoutS * 1000 });
  const gpus = serving.gpus === null ? {} : { entrypointNumGpus: serving.gpus.split(',').length };
  return createRayJobsRunner({ address: backend.rayAddress, ...backend.ray, ...gpus });
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
    policy: async (ckpt, signal) => {
      const model = backend.policy.model ?? ckpt.path;
      if (serving.kind !== 'vllm') return generator(backend.policy.baseUrl, model, ckpt.path);
      // vlthink serves the checkpoint itself for this stage: started here, stopped when the stage closes the backend.
      const runDir = runDirOf(config);
      const server = await startManagedServer({
        config: serving,
        runner: servingRunner(backend, serving),
        checkpoint: ckpt.path,
        baseUrl: backend.policy.baseUrl,
        model,
        logFile: join(runDir, 'serving', `${servingLogName(runDir, ckpt.path)}.log`),
        ...(signal ? { signal } : {}),
        ...(options.log ? { logger: options.log } : {}),
      });
      const gen = generator(backend.policy.baseUrl, model, ckpt.path);
      return {
        id: gen.id,
        generate: (prompts, params, signal, callOptions) => gen.generate(prompts, params, signal, callOptions),
        close: async () => {
          try {
            await gen.close?.();
          } finally {
            await server.stop();
          }
        },
      };
    },
    trainer: createExternalTrainer({
      sft: createLlamaFactoryTrainer(backend.llamaFactory, config.sft, { runner, serving, logger: options.log }),
      rl: createEasyR1Trainer(backend.easyR1, grpoSettings(config.rl), {
        runner,
        serving,
        logger: options.log,
        rewardUrl: backend.rewardUrl,
      }),
    }),
    base: async () => ({ kind: 'hf', path: backend.baseModel, name: backend.baseModel }),
    describe: () => ({ backend: 'scale-out', baseModel: backend.baseModel, runner: backend.runner }),
  };
}

/** A checkpoint's serving log name: its path inside the run directory, folders joined by '-' (round-1-sft-model). */
export function servingLogName(runDir: string, checkpoint: string): string {
  const rel = relative(runDir, checkpoint);
  const inside = rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
  return (inside ? rel : checkpoint).replace(/[^\w.-]+/g, '-').replace(/^-+|-+$/g, '') || 'checkpoint';
}
