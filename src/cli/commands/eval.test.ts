import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { hasSharedData, sharedDataDir, sharedDataSkipReason } from '../../../test/shared-data.ts';
import { delay, startLoopbackServer } from '../../backends/loopback-server.ts';
import { BENCHMARKS } from '../../eval/benchmarks.ts';
import { createTokenizer, initParams, saveCheckpoint, tinyConfig } from '../../model/index.ts';

const run = promisify(execFile);
/** The embedded path runs once backends/embedded-generator.ts (the embedded engine's generator) exists. */
const hasGenerator = existsSync(resolve(import.meta.dirname, '../../backends/embedded-generator.ts'));
const bin = resolve(import.meta.dirname, '../../../bin/vlthink.js');

const completion = (content: string) => ({
  id: 'c1',
  object: 'chat.completion',
  created: 0,
  model: 'fake',
  choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
});

describe.skipIf(!hasSharedData)(`vlthink eval (${hasSharedData ? 'shared data' : sharedDataSkipReason})`, () => {
  it('runs MATH-V testmini end to end against an OpenAI-compatible server on 127.0.0.1, then resumes from cache', async () => {
    // The fake server always answers 6: the right count follows from the gold answers of the first six problems.
    const server = await startLoopbackServer(() => ({ json: completion('So the answer is \\boxed{6}.') }));
    const gold = (
      await BENCHMARKS['mathvision-testmini'].load({ dataDir: sharedDataDir, world: { n: 1, seed: 1, imageSize: 32 } })
    )
      .slice(0, 6)
      .map((i) => i.problem.answer);
    const right = gold.map((a) => a === '6');
    expect(right.filter(Boolean)).toHaveLength(2);
    const dir = await mkdtemp(join(tmpdir(), 'vlthink-eval-cli-'));
    try {
      const args = [bin, 'eval', '--bench', 'mathvision-testmini', '--model', `openai:${server.url}/v1#fake`];
      const flags = ['--limit', '6', '--out', dir, '--data', sharedDataDir, '--no-groups'];
      const first = await run(process.execPath, [...args, ...flags], { timeout: 60_000 });
      expect(first.stdout).toMatch(/^benchmark\s+correct\s+total\s+accuracy\nmathvision-testmini\s+2\s+6\s+33\.33%$/m);
      expect(server.requests).toHaveLength(6);
      const body = server.requests[0]?.body as { messages: { content: { type: string }[] }[]; temperature: number };
      expect(body.temperature).toBe(0);
      expect(body.messages[0]?.content.map((c) => c.type)).toEqual(['image_url', 'text']);
      const predictions = (await readFile(join(dir, 'mathvision-testmini', 'predictions.jsonl'), 'utf8'))
        .trim()
        .split('\n');
      expect(predictions.map((l) => JSON.parse(l).extraction)).toEqual(Array(6).fill('6'));
      expect(predictions.map((l) => JSON.parse(l).correct)).toEqual(right);
      const scores = JSON.parse(await readFile(join(dir, 'mathvision-testmini', 'scores.json'), 'utf8'));
      expect(scores['-all']).toBe('2/6=33.33%');

      await run(process.execPath, [...args, ...flags], { timeout: 60_000 });
      expect(server.requests).toHaveLength(6); // all six came from responses.jsonl
    } finally {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(!hasSharedData || !hasGenerator)(
  `vlthink eval on an embedded checkpoint (${hasSharedData ? (hasGenerator ? 'shared data' : 'embedded generator not built yet') : sharedDataSkipReason})`,
  () => {
    it('samples an (untrained) embedded checkpoint on real MATH-V images and scores it', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'vlthink-eval-embedded-'));
      try {
        const ckpt = join(dir, 'ckpt');
        const tokenizer = createTokenizer([
          'Solve the problem and give the final answer in a single boxed',
          'A B C D E 1 2 3',
        ]);
        // Room for MATH-V's longest prompts; the untrained weights answer at random.
        const config = tinyConfig(tokenizer.size, { dModel: 16, nLayers: 1, nHeads: 2, dFF: 32, maxTextLen: 1024 });
        await saveCheckpoint(ckpt, { config, params: initParams(config, 3), tokenizer });
        const out = join(dir, 'out');
        const args = ['eval', '--bench', 'mathvision-testmini', '--model', ckpt, '--limit', '4', '--max-tokens', '8'];
        const res = await run(process.execPath, [bin, ...args, '--out', out, '--data', sharedDataDir, '--no-groups'], {
          timeout: 120_000,
        });
        expect(res.stdout).toMatch(/^mathvision-testmini\s+\d+\s+4\s+[\d.]+%$/m);
        const lines = (await readFile(join(out, 'mathvision-testmini', 'predictions.jsonl'), 'utf8'))
          .trim()
          .split('\n');
        expect(lines.map((l) => JSON.parse(l).id)).toEqual(['4', '5', '6', '7']);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  },
);

describe('vlthink eval: interrupted and failing servers', () => {
  it('Ctrl-C mid-batch keeps every finished response; the rerun requests only the rest', async () => {
    let release: () => void = () => undefined;
    const stalled = new Promise<void>((done) => {
      release = done;
    });
    // The first 5 requests are answered at once; the other 7 of the batch hang until the test lets them go.
    const server = await startLoopbackServer(async (_req, index) => {
      if (index >= 5) await stalled;
      return { json: completion(`the answer is ${index}`) };
    });
    const dir = await mkdtemp(join(tmpdir(), 'vlthink-eval-sigint-'));
    try {
      const args = [bin, 'eval', '--bench', 'world', '--world-n', '12', '--world-image-size', '16'];
      const flags = ['--model', `openai:${server.url}/v1#fake`, '--batch-size', '12', '--out', dir, '--no-groups'];
      const child = spawn(process.execPath, [...args, ...flags]);
      let stderr = '';
      child.stderr.on('data', (c: Buffer) => {
        stderr += c.toString();
      });
      const cache = join(dir, 'world', 'responses.jsonl');
      const lines = async () => (await readFile(cache, 'utf8').catch(() => '')).split('\n').filter((l) => l !== '');
      const deadline = Date.now() + 60_000;
      while ((server.requests.length < 12 || (await lines()).length < 5) && Date.now() < deadline) await delay(20);
      expect((await lines()).length).toBe(5);
      const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
      child.kill('SIGINT');
      expect(await exited).toBe(130);
      expect(stderr).toContain('interrupted: eval of world was aborted — 5 finished responses are kept');
      expect(stderr).toContain('rerun the same command to resume');
      release();

      const rerun = await run(process.execPath, [...args, ...flags], { timeout: 60_000 });
      expect(rerun.stdout).toMatch(/^world\s+\d+\s+12\s+[\d.]+%$/m);
      expect(server.requests).toHaveLength(12 + 7); // only the 7 unfinished ones were asked again
      expect((await lines()).length).toBe(12);
    } finally {
      release();
      await server.close();
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('names a refused connection and the flags that govern retries', async () => {
    const server = await startLoopbackServer(() => ({ json: completion('x') }));
    const url = server.url;
    await server.close(); // nothing listens on this port now
    const dir = await mkdtemp(join(tmpdir(), 'vlthink-eval-refused-'));
    try {
      const args = [bin, 'eval', '--bench', 'world', '--world-n', '2', '--world-image-size', '16', '--out', dir];
      const r = await run(process.execPath, [...args, '--model', `openai:${url}/v1#fake`, '--retries', '1']).catch(
        (e: { code: number; stderr: string }) => e,
      );
      expect((r as { code: number }).code).toBe(1);
      const stderr = (r as { stderr: string }).stderr;
      expect(stderr).toContain('attempt 1/2 failed');
      expect(stderr).toContain('ECONNREFUSED: nothing listens at that address');
      expect(stderr).toContain('gave up after 2 attempts');
      expect(stderr).toContain('raise --retries / --timeout');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
