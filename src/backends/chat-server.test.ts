import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { BackendError } from '../core/index.ts';
import { type ChatServer, startChatServer } from './chat-server.ts';
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
    expect(server.batcher.stats()).toEqual({ calls: 1, prompts: 6, largest: 6 });
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

  it('rejects an unknown model (404), streaming, remote image URLs and bad JSON (400) with OpenAI error bodies', async () => {
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
    const [s1, b1] = await post(
      JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'x' }], stream: true }),
    );
    expect([s1, (b1 as { error: { message: string } }).error.message]).toEqual([
      400,
      'stream=true is not supported; send stream=false',
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
});
