import { request } from 'node:http';
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { BackendError, DataError } from '../core/index.ts';
import { type ChatServer, startChatServer } from './chat-server.ts';
import { delay } from './loopback-server.ts';
import { createOpenAICompatibleGenerator } from './openai-generator.ts';
import type { Completion, GenerationBackend, GenerationParams, Prompt } from './types.ts';

/** A scripted engine: echoes what it saw (text, image sizes, params) so the round trip can be checked exactly. */
function echoBackend(): GenerationBackend & { calls: { prompts: readonly Prompt[]; params: GenerationParams }[] } {
  const calls: { prompts: readonly Prompt[]; params: GenerationParams }[] = [];
  return {
    id: 'echo',
    calls,
    async generate(prompts, params) {
      calls.push({ prompts, params });
      return prompts.map((prompt): Completion[] => {
        const last = prompt[prompt.length - 1];
        const parts =
          typeof last?.content === 'string' ? [{ type: 'text' as const, text: last.content }] : (last?.content ?? []);
        const text = parts
          .map((p) =>
            p.type === 'text'
              ? p.text
              : `[${'bytes' in p.image ? p.image.bytes.length : 0}B ${'mime' in p.image ? p.image.mime : ''}]`,
          )
          .join(' ');
        return Array.from({ length: params.n }, (_, i) => ({
          text: `${text} #${i} t=${params.temperature}`,
          tokenIds: [10 + i, 20 + i],
          logprobs: [-0.25 * (i + 1), -0.5],
          finishReason: i === 0 ? 'stop' : 'length',
        }));
      });
    },
  };
}

let server: ChatServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('chat server (OpenAI-compatible) driven by the OpenAI client', () => {
  it('answers n > 1 with images and logprobs through createOpenAICompatibleGenerator', async () => {
    const backend = echoBackend();
    server = await startChatServer({ backend, model: 'tiny-vlm', port: 0, tokenText: (id) => `tok${id}` });
    const gen = createOpenAICompatibleGenerator({ baseURL: `${server.url}/v1`, model: 'tiny-vlm' });
    const [row] = await gen.generate(
      [
        [
          {
            role: 'user',
            content: [
              { type: 'image', image: { bytes: new Uint8Array([1, 2, 3, 4, 5]), mime: 'image/png' } },
              { type: 'text', text: 'count' },
            ],
          },
        ],
      ],
      { n: 3, temperature: 0.7, topP: 0.9, maxTokens: 32, seed: 5, logprobs: true },
    );
    expect(row?.map((c) => c.text)).toEqual([
      '[5B image/png] count #0 t=0.7',
      '[5B image/png] count #1 t=0.7',
      '[5B image/png] count #2 t=0.7',
    ]);
    expect(row?.map((c) => c.logprobs)).toEqual([
      [-0.25, -0.5],
      [-0.5, -0.5],
      [-0.75, -0.5],
    ]);
    expect(row?.map((c) => c.finishReason)).toEqual(['stop', 'length', 'length']);
    expect(backend.calls[0]?.params).toEqual({
      n: 3,
      temperature: 0.7,
      topP: 0.9,
      maxTokens: 32,
      seed: 5,
      logprobs: true,
    });
  });

  it('returns token texts in logprobs and lists the model', async () => {
    server = await startChatServer({
      backend: echoBackend(),
      model: 'tiny-vlm',
      port: 0,
      tokenText: (id) => `tok${id}`,
    });
    const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'x', maxRetries: 0 });
    const res = await client.chat.completions.create({
      model: 'tiny-vlm',
      messages: [{ role: 'user', content: 'hi' }],
      logprobs: true,
      max_tokens: 4,
    });
    expect(res.choices[0]?.logprobs?.content?.map((t) => [t.token, t.logprob])).toEqual([
      ['tok10', -0.25],
      ['tok20', -0.5],
    ]);
    expect(res.usage?.completion_tokens).toBe(2);
    const models = await client.models.list();
    expect(models.data.map((m) => m.id)).toEqual(['tiny-vlm']);
  });

  it('batches concurrent requests with equal params into one engine call', async () => {
    const backend = echoBackend();
    // A window no test outlives: the batch runs when its sixth request fills it, whatever the timing of arrivals.
    server = await startChatServer({ backend, model: 'm', port: 0, batchWindowMs: 600_000, maxBatch: 6 });
    const gen = createOpenAICompatibleGenerator({ baseURL: `${server.url}/v1`, model: 'm', concurrency: 8 });
    const prompts: Prompt[] = ['a', 'b', 'c', 'd', 'e', 'f'].map((t) => [{ role: 'user', content: t }]);
    const out = await gen.generate(prompts, { n: 1, temperature: 0, topP: 1, maxTokens: 8 });
    expect(out.map((r) => r[0]?.text)).toEqual([
      'a #0 t=0',
      'b #0 t=0',
      'c #0 t=0',
      'd #0 t=0',
      'e #0 t=0',
      'f #0 t=0',
    ]);
    expect(server.batcher.stats()).toEqual({ calls: 1, prompts: 6, largest: 6, cancelled: 0, isolated: 0 });
    expect(backend.calls).toHaveLength(1);
  });

  it('keeps requests with different params in separate batches', async () => {
    const backend = echoBackend();
    server = await startChatServer({ backend, model: 'm', port: 0, batchWindowMs: 30 });
    const gen = createOpenAICompatibleGenerator({ baseURL: `${server.url}/v1`, model: 'm' });
    const p: Prompt = [{ role: 'user', content: 'x' }];
    const [a, b] = await Promise.all([
      gen.generate([p], { n: 1, temperature: 0, topP: 1, maxTokens: 8 }),
      gen.generate([p], { n: 2, temperature: 1, topP: 1, maxTokens: 8 }),
    ]);
    expect(a[0]?.[0]?.text).toBe('x #0 t=0');
    expect(b[0]?.map((c) => c.text)).toEqual(['x #0 t=1', 'x #1 t=1']);
    expect(backend.calls.map((c) => c.params.n).sort()).toEqual([1, 2]);
  });

  it('rejects an unknown model (404), remote image URLs and bad JSON (400) with OpenAI error bodies', async () => {
    server = await startChatServer({ backend: echoBackend(), model: 'm', port: 0 });
    const wrong = (await createOpenAICompatibleGenerator({ baseURL: `${server.url}/v1`, model: 'gpt-9' })
      .generate([[{ role: 'user', content: 'x' }]], { n: 1, temperature: 0, topP: 1, maxTokens: 8 })
      .catch((e: unknown) => e)) as BackendError;
    expect(wrong).toBeInstanceOf(BackendError);
    expect(wrong.status).toBe(404);
    expect(wrong.message).toContain("model 'gpt-9' is not served here; use 'm'");
    const post = (body: string) =>
      fetch(`${server?.url}/v1/chat/completions`, { method: 'POST', body }).then(async (r) => [
        r.status,
        await r.json(),
      ]);
    const [s2, b2] = await post(
      JSON.stringify({
        model: 'm',
        messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'http://x/a.png' } }] }],
      }),
    );
    expect(s2).toBe(400);
    expect(JSON.stringify(b2)).toContain('only base64 data: URLs');
    const [s3, b3] = await post('{"model": ');
    expect(s3).toBe(400);
    expect(JSON.stringify(b3)).toContain('the body is not JSON');
    const [s4] = await post(JSON.stringify({ model: 'm', messages: [] }));
    expect(s4).toBe(400);
    const small = await startChatServer({ backend: echoBackend(), model: 'm', port: 0, maxBodyBytes: 1_000 });
    const big = await fetch(`${small.url}/v1/chat/completions`, {
      method: 'POST',
      body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'x'.repeat(5_000) }] }),
    });
    expect(big.status).toBe(413);
    await small.close();
  });

  it('turns an engine failure into a 500 naming the cause and keeps serving', async () => {
    let fail = true;
    const backend = echoBackend();
    server = await startChatServer({
      backend: {
        id: 'flaky',
        generate: (p, params) => (fail ? Promise.reject(new Error('ORT session lost')) : backend.generate(p, params)),
      },
      model: 'm',
      port: 0,
    });
    const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'x', maxRetries: 0 });
    const err = (await client.chat.completions
      .create({ model: 'm', messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e)) as { status: number; message: string };
    expect(err.status).toBe(500);
    expect(err.message).toContain('ORT session lost');
    fail = false;
    const ok = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] });
    expect(ok.choices[0]?.message.content).toBe('x #0 t=1');
  });

  it('answers 401 with an OpenAI-style error to a request without the key; GET /health stays open', async () => {
    server = await startChatServer({ backend: echoBackend(), model: 'm', port: 0, apiKey: 'sekrit' });
    const body = JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'x' }] });
    const post = (headers: Record<string, string>) =>
      fetch(`${server?.url}/v1/chat/completions`, { method: 'POST', headers, body });
    const none = await post({});
    expect(none.status).toBe(401);
    expect(((await none.json()) as { error: { code: string } }).error.code).toBe('invalid_api_key');
    expect((await post({ authorization: 'Bearer wrong' })).status).toBe(401);
    expect((await fetch(`${server.url}/v1/models`)).status).toBe(401);
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
    const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'sekrit', maxRetries: 0 });
    const ok = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] });
    expect(ok.choices[0]?.message.content).toBe('x #0 t=1');
  });

  it("answers a batch's bad request 400 and its good neighbours 200, with real usage.prompt_tokens", async () => {
    const backend = echoBackend();
    server = await startChatServer({
      backend,
      model: 'm',
      port: 0,
      batchWindowMs: 20,
      checkPrompt: async (prompt) => {
        const text = String(prompt[0]?.content);
        if (text === 'bad') throw new DataError('prompt 0', 'image cannot be decoded');
        return { promptTokens: text.length };
      },
    });
    const send = (content: string) =>
      fetch(`${server?.url}/v1/chat/completions`, {
        method: 'POST',
        body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content }] }),
      });
    const replies = await Promise.all(['aa', 'bad', 'cccc', 'd'].map(send));
    expect(replies.map((r) => r.status)).toEqual([200, 400, 200, 200]);
    const bodies = (await Promise.all(replies.map((r) => r.json()))) as {
      usage?: { prompt_tokens: number; total_tokens: number };
      error?: { message: string; type: string };
    }[];
    expect(bodies[1]?.error?.type).toBe('invalid_request_error');
    expect(bodies[1]?.error?.message).toContain('image cannot be decoded');
    expect(bodies.map((b) => b.usage?.prompt_tokens)).toEqual([2, undefined, 4, 1]);
    expect(bodies[0]?.usage?.total_tokens).toBe(4); // 2 prompt + 2 completion tokens
    expect(backend.calls.flatMap((c) => c.prompts.map((p) => p[0]?.content)).sort()).toEqual(['aa', 'cccc', 'd']);
  });

  it('answers 400, not 500, when the engine finds a client mistake inside a batch; neighbours still get 200', async () => {
    const backend = echoBackend();
    server = await startChatServer({
      backend: {
        id: 'decoding',
        generate: (prompts, params) =>
          prompts.some((p) => p[0]?.content === 'long')
            ? Promise.reject(new DataError(`prompt ${prompts.length - 1}`, '300 tokens leave no room to answer'))
            : backend.generate(prompts, params),
      },
      model: 'm',
      port: 0,
      batchWindowMs: 20,
    });
    const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'x', maxRetries: 0 });
    const results = await Promise.allSettled(
      ['a', 'long', 'b'].map((content) =>
        client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content }] }),
      ),
    );
    expect(results.map((r) => (r.status === 'fulfilled' ? 200 : (r.reason as { status: number }).status))).toEqual([
      200, 400, 200,
    ]);
    expect(server.batcher.stats().isolated).toBe(3);
  });

  it('stops decoding for a client that disconnects and serves the next request', async () => {
    /** Decodes one token per 2 ms for up to 2,000 steps, asking the per-prompt signal between steps. */
    let steps = 0;
    let stoppedEarly = 0;
    server = await startChatServer({
      backend: {
        id: 'stepping',
        async generate(prompts, params, signal, options) {
          for (let t = 0; t < params.maxTokens; t++) {
            if (signal?.aborted || options?.promptSignals?.every((s) => s?.aborted)) {
              stoppedEarly++;
              throw new Error('every client left');
            }
            steps++;
            await delay(2);
          }
          return prompts.map((): Completion[] => [{ text: 'done', finishReason: 'length' }]);
        },
      },
      model: 'm',
      port: 0,
      batchWindowMs: 1,
    });
    const url = new URL(`${server.url}/v1/chat/completions`);
    const req = request({ hostname: url.hostname, port: url.port, path: url.pathname, method: 'POST' });
    req.on('error', () => undefined);
    req.end(JSON.stringify({ model: 'm', max_tokens: 2000, messages: [{ role: 'user', content: 'x' }] }));
    while (steps < 10) await delay(5);
    req.destroy();
    while (stoppedEarly === 0 && steps < 2000) await delay(5);
    expect(stoppedEarly).toBe(1);
    const stepsWhenStopped = steps;
    expect(stepsWhenStopped).toBeLessThan(2000);
    const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'x', maxRetries: 0 });
    const next = await client.chat.completions.create({
      model: 'm',
      max_tokens: 3,
      messages: [{ role: 'user', content: 'y' }],
    });
    expect(next.choices[0]?.message.content).toBe('done');
    expect(steps).toBe(stepsWhenStopped + 3); // nothing of the dropped request ran after it stopped
    expect(server.batcher.stats()).toMatchObject({ calls: 2, cancelled: 1 });
  });

  it('streams each piece as the engine draws it: the first reaches the client while the engine still runs', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const streaming: GenerationBackend = {
      id: 'streaming',
      async generate(prompts, _params, _signal, options) {
        options?.onDelta?.(0, 0, 'one ');
        await gate; // the engine goes on only once the client has seen the first piece
        options?.onDelta?.(0, 0, 'two');
        return prompts.map((): Completion[] => [{ text: 'one two', finishReason: 'stop' }]);
      },
    };
    server = await startChatServer({ backend: streaming, model: 'm', port: 0, batchWindowMs: 0 });
    const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'x', maxRetries: 0 });
    const stream = await client.chat.completions.create({
      model: 'm',
      messages: [{ role: 'user', content: 'q' }],
      stream: true,
    });
    const pieces: string[] = [];
    let finish: string | null = null;
    for await (const chunk of stream) {
      for (const c of chunk.choices) {
        if (c.delta.content) {
          pieces.push(c.delta.content);
          if (pieces.length === 1) release();
        }
        if (c.finish_reason) finish = c.finish_reason;
      }
    }
    expect(pieces).toEqual(['one ', 'two']);
    expect(finish).toBe('stop');
  });

  it('streams server-sent chunks as vLLM does: role, content pieces, finish, usage, [DONE]', async () => {
    server = await startChatServer({ backend: echoBackend(), model: 'm', port: 0 });
    const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'x', maxRetries: 0 });
    const request = { model: 'm', n: 2, messages: [{ role: 'user' as const, content: 'two words here' }] };
    const whole = await client.chat.completions.create(request);
    const stream = await client.chat.completions.create({
      ...request,
      stream: true,
      stream_options: { include_usage: true },
    });
    const texts = ['', ''];
    const finish: (string | null)[] = [null, null];
    let usage: unknown;
    let chunks = 0;
    for await (const chunk of stream) {
      chunks++;
      expect(chunk.object).toBe('chat.completion.chunk');
      for (const c of chunk.choices) {
        texts[c.index] += c.delta.content ?? '';
        if (c.finish_reason) finish[c.index] = c.finish_reason;
      }
      if (chunk.usage) usage = chunk.usage;
    }
    expect(texts).toEqual(whole.choices.map((c) => c.message.content));
    expect(finish).toEqual(['stop', 'length']);
    // per choice: role, its text in one piece (this backend answers whole, it does not stream), finish; then usage
    expect(chunks).toBe(2 * (1 + 1 + 1) + 1);
    expect(usage).toEqual(whole.usage);
    const raw = await fetch(`${server.url}/v1/chat/completions`, {
      method: 'POST',
      body: JSON.stringify({ ...request, n: 1, stream: true }),
    });
    expect(raw.headers.get('content-type')).toBe('text/event-stream');
    const body = await raw.text();
    expect(body.endsWith('data: [DONE]\n\n')).toBe(true);
    expect(body).not.toContain('"usage"');
  });
});
