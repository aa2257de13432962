import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AbortedError, BackendError, createRng } from '../core/index.ts';
import {
  delay,
  type LoopbackServer,
  type RecordedRequest,
  type Reply,
  startLoopbackServer,
} from './loopback-server.ts';
import { createLimiter, createOpenAICompatibleGenerator } from './openai-generator.ts';
import type { GenerationParams, Prompt } from './types.ts';

const PARAMS: GenerationParams = { n: 1, temperature: 0, topP: 1, maxTokens: 16 };
const FAST_RETRY = { maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 5, budgetMs: 10_000 };

/** A chat.completion whose choices echo the last user text, so tests can tell requests apart. */
function completionFor(req: RecordedRequest, opts: { logprobs?: boolean; finish?: string } = {}): Reply {
  const body = req.body as { model: string; n?: number; messages: { content: unknown }[] };
  const last = body.messages[body.messages.length - 1]?.content;
  const text = typeof last === 'string' ? last : JSON.stringify(last).slice(0, 20);
  const n = body.n ?? 1;
  return {
    json: {
      id: `cmpl-${req.rawBody.length}`,
      object: 'chat.completion',
      created: 1_700_000_000,
      model: body.model,
      choices: Array.from({ length: n }, (_, i) => ({
        index: n - 1 - i, // out of order on purpose: the client must sort by index
        message: { role: 'assistant', content: `echo ${n - 1 - i}: ${text}` },
        finish_reason: opts.finish ?? 'stop',
        logprobs: opts.logprobs
          ? { content: [{ token: 'echo', logprob: -0.5 - i, bytes: null, top_logprobs: [] }] }
          : null,
      })),
      usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
    },
  };
}

const userPrompt = (text: string): Prompt => [{ role: 'user', content: text }];

let server: LoopbackServer;
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vlthink-openai-'));
});
afterEach(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('createOpenAICompatibleGenerator: the wire format', () => {
  it('sends the exact OpenAI chat-completions JSON, images as base64 data URLs', async () => {
    server = await startLoopbackServer((req) => completionFor(req, { logprobs: true, finish: 'length' }));
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);
    const jpgPath = join(dir, 'figure.jpg');
    await writeFile(jpgPath, Buffer.from([0xff, 0xd8, 0xff, 9]));
    const gen = createOpenAICompatibleGenerator({ baseURL: `${server.url}/v1`, model: 'qwen-vl', apiKey: 'sk-test' });
    const prompt: Prompt = [
      { role: 'system', content: 'Think first.' },
      {
        role: 'user',
        content: [
          { type: 'image', image: { bytes: png, mime: 'image/png' } },
          { type: 'image', image: { path: jpgPath } },
          { type: 'text', text: 'How many apples?' },
        ],
      },
    ];
    const params: GenerationParams = {
      n: 3,
      temperature: 0.7,
      topP: 0.9,
      topK: 20,
      maxTokens: 64,
      seed: 7,
      stop: ['</answer>'],
      logprobs: true,
    };
    const [completions] = await gen.generate([prompt], params);

    expect(server.requests).toHaveLength(1);
    const req = server.requests[0];
    expect(req?.method).toBe('POST');
    expect(req?.path).toBe('/v1/chat/completions');
    expect(req?.headers.authorization).toBe('Bearer sk-test');
    expect(req?.body).toEqual({
      model: 'qwen-vl',
      messages: [
        { role: 'system', content: 'Think first.' },
        {
          role: 'user',
          content: [
            { type: 'image_url', image_url: { url: `data:image/png;base64,${Buffer.from(png).toString('base64')}` } },
            { type: 'image_url', image_url: { url: 'data:image/jpeg;base64,/9j/CQ==' } },
            { type: 'text', text: 'How many apples?' },
          ],
        },
      ],
      n: 3,
      temperature: 0.7,
      top_p: 0.9,
      top_k: 20,
      max_tokens: 64,
      seed: 7,
      stop: ['</answer>'],
      logprobs: true,
    });
    expect(completions?.map((c) => c.text.slice(0, 6))).toEqual(['echo 0', 'echo 1', 'echo 2']);
    expect(completions?.map((c) => c.finishReason)).toEqual(['length', 'length', 'length']);
    expect(completions?.map((c) => c.logprobs)).toEqual([[-2.5], [-1.5], [-0.5]]);
  });

  it('leaves optional fields out of the body when they are unset', async () => {
    server = await startLoopbackServer((req) => completionFor(req));
    const gen = createOpenAICompatibleGenerator({ baseURL: `${server.url}/v1`, model: 'm' });
    await gen.generate([userPrompt('hi')], PARAMS);
    expect(server.requests[0]?.body).toEqual({
      model: 'm',
      messages: [{ role: 'user', content: 'hi' }],
      n: 1,
      temperature: 0,
      top_p: 1,
      max_tokens: 16,
    });
    expect(server.requests[0]?.headers.authorization).toBe('Bearer EMPTY');
  });

  it('keeps prompt order and caps requests in flight at `concurrency`', async () => {
    let inFlight = 0;
    let peak = 0;
    server = await startLoopbackServer(async (req) => {
      peak = Math.max(peak, ++inFlight);
      await delay(30);
      inFlight--;
      return completionFor(req);
    });
    const gen = createOpenAICompatibleGenerator({ baseURL: `${server.url}/v1`, model: 'm', concurrency: 2 });
    const out = await gen.generate(
      ['a', 'b', 'c', 'd', 'e', 'f'].map((t) => userPrompt(t)),
      PARAMS,
    );
    expect(out.map((c) => c[0]?.text)).toEqual(['a', 'b', 'c', 'd', 'e', 'f'].map((t) => `echo 0: ${t}`));
    expect(peak).toBe(2);
  });

  it('answers a repeated request from the on-disk cache and misses on another namespace', async () => {
    server = await startLoopbackServer((req) => completionFor(req));
    const opts = { baseURL: `${server.url}/v1`, model: 'm', cacheDir: join(dir, 'cache') };
    const first = await createOpenAICompatibleGenerator(opts).generate([userPrompt('x')], PARAMS);
    const again = await createOpenAICompatibleGenerator(opts).generate([userPrompt('x')], PARAMS);
    expect(again).toEqual(first);
    expect(server.requests).toHaveLength(1);
    await createOpenAICompatibleGenerator({ ...opts, cacheNamespace: 'ckpt-2' }).generate([userPrompt('x')], PARAMS);
    await createOpenAICompatibleGenerator(opts).generate([userPrompt('x')], { ...PARAMS, seed: 1 });
    expect(server.requests).toHaveLength(3);
  });
});

describe('createOpenAICompatibleGenerator: faults', () => {
  const gen = (extra: Record<string, unknown> = {}) =>
    createOpenAICompatibleGenerator(
      { baseURL: `${server.url}/v1`, model: 'm', retry: FAST_RETRY, ...extra },
      { random: () => createRng(1).next() },
    );

  it('rides out a 429 storm and returns the result', async () => {
    server = await startLoopbackServer((req, i) =>
      i < 3
        ? { status: 429, json: { error: { message: 'slow down', type: 'rate_limit', param: null, code: null } } }
        : completionFor(req),
    );
    const out = await gen().generate([userPrompt('q')], PARAMS);
    expect(out[0]?.[0]?.text).toBe('echo 0: q');
    expect(server.requests).toHaveLength(4);
  });

  it('gives up after the attempt budget with an error naming URL, model and status', async () => {
    server = await startLoopbackServer(() => ({
      status: 429,
      json: { error: { message: 'rate limited', type: 'rate_limit', param: null, code: null } },
    }));
    const err = await gen()
      .generate([userPrompt('q')], PARAMS)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackendError);
    const e = err as BackendError;
    expect(e.status).toBe(429);
    expect(e.url).toBe(`${server.url}/v1/chat/completions`);
    expect(e.message).toContain("model 'm'");
    expect(e.message).toContain('rate limited');
    expect(e.message).toContain('gave up after 4 attempts');
    expect(e.message).toContain('4x HTTP 429');
    expect(server.requests).toHaveLength(4);
  });

  it('stops retrying when the wall-time budget would be exceeded', async () => {
    server = await startLoopbackServer(() => ({ status: 503, text: 'busy' }));
    const err = await gen({ retry: { maxAttempts: 100, baseDelayMs: 40, maxDelayMs: 40, budgetMs: 150 } })
      .generate([userPrompt('q')], PARAMS)
      .catch((e: unknown) => e as BackendError);
    // The budget's own error (not the 100 attempts), after as many attempts as the server saw.
    expect((err as BackendError).message).toContain('the 150 ms budget');
    const n = server.requests.length;
    expect((err as BackendError).message).toContain(n > 1 ? `${n}x HTTP 503` : 'HTTP 503)');
    expect(server.requests.length).toBeLessThan(100);
    expect((err as BackendError).status).toBe(503);
  });

  it('does not retry a 400: the request itself is wrong', async () => {
    server = await startLoopbackServer(() => ({
      status: 400,
      json: { error: { message: 'max_tokens too large', type: 'invalid_request_error', param: null, code: null } },
    }));
    const err = (await gen()
      .generate([userPrompt('q')], PARAMS)
      .catch((e: unknown) => e)) as BackendError;
    expect(err.status).toBe(400);
    expect(err.retryable).toBe(false);
    expect(err.message).toContain('max_tokens too large');
    expect(server.requests).toHaveLength(1);
  });

  it('times out a slow response, retries, and succeeds when the server speeds up', async () => {
    // The first answer comes 5x past the timeout, the second at once: a timeout that a loaded machine cannot reach by
    // itself, so the outcome never depends on the machine's speed.
    server = await startLoopbackServer(async (req, i) => {
      if (i === 0) await delay(10_000);
      return completionFor(req);
    });
    const out = await gen({ timeoutMs: 2_000 }).generate([userPrompt('q')], PARAMS);
    expect(out[0]?.[0]?.text).toBe('echo 0: q');
    expect(server.requests).toHaveLength(2);
  });

  it('reports a server that is always too slow as a timeout', async () => {
    server = await startLoopbackServer(async (req) => {
      await delay(500);
      return completionFor(req);
    });
    const err = (await gen({ timeoutMs: 60, retry: { ...FAST_RETRY, maxAttempts: 2 } })
      .generate([userPrompt('q')], PARAMS)
      .catch((e: unknown) => e)) as BackendError;
    expect(err).toBeInstanceOf(BackendError);
    expect(err.message).toContain('no response within 60 ms');
    expect(err.message).toContain('gave up after 2 attempts');
  });

  it('retries malformed and truncated JSON bodies', async () => {
    server = await startLoopbackServer((req, i) =>
      i === 0
        ? { text: '{"id": "x", "choices": [', contentType: 'application/json' }
        : i === 1
          ? { truncate: '{"id": "x", "obj' }
          : completionFor(req),
    );
    const out = await gen().generate([userPrompt('q')], PARAMS);
    expect(out[0]?.[0]?.text).toBe('echo 0: q');
    expect(server.requests).toHaveLength(3);
  });

  it('rejects a well-formed body that is not a chat.completion, without retrying', async () => {
    server = await startLoopbackServer(() => ({ json: { hello: 'world' } }));
    const err = (await gen()
      .generate([userPrompt('q')], PARAMS)
      .catch((e: unknown) => e)) as BackendError;
    expect(err.message).toContain('is not a chat.completion');
    expect(err.retryable).toBe(false);
    expect(server.requests).toHaveLength(1);
  });

  it('fails clearly when the server returns fewer choices than n or no logprobs', async () => {
    server = await startLoopbackServer((req) => completionFor({ ...req, body: { ...(req.body as object), n: 1 } }));
    const err = (await gen()
      .generate([userPrompt('q')], { ...PARAMS, n: 2 })
      .catch((e: unknown) => e)) as BackendError;
    expect(err.message).toContain('asked for n=2 choices, the server returned 1');
    const noLogprobs = (await gen()
      .generate([userPrompt('q')], { ...PARAMS, logprobs: true })
      .catch((e: unknown) => e)) as BackendError;
    expect(noLogprobs.message).toContain('logprobs were requested');
  });

  it('survives a server killed mid-batch: a rerun against the restarted server asks only for what was lost', async () => {
    const cacheDir = join(dir, 'cache');
    server = await startLoopbackServer(async (req) => {
      const text = JSON.stringify(req.body);
      if (text.includes('"p2"')) {
        await delay(20); // let p0 and p1 finish first
        void server.close(); // the server dies with this request in flight
        return { destroy: true };
      }
      return completionFor(req);
    });
    const port = server.port;
    const prompts = ['p0', 'p1', 'p2'].map((t) => userPrompt(t));
    const err = (await gen({ cacheDir, concurrency: 1 })
      .generate(prompts, PARAMS)
      .catch((e: unknown) => e)) as BackendError;
    expect(err).toBeInstanceOf(BackendError);
    // The last attempts met a closed port: the transport's code is named, not "fetch failed".
    expect(err.message).toContain('connection failed: ECONNREFUSED: nothing listens at that address');
    expect(err.message).toContain('gave up after 4 attempts');

    server = await startLoopbackServer((req) => completionFor(req), port);
    const out = await gen({ cacheDir, concurrency: 1 }).generate(prompts, PARAMS);
    expect(out.map((c) => c[0]?.text)).toEqual(['echo 0: p0', 'echo 0: p1', 'echo 0: p2']);
    expect(server.requests.map((r) => JSON.stringify(r.body).includes('"p2"'))).toEqual([true]);
  });

  it('aborts a request in flight and during backoff', async () => {
    server = await startLoopbackServer(async (req) => {
      await delay(2_000);
      return completionFor(req);
    });
    const ctl = new AbortController();
    setTimeout(() => ctl.abort(), 50);
    // Unaborted, the slow server would answer and no AbortedError would come.
    const err = await gen()
      .generate([userPrompt('q')], PARAMS, ctl.signal)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AbortedError);

    server.setHandler(() => ({ status: 503, text: 'busy' }));
    const ctl2 = new AbortController();
    setTimeout(() => ctl2.abort(), 80);
    // A backoff of up to 10 minutes: only an abort that cuts the sleep short ends this test before its timeout.
    const err2 = await gen({
      retry: { maxAttempts: 50, baseDelayMs: 600_000, maxDelayMs: 600_000, budgetMs: 3_600_000 },
    })
      .generate([userPrompt('q')], PARAMS, ctl2.signal)
      .catch((e: unknown) => e);
    expect(err2).toBeInstanceOf(AbortedError);
  });
});

describe('createLimiter', () => {
  it('never runs more than n at once, even when callers arrive as slots free up', async () => {
    const limit = createLimiter(2);
    let active = 0;
    let peak = 0;
    const task = async () => {
      peak = Math.max(peak, ++active);
      await delay(5);
      active--;
    };
    await Promise.all(Array.from({ length: 10 }, () => limit(task)));
    expect(peak).toBe(2);
  });
});

describe('createOpenAICompatibleGenerator: servers that take n = 1 only', () => {
  it('splits n into maxNPerRequest requests with seed + offset and keeps the choice order', async () => {
    server = await startLoopbackServer((req) => completionFor(req));
    const gen = createOpenAICompatibleGenerator({ baseURL: `${server.url}/v1`, model: 'm', maxNPerRequest: 1 });
    const [row] = await gen.generate([userPrompt('q')], { ...PARAMS, n: 3, seed: 10 });
    expect(row?.map((c) => c.text)).toEqual(['echo 0: q', 'echo 0: q', 'echo 0: q']);
    const bodies = server.requests.map((r) => r.body as { n: number; seed: number });
    expect(bodies.map((b) => [b.n, b.seed]).sort((a, b) => (a[1] ?? 0) - (b[1] ?? 0))).toEqual([
      [1, 10],
      [1, 11],
      [1, 12],
    ]);
  });
});
