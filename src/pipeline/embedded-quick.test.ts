import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createDeps, readManifest, resolveConfig, runPipeline, writeReport } from './index.ts';
import { hashOutput } from './manifest.ts';

/**
 * The product end to end on real engines: the `embedded-quick` preset (synthetic world, caption reader, tiny VLM
 * trained by the embedded trainer) through both rounds, with every artifact and the manifest checked. Its speed is
 * measured by `npm run bench -- run`, not here: the timeout only stops a hung run.
 */
let root = '';

/** Accuracy of answering every problem with its source's most common gold answer. */
function majorityBaseline(problems: readonly { source: string; answer: string }[]): number {
  const counts = new Map<string, Map<string, number>>();
  for (const p of problems) {
    const bySource = counts.get(p.source) ?? new Map<string, number>();
    bySource.set(p.answer, (bySource.get(p.answer) ?? 0) + 1);
    counts.set(p.source, bySource);
  }
  let hits = 0;
  for (const answers of counts.values()) hits += Math.max(...answers.values());
  return hits / problems.length;
}
afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

describe('embedded-quick end to end', () => {
  it('runs two rounds and leaves every artifact, a complete manifest, a summary and a report', async () => {
    root = await mkdtemp(join(tmpdir(), 'vlthink-quick-'));
    const config = await resolveConfig({
      preset: 'embedded-quick',
      // one ONNX Runtime thread: the deterministic setting, so RL gives the same numbers on every run
      overrides: [
        ['outDir', root],
        ['backend.threads', '1'],
      ],
    });
    const summary = await runPipeline(config, await createDeps(config));
    const dir = join(root, config.name);

    const manifest = await readManifest(dir);
    const stages = manifest?.stages ?? {};
    const expected = ['data', 'base', 'round-1/caption', 'round-1/distill', 'round-2/regenerate'];
    for (const r of [1, 2]) {
      for (const s of ['filter', 'sft', 'difficulty', 'rl-medium', 'rl-hard', 'eval-sft', 'eval-rl-hard']) {
        expected.push(`round-${r}/${s}`);
      }
    }
    expect(Object.keys(stages).sort()).toEqual(expected.sort());
    for (const [key, rec] of Object.entries(stages)) {
      expect(rec.state, key).toBe('done');
      expect(rec.durationMs, key).toBeGreaterThanOrEqual(0);
      for (const [out, hash] of Object.entries(rec.outputs)) expect(await hashOutput(join(dir, out)), out).toBe(hash);
    }
    for (const r of [1, 2]) {
      for (const ckpt of ['sft', 'rl-medium', 'rl-hard']) {
        const files = await readdir(join(dir, `round-${r}`, ckpt));
        expect(files, `round-${r}/${ckpt}`).toContain('model.safetensors');
      }
      const sftData = (await readFile(join(dir, `round-${r}/sft-data.jsonl`), 'utf8')).trim().split('\n');
      expect(sftData.length).toBeGreaterThan(0);
      expect(JSON.parse(sftData[0] ?? '{}').response).toMatch(/^<think>.*<\/think>.*<answer>.+<\/answer>$/);
    }
    expect(stages['round-1/distill']?.counts.correct).toBeGreaterThan(0);

    expect(summary.rounds).toHaveLength(2);
    // It learns: every round's SFT model beats answering each family's most common test answer (a model that
    // ignores the image and the question's numbers can do no better) by 10 points, and RL keeps it within 5 points (the
    // standard error of an accuracy near 60% on 100 problems; RL's effect at this size is within it).
    const test = (await readFile(join(dir, 'data', 'test.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { source: string; answer: string });
    const chance = majorityBaseline(test);
    expect(chance).toBeGreaterThan(0);
    for (const row of summary.rounds) {
      expect(row.sft.total).toBe(test.length);
      expect(row.sft.accuracy, `SFT_${row.round} vs the majority answer ${chance}`).toBeGreaterThan(chance + 0.1);
      expect(row.rl.accuracy, `RL_${row.round} vs SFT_${row.round}`).toBeGreaterThanOrEqual(row.sft.accuracy - 0.05);
    }
    expect(JSON.parse(await readFile(join(dir, 'summary.json'), 'utf8'))).toEqual(summary);
    const metrics = (await readFile(join(dir, 'metrics.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(metrics.some((m) => /\/rl-/.test(String(m.stage)) && typeof m.kl === 'number')).toBe(true);
    expect(metrics.filter((m) => m.kind === 'eval')).toHaveLength(4);

    const report = await writeReport(dir);
    expect(report.charts).toBeGreaterThanOrEqual(6);
  }, 900_000);
});
