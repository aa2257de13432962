import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DataError } from '../../core/index.ts';
import { register } from './verify.ts';

/** Runs `vlthink verify FILE` in-process (only this command registered) and returns its stdout lines. */
async function runVerify(args: string[]): Promise<{ lines: unknown[]; error: unknown }> {
  const out: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out.push(String(chunk));
    return true;
  });
  const program = new Command('vlthink').exitOverride();
  register(program);
  let error: unknown = null;
  try {
    await program.parseAsync(['verify', ...args], { from: 'user' });
  } catch (err) {
    error = err;
  } finally {
    spy.mockRestore();
  }
  const lines = out
    .join('')
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l));
  return { lines, error };
}

describe('vlthink verify', () => {
  let dir = '';
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('writes one result per input line, in order, and an error line for a malformed one', async () => {
    dir = await mkdtemp(join(tmpdir(), 'vlthink-verify-'));
    const file = join(dir, 'in.jsonl');
    await writeFile(
      file,
      [
        JSON.stringify({ gold: '3', prediction: 'so the answer is \\boxed{3}' }),
        'not json',
        '',
        JSON.stringify({ gold: 'A', prediction: '<answer>(A)</answer>', grader: 'mathruler' }),
        JSON.stringify({ gold: 'B', prediction: 'I pick green', choices: ['red', 'green'] }),
        JSON.stringify({ gold: 5, prediction: '5' }),
        JSON.stringify({ gold: '1/2', prediction: 'it is 0.7' }),
      ].join('\n'),
    );
    const { lines, error } = await runVerify([file]);
    expect(lines).toEqual([
      { correct: true, extracted: '3', reason: 'match' },
      { line: 2, error: expect.stringContaining('not valid JSON') },
      { correct: true, extracted: '(A)', reason: 'match' },
      { correct: true, extracted: 'B', reason: 'match' },
      { line: 6, error: expect.stringContaining('gold') },
      { correct: false, extracted: '0.7', reason: 'mismatch' },
    ]);
    expect(error).toBeInstanceOf(DataError);
    expect((error as DataError).message).toContain('2 malformed line(s)');
  });

  it('fails with a DataError naming a file it cannot read', async () => {
    const { error } = await runVerify(['/nonexistent/answers.jsonl']);
    expect(error).toBeInstanceOf(DataError);
    expect((error as DataError).message).toContain('/nonexistent/answers.jsonl');
  });
});
