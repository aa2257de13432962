import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const bin = resolve(import.meta.dirname, '../../../bin/vlthink.js');

describe('vlthink data show', () => {
  it('prints records for people and fails with file:line on a bad line', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vlthink-cli-show-'));
    try {
      const path = join(dir, 'p.jsonl');
      await writeFile(path, '{"id":"p1","answer":"3"}\n{"id":"p2","answer":"4"}\nnot json\n');
      const ok = await run(process.execPath, [bin, 'data', 'show', path, '--n', '1', '--skip-bad']);
      expect(ok.stdout).toBe(
        `${path} (jsonl, 2 records, 1 malformed line skipped; showing 1)\n\n--- record 1 ---\nid:     p1\nanswer: 3\n`,
      );
      const bad = await run(process.execPath, [bin, 'data', 'show', path]).then(
        () => ({ code: 0, stderr: '' }),
        (e: { code: number; stderr: string }) => e,
      );
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain(`error: ${path}:3: not valid JSON`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
