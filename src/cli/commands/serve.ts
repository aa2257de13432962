import { existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { startChatServer } from '../../backends/chat-server.ts';
import { API_KEY_ENV, isLoopback, resolveApiKey } from '../../backends/http-auth.ts';
import { ConfigError, createLogger } from '../../core/index.ts';
import { loadCheckpoint } from '../../model/index.ts';

/**
 * `vlthink serve --checkpoint DIR [--port P]`: an OpenAI-compatible server (POST /v1/chat/completions, GET /v1/models)
 * for an embedded checkpoint, batching concurrent requests into the engine, until SIGINT/SIGTERM. Prints one JSON
 * line {url, model} on stdout once listening, so scripts can wait for it.
 */
interface Flags {
  checkpoint: string;
  port: string;
  host: string;
  model?: string;
  maxBatch: string;
  batchWindowMs: string;
  maxTokens: string;
  threads?: string;
  apiKey?: string;
}

function positiveInt(field: string, raw: string, min = 1): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min)
    throw new ConfigError(field, `must be an integer >= ${min}, got '${raw}'`, { value: raw });
  return n;
}

export function register(program: Command): void {
  program
    .command('serve')
    .description('serve an embedded checkpoint over the OpenAI chat-completions API (batched)')
    .requiredOption('--checkpoint <dir>', 'embedded checkpoint folder (config.json + model.safetensors)')
    .option('--port <port>', 'TCP port (0 picks a free one)', '8000')
    .option('--host <host>', 'address to bind; 0.0.0.0 to serve other machines', '127.0.0.1')
    .option('--model <name>', 'model id clients use (default: the folder name)')
    .option('--max-batch <n>', 'most prompts decoded together', '16')
    .option('--batch-window-ms <ms>', 'how long a batch waits for more requests', '5')
    .option('--max-tokens <n>', 'max_tokens when a request gives none', '256')
    .option('--threads <n>', 'engine threads')
    .option('--api-key <key>', `require 'Authorization: Bearer <key>' on every request (default: $${API_KEY_ENV})`)
    .action(async (flags: Flags) => {
      const dir = resolve(flags.checkpoint);
      if (!existsSync(join(dir, 'config.json')))
        throw new ConfigError('checkpoint', `${dir} is not an embedded checkpoint (no config.json)`, {
          value: flags.checkpoint,
          hint: 'point --checkpoint at a folder written by vlthink training (e.g. runs/<name>/round-1/sft)',
        });
      const port = positiveInt('port', flags.port, 0);
      if (port > 65_535) throw new ConfigError('port', `must be <= 65535, got ${port}`, { value: flags.port });
      const model = flags.model ?? basename(dir);
      const logger = createLogger({ scope: 'serve' });
      const { createEmbeddedGenerator } = await import('../../backends/embedded-generator.ts');
      const threads = flags.threads === undefined ? undefined : positiveInt('threads', flags.threads);
      const backend = createEmbeddedGenerator({ checkpoint: dir, ...(threads !== undefined ? { threads } : {}) });
      const { tokenizer } = await loadCheckpoint(dir);
      const server = await startChatServer({
        backend,
        model,
        port,
        host: flags.host,
        maxBatch: positiveInt('max-batch', flags.maxBatch),
        batchWindowMs: positiveInt('batch-window-ms', flags.batchWindowMs, 0),
        defaultMaxTokens: positiveInt('max-tokens', flags.maxTokens),
        checkPrompt: (prompt) => backend.checkPrompt(prompt),
        apiKey: resolveApiKey(flags.apiKey),
        tokenText: tokenizer ? (id) => tokenizer.vocab[id] ?? '<unk>' : undefined,
        logger,
      });
      process.stdout.write(`${JSON.stringify({ url: server.url, model })}\n`);
      logger.info(
        `serving ${dir} as '${model}' on ${server.url}/v1${flags.apiKey || process.env[API_KEY_ENV] ? ' (API key required)' : ''}`,
      );
      if (!isLoopback(flags.host) && !resolveApiKey(flags.apiKey))
        logger.warn(
          `${flags.host} opens the server to the network without an API key; set --api-key or ${API_KEY_ENV}`,
        );
      await new Promise<void>((done) => {
        process.once('SIGINT', () => done());
        process.once('SIGTERM', () => done());
      });
      await server.close();
      await backend.close?.();
    });
}
