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
      // Imported here, not at the top: the engine (ONNX Runtime) loads only when an embedded model is evaluated.
      const { createEmbeddedGenerator } = await import('../backends/embedded-generator.ts');
      return createEmbeddedGenerator({ checkpoint: spec.dir });
    }
    default: {
      const never: never = spec;
      throw new Error(`unknown model spec ${JSON.stringify(never)}`);
    }
  }
}
