import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokenizer, initParams, saveCheckpoint, tinyConfig } from '../model/index.ts';
import { type ChatServer, type ChatServerOptions, startChatServer } from './chat-server.ts';
import { createOpenAICompatibleGenerator } from './openai-generator.ts';
import type { GenerationBackend, Prompt } from './types.ts';

/**
 * The OpenAI client's integration tests against a real embedded checkpoint behind the chat server (`vlthink serve`):
 * n > 1, images, logprobs. Runs once backends/embedded-generator.ts (the embedded engine's generator) exists.
 */
const generatorFile = resolve(import.meta.dirname, 'embedded-generator.ts');
const hasGenerator = existsSync(generatorFile);

/** A greedy 4-token chat request with one image (as a data URL) and a question. */
const imageRequest = (bytes: Uint8Array, text: string) => ({
  model: 'tiny',
  max_tokens: 4,
  temperature: 0,
  messages: [
    {
      role: 'user',
      content: [
        { type: 'image_url', image_url: { url: `data:image/png;base64,${Buffer.from(bytes).toString('base64')}` } },
        { type: 'text', text },
      ],
    },
  ],
});
if (!hasGenerator) console.info(`serve-embedded tests skipped: ${generatorFile} does not exist yet`);

type CreateEmbeddedGenerator = (opts: { checkpoint: string }) => GenerationBackend | Promise<GenerationBackend>;

describe.skipIf(!hasGenerator)('vlthink serve: an embedded checkpoint over the OpenAI API', () => {
  let dir: string;
  let server: ChatServer;
  let backend: GenerationBackend;
  let png: Uint8Array;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vlthink-serve-'));
    const tokenizer = createTokenizer(['How many red circles are there ?', 'The answer is 3 .']);
    const config = tinyConfig(tokenizer.size, {
      imageSize: 16,
      patchSize: 8,
      dModel: 16,
      nLayers: 1,
      nHeads: 2,
      dFF: 32,
    });
    await saveCheckpoint(dir, { config, params: initParams(config, 7), tokenizer });
    png = await sharp({ create: { width: 16, height: 16, channels: 3, background: '#c00' } })
      .png()
      .toBuffer();
    const mod = (await import(pathToFileURL(generatorFile).href)) as {
      createEmbeddedGenerator: CreateEmbeddedGenerator;
    };
    backend = await mod.createEmbeddedGenerator({ checkpoint: dir });
    const checker = backend as GenerationBackend & { checkPrompt: NonNullable<ChatServerOptions['checkPrompt']> };
    server = await startChatServer({
      backend,
      model: 'tiny',
      port: 0,
      batchWindowMs: 20,
      checkPrompt: (p) => checker.checkPrompt(p),
      tokenText: (id) => tokenizer.vocab[id] ?? '',
    });
  });
  afterAll(async () => {
    await server?.close();
    await backend?.close?.();
    await rm(dir, { recursive: true, force: true });
  });

  const prompt = (): Prompt => [
    {
      role: 'user',
      content: [
        { type: 'image', image: { bytes: png, mime: 'image/png' } },
        { type: 'text', text: 'How many red circles are there ?' },
      ],
    },
  ];

  it('samples n = 3 completions for an image prompt with per-token logprobs', async () => {
    const gen = createOpenAICompatibleGenerator({ baseURL: `${server.url}/v1`, model: 'tiny' });
    const [row] = await gen.generate([prompt()], {
      n: 3,
      temperature: 1,
      topP: 1,
      maxTokens: 6,
      seed: 1,
      logprobs: true,
    });
    expect(row).toHaveLength(3);
    for (const c of row ?? []) {
      expect(typeof c.text).toBe('string');
      expect(c.logprobs?.length).toBeGreaterThan(0);
      expect(c.logprobs?.length).toBeLessThanOrEqual(6);
      for (const lp of c.logprobs ?? []) expect(lp <= 0 && Number.isFinite(lp)).toBe(true);
      expect(['stop', 'length']).toContain(c.finishReason);
    }
    // The HTTP round trip changes nothing: the engine called directly with the same seed gives the same samples.
    const [direct] = await backend.generate([prompt()], {
      n: 3,
      temperature: 1,
      topP: 1,
      maxTokens: 6,
      seed: 1,
      logprobs: true,
    });
    expect(row?.map((c) => c.text)).toEqual(direct?.map((c) => c.text));
    for (const [i, c] of (row ?? []).entries())
      for (const [t, lp] of (c.logprobs ?? []).entries())
        expect(lp).toBeCloseTo(direct?.[i]?.logprobs?.[t] ?? Number.NaN, 6);
  });

  it('answers top_logprobs in the OpenAI layout: the k most likely tokens per position, the drawn one among them when greedy', async () => {
    const body = (extra: object) => ({ ...imageRequest(png, 'How many red circles are there ?'), ...extra });
    const post = (extra: object) =>
      fetch(`${server.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body(extra)),
      });
    const res = await post({ logprobs: true, top_logprobs: 3 });
    expect(res.status).toBe(200);
    type Entry = { token: string; logprob: number; bytes: number[] };
    const json = (await res.json()) as {
      choices: Array<{ logprobs: { content: Array<Entry & { top_logprobs: Entry[] }> } }>;
    };
    const content = json.choices[0]?.logprobs.content ?? [];
    expect(content.length).toBeGreaterThan(0);
    for (const pos of content) {
      expect(pos.top_logprobs).toHaveLength(3);
      const values = pos.top_logprobs.map((e) => e.logprob);
      expect([...values].sort((a, b) => b - a)).toEqual(values);
      expect(new Set(pos.top_logprobs.map((e) => e.token)).size).toBe(3);
      // Greedy: the drawn token is the most likely one, with the same log-prob.
      expect(pos.top_logprobs[0]?.token).toBe(pos.token);
      expect(pos.top_logprobs[0]?.logprob).toBeCloseTo(pos.logprob, 6);
      for (const e of pos.top_logprobs) expect(e.bytes).toEqual([...Buffer.from(e.token, 'utf8')]);
    }
    // OpenAI's rule: top_logprobs without logprobs is the client's mistake.
    const bad = await post({ top_logprobs: 2 });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { param: string } }).error.param).toBe('top_logprobs');
  });

  it('is deterministic for a fixed seed and batches concurrent prompts', async () => {
    const gen = createOpenAICompatibleGenerator({ baseURL: `${server.url}/v1`, model: 'tiny', concurrency: 4 });
    const params = { n: 1, temperature: 0, topP: 1, maxTokens: 5, seed: 3 };
    const a = await gen.generate([prompt(), prompt(), prompt(), prompt()], params);
    const b = await gen.generate([prompt()], params);
    expect(a.map((r) => r[0]?.text)).toEqual(Array(4).fill(b[0]?.[0]?.text));
    expect(server.batcher.stats().largest).toBeGreaterThan(1);
  });

  it('answers a corrupt image and a too-long prompt 400 while the requests batched with them get 200', async () => {
    const good = imageRequest(png, 'How many red circles are there ?');
    const bodies = [
      good,
      imageRequest(new TextEncoder().encode('this is not a png'), 'How many red circles are there ?'),
      good,
      imageRequest(png, 'How many red circles are there ? '.repeat(200)),
      good,
    ];
    const replies = await Promise.all(
      bodies.map((b) => fetch(`${server.url}/v1/chat/completions`, { method: 'POST', body: JSON.stringify(b) })),
    );
    expect(replies.map((r) => r.status)).toEqual([200, 400, 200, 400, 200]);
    const json = (await Promise.all(replies.map((r) => r.json()))) as {
      usage?: { prompt_tokens: number };
      error?: { message: string };
    }[];
    expect(json[1]?.error?.message).toMatch(/prompt 0/);
    expect(json[3]?.error?.message).toMatch(/leave no room to answer/);
    // 4 image patches (16 px / 8 px) + <bos> + the 7 words of the question.
    expect(json[0]?.usage?.prompt_tokens).toBe(4 + 1 + 7);
  });

  it('runs as the `vlthink serve` command', async () => {
    const child = spawn(
      process.execPath,
      ['bin/vlthink.js', 'serve', '--checkpoint', dir, '--port', '0', '--model', 'tiny'],
      {
        stdio: ['ignore', 'pipe', 'ignore'],
      },
    );
    try {
      const [line] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
      const { url } = JSON.parse(line) as { url: string };
      const models = (await (await fetch(`${url}/v1/models`)).json()) as { data: { id: string }[] };
      expect(models.data.map((m) => m.id)).toEqual(['tiny']);
      const gen = createOpenAICompatibleGenerator({ baseURL: `${url}/v1`, model: 'tiny' });
      const [row] = await gen.generate([prompt()], {
        n: 2,
        temperature: 1,
        topP: 1,
        maxTokens: 4,
        seed: 2,
        logprobs: true,
      });
      expect(row).toHaveLength(2);
    } finally {
      child.kill('SIGTERM');
    }
  }, 60_000);
});
