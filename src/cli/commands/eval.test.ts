import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { hasSharedData, sharedDataDir, sharedDataSkipReason } from '../../../test/shared-data.ts';
import { startLoopbackServer } from '../../backends/loopback-server.ts';

const run = promisify(execFile);
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
    const server = await startLoopbackServer(() => ({ json: completion('So the answer is \\boxed{A}.') }));
    const dir = await mkdtemp(join(tmpdir(), 'vlthink-eval-cli-'));
    try {
      const args = [bin, 'eval', '--bench', 'mathvision-testmini', '--model', `openai:${server.url}/v1#fake`];
      const flags = ['--limit', '6', '--out', dir, '--data', sharedDataDir, '--no-groups'];
      const first = await run(process.execPath, [...args, ...flags], { timeout: 60_000 });
      expect(first.stdout).toMatch(
        /^benchmark\s+correct\s+total\s+accuracy\nmathvision-testmini\s+\d+\s+6\s+[\d.]+%$/m,
      );
      expect(server.requests).toHaveLength(6);
      const body = server.requests[0]?.body as { messages: { content: { type: string }[] }[]; temperature: number };
      expect(body.temperature).toBe(0);
      expect(body.messages[0]?.content.map((c) => c.type)).toEqual(['image_url', 'text']);
      const predictions = (await readFile(join(dir, 'mathvision-testmini', 'predictions.jsonl'), 'utf8'))
        .trim()
        .split('\n');
      expect(predictions.map((l) => JSON.parse(l).extraction)).toEqual(Array(6).fill('a'));
      const scores = JSON.parse(await readFile(join(dir, 'mathvision-testmini', 'scores.json'), 'utf8'));
      expect(scores['-all']).toMatch(/^\d+\/6=/);

      await run(process.execPath, [...args, ...flags], { timeout: 60_000 });
      expect(server.requests).toHaveLength(6); // all six came from responses.jsonl
    } finally {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
