import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import sharp from 'sharp';
import { startChatServer } from '../src/backends/chat-server.ts';
import { createOpenAICompatibleGenerator } from '../src/backends/openai-generator.ts';
import type { GenerationBackend, Prompt } from '../src/backends/types.ts';
import { createTokenizer, initParams, saveCheckpoint, tinyConfig } from '../src/model/index.ts';

/**
 * `npm run bench -- serve`: `vlthink serve`'s request batching. 32 concurrent chat requests (one image each, 16 new
 * tokens) against an untrained default-size embedded checkpoint, through the OpenAI client over loopback; completions/s
 * with batching (up to 16 prompts per engine call) against the same server with batching off (1 per call), measured
 * in the same run: `x_unbatched` is the speed-up batching buys.
 */
const REQUESTS = 32;
const MAX_TOKENS = 16;

type CreateEmbeddedGenerator = (opts: { checkpoint: string }) => GenerationBackend | Promise<GenerationBackend>;

export async function run(): Promise<void> {
  const file = resolve(import.meta.dirname, '../src/backends/embedded-generator.ts');
  if (!existsSync(file)) {
    process.stdout.write(
      `${JSON.stringify({ bench: 'serve', skipped: 'src/backends/embedded-generator.ts is missing' })}\n`,
    );
    return;
  }
  const dir = await mkdtemp(join(tmpdir(), 'vlthink-bench-serve-'));
  try {
    const tokenizer = createTokenizer(['How many red circles are there ?', 'The answer is 3 .']);
    const config = tinyConfig(tokenizer.size);
    await saveCheckpoint(dir, { config, params: initParams(config, 1), tokenizer });
    const { createEmbeddedGenerator } = (await import(pathToFileURL(file).href)) as {
      createEmbeddedGenerator: CreateEmbeddedGenerator;
    };
    const backend = await createEmbeddedGenerator({ checkpoint: dir });
    const png = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#c00' } })
      .png()
      .toBuffer();
    const prompts: Prompt[] = Array.from({ length: REQUESTS }, (_, i) => [
      {
        role: 'user',
        content: [
          { type: 'image', image: { bytes: png, mime: 'image/png' } },
          { type: 'text', text: `How many red circles are there ? ${i % 10}` },
        ],
      },
    ]);
    const measure = async (maxBatch: number) => {
      const server = await startChatServer({ backend, model: 'tiny', port: 0, maxBatch, batchWindowMs: 5 });
      try {
        const gen = createOpenAICompatibleGenerator({
          baseURL: `${server.url}/v1`,
          model: 'tiny',
          concurrency: REQUESTS,
        });
        const params = { n: 1, temperature: 1, topP: 1, maxTokens: MAX_TOKENS, seed: 1 };
        await gen.generate(prompts.slice(0, 4), params); // warm-up
        const t0 = performance.now();
        await gen.generate(prompts, { ...params, seed: 2 });
        return { perSec: REQUESTS / ((performance.now() - t0) / 1000), largest: server.batcher.stats().largest };
      } finally {
        await server.close();
      }
    };
    const unbatched = await measure(1);
    const batched = await measure(16);
    process.stdout.write(
      `${JSON.stringify({
        bench: 'serve',
        requests: REQUESTS,
        max_tokens: MAX_TOKENS,
        completions_per_s: Number(batched.perSec.toFixed(1)),
        largest_batch: batched.largest,
        unbatched_per_s: Number(unbatched.perSec.toFixed(1)),
        x_unbatched: Number((batched.perSec / unbatched.perSec).toFixed(2)),
      })}\n`,
    );
    await backend.close?.();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
