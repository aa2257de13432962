import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  BackendError,
  CHOICE_LETTERS,
  ConfigError,
  choiceIndex,
  choiceLetter,
  contentHash,
  createAtomicWriter,
  createRng,
  DataError,
  fnv1a,
  mapPool,
  stableStringify,
  writeFileAtomic,
} from './index.ts';

describe('rng', () => {
  it('gives the same stream for the same seed and a different one for another seed', () => {
    const a = createRng(42);
    const b = createRng(42);
    const c = createRng(43);
    const xs = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(xs);
    for (const x of xs) expect(x >= 0 && x < 1).toBe(true);
  });

  it('restores exactly from a saved state', () => {
    const a = createRng(7);
    a.next();
    const saved = a.state();
    const expected = [a.next(), a.int(100), a.normal()];
    const b = createRng(saved);
    expect([b.next(), b.int(100), b.normal()]).toEqual(expected);
  });

  it('forks independent streams without advancing the parent', () => {
    const a = createRng(1);
    const before = a.state();
    const f1 = a.fork('problem-1');
    const f2 = a.fork('problem-2');
    expect(a.state()).toEqual(before);
    expect(f1.next()).not.toEqual(f2.next());
    expect(createRng(1).fork('problem-1').next()).toEqual(createRng(1).fork('problem-1').next());
  });

  it('draws uniform integers and normals with the right moments', () => {
    const r = createRng(3);
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 40_000; i++) {
      const k = r.int(4);
      counts[k] = (counts[k] ?? 0) + 1;
    }
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(500);
    let sum = 0;
    let sq = 0;
    for (let i = 0; i < 20_000; i++) {
      const z = r.normal();
      sum += z;
      sq += z * z;
    }
    expect(Math.abs(sum / 20_000)).toBeLessThan(0.03);
    expect(Math.abs(sq / 20_000 - 1)).toBeLessThan(0.05);
  });

  it('shuffles into a permutation', () => {
    const xs = [1, 2, 3, 4, 5, 6, 7, 8];
    const s = createRng(5).shuffle(xs);
    expect([...s].sort((p, q) => p - q)).toEqual(xs);
    expect(s).not.toEqual(xs);
  });
});

describe('hash', () => {
  it('ignores key order and undefined fields', () => {
    expect(stableStringify({ b: 1, a: [1, { y: 2, x: undefined, z: 3 }] })).toBe('{"a":[1,{"y":2,"z":3}],"b":1}');
    expect(contentHash({ a: 1, b: 2 })).toBe(contentHash({ b: 2, a: 1 }));
    expect(contentHash({ a: 1 })).not.toBe(contentHash({ a: 2 }));
    expect(contentHash('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('fnv1a gives the published FNV-1a 32-bit values', () => {
    expect(fnv1a('')).toBe(0x811c9dc5);
    expect(fnv1a('a')).toBe(0xe40c292c);
    expect(fnv1a('foobar')).toBe(0xbf9cf968);
  });
});

describe('choice letters', () => {
  it('letters options from A and reads a capital letter back to its index', () => {
    expect(CHOICE_LETTERS.slice(0, 5)).toBe('ABCDE');
    expect([0, 1, 25, 26, -1, 1.5].map(choiceLetter)).toEqual(['A', 'B', 'Z', undefined, undefined, undefined]);
    expect(['A', 'E', 'Z', 'a', '(B)', 'AB', '', '['].map(choiceIndex)).toEqual([0, 4, 25, -1, -1, -1, -1, -1]);
  });
});

describe('atomic writes', () => {
  it('writes whole files and leaves no temp file behind', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vlthink-core-'));
    const path = join(dir, 'sub', 'out.json');
    await writeFileAtomic(path, 'one');
    await writeFileAtomic(path, 'two');
    expect(await readFile(path, 'utf8')).toBe('two');
    expect(await readdir(join(dir, 'sub'))).toEqual(['out.json']);
  });

  it('streams into a temp file that only appears at the target on commit', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vlthink-core-'));
    const path = join(dir, 'lines.jsonl');
    const w = await createAtomicWriter(path);
    await w.write('{"a":1}\n');
    expect((await readdir(dir)).includes('lines.jsonl')).toBe(false);
    await w.commit();
    expect(await readFile(path, 'utf8')).toBe('{"a":1}\n');

    const aborted = await createAtomicWriter(join(dir, 'gone.jsonl'));
    await aborted.write('partial');
    await aborted.abort();
    expect((await readdir(dir)).sort()).toEqual(['lines.jsonl']);
  });

  it('keeps no listener per write (thousands of writes, no MaxListenersExceededWarning)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vlthink-core-'));
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    try {
      const w = await createAtomicWriter(join(dir, 'many.jsonl'));
      const line = `${'x'.repeat(1000)}\n`;
      for (let i = 0; i < 5000; i++) await w.write(line);
      await w.commit();
      expect((await readFile(join(dir, 'many.jsonl'), 'utf8')).length).toBe(5000 * line.length);
      await new Promise((r) => setImmediate(r));
      expect(warnings.filter((x) => x.name === 'MaxListenersExceededWarning')).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });
});

describe('mapPool', () => {
  it('keeps order and never exceeds the concurrency', async () => {
    let inFlight = 0;
    let peak = 0;
    const out = await mapPool([5, 1, 4, 2, 3], 2, async (x) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, x));
      inFlight--;
      return x * 10;
    });
    expect(out).toEqual([50, 10, 40, 20, 30]);
    expect(peak).toBe(2);
  });

  it('rethrows the first error and stops taking new items', async () => {
    const seen: number[] = [];
    await expect(
      mapPool([1, 2, 3, 4, 5, 6], 1, async (x) => {
        seen.push(x);
        if (x === 2) throw new Error('boom');
        return x;
      }),
    ).rejects.toThrow('boom');
    expect(seen).toEqual([1, 2]);
  });

  it('stops on an aborted signal', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(mapPool([1], 1, async (x) => x, ac.signal)).rejects.toThrow('aborted');
  });
});

describe('errors', () => {
  it('name the field, the file and line, the url and status', () => {
    expect(new ConfigError('rl.groupSize', 'must be >= 2', { value: 1 }).message).toBe(
      "config field 'rl.groupSize': must be >= 2",
    );
    const d = new DataError('a.jsonl', 'bad JSON', { line: 3, field: 'answer', hint: 'fix the line' });
    expect(d.message).toBe("a.jsonl:3 (field 'answer'): bad JSON");
    expect(d.describe()).toContain('hint: fix the line');
    const b = new BackendError('http://127.0.0.1:1/v1', 'overloaded', { status: 429, retryable: true });
    expect(b.message).toBe('http://127.0.0.1:1/v1 (HTTP 429): overloaded');
    expect(b.retryable).toBe(true);
  });
});
