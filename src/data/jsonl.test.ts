import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AbortedError, DataError } from '../core/index.ts';
import { readJsonl, readJsonlAll, writeJsonl } from './jsonl.ts';
import { Problem, type SftExample, Trace } from './types.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vlthink-jsonl-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function problem(i: number): Problem {
  return Problem.parse({
    id: `p${i}`,
    question: `How many squares? "quoted" \n newline ${i}`,
    images: [`images/p${i}.png`],
    choices: i % 2 === 0 ? ['1', '2', '3', '4'] : null,
    answer: String(i),
    answerType: i % 2 === 0 ? 'choice' : 'number',
    source: 'counting',
    tier: 'easy',
    metadata: { steps: i, nested: { a: [1, 2] } },
  });
}

describe('writeJsonl / readJsonl round trip', () => {
  it('reads back exactly the records it wrote, including defaults, unicode and escapes', async () => {
    const path = join(dir, 'problems.jsonl');
    const records = Array.from({ length: 50 }, (_, i) => problem(i));
    records[3] = { ...records[3], question: 'ünïcode ∠ABC = 40° \u2028 tab\t' };
    expect(await writeJsonl(path, records)).toBe(50);
    const { records: back, skipped } = await readJsonlAll(path, Problem);
    expect(skipped).toBe(0);
    expect(back).toEqual(records);
  });

  it('streams records one by one from an async source', async () => {
    const path = join(dir, 'sft.jsonl');
    async function* gen(): AsyncGenerator<SftExample> {
      for (let i = 0; i < 3; i++) {
        yield { id: `e${i}`, problemId: `p${i}`, images: [], prompt: 'q', response: '<think>x</think>', answer: '1' };
      }
    }
    expect(await writeJsonl(path, gen())).toBe(3);
    const ids: string[] = [];
    for await (const t of readJsonl(path, Trace.pick({ problemId: true }))) ids.push(t.problemId);
    expect(ids).toEqual(['p0', 'p1', 'p2']);
  });

  it('ignores blank lines, CRLF endings and a BOM while keeping line numbers', async () => {
    const path = join(dir, 'crlf.jsonl');
    const a = JSON.stringify(problem(1));
    await writeFile(path, `\uFEFF${a}\r\n\r\n${a}\r\n{"id": ""}\r\n`);
    const err = await readJsonlAll(path, Problem).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as DataError).line).toBe(4);
  });
});

describe('bad input', () => {
  const good = JSON.stringify(problem(1));

  it('names file:line for a line that is not JSON', async () => {
    const path = join(dir, 'bad.jsonl');
    await writeFile(path, `${good}\n{"id": "p2", "question": \n${good}\n`);
    const err = (await readJsonlAll(path, Problem).catch((e: unknown) => e)) as DataError;
    expect(err).toBeInstanceOf(DataError);
    expect(err.file).toBe(path);
    expect(err.line).toBe(2);
    expect(err.message).toContain(`${path}:2`);
    expect(err.message).toContain('not valid JSON');
  });

  it('names file:line and the field for a schema failure', async () => {
    const path = join(dir, 'bad-field.jsonl');
    const wrong = { ...problem(2), answerType: 'colour', metadata: undefined };
    await writeFile(path, `${good}\n${good}\n${JSON.stringify(wrong)}\n`);
    const err = (await readJsonlAll(path, Problem).catch((e: unknown) => e)) as DataError;
    expect(err.line).toBe(3);
    expect(err.field).toBe('answerType');
    expect(err.message).toMatch(new RegExp(`^${path}:3 \\(field 'answerType'\\)`));
  });

  it('names nested fields with a dotted path', async () => {
    const path = join(dir, 'nested.jsonl');
    await writeFile(path, `${JSON.stringify({ ...problem(1), images: ['a.png', 7] })}\n`);
    const err = (await readJsonlAll(path, Problem).catch((e: unknown) => e)) as DataError;
    expect(err.field).toBe('images.1');
  });

  it('with skipBad counts and reports the bad lines and yields the good ones', async () => {
    const path = join(dir, 'mixed.jsonl');
    const lines = [good, 'not json', good, '{"id": 3}', '', good, '[1,2'];
    await writeFile(path, `${lines.join('\n')}\n`);
    const seen: number[] = [];
    const result = await readJsonlAll(path, Problem, {
      skipBad: true,
      onBad: (e) => seen.push(e.line ?? -1),
    });
    expect(result.records).toHaveLength(3);
    expect(result.skipped).toBe(3);
    expect(seen).toEqual([2, 4, 7]);
    expect(result.bad.map((e) => e.line)).toEqual([2, 4, 7]);
  });

  it('reports a missing file as a DataError naming it', async () => {
    const path = join(dir, 'nope.jsonl');
    const err = (await readJsonlAll(path, Problem).catch((e: unknown) => e)) as DataError;
    expect(err).toBeInstanceOf(DataError);
    expect(err.message).toBe(`${path}: file not found`);
  });

  it('leaves no file behind when a record fails validation mid-write', async () => {
    const path = join(dir, 'out.jsonl');
    const records: unknown[] = [problem(1), problem(2), { id: 'x' }, problem(3)];
    const err = (await writeJsonl(path, records, { schema: Problem }).catch((e: unknown) => e)) as DataError;
    expect(err).toBeInstanceOf(DataError);
    expect(err.line).toBe(3);
    expect(await readdir(dir)).toEqual([]);
  });

  it('keeps the previous file intact when a rewrite fails', async () => {
    const path = join(dir, 'keep.jsonl');
    await writeJsonl(path, [problem(1)]);
    const before = await readFile(path, 'utf8');
    async function* failing(): AsyncGenerator<Problem> {
      yield problem(5);
      throw new Error('source broke');
    }
    await expect(writeJsonl(path, failing())).rejects.toThrow('source broke');
    expect(await readFile(path, 'utf8')).toBe(before);
    expect(await readdir(dir)).toEqual(['keep.jsonl']);
  });

  it('refuses a record that has no JSON form', async () => {
    const path = join(dir, 'undef.jsonl');
    await expect(writeJsonl(path, [problem(1), undefined])).rejects.toThrow(/record 2 cannot be written as JSON/);
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('abort', () => {
  it('stops reading and writing when the signal is aborted, leaving no file', async () => {
    const path = join(dir, 'a.jsonl');
    await writeJsonl(path, [problem(1), problem(2)]);
    const controller = new AbortController();
    const reader = readJsonl(path, Problem, { signal: controller.signal });
    const seen: string[] = [];
    await expect(
      (async () => {
        for await (const p of reader) {
          seen.push(p.id);
          controller.abort();
        }
      })(),
    ).rejects.toBeInstanceOf(AbortedError);
    expect(seen).toEqual(['p1']);
    const out = join(dir, 'b.jsonl');
    await expect(writeJsonl(out, [problem(1)], { signal: controller.signal })).rejects.toThrow(
      `writing ${out} was aborted`,
    );
    expect(await readdir(dir)).toEqual(['a.jsonl']);
  });
});
