import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const bin = resolve(import.meta.dirname, '../../../bin/vlthink.js');

const meta = { language: 'english', source: 'S', category: 'c', task: 't', context: 'x', grade: 'g', skills: ['k'] };
const record = (pid: string, extra: object) => ({
  pid,
  question: 'q',
  choices: null,
  precision: null,
  answer: '3',
  question_type: 'free_form',
  answer_type: 'integer',
  metadata: meta,
  ...extra,
});

describe('vlthink score', () => {
  it('scores a MathVista output file: summary JSON on stdout, one verdict line per problem with --out', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vlthink-score-'));
    try {
      const file = join(dir, 'output_x.json');
      await writeFile(
        file,
        JSON.stringify({
          '1': record('1', { response: 'The answer is "3".' }),
          '2': record('2', { response: 'x', extraction: '3.0' }),
          '3': record('3', { response: '7' }),
        }),
      );
      const out = join(dir, 'pred.jsonl');
      const legacy = await run(process.execPath, [
        bin,
        'score',
        '--bench',
        'mathvista',
        '--int-rule',
        'legacy',
        file,
        '--out',
        out,
      ]);
      const summary = JSON.parse(legacy.stdout);
      expect(summary).toMatchObject({ bench: 'mathvista', correct: 1, total: 3 });
      expect(summary.scores.average).toEqual({ accuracy: '33.33', correct: 1, total: 3 });
      const lines = (await readFile(out, 'utf8'))
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(lines).toEqual([
        { id: '1', extraction: '3', prediction: '3', correct: true },
        { id: '2', extraction: '3.0', prediction: null, correct: false },
        { id: '3', extraction: '7', prediction: '7', correct: false },
      ]);
      const current = await run(process.execPath, [bin, 'score', '--bench', 'mathvista', file]);
      expect(JSON.parse(current.stdout).correct).toBe(2);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('names the file and what to do when the input is not a benchmark file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vlthink-score-'));
    try {
      const file = join(dir, 'bad.json');
      await writeFile(file, '[1, 2]');
      const bad = await run(process.execPath, [bin, 'score', '--bench', 'mathvista', file]).then(
        () => ({ code: 0, stderr: '' }),
        (e: { code: number; stderr: string }) => e,
      );
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain(`error: ${file}: expected a JSON object mapping pid -> problem`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
