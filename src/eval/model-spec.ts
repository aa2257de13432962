import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createOpenAICompatibleGenerator } from '../backends/openai-generator.ts';
import type { GenerationBackend } from '../backends/types.ts';
import { ConfigError, type Logger } from '../core/index.ts';

/**
 * `--model` values: `openai:URL#model` (any OpenAI-compatible server; URL includes /v1) or the folder of an embedded
 * checkpoint (safetensors + config.json), run in-process by the embedded generator.
 */
export type ModelSpec =
  | { readonly kind: 'openai'; readonly baseURL: string; readonly model: string }
  | { readonly kind: 'embedded'; readonly dir: string };

export function parseModelSpec(value: string, field = 'eval.model'): ModelSpec {
  if (value.startsWith('openai:')) {
    const rest = value.slice('openai:'.length);
    const hash = rest.lastIndexOf('#');
    const baseURL = hash >= 0 ? rest.slice(0, hash) : '';
    const model = hash >= 0 ? rest.slice(hash + 1) : '';
    if (!/^https?:\/\//.test(baseURL) || model === '') {
      throw new ConfigError(field, `'${value}' is not openai:URL#model`, {
        value,
        hint: 'e.g. openai:http://127.0.0.1:8000/v1#Qwen/Qwen2.5-VL-7B-Instruct',
      });
    }
    return { kind: 'openai', baseURL, model };
  }
  if (value.trim() === '')
    throw new ConfigError(field, 'empty model', { hint: 'a checkpoint folder or openai:URL#model' });
  return { kind: 'embedded', dir: value };
}

export interface BackendOptions {
  readonly apiKey?: string;
  readonly cacheDir?: string;
  readonly concurrency?: number;
  /** openai: per-attempt time limit, seconds. */
  readonly timeoutS?: number;
  /** openai: retries after the first attempt. */
  readonly retries?: number;
  /** Where retry warnings go (the CLI's logger, so a hung or failing server is never silent). */
  readonly logger?: Logger;
}

/** Makes the GenerationBackend for a spec. The embedded generator is loaded on demand (it pulls in the engine). */
export async function createBackend(spec: ModelSpec, options: BackendOptions = {}): Promise<GenerationBackend> {
  switch (spec.kind) {
    case 'openai':
      return createOpenAICompatibleGenerator(
        {
          baseURL: spec.baseURL,
          model: spec.model,
          apiKey: options.apiKey ?? 'EMPTY',
          concurrency: options.concurrency ?? 16,
          cacheDir: options.cacheDir,
          ...(options.timeoutS !== undefined ? { timeoutMs: Math.round(options.timeoutS * 1000) } : {}),
          ...(options.retries !== undefined
            ? { retry: { maxAttempts: options.retries + 1, budgetMs: Number.MAX_SAFE_INTEGER } }
            : {}),
          giveUpHint: 'check that the server is up and not overloaded, or raise --retries / --timeout',
        },
        { logger: options.logger },
      );
    case 'embedded': {
      // Resolved at run time so that eval works (with openai: models) where the embedded engine is not built.
      const url = pathToFileURL(resolve(import.meta.dirname, '../backends/embedded-generator.ts')).href;
      let mod: { createEmbeddedGenerator?: unknown };
      try {
        mod = (await import(url)) as { createEmbeddedGenerator?: unknown };
      } catch (cause) {
        const why = cause instanceof Error ? cause.message.split('\n')[0] : String(cause);
        throw new ConfigError('eval.model', `cannot load the embedded generator for checkpoint '${spec.dir}': ${why}`, {
          value: spec.dir,
          hint: 'use openai:URL#model, or serve the checkpoint with `vlthink serve`',
          cause,
        });
      }
      if (typeof mod.createEmbeddedGenerator !== 'function') {
        throw new ConfigError('eval.model', 'the embedded generator module has no createEmbeddedGenerator', {
          value: spec.dir,
        });
      }
      const create = mod.createEmbeddedGenerator as (opts: {
        checkpoint: string;
      }) => Promise<GenerationBackend> | GenerationBackend;
      return await create({ checkpoint: spec.dir });
    }
    default: {
      const never: never = spec;
      throw new Error(`unknown model spec ${JSON.stringify(never)}`);
    }
  }
}
