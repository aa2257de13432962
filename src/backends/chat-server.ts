import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import {
  AbortedError,
  BackendError,
  ConfigError,
  DataError,
  isAbortError,
  type Logger,
  silentLogger,
  VlthinkError,
} from '../core/index.ts';
import { isAuthorized, unauthorizedBody } from './http-auth.ts';
import {
  ChatCompletionRequest,
  type ChatCompletionResponse,
  type ModelList,
  type WireError,
  type WireMessage,
} from './openai-wire.ts';
import { createRequestBatcher, type RequestBatcher } from './request-batcher.ts';
import type { Completion, ContentPart, GenerationBackend, GenerationParams, Message, Prompt } from './types.ts';

/**
 * An OpenAI-compatible HTTP server in front of any GenerationBackend (`vlthink serve` puts the embedded engine
 * behind it): `POST /v1/chat/completions` and `GET /v1/models`, the subset of the OpenAI API that vLLM and SGLang
 * also serve, so every OpenAI client — vlthink's own OpenAI generator included — can drive an embedded checkpoint.
 * Concurrent requests are batched into one `generate` call (request-batcher.ts). Images arrive as base64 data URLs;
 * the server never fetches remote URLs. `stream: true` is answered with server-sent `chat.completion.chunk` events as
 * vLLM sends them (a role chunk, content chunks, a finish chunk per choice, an optional usage chunk, `data: [DONE]`),
 * each content chunk as the engine draws its tokens (`GenerateOptions.onDelta`; a backend that answers whole sends its
 * text in one chunk). With `logprobs` the chunks are cut from the finished answer, each carrying its tokens' log-probs.
 *
 * Each request is checked alone before it joins a batch (`checkPrompt`: its image decodes, its prompt fits the model),
 * so a client's mistake is that client's 400 and never its batch neighbours' 500; 5xx is kept for our own failures. A
 * client that hangs up cancels its request: out of its batch if not started, else its rows stop at the next decode step.
 */
export interface ChatServerOptions {
  readonly backend: GenerationBackend;
  /** The model id clients name (and `GET /v1/models` lists). */
  readonly model: string;
  readonly port: number;
  readonly host?: string;
  /** max_tokens when a request gives none. */
  readonly defaultMaxTokens?: number;
  readonly maxBatch?: number;
  readonly batchWindowMs?: number;
  /** Token text for logprobs entries; without it, entries carry `<id>` or an empty string. */
  readonly tokenText?: (id: number) => string;
  /** Largest accepted request body, bytes (images are inline): 64 MiB by default. */
  readonly maxBodyBytes?: number;
  /**
   * Reads one prompt as the engine will (decodes its image, tokenizes it) and returns the prompt positions the model
   * reads (usage.prompt_tokens); throws a DataError / ConfigError for a prompt the model cannot take (answered 400).
   */
  readonly checkPrompt?: (prompt: Prompt) => Promise<{ promptTokens: number }>;
  /** When set, every request but GET /health needs `Authorization: Bearer <apiKey>` (http-auth.ts). */
  readonly apiKey?: string;
  readonly logger?: Logger;
}

export interface ChatServer {
  readonly url: string;
  readonly port: number;
  readonly batcher: RequestBatcher;
  close(): Promise<void>;
}

class Unauthorized extends Error {}

/** A `stream: true` answer: the events of a text/event-stream body. */
class SseReply {
  constructor(readonly events: readonly unknown[]) {}
}

/** A `stream: true` answer sent as it is generated: `run` emits each event; the body ends with `[DONE]` after it. */
class LiveSse {
  constructor(readonly run: (emit: (event: unknown) => void) => Promise<void>) {}
}

/** A DataError / ConfigError from reading the prompt (an image that does not decode, a prompt too long) is a 400. */
async function clientMistake<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof DataError || err instanceof ConfigError)
      throw new ApiError(400, 'invalid_request_error', err.describe());
    throw err;
  }
}

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
    readonly param: string | null = null,
  ) {
    super(message);
  }
}

export async function startChatServer(options: ChatServerOptions): Promise<ChatServer> {
  const logger = options.logger ?? silentLogger;
  const batcher = createRequestBatcher(options.backend, {
    maxBatch: options.maxBatch,
    windowMs: options.batchWindowMs,
  });
  const created = Math.floor(Date.now() / 1000);

  const complete = async (body: unknown, signal: AbortSignal): Promise<ChatCompletionResponse | SseReply | LiveSse> => {
    const parsed = ChatCompletionRequest.safeParse(body);
    if (!parsed.success) throw new ApiError(400, 'invalid_request_error', z.prettifyError(parsed.error));
    const req = parsed.data;
    if (req.model !== options.model)
      throw new ApiError(
        404,
        'model_not_found',
        `model '${req.model}' is not served here; use '${options.model}'`,
        'model',
      );
    if ((req.top_logprobs ?? 0) > 0 && req.logprobs !== true)
      throw new ApiError(400, 'invalid_request_error', 'top_logprobs needs logprobs: true', 'top_logprobs');
    const params: GenerationParams = {
      n: req.n ?? 1,
      temperature: req.temperature ?? 1,
      topP: req.top_p ?? 1,
      maxTokens: req.max_completion_tokens ?? req.max_tokens ?? options.defaultMaxTokens ?? 256,
      ...(req.top_k !== undefined && req.top_k > 0 ? { topK: req.top_k } : {}),
      ...(req.seed !== undefined ? { seed: req.seed } : {}),
      ...(req.stop !== undefined ? { stop: typeof req.stop === 'string' ? [req.stop] : req.stop } : {}),
      ...(req.logprobs ? { logprobs: true } : {}),
      ...(req.logprobs && req.top_logprobs ? { topLogprobs: req.top_logprobs } : {}),
    };
    const prompt = toPrompt(req.messages);
    const checked = await clientMistake(() => options.checkPrompt?.(prompt) ?? Promise.resolve({ promptTokens: 0 }));
    const includeUsage = req.stream_options?.include_usage === true;
    if (req.stream && !req.logprobs) {
      // Streamed as decoded: role chunks, then each sample's text as the engine draws it, then the finish chunks
      // (and usage). The prompt was checked above, so a client mistake is still a 400 before any byte is sent.
      return new LiveSse(async (emit) => {
        const base = {
          id: chunkId(),
          object: 'chat.completion.chunk',
          created: Math.floor(Date.now() / 1000),
          model: req.model,
        };
        const chunk = (index: number, delta: object, finish: string | null = null) => ({
          ...base,
          choices: [{ index, delta, logprobs: null, finish_reason: finish }],
        });
        for (let k = 0; k < params.n; k++) emit(chunk(k, { role: 'assistant', content: '' }));
        const sent: string[] = [];
        const completions = await batcher.submit(prompt, params, signal, (k, text) => {
          sent[k] = (sent[k] ?? '') + text;
          emit(chunk(k, { content: text }));
        });
        const response = toResponse(req, completions, checked.promptTokens, options.tokenText);
        for (const choice of response.choices) {
          // What the engine did not stream (a backend that answers whole) goes out before the finish chunk.
          const text = choice.message.content ?? '';
          const told = sent[choice.index] ?? '';
          if (text.length > told.length && text.startsWith(told)) {
            emit(chunk(choice.index, { content: text.slice(told.length) }));
          }
          emit(chunk(choice.index, {}, choice.finish_reason));
        }
        if (includeUsage) emit({ ...base, choices: [], usage: response.usage });
      });
    }
    const completions = await clientMistake(() => batcher.submit(prompt, params, signal));
    const response = toResponse(req, completions, checked.promptTokens, options.tokenText);
    // With logprobs the stream is cut from the finished answer (each chunk carries its tokens' log-probs).
    return req.stream ? new SseReply(toChunks(response, includeUsage)) : response;
  };

  const route = async (req: IncomingMessage, signal: AbortSignal): Promise<unknown> => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/health' && !isAuthorized(req, options.apiKey)) throw new Unauthorized();
    if (path === '/v1/models' || path === '/health') {
      if (req.method !== 'GET') throw new ApiError(405, 'invalid_request_error', `${path} takes GET`);
      if (path === '/health') return { status: 'ok' };
      return {
        object: 'list',
        data: [{ id: options.model, object: 'model', created, owned_by: 'vlthink' }],
      } satisfies ModelList;
    }
    if (path !== '/v1/chat/completions')
      throw new ApiError(
        404,
        'not_found',
        `no endpoint ${path}; this server offers POST /v1/chat/completions, GET /v1/models`,
      );
    if (req.method !== 'POST') throw new ApiError(405, 'invalid_request_error', `${path} takes POST`);
    return complete(await readJson(req, options.maxBodyBytes ?? 64 * 1024 * 1024), signal);
  };

  const server = createServer((req, res) => {
    // The client hung up before its answer was sent: cancel its work (request-batcher.ts).
    const gone = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) gone.abort(new AbortedError('request'));
    });
    route(req, gone.signal).then(
      (payload) => {
        if (payload instanceof LiveSse) return streamEvents(res, payload, logger);
        return payload instanceof SseReply ? sendEvents(res, payload.events) : send(res, 200, payload);
      },
      (err: unknown) => {
        if (err instanceof Unauthorized) return send(res, 401, unauthorizedBody());
        if (err instanceof ApiError) return send(res, err.status, wireError(err.message, err.type, err.param));
        if (gone.signal.aborted) {
          logger.debug('client disconnected; its generation was cancelled');
          return;
        }
        logger.error('generation failed', { error: String(err) });
        const message = err instanceof VlthinkError ? err.describe() : String(err);
        send(res, 500, wireError(`generation failed: ${message}`, 'server_error', null));
      },
    );
  });
  server.on('clientError', (_err, socket) => socket.destroy());
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(new BackendError(`http://${host}:${options.port}`, err.message)));
    server.listen(options.port, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${port}`,
    port,
    batcher,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function toPrompt(messages: readonly WireMessage[]): Prompt {
  return messages.map((m, i): Message => {
    if (typeof m.content === 'string') return { role: m.role, content: m.content };
    const parts = m.content.map((part, j): ContentPart => {
      if (part.type === 'text') return { type: 'text', text: part.text };
      const data = /^data:([\w.+-]+\/[\w.+-]+);base64,([A-Za-z0-9+/=\s]*)$/.exec(part.image_url.url);
      if (!data)
        throw new ApiError(
          400,
          'invalid_request_error',
          `messages[${i}].content[${j}]: only base64 data: URLs are accepted (this server fetches nothing)`,
          `messages[${i}].content[${j}].image_url.url`,
        );
      return { type: 'image', image: { bytes: Buffer.from(data[2] ?? '', 'base64'), mime: data[1] ?? '' } };
    });
    return { role: m.role, content: parts };
  });
}

function toResponse(
  req: ChatCompletionRequest,
  completions: readonly Completion[],
  promptTokens: number,
  tokenText: ((id: number) => string) | undefined,
): ChatCompletionResponse {
  let completionTokens = 0;
  const choices = completions.map((c, index) => {
    const count = c.tokenIds?.length ?? c.logprobs?.length ?? 0;
    completionTokens += count;
    const logprobs =
      req.logprobs && c.logprobs
        ? {
            content: c.logprobs.map((logprob, t) => {
              const id = c.tokenIds?.[t];
              const text = (tok: number) => tokenText?.(tok) ?? `<${tok}>`;
              const token = id === undefined ? '' : text(id);
              const top = (c.topLogprobs?.[t] ?? []).map((e) => ({
                token: text(e.token),
                logprob: e.logprob,
                bytes: [...Buffer.from(text(e.token), 'utf8')],
              }));
              return { token, logprob, bytes: [...Buffer.from(token, 'utf8')], top_logprobs: top };
            }),
          }
        : null;
    return { index, message: { role: 'assistant', content: c.text }, finish_reason: c.finishReason, logprobs };
  });
  return {
    id: chunkId(),
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: req.model,
    choices,
    usage: {
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens,
      total_tokens: promptTokens + completionTokens,
    },
  };
}

function wireError(message: string, type: string, param: string | null): WireError {
  return { error: { message, type, param, code: null } };
}

function readJson(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > maxBytes) {
        chunks.length = 0;
        reject(new ApiError(413, 'invalid_request_error', `request body over ${maxBytes} bytes; send smaller images`));
      } else chunks.push(c);
    });
    req.on('error', reject);
    req.on('end', () => {
      if (size > maxBytes) return;
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch (err) {
        reject(new ApiError(400, 'invalid_request_error', `the body is not JSON: ${(err as Error).message}`));
      }
    });
  });
}

function send(res: ServerResponse, status: number, payload: unknown): void {
  if (res.destroyed) return;
  const text = JSON.stringify(payload);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/**
 * A chat.completion as the chunks vLLM streams: per choice a role chunk, its text in word pieces (which join to exactly
 * the text), then a chunk with its finish_reason; with include_usage a last chunk with no choices and the usage.
 */
export function toChunks(response: ChatCompletionResponse, includeUsage: boolean): unknown[] {
  const base = { id: response.id, object: 'chat.completion.chunk', created: response.created, model: response.model };
  const events: unknown[] = [];
  for (const choice of response.choices) {
    const chunk = (delta: object, extra: { logprobs?: unknown; finish_reason?: string | null } = {}) => ({
      ...base,
      choices: [
        { index: choice.index, delta, logprobs: extra.logprobs ?? null, finish_reason: extra.finish_reason ?? null },
      ],
    });
    events.push(chunk({ role: 'assistant', content: '' }));
    const text = choice.message.content ?? '';
    const pieces = text === '' ? [] : text.split(/(?<=\s)(?=\S)/);
    pieces.forEach((piece, i) => {
      events.push(chunk({ content: piece }, i === 0 && choice.logprobs ? { logprobs: choice.logprobs } : {}));
    });
    events.push(chunk({}, { finish_reason: choice.finish_reason }));
  }
  if (includeUsage) events.push({ ...base, choices: [], usage: response.usage });
  return events;
}

/** A completion id, unique per answer (hashing the request would read its images again on every answer). */
function chunkId(): string {
  return `chatcmpl-${randomUUID().replaceAll('-', '').slice(0, 24)}`;
}

/**
 * Writes a live stream: headers at once, each event as it comes, `[DONE]` at the end. A failure after the headers
 * went out is told as an `error` event (as vLLM does), since the status can no longer change.
 */
async function streamEvents(res: ServerResponse, reply: LiveSse, logger: Logger): Promise<void> {
  if (res.destroyed) return;
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  const write = (event: unknown) => {
    if (!res.destroyed) res.write(`data: ${JSON.stringify(event)}\n\n`);
  };
  try {
    await reply.run(write);
  } catch (err) {
    if (res.destroyed || isAbortError(err)) {
      logger.debug('client disconnected; its generation was cancelled');
      return;
    }
    logger.error('generation failed', { error: String(err) });
    const message = err instanceof VlthinkError ? err.describe() : String(err);
    write(wireError(`generation failed: ${message}`, 'server_error', null));
  }
  if (!res.destroyed) res.end('data: [DONE]\n\n');
}

function sendEvents(res: ServerResponse, events: readonly unknown[]): void {
  if (res.destroyed) return;
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  for (const event of events) res.write(`data: ${JSON.stringify(event)}\n\n`);
  res.end('data: [DONE]\n\n');
}
