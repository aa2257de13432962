import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AbortedError, contentHash, DataError, hashFile } from '../core/index.ts';
import { hashOutput, MANIFEST_FILE, type Manifest, openLedger, readManifest, type StageEvent } from './manifest.ts';

/**
 * The stage ledger on its own, on real files in a temp folder: what a rerun skips, what it redoes, what a failed or
 * aborted stage leaves behind, and what the manifest on disk says at each point. (loop.test.ts covers it through whole
 * fake runs, which are too slow to run per mutant.)
 */
let root: string;
let n = 0;
const freshDir = async () => {
  const dir = join(root, `run-${n++}`);
  await mkdir(dir, { recursive: true });
  return dir;
};
const onDisk = async (dir: string): Promise<Manifest> => {
  const m = await readManifest(dir);
  if (m === null) throw new Error(`no manifest in ${dir}`);
  return m;
};

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'vlthink-manifest-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('readManifest', () => {
  it('is null where no manifest was written', async () => {
    expect(await readManifest(await freshDir())).toBeNull();
  });

  it('names the file, says what is wrong and what to do for text that is not JSON', async () => {
    const dir = await freshDir();
    await writeFile(join(dir, MANIFEST_FILE), '{"version": 1,');
    const err = await readManifest(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as DataError).message).toBe(`${join(dir, MANIFEST_FILE)}: is not valid JSON`);
    expect((err as DataError).hint).toBe('delete it to rerun every stage');
    expect((err as DataError).cause).toBeInstanceOf(SyntaxError);
  });

  it('names the wrong field of JSON that is not a manifest', async () => {
    const dir = await freshDir();
    await writeFile(join(dir, MANIFEST_FILE), JSON.stringify({ version: 2, name: 'x' }));
    const err = await readManifest(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as DataError).message).toMatch(/manifest\.json: is not a vlthink manifest: .*\n.*version/s);
    expect((err as DataError).hint).toBe('delete it to rerun every stage');
  });
});

describe('hashOutput', () => {
  it('hashes a file by its bytes', async () => {
    const dir = await freshDir();
    await writeFile(join(dir, 'a.txt'), 'alpha');
    expect(await hashOutput(join(dir, 'a.txt'))).toBe(await hashFile(join(dir, 'a.txt')));
  });

  it('hashes a folder by its files (names, contents, subfolders), stable across versions', async () => {
    const dir = await freshDir();
    // Names in locale order (a.txt, B.txt, sub), which is not the byte order Node lists them in (B.txt first).
    await writeFile(join(dir, 'B.txt'), 'beta');
    await mkdir(join(dir, 'sub'));
    await writeFile(join(dir, 'sub', 'c.txt'), 'gamma');
    await writeFile(join(dir, 'a.txt'), 'alpha');
    // Pinned (sha256 of the lines "a.txt:<sha256 of alpha>", "B.txt:...", "sub/c.txt:..." joined by newlines): a manifest
    // written by an older vlthink must still match its outputs, or every resume reruns everything.
    expect(await hashOutput(dir)).toBe('c9479296fe2c1dc5f66397981b5943517255cb5f3c8fae0f680cbc213377a467');
  });

  it('leaves out temp files and links, and sees renames and edits', async () => {
    const dir = await freshDir();
    await writeFile(join(dir, 'a.txt'), 'alpha');
    await mkdir(join(dir, 'sub'));
    await writeFile(join(dir, 'sub', 'b.txt'), 'beta');
    const base = await hashOutput(dir);

    await writeFile(join(dir, '.a.txt.123.tmp'), 'half-written');
    await writeFile(join(dir, 'sub', 'x.tmp'), 'half-written');
    await symlink(join(dir, 'a.txt'), join(dir, 'link'));
    expect(await hashOutput(dir)).toBe(base);

    await writeFile(join(dir, 'sub', 'b.txt'), 'BETA');
    const edited = await hashOutput(dir);
    expect(edited).not.toBe(base);
    await writeFile(join(dir, 'sub', 'b.txt'), 'beta');
    expect(await hashOutput(dir)).toBe(base);

    await rm(join(dir, 'sub', 'b.txt'));
    await writeFile(join(dir, 'sub', 'B.txt'), 'beta');
    expect(await hashOutput(dir)).not.toBe(base);
  });

  it('hashes a folder independently of where it lives', async () => {
    const [one, two] = [await freshDir(), await freshDir()];
    for (const dir of [one, two]) await writeFile(join(dir, 'x.json'), '{}');
    expect(await hashOutput(one)).toBe(await hashOutput(two));
  });
});

describe('openLedger', () => {
  it('writes a new manifest at once, and keeps an old one but for the config hash', async () => {
    const dir = await freshDir();
    const ledger = await openLedger(dir, 'demo', 'cfg-1');
    const first = await onDisk(dir);
    expect(first).toMatchObject({ version: 1, name: 'demo', configHash: 'cfg-1', stages: {}, order: [] });
    expect(first.createdAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(ledger.manifest()).toEqual(first);
    expect(ledger.runDir).toBe(dir);
    await ledger.runStage({ key: 'data', inputs: 1, outputs: ['d.txt'], run: async (s) => writeCount(s('d.txt')) });

    const again = await openLedger(dir, 'other-name', 'cfg-2');
    const second = await onDisk(dir);
    expect(second.name).toBe('demo');
    expect(second.configHash).toBe('cfg-2');
    expect(second.createdAt).toBe(first.createdAt);
    expect(second.order).toEqual(['data']);
    expect(second.stages.data?.state).toBe('done');
    expect(again.visited()).toEqual([]);
  });

  it('runs a stage into staging, moves its outputs and logs into place and records them', async () => {
    const dir = await freshDir();
    const events: StageEvent[] = [];
    const ledger = await openLedger(dir, 'demo', 'cfg', (e) => events.push(e));
    let stagedPath = '';
    let onDiskWhileRunning: Manifest | null = null;
    const inputs = { seed: 3, upstream: 'abc' };
    const { skipped, record } = await ledger.runStage({
      key: 'round-1/sft',
      inputs,
      outputs: ['round-1/sft/model', 'round-1/sft.jsonl'],
      logs: ['round-1/sft-steps.jsonl'],
      run: async (staged) => {
        stagedPath = staged('round-1/sft/model');
        onDiskWhileRunning = await readManifest(dir);
        // Parent folders exist before the stage runs; the output folder itself is the stage's to make.
        expect(existsSync(join(staged('round-1/sft/model'), '..'))).toBe(true);
        await mkdir(staged('round-1/sft/model'));
        await writeFile(join(staged('round-1/sft/model'), 'weights.bin'), 'w');
        await writeFile(staged('round-1/sft.jsonl'), '{"a":1}\n');
        await writeFile(staged('round-1/sft-steps.jsonl'), '{"step":1}\n');
        return { rows: 1, steps: 1 };
      },
    });

    const inputHash = contentHash(inputs);
    expect(stagedPath).toBe(join(dir, '.staging', `round-1__sft.${inputHash.slice(0, 16)}`, 'round-1/sft/model'));
    expect(onDiskWhileRunning).toMatchObject({
      stages: { 'round-1/sft': { state: 'running', attempts: 1, finishedAt: null, durationMs: null } },
    });
    expect(skipped).toBe(false);
    expect(record).toMatchObject({
      state: 'done',
      inputHash,
      outputs: {
        'round-1/sft/model': await hashOutput(join(dir, 'round-1/sft/model')),
        'round-1/sft.jsonl': await hashFile(join(dir, 'round-1/sft.jsonl')),
      },
      logs: ['round-1/sft-steps.jsonl'],
      counts: { rows: 1, steps: 1 },
      attempts: 1,
      error: null,
    });
    expect(Object.keys(record.outputs)).toHaveLength(2);
    expect(await readFile(join(dir, 'round-1/sft/model/weights.bin'), 'utf8')).toBe('w');
    expect(await readFile(join(dir, 'round-1/sft-steps.jsonl'), 'utf8')).toBe('{"step":1}\n');
    expect(existsSync(join(dir, '.staging'))).toBe(false);
    expect(Date.parse(record.finishedAt ?? '')).toBeGreaterThanOrEqual(Date.parse(record.startedAt));
    expect(record.durationMs).toBeGreaterThanOrEqual(0);
    expect(record.durationMs).toBeLessThanOrEqual(
      Date.parse(record.finishedAt ?? '') - Date.parse(record.startedAt) + 2,
    );

    const saved = await onDisk(dir);
    expect(saved.stages['round-1/sft']).toEqual(record);
    expect(saved.order).toEqual(['round-1/sft']);
    expect(saved.updatedAt >= saved.createdAt).toBe(true);
    expect(events).toEqual([
      { type: 'start', key: 'round-1/sft', attempt: 1 },
      { type: 'done', key: 'round-1/sft', record },
    ]);
    expect(ledger.visited()).toEqual(['round-1/sft']);
  });

  it('skips a done stage whose inputs and outputs are unchanged, and reruns it when either changed', async () => {
    const dir = await freshDir();
    const events: StageEvent[] = [];
    const ledger = await openLedger(dir, 'demo', 'cfg', (e) => events.push(e));
    let runs = 0;
    const stage = (inputs: unknown, logs: string[] = []) => ({
      key: 'round-1/filter',
      inputs,
      outputs: ['filtered.jsonl', 'kept'],
      logs,
      run: async (staged: (o: string) => string) => {
        runs++;
        await writeFile(staged('filtered.jsonl'), `${runs}\n`.repeat(1));
        await mkdir(staged('kept'));
        await writeFile(join(staged('kept'), 'ids.txt'), 'p1\n');
        for (const log of logs) await writeFile(staged(log), 'log\n');
        return { kept: runs };
      },
    });

    await ledger.runStage(stage({ k: 1 }, ['filter.log']));
    const first = await onDisk(dir);
    const skip = await ledger.runStage(stage({ k: 1 }, ['filter.log']));
    expect(skip.skipped).toBe(true);
    expect(skip.record).toEqual(first.stages['round-1/filter']);
    expect(runs).toBe(1);
    expect(events.at(-1)).toEqual({ type: 'skip', key: 'round-1/filter', record: skip.record });

    // A lost log reruns nothing.
    await rm(join(dir, 'filter.log'));
    expect((await ledger.runStage(stage({ k: 1 }, ['filter.log']))).skipped).toBe(true);

    // New inputs: rerun.
    const rerun = await ledger.runStage(stage({ k: 2 }));
    expect(rerun.skipped).toBe(false);
    expect(rerun.record.attempts).toBe(2);
    expect(rerun.record.counts).toEqual({ kept: 2 });
    expect(runs).toBe(2);

    // An output edited behind the ledger's back (a file, then a file inside a folder output): rerun.
    await writeFile(join(dir, 'filtered.jsonl'), 'edited\n');
    expect((await ledger.runStage(stage({ k: 2 }))).skipped).toBe(false);
    await writeFile(join(dir, 'kept', 'ids.txt'), 'p2\n');
    expect((await ledger.runStage(stage({ k: 2 }))).skipped).toBe(false);
    // An output deleted: rerun.
    await rm(join(dir, 'kept'), { recursive: true });
    const restored = await ledger.runStage(stage({ k: 2 }));
    expect(restored.skipped).toBe(false);
    expect(restored.record.attempts).toBe(5);
    expect(await readFile(join(dir, 'kept', 'ids.txt'), 'utf8')).toBe('p1\n');
    expect(runs).toBe(5);

    // A second ledger on the same folder (a new process) sees the same: skip.
    const reopened = await openLedger(dir, 'demo', 'cfg');
    expect((await reopened.runStage(stage({ k: 2 }))).skipped).toBe(true);
    expect(runs).toBe(5);
    expect((await onDisk(dir)).order).toEqual(['round-1/filter']);
    expect(ledger.visited()).toEqual(['round-1/filter']);
  });

  it('replaces an old output folder whole', async () => {
    const dir = await freshDir();
    const ledger = await openLedger(dir, 'demo', 'cfg');
    const stage = (files: string[]) => ({
      key: 'model',
      inputs: files,
      outputs: ['out'],
      run: async (staged: (o: string) => string) => {
        await mkdir(staged('out'));
        for (const f of files) await writeFile(join(staged('out'), f), f);
        return {};
      },
    });
    await ledger.runStage(stage(['a', 'b']));
    const { record } = await ledger.runStage(stage(['a']));
    expect(await readdir(join(dir, 'out'))).toEqual(['a']);
    expect(record.outputs.out).toBe(await hashOutput(join(dir, 'out')));
    expect(record.logs).toEqual([]);
  });

  it('records a stage with no outputs (counts only) and skips it next time', async () => {
    const dir = await freshDir();
    const ledger = await openLedger(dir, 'demo', 'cfg');
    let runs = 0;
    const stage = { key: 'check', inputs: 'x', outputs: [], run: async () => ({ checked: ++runs }) };
    expect((await ledger.runStage(stage)).record).toMatchObject({ state: 'done', outputs: {}, counts: { checked: 1 } });
    expect((await ledger.runStage(stage)).skipped).toBe(true);
    expect(runs).toBe(1);
  });

  it("clears what a finished stage left in staging besides its outputs (a trainer's checkpoints)", async () => {
    const dir = await freshDir();
    const ledger = await openLedger(dir, 'demo', 'cfg');
    await ledger.runStage({
      key: 'round-1/rl',
      inputs: 1,
      outputs: ['rl/model.bin'],
      run: async (staged) => {
        await mkdir(join(staged('rl'), 'checkpoints', 'step-2'), { recursive: true });
        await writeFile(join(staged('rl'), 'checkpoints', 'step-2', 'state.bin'), 's');
        return writeCount(staged('rl/model.bin'));
      },
    });
    expect(existsSync(join(dir, '.staging'))).toBe(false);
    expect(await readdir(join(dir, 'rl'))).toEqual(['model.bin']);
  });

  it('records a failed stage, keeps its staging for the same inputs and clears it for new ones', async () => {
    const dir = await freshDir();
    const events: StageEvent[] = [];
    const ledger = await openLedger(dir, 'demo', 'cfg', (e) => events.push(e));
    const stagingOf = (inputs: unknown) => join(dir, '.staging', `round-2__rl.${contentHash(inputs).slice(0, 16)}`);
    let seenCheckpoint = false;
    const failing = (inputs: unknown) => ({
      key: 'round-2/rl',
      inputs,
      outputs: ['rl/model.bin'],
      run: async (staged: (o: string) => string) => {
        seenCheckpoint = existsSync(join(staged('rl'), 'ckpt'));
        await writeFile(join(staged('rl'), 'ckpt'), 'step 3');
        throw new Error('trainer crashed');
      },
    });
    // Another stage's leftover staging must survive everything below.
    await mkdir(join(dir, '.staging', 'round-2__rl-other.0000'), { recursive: true });
    await mkdir(join(dir, '.staging', 'round-1__rl.0000'), { recursive: true });

    await expect(ledger.runStage(failing({ s: 1 }))).rejects.toThrow('trainer crashed');
    const failed = (await onDisk(dir)).stages['round-2/rl'];
    expect(failed).toMatchObject({ state: 'failed', error: 'trainer crashed', attempts: 1, outputs: {} });
    expect(failed?.finishedAt).not.toBeNull();
    expect(failed?.durationMs).toBeGreaterThanOrEqual(0);
    expect(existsSync(join(dir, 'rl'))).toBe(false);
    expect(events.map((e) => e.type)).toEqual(['start']);
    expect(seenCheckpoint).toBe(false);

    // The same inputs again: the checkpoint is handed back (a trainer resumes from it).
    await expect(ledger.runStage(failing({ s: 1 }))).rejects.toThrow('trainer crashed');
    expect(seenCheckpoint).toBe(true);
    expect((await onDisk(dir)).stages['round-2/rl']?.attempts).toBe(2);

    // New inputs: the old attempt's folder is cleared, the new one starts empty.
    await expect(ledger.runStage(failing({ s: 2 }))).rejects.toThrow('trainer crashed');
    expect(seenCheckpoint).toBe(false);
    expect(existsSync(stagingOf({ s: 1 }))).toBe(false);
    expect(existsSync(stagingOf({ s: 2 }))).toBe(true);

    // A success clears its own staging; the others' stay, so does .staging.
    const { record } = await ledger.runStage({
      key: 'round-2/rl',
      inputs: { s: 3 },
      outputs: ['rl/model.bin'],
      run: async (staged) => writeCount(staged('rl/model.bin')),
    });
    expect(record).toMatchObject({ state: 'done', attempts: 4, error: null });
    expect((await readdir(join(dir, '.staging'))).sort()).toEqual(['round-1__rl.0000', 'round-2__rl-other.0000']);
  });

  it('marks an aborted stage interrupted and keeps a non-Error failure readable', async () => {
    const dir = await freshDir();
    const ledger = await openLedger(dir, 'demo', 'cfg');
    const throwing = (value: unknown) => ({
      key: 'distill',
      inputs: 1,
      outputs: ['d.jsonl'],
      run: async (): Promise<Record<string, number>> => {
        throw value;
      },
    });
    await expect(ledger.runStage(throwing(new AbortedError('distill')))).rejects.toThrow('distill was aborted');
    expect((await onDisk(dir)).stages.distill).toMatchObject({ state: 'interrupted', error: 'distill was aborted' });
    await expect(ledger.runStage(throwing('disk full'))).rejects.toBe('disk full');
    expect((await onDisk(dir)).stages.distill).toMatchObject({ state: 'failed', error: 'disk full', attempts: 2 });
  });

  it('fails a stage that did not write an output or a log, and moves nothing', async () => {
    const dir = await freshDir();
    const ledger = await openLedger(dir, 'demo', 'cfg');
    const partial = (logs: string[]) => ({
      key: 'round-1/caption',
      inputs: logs,
      outputs: ['captions.jsonl', 'extra.jsonl'],
      logs,
      run: async (staged: (o: string) => string) => {
        await writeFile(staged('captions.jsonl'), 'c\n');
        if (logs.length > 0) await writeFile(staged('extra.jsonl'), 'e\n');
        return {};
      },
    });
    await expect(ledger.runStage(partial([]))).rejects.toThrow(
      'stage round-1/caption did not write its output extra.jsonl',
    );
    expect(existsSync(join(dir, 'captions.jsonl'))).toBe(false);
    await expect(ledger.runStage(partial(['caption.log']))).rejects.toThrow(
      'stage round-1/caption did not write its output caption.log',
    );
    expect(existsSync(join(dir, 'captions.jsonl'))).toBe(false);
    expect((await onDisk(dir)).stages['round-1/caption']).toMatchObject({ state: 'failed', attempts: 2 });
  });
});

async function writeCount(path: string): Promise<Record<string, number>> {
  await writeFile(path, 'x');
  return { n: 1 };
}
