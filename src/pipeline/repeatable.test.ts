import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createDeps, parseRunConfig, readManifest, runPipeline } from './index.ts';

/**
 * The manifest records what a stage made, by content: two runs of the same settings on the real embedded engines
 * (one ONNX Runtime thread, so every float is computed in the same order) record the same input and output hashes in
 * every stage, wherever their run directories are. Timings live only in the stages' logs and the record's times.
 */
let root = '';
afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

describe('a run is recorded by content', () => {
  it('two identical embedded runs in different folders have equal manifests', async () => {
    root = await mkdtemp(join(tmpdir(), 'vlthink-repeat-'));
    const manifestOf = async (name: string) => {
      const config = parseRunConfig({
        name,
        outDir: root,
        rounds: 1,
        data: { kind: 'world', train: 16, test: 8 },
        distill: { k: 2 },
        difficulty: { k: 2 },
        sft: { maxSteps: 2, batchSize: 8, evalLimit: 4, evalMaxTokens: 16 },
        rl: {
          rolloutBatchSize: 4,
          groupSize: 2,
          miniBatchSize: 4,
          maxResponseTokens: 16,
          maxSteps: 1,
          stages: [{ name: 'all', tiers: ['easy', 'medium', 'hard'], episodes: 1, freezeVision: false }],
        },
        eval: { maxTokens: 16 },
        backend: { kind: 'embedded', threads: 1, model: { dModel: 16, nLayers: 1, nHeads: 2, dFF: 32 } },
      });
      await runPipeline(config, await createDeps(config));
      const manifest = await readManifest(join(root, name));
      return Object.fromEntries(
        Object.entries(manifest?.stages ?? {}).map(([k, r]) => [k, { in: r.inputHash, out: r.outputs, n: r.counts }]),
      );
    };
    const first = await manifestOf('first');
    expect(Object.keys(first)).toContain('round-1/rl-all');
    expect(await manifestOf('second')).toEqual(first);
  });
});
