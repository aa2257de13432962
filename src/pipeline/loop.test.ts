import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFakeDeps } from '../../test/pipeline-fakes.ts';
import { hashFile } from '../core/index.ts';
import { parseRunConfig } from './config/load.ts';
import { deepMerge } from './config/merge.ts';
import type { RunConfig } from './config/schema.ts';
import { runPipeline } from './loop.ts';
import { readManifest } from './manifest.ts';
import { type Progress, silentProgress } from './progress.ts';
import { type EvalRecord, readEvalRecords } from './stages/evaluate.ts';
import { formatSummaryTable } from './summary.ts';

const run = promisify(execFile);
let root: string;

/** The fakes' settings, explicit where they differ from the embedded defaults (all tiers, paper-length curriculum). */
function fakeConfig(name: string, over: Record<string, unknown> = {}): RunConfig {
  return parseRunConfig(
    deepMerge(
      {
        name,
        outDir: root,
        rounds: 2,
        data: {
          kind: 'world',
          train: 40,
          test: 50,
          seed: 3,
          imageSize: 16,
          captionNoise: 0,
          families: null,
          tiers: null,
        },
        distill: { k: 4 },
        regenerate: { k: 3, temperature: 1 },
        difficulty: { k: 4 },
        filter: { keepPrevious: false },
        rl: {
          stages: [
            { name: 'medium', tiers: ['medium'], episodes: 5, freezeVision: true },
            { name: 'hard', tiers: ['hard'], episodes: 15, freezeVision: false },
          ],
        },
        eval: { checkpoints: 'all' },
      },
      over,
    ),
  );
}

/** Every file in a run except the manifest (timings) — path -> sha256. */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (d: string) => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const full = join(d, e.name);
      if (e.isDirectory()) await walk(full);
      else out[relative(dir, full)] = await hashFile(full);
    }
  };
  await walk(dir);
  return out;
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'vlthink-loop-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('the round loop on fake backends', () => {
  it('writes every artifact, a complete manifest and a summary where RL beats SFT', async () => {
    const calls: string[] = [];
    const summary = await runPipeline(fakeConfig('full'), createFakeDeps({ calls }));
    const dir = join(root, 'full');
    for (const r of [1, 2]) {
      const files = [
        r === 1 ? 'captions.jsonl' : 'regenerate.jsonl',
        'sft-data.jsonl',
        'filter-stats.json',
        'sft/model.json',
        'difficulty.json',
        'rl-data/medium.jsonl',
        'rl-medium/model.json',
        'rl-hard/model.json',
        'eval/sft.json',
        'eval/rl-hard.jsonl',
        'metrics/rl-hard.jsonl',
      ];
      for (const f of files) expect(existsSync(join(dir, `round-${r}`, f)), `round-${r}/${f}`).toBe(true);
    }
    expect(existsSync(join(dir, 'round-1/distill.jsonl'))).toBe(true);
    for (const f of [
      'config.json',
      'summary.json',
      'metrics.jsonl',
      'data/train.jsonl',
      'data/images/test-00049.png',
    ]) {
      expect(existsSync(join(dir, f)), f).toBe(true);
    }
    expect(existsSync(join(dir, '.staging'))).toBe(false);

    const manifest = await readManifest(dir);
    const keys = Object.keys(manifest?.stages ?? {});
    expect(keys).toContain('round-2/regenerate');
    expect(keys.length).toBe(3 + 1 + 1 + 2 * 8); // data, base, caption; distill|regenerate; per round 8 more
    for (const [key, rec] of Object.entries(manifest?.stages ?? {})) {
      expect(rec.state, key).toBe('done');
      for (const [out, hash] of Object.entries(rec.outputs)) {
        if (!out.includes('/') || out.endsWith('.jsonl') || out.endsWith('.json')) {
          const full = join(dir, out);
          if (!(await readdir(join(full, '..'))).includes(out.split('/').pop() ?? '')) throw new Error(out);
          if (!out.endsWith('/') && out.includes('.')) expect(await hashFile(full), out).toBe(hash);
        }
      }
    }
    expect(manifest?.stages['round-1/filter']?.counts.truncated).toBeGreaterThan(0);

    expect(summary.rounds).toHaveLength(2);
    const [r1, r2] = summary.rounds;
    expect(r1 && r1.rl.accuracy > r1.sft.accuracy).toBe(true);
    expect(r2 && r1 && r2.rl.accuracy >= r1.rl.accuracy).toBe(true);
    expect(summary.test).toEqual({ name: 'synthetic-test', size: 50 });
    expect(JSON.parse(await readFile(join(dir, 'summary.json'), 'utf8'))).toEqual(summary);
    // Per source (world family): each checkpoint's counts are those of its own eval records, and the table lists them.
    const bySource = (records: readonly EvalRecord[]) =>
      Object.fromEntries(
        [...new Set(records.map((r) => r.source))].map((source) => {
          const mine = records.filter((r) => r.source === source);
          const correct = mine.filter((r) => r.correct).length;
          return [source, { total: mine.length, correct, accuracy: correct / mine.length }];
        }),
      );
    expect(r2?.sft.bySource).toEqual(bySource(await readEvalRecords(dir, 2, 'sft')));
    expect(r2?.rl.bySource).toEqual(bySource(await readEvalRecords(dir, 2, 'rl-hard')));
    expect(Object.keys(r1?.sft.bySource ?? {}).length).toBeGreaterThan(1);
    const table = formatSummaryTable(summary);
    for (const [source, s] of Object.entries(r2?.rl.bySource ?? {})) {
      const row = table.split('\n').find((l) => l.startsWith(`${source} `));
      expect(row?.trim().endsWith(`${(100 * s.accuracy).toFixed(1)}%`), `${source} row: ${row}`).toBe(true);
    }
    expect(calls.filter((c) => c.startsWith('sft:'))).toHaveLength(2);
    expect(calls.filter((c) => c.startsWith('rl:'))).toHaveLength(4);

    const metrics = (await readFile(join(dir, 'metrics.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(metrics.filter((m) => m.stage === 'round-2/rl-hard' && m.kl !== undefined)).toHaveLength(15);
    expect(metrics.filter((m) => m.kind === 'eval')).toHaveLength(6);
  });

  it('skips every stage on a rerun and reruns only what a changed setting touches', async () => {
    const calls: string[] = [];
    await runPipeline(fakeConfig('full'), createFakeDeps({ calls }));
    expect(calls).toEqual([]);

    const changed: string[] = [];
    const before = await readFile(join(root, 'full/round-1/sft-data.jsonl'), 'utf8');
    await runPipeline(fakeConfig('full', { filter: { maxWords: 6 } }), createFakeDeps({ calls: changed }));
    const after = await readFile(join(root, 'full/round-1/sft-data.jsonl'), 'utf8');
    expect(after.split('\n').length).toBeLessThan(before.split('\n').length);
    const manifest = await readManifest(join(root, 'full'));
    for (const key of ['data', 'base', 'round-1/caption']) expect(manifest?.stages[key]?.attempts, key).toBe(1);
    expect(manifest?.stages['round-1/distill']?.attempts).toBe(1);
    expect(manifest?.stages['round-1/filter']?.attempts).toBe(2);
    // Round 1 retrains; its RL checkpoint comes out identical (the fake's skill saturates), so round 2 stays skipped.
    expect(changed.filter((c) => c.startsWith('sft:'))).toHaveLength(1);
    expect(manifest?.stages['round-1/sft']?.attempts).toBe(2);
    expect(manifest?.stages['round-2/regenerate']?.attempts).toBe(1);
  });

  it('a rerun with fewer rounds reports only its own stages in metrics.jsonl', async () => {
    await runPipeline(fakeConfig('full', { rounds: 1, filter: { maxWords: 6 } }), createFakeDeps());
    const metrics = (await readFile(join(root, 'full/metrics.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(metrics.filter((m) => m.kind === 'eval').map((m) => m.stage)).toEqual([
      'round-1/eval-sft',
      'round-1/eval-rl-medium',
      'round-1/eval-rl-hard',
    ]);
    expect(metrics.some((m) => String(m.stage).startsWith('round-2'))).toBe(false);
  });

  /** The stage keys a run started (ran rather than skipped), from its progress lines. */
  async function stagesRun(config: RunConfig): Promise<string[]> {
    const ran: string[] = [];
    const progress: Progress = {
      ...silentProgress,
      line: (text: string) => {
        const m = /^(\S+): running/.exec(text);
        if (m?.[1]) ran.push(m[1]);
      },
    };
    await runPipeline(config, createFakeDeps(), { progress });
    return ran;
  }

  it('reruns no stage when only speed settings change (threads, concurrency)', async () => {
    expect((await stagesRun(fakeConfig('speed'))).length).toBe(21);
    const faster = fakeConfig('speed', { backend: { kind: 'embedded', threads: 2, concurrency: 4 } });
    expect(await stagesRun(faster)).toEqual([]);
  });

  it('two identical runs have equal manifests (inputs, outputs, logs, counts)', async () => {
    const comparable = async (name: string) => {
      await stagesRun(fakeConfig(name));
      const m = await readManifest(join(root, name));
      return Object.fromEntries(
        Object.entries(m?.stages ?? {}).map(([k, r]) => [k, [r.inputHash, r.outputs, r.logs, r.counts, r.state]]),
      );
    };
    const a = await comparable('twin-a');
    expect(await comparable('twin-b')).toEqual(a);
  });

  it('an output deleted and rebuilt with identical bytes reruns nothing downstream', async () => {
    await stagesRun(fakeConfig('rebuild'));
    await rm(join(root, 'rebuild', 'round-1', 'sft-data.jsonl'));
    expect(await stagesRun(fakeConfig('rebuild'))).toEqual(['round-1/filter']);
    await rm(join(root, 'rebuild', 'round-1', 'metrics', 'sft.jsonl'));
    expect(await stagesRun(fakeConfig('rebuild'))).toEqual([]); // a lost log is not a lost output
  });

  // `npm run mutation` reruns this file per mutant and narrows it to one kill point (VLTHINK_KILL_POINTS).
  const killPoints = process.env.VLTHINK_KILL_POINTS?.split(',') ?? [
    'generate:2',
    'sft-step:2',
    'rl:3',
    'generate:9',
    'sft:2',
  ];
  it.each(killPoints)(
    'a run SIGKILLed at %s and rerun ends byte-identical to an uninterrupted run',
    async (killAt) => {
      const child = join(import.meta.dirname, '../../test/kill-child.ts');
      const reference = fakeConfig('reference');
      const name = `killed-${killAt.replace(':', '-')}`;
      const killed = { ...reference, name };
      const cfgFile = join(root, `${name}.json`);
      await writeFile(cfgFile, JSON.stringify(killed));
      if (!existsSync(join(root, 'reference', 'summary.json'))) await runPipeline(reference, createFakeDeps());

      const first = await run(process.execPath, ['--import', 'tsx', child, cfgFile, killAt]).then(
        () => 'exited',
        (err: { signal?: string }) => err.signal ?? 'failed',
      );
      expect(first).toBe('SIGKILL');
      expect(existsSync(join(root, name, 'summary.json'))).toBe(false);
      const before = await readManifest(join(root, name));
      expect(Object.values(before?.stages ?? {}).some((s) => s.state === 'running')).toBe(true);

      await run(process.execPath, ['--import', 'tsx', child, cfgFile]);
      const after = await readManifest(join(root, name));
      expect(Object.values(after?.stages ?? {}).every((s) => s.state === 'done')).toBe(true);
      const a = await snapshot(join(root, 'reference'));
      const b = await snapshot(join(root, name));
      // Every file of the run is byte-identical but two, which name the run and its history: config.json holds the run
      // name (compared without it), manifest.json the timestamps and attempt counts (its stages must agree on every
      // input and output hash, count and state, and on their order).
      expect(Object.keys(b).sort()).toEqual(Object.keys(a).sort());
      expect(
        Object.keys(a)
          .filter((k) => a[k] !== b[k])
          .sort(),
      ).toEqual(['config.json', 'manifest.json']);
      const config = async (run: string) => {
        const { name: _name, ...rest } = JSON.parse(await readFile(join(root, run, 'config.json'), 'utf8'));
        return rest;
      };
      expect(await config(name)).toEqual(await config('reference'));
      const stages = (m: Awaited<ReturnType<typeof readManifest>>) => ({
        order: m?.order,
        stages: Object.fromEntries(
          Object.entries(m?.stages ?? {}).map(([k, st]) => [
            k,
            { state: st.state, inputHash: st.inputHash, outputs: st.outputs, counts: st.counts },
          ]),
        ),
      });
      expect(stages(after)).toEqual(stages(await readManifest(join(root, 'reference'))));
      expect(existsSync(join(root, name, '.staging'))).toBe(false);
    },
    60_000,
  );
});
