/**
 * The embedded generator: samples the tiny VLM of an embedded checkpoint in-process, with token log-probs.
 *
 * A prompt becomes what the model was trained on (train/policy-io.ts): its first image (a PNG/JPEG path or bytes,
 * letterboxed to the model's size, inverted so white is 0) and <bos> + the text parts of all its messages joined by
 * newlines. A prompt without an image gets a blank one. top-k 1 means greedy (the paper's evaluation: temperature
 * 0.01, top-k 1); other top-k cuts are not supported by the tiny model's sampler and are refused.
 */
import { AbortedError, ConfigError, DataError, type Logger, silentLogger, throwIfAborted } from '../core/index.ts';
import { loadImageTensor } from '../data/index.ts';
import {
  createVlmRuntime,
  imageTokens,
  imageValues,
  loadCheckpoint,
  type Tokenizer,
  type VlmRuntime,
} from '../model/index.ts';
import { chunks } from '../train/batching.ts';
import { encodePrompt, stackImages, toModelPixels } from '../train/policy-io.ts';
import type { Completion, GenerateOptions, GenerationBackend, GenerationParams, ImageRef, Prompt } from './types.ts';

export interface EmbeddedGeneratorOptions {
  /** Folder of an embedded checkpoint (model.safetensors, config.json, tokenizer.json). */
  readonly checkpoint: string;
  /** ONNX Runtime intra-op threads (0: the runtime decides). */
  readonly threads?: number;
  /** Rows sampled together (prompts x n), bounding memory. */
  readonly batchSize?: number;
  readonly logger?: Logger;
}

interface Loaded {
  readonly runtime: VlmRuntime;
  readonly tokenizer: Tokenizer;
}

function firstImage(prompt: Prompt): ImageRef | undefined {
  for (const m of prompt) {
    if (typeof m.content === 'string') continue;
    for (const part of m.content) if (part.type === 'image') return part.image;
  }
  return undefined;
}

/** The text the model reads: every text part of every message, in order, joined by newlines. */
export function promptText(prompt: Prompt): string {
  const texts: string[] = [];
  for (const m of prompt) {
    if (typeof m.content === 'string') texts.push(m.content);
    else for (const part of m.content) if (part.type === 'text') texts.push(part.text);
  }
  return texts.join('\n');
}

/** Cut `text` at the first of `stop`; returns the cut text and whether a stop string was found. */
function applyStop(text: string, stop: readonly string[] | undefined): { text: string; stopped: boolean } {
  let cut = -1;
  for (const s of stop ?? []) {
    if (s === '') continue;
    const i = text.indexOf(s);
    if (i >= 0 && (cut < 0 || i < cut)) cut = i;
  }
  return cut < 0 ? { text, stopped: false } : { text: text.slice(0, cut), stopped: true };
}

/**
 * One prompt as the model reads it: its token ids (<bos> + text) and its image pixels. A prompt the model cannot
 * read (too long, an image that does not decode) is the caller's mistake: a DataError naming `prompt <i>`.
 */
async function encodeForModel(
  runtime: VlmRuntime,
  tokenizer: Tokenizer,
  prompt: Prompt,
  i: number,
): Promise<{ ids: number[]; image: Float32Array }> {
  const c = runtime.config;
  const ids = encodePrompt(tokenizer, promptText(prompt));
  if (ids.length >= c.maxTextLen) {
    throw new DataError(
      `prompt ${i}`,
      `${ids.length} tokens leave no room to answer (model maxTextLen ${c.maxTextLen})`,
      {
        hint: 'shorten the prompt or use a model with a larger maxTextLen',
      },
    );
  }
  const ref = firstImage(prompt);
  const image = ref
    ? toModelPixels(
        await loadImageTensor('path' in ref ? ref.path : ref.bytes, c.imageSize, { problemId: `prompt ${i}` }),
      )
    : new Float32Array(imageValues(c));
  return { ids, image };
}

/** The embedded generator; `checkPrompt` reads one prompt as `generate` would, so a server can refuse it alone. */
export interface EmbeddedGenerator extends GenerationBackend {
  /** The prompt positions the model reads: image patches + text tokens (usage.prompt_tokens). */
  checkPrompt(prompt: Prompt): Promise<{ promptTokens: number }>;
}

export function createEmbeddedGenerator(options: EmbeddedGeneratorOptions): EmbeddedGenerator {
  const log = options.logger ?? silentLogger;
  let loading: Promise<Loaded> | undefined;
  const load = () => {
    loading ??= (async () => {
      const ck = await loadCheckpoint(options.checkpoint);
      if (!ck.tokenizer) {
        throw new DataError(`${options.checkpoint}/tokenizer.json`, 'the checkpoint has no tokenizer', {
          hint: 'embedded checkpoints are saved with their tokenizer by the embedded trainer',
        });
      }
      const runtime = await createVlmRuntime(ck.config, ck.params, {
        session: { intraOpThreads: options.threads ?? 0 },
      });
      return { runtime, tokenizer: ck.tokenizer };
    })();
    loading.catch(() => {
      loading = undefined;
    });
    return loading;
  };

  return {
    id: `embedded:${options.checkpoint}`,

    async checkPrompt(prompt: Prompt): Promise<{ promptTokens: number }> {
      const { runtime, tokenizer } = await load();
      const { ids } = await encodeForModel(runtime, tokenizer, prompt, 0);
      return { promptTokens: imageTokens(runtime.config) + ids.length };
    },

    async generate(
      prompts: readonly Prompt[],
      params: GenerationParams,
      signal?: AbortSignal,
      callOptions: GenerateOptions = {},
    ): Promise<Completion[][]> {
      throwIfAborted(signal, 'generation');
      if (!(params.n >= 1)) throw new ConfigError('generation.n', `must be at least 1, got ${params.n}`);
      if (params.topK !== undefined && params.topK > 1) {
        throw new ConfigError(
          'generation.topK',
          `the embedded sampler supports top-k 0 (off) or 1 (greedy), got ${params.topK}`,
          {
            hint: 'use top-p to cut the tail instead',
          },
        );
      }
      const { runtime, tokenizer } = await load();
      const greedy = params.topK === 1 || params.temperature === 0;
      const encoded = await Promise.all(prompts.map((prompt, i) => encodeForModel(runtime, tokenizer, prompt, i)));
      const rows = encoded.flatMap((e, p) => Array.from({ length: params.n }, (_, k) => ({ ...e, p, k })));
      const out: Completion[][] = prompts.map(() => []);
      const promptSignals = callOptions.promptSignals;
      const gone = (p: number) => promptSignals?.[p]?.aborted === true;
      const onDelta = callOptions.onDelta;
      // A stop string may be half written: hold that many characters back until the text is final.
      const holdBack = Math.max(0, ...(params.stop ?? []).map((s) => s.length - 1));
      for (const [b, part] of chunks(rows, options.batchSize ?? 256).entries()) {
        throwIfAborted(signal, 'generation');
        // Streaming: each row's text so far (stop strings applied), and what of it was already told.
        const drawn = part.map((): number[] => []);
        const told = part.map(() => '');
        const tell = (i: number, text: string) => {
          const row = part[i];
          const before = told[i] ?? '';
          if (!row || !onDelta || text.length <= before.length || !text.startsWith(before)) return;
          told[i] = text;
          onDelta(row.p, row.k, text.slice(before.length));
        };
        if (promptSignals && prompts.every((_, p) => gone(p))) throw new AbortedError('generation');
        const samples = await runtime.sample(
          {
            images: stackImages(part.map((r) => r.image)),
            prompts: part.map((r) => r.ids),
            ...(promptSignals ? { cancelled: (i: number) => gone(part[i]?.p ?? -1) || signal?.aborted === true } : {}),
            ...(onDelta
              ? {
                  onToken: (i: number, token: number) => {
                    const tokens = drawn[i];
                    if (!tokens) return;
                    tokens.push(token);
                    const cut = applyStop(tokenizer.decode(tokens), params.stop);
                    tell(i, cut.stopped ? cut.text : cut.text.slice(0, Math.max(0, cut.text.length - holdBack)));
                  },
                }
              : {}),
          },
          {
            temperature: greedy ? 0 : params.temperature,
            topP: params.topP > 0 && params.topP <= 1 ? params.topP : 1,
            maxTokens: Math.max(1, params.maxTokens),
            seed: (params.seed ?? 0) + b * 7919,
            stopToken: tokenizer.eos,
            padToken: tokenizer.pad,
            ...(params.logprobs && params.topLogprobs ? { topLogprobs: params.topLogprobs } : {}),
          },
        );
        samples.forEach((s, i) => {
          const row = part[i] as (typeof part)[number];
          const cut = applyStop(tokenizer.decode(s.tokens), params.stop);
          tell(i, cut.text);
          (out[row.p] as Completion[]).push({
            text: cut.text,
            tokenIds: s.tokens,
            ...(params.logprobs ? { logprobs: s.logprobs } : {}),
            ...(s.topLogprobs ? { topLogprobs: s.topLogprobs } : {}),
            finishReason: cut.stopped ? 'stop' : s.finishReason,
          });
        });
      }
      throwIfAborted(signal, 'generation');
      log.debug('embedded generate', { prompts: prompts.length, n: params.n });
      return out;
    },
  };
}
