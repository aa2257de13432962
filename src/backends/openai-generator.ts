import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import OpenAI, { APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import { z } from 'zod';
import {
  AbortedError,
  BackendError,
  contentHash,
  DataError,
  type Logger,
  mapPool,
  silentLogger,
  throwIfAborted,
} from '../core/index.ts';
import {
  type ChatCompletionRequest,
  ChatCompletionResponse,
  type WireContentPart,
  type WireMessage,
} from './openai-wire.ts';
import { createResponseCache } from './response-cache.ts';
import { type RetryHint, RetryPolicy, withRetries } from './retry.ts';
import type { Completion, GenerationBackend, GenerationParams, ImageRef, Prompt } from './types.ts';

/**
 * A GenerationBackend over any OpenAI-compatible chat-completions server (vLLM, SGLang, llama.cpp's server, Ollama,
 * hosted APIs, `vlthink serve`), on the official `openai` client with its own retries switched off: vlthink's retry
 * policy (backoff + jitter within a budget) and an on-disk response cache keyed by the request's content hash wrap
 * every call. One prompt is one request asking for `n` choices.
 *
 * The cache key covers the base URL, the model, `cacheNamespace` and the exact JSON body (images included as bytes),
 * so identical requests return identical stored completions. Sampling the same prompt twice on purpose (RL rollouts
 * over several episodes) needs a different `seed` per call, or a namespace per step, or no cache.
 */
export const OpenAIGeneratorOptions = z.object({
  baseURL: z.url().describe('the server root including /v1, e.g. http://127.0.0.1:8000/v1 (vLLM, SGLang default)'),
  model: z.string().min(1).describe('model name as the server knows it (`GET /v1/models`)'),
  apiKey: z.string().default('EMPTY').describe('bearer token; local servers accept any value'),
  concurrency: z.number().int().min(1).max(1024).default(16).describe('requests in flight at once, over all calls'),
  timeoutMs: z.number().int().min(1).default(300_000).describe('per-attempt time limit for one request, ms'),
  retry: RetryPolicy.default(RetryPolicy.parse({})).describe('retries on 429 / 5xx / timeouts / dropped connections'),
  maxNPerRequest: z
    .number()
    .int()
    .min(1)
    .optional()
    .describe(
      'split n into requests of at most this many choices (llama.cpp and Ollama serve n = 1); seed + offset each',
    ),
  cacheDir: z.string().optional().describe('folder of the on-disk response cache; no cache when unset'),
  giveUpHint: z.string().optional().describe("the hint when retries run out, naming the caller's own settings"),
  cacheNamespace: z
    .string()
    .default('')
    .describe('mixed into every cache key: set it to the served checkpoint hash so reloaded weights miss the cache'),
});
export type OpenAIGeneratorOptions = z.input<typeof OpenAIGeneratorOptions>;

export interface OpenAIGeneratorDeps {
  readonly logger?: Logger;
  /** Uniform [0, 1) for backoff jitter; seed it in tests. */
  readonly random?: () => number;
}

export function createOpenAICompatibleGenerator(
  options: OpenAIGeneratorOptions,
  deps: OpenAIGeneratorDeps = {},
): GenerationBackend {
  const opts = OpenAIGeneratorOptions.parse(options);
  const logger = deps.logger ?? silentLogger;
  const url = `${opts.baseURL.replace(/\/+$/, '')}/chat/completions`;
  const client = new OpenAI({
    baseURL: opts.baseURL,
    apiKey: opts.apiKey,
    organization: null,
    project: null,
    maxRetries: 0,
    timeout: opts.timeoutMs,
  });
  const cache = opts.cacheDir === undefined ? undefined : createResponseCache(opts.cacheDir);
  const limit = createLimiter(opts.concurrency);

  const fail = (message: string, extra: { status?: number; retryable?: boolean; cause?: unknown } = {}) =>
    new BackendError(url, `model '${opts.model}': ${message}`, extra);

  /** One attempt: the client call, its errors mapped to BackendError (retryable or not). */
  const attempt = async (body: ChatCompletionRequest, signal: AbortSignal | undefined): Promise<unknown> => {
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), opts.timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout.signal]) : timeout.signal;
    try {
      // The typed params don't list vLLM's `top_k`; the body is sent as given.
      return await client.chat.completions.create(body as OpenAI.ChatCompletionCreateParamsNonStreaming, {
        signal: combined,
      });
    } catch (err) {
      if (signal?.aborted) throw new AbortedError(`request to ${url}`);
      throw classify(err, timeout.signal.aborted, opts.timeoutMs, fail);
    } finally {
      clearTimeout(timer);
    }
  };

  /** n choices as requests of at most maxNPerRequest; a split request i gets seed + offset so samples differ. */
  const request = async (prompt: Prompt, params: GenerationParams, signal?: AbortSignal): Promise<Completion[]> => {
    const per = opts.maxNPerRequest ?? params.n;
    if (params.n <= per) return requestOnce(prompt, params, signal);
    const parts: Promise<Completion[]>[] = [];
    for (let offset = 0; offset < params.n; offset += per) {
      const n = Math.min(per, params.n - offset);
      parts.push(
        requestOnce(
          prompt,
          { ...params, n, ...(params.seed !== undefined ? { seed: params.seed + offset } : {}) },
          signal,
        ),
      );
    }
    return (await Promise.all(parts)).flat();
  };

  const requestOnce = async (prompt: Prompt, params: GenerationParams, signal?: AbortSignal): Promise<Completion[]> => {
    const body = await toRequestBody(opts.model, prompt, params);
    const key = contentHash({ url, model: opts.model, namespace: opts.cacheNamespace, body });
    const cached = await cache?.get(key);
    if (cached !== undefined) return toCompletions(parseResponse(cached, fail), params, fail);
    const raw = await limit(() =>
      withRetries(() => attempt(body, signal), opts.retry, {
        signal,
        random: deps.random,
        ...(opts.giveUpHint ? { giveUpHint: opts.giveUpHint } : {}),
        onRetry: ({ attempt: n, delayMs, error }) =>
          logger.warn(
            `attempt ${n}/${opts.retry.maxAttempts} failed: ${error.message}; retrying in ${(delayMs / 1000).toFixed(1)} s`,
          ),
      }),
    );
    const response = parseResponse(raw, fail);
    const completions = toCompletions(response, params, fail);
    await cache?.put(key, response);
    return completions;
  };

  return {
    id: `openai:${opts.model}@${opts.baseURL}`,
    async generate(prompts, params, signal, callOptions = {}) {
      throwIfAborted(signal, 'generate');
      const { onResult } = callOptions;
      if (!onResult) return mapPool(prompts, opts.concurrency, (prompt) => request(prompt, params, signal), signal);
      // Every request runs to its end (the limiter bounds concurrency), each reported as it completes, so one failed
      // prompt does not discard its finished neighbours; then the first failure is thrown.
      const settled = await Promise.allSettled(
        prompts.map(async (prompt, i) => {
          const completions = await request(prompt, params, signal);
          onResult(i, completions);
          return completions;
        }),
      );
      const failed = settled.find((r) => r.status === 'rejected');
      if (failed) throw failed.reason;
      return settled.map((r) => (r.status === 'fulfilled' ? r.value : []));
    },
    async close() {},
  };
}

type Fail = (message: string, extra?: { status?: number; retryable?: boolean; cause?: unknown }) => BackendError;

/** 429, 408, 409 and 5xx may pass; other 4xx are the request's fault and will not. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

function classify(err: unknown, timedOut: boolean, timeoutMs: number, fail: Fail): BackendError {
  if (timedOut || err instanceof APIConnectionTimeoutError)
    return fail(`no response within ${timeoutMs} ms`, { retryable: true, cause: err });
  if (err instanceof APIError && err.status !== undefined) {
    const error = fail(`server answered: ${err.message}`, {
      status: err.status,
      retryable: isRetryableStatus(err.status),
      cause: err,
    });
    const retryAfter = Number(err.headers?.get('retry-after'));
    if (Number.isFinite(retryAfter) && retryAfter >= 0) Object.assign(error, { retryAfterMs: retryAfter * 1000 });
    return error as BackendError & RetryHint;
  }
  if (err instanceof APIUserAbortError) return fail('request aborted', { retryable: true, cause: err });
  if (err instanceof SyntaxError) return fail(`malformed JSON in the response: ${err.message}`, { retryable: true });
  // Connection refused or reset, body cut short: the transport failed, the request may pass next time.
  return fail(`connection failed: ${connectionDetail(err)}`, { retryable: true, cause: err });
}

const CONNECTION_REASONS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'nothing listens at that address (is the server running, on that port?)',
  ENOTFOUND: 'the host name does not resolve',
  EAI_AGAIN: 'the host name could not be resolved right now (DNS)',
  ECONNRESET: 'the server closed the connection',
  ETIMEDOUT: 'the connection timed out',
  EHOSTUNREACH: 'no route to the host',
  ENETUNREACH: 'the network is unreachable',
  UND_ERR_SOCKET: 'the connection closed before the answer was complete',
  UND_ERR_HEADERS_TIMEOUT: 'the server sent no response headers in time',
  UND_ERR_BODY_TIMEOUT: 'the response body stalled',
};

/**
 * The transport's own reason: fetch wraps it as `TypeError: fetch failed` whose cause (or a cause of that, or one of
 * an AggregateError's errors) carries the code: `ECONNREFUSED: nothing listens at that address`.
 */
export function connectionDetail(err: unknown): string {
  const seen = new Set<unknown>();
  const queue: unknown[] = [err];
  while (queue.length > 0) {
    const e = queue.shift();
    if (!e || typeof e !== 'object' || seen.has(e)) continue;
    seen.add(e);
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code !== '') {
      const reason = CONNECTION_REASONS[code];
      return reason ? `${code}: ${reason}` : `${code}: ${(e as Error).message ?? ''}`.trim();
    }
    queue.push((e as { cause?: unknown }).cause);
    if (e instanceof AggregateError) queue.push(...e.errors);
  }
  const cause = (err as { cause?: { message?: string } }).cause;
  return cause?.message ?? (err instanceof Error ? err.message : String(err));
}

function parseResponse(raw: unknown, fail: Fail): ChatCompletionResponse {
  if (typeof raw === 'string')
    throw fail(`the response is not JSON (first bytes: ${JSON.stringify(raw.slice(0, 80))})`, { retryable: true });
  const parsed = ChatCompletionResponse.safeParse(raw);
  if (!parsed.success)
    throw fail(`the response is not a chat.completion: ${z.prettifyError(parsed.error)}`, {
      retryable: false,
    });
  return parsed.data;
}

function toCompletions(response: ChatCompletionResponse, params: GenerationParams, fail: Fail): Completion[] {
  if (response.choices.length !== params.n)
    throw fail(`asked for n=${params.n} choices, the server returned ${response.choices.length}`, {
      retryable: false,
    });
  const choices = [...response.choices].sort((a, b) => a.index - b.index);
  return choices.map((choice) => {
    const tokens = choice.logprobs?.content;
    if (params.logprobs && !tokens)
      throw fail('logprobs were requested but the response has none: does the server support `logprobs`?');
    return {
      text: choice.message.content ?? '',
      finishReason: choice.finish_reason === 'length' ? 'length' : 'stop',
      ...(params.logprobs && tokens ? { logprobs: tokens.map((t) => t.logprob) } : {}),
    };
  });
}

/** The exact JSON body sent for one prompt: camelCase params -> snake_case wire fields, images as data URLs. */
export async function toRequestBody(
  model: string,
  prompt: Prompt,
  params: GenerationParams,
): Promise<ChatCompletionRequest> {
  const messages: WireMessage[] = [];
  for (const message of prompt) {
    if (typeof message.content === 'string') {
      messages.push({ role: message.role, content: message.content });
      continue;
    }
    const parts: WireContentPart[] = [];
    for (const part of message.content) {
      if (part.type === 'text') parts.push({ type: 'text', text: part.text });
      else parts.push({ type: 'image_url', image_url: { url: await toDataUrl(part.image) } });
    }
    messages.push({ role: message.role, content: parts });
  }
  return {
    model,
    messages,
    n: params.n,
    temperature: params.temperature,
    top_p: params.topP,
    max_tokens: params.maxTokens,
    ...(params.topK !== undefined && params.topK > 0 ? { top_k: params.topK } : {}),
    ...(params.seed !== undefined ? { seed: params.seed } : {}),
    ...(params.stop !== undefined && params.stop.length > 0 ? { stop: [...params.stop] } : {}),
    ...(params.logprobs ? { logprobs: true } : {}),
  };
}

const MIME_BY_EXT: Readonly<Record<string, string>> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.gif': 'image/gif',
};

export async function toDataUrl(image: ImageRef): Promise<string> {
  if ('bytes' in image) return `data:${image.mime};base64,${Buffer.from(image.bytes).toString('base64')}`;
  const mime = MIME_BY_EXT[extname(image.path).toLowerCase()];
  if (mime === undefined)
    throw new DataError(image.path, `cannot tell the image type from the extension '${extname(image.path)}'`, {
      hint: `use one of ${Object.keys(MIME_BY_EXT).join(', ')}`,
    });
  const bytes = await readFile(image.path).catch((cause: unknown) => {
    throw new DataError(image.path, `cannot read the image: ${(cause as Error).message}`, { cause });
  });
  return `data:${mime};base64,${bytes.toString('base64')}`;
}

/** At most `n` calls of the returned function run at once; the rest wait in order. */
export function createLimiter(n: number): <T>(fn: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: Array<() => void> = [];
  return async (fn) => {
    // A finishing call hands its slot straight to the next waiter, so a newcomer can't slip in between.
    if (active >= n) await new Promise<void>((resolve) => waiting.push(resolve));
    else active++;
    try {
      return await fn();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else active--;
    }
  };
}
