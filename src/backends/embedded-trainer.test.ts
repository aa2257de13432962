import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tokenizerFor, worldSplit } from '../../test/learning-fixture.ts';
import { AbortedError } from '../core/index.ts';
import { initParams, loadCheckpoint, saveCheckpoint, tinyConfig } from '../model/index.ts';
import { parseGrpoConfig } from '../train/config.ts';
import { createEmbeddedTrainer } from './embedded-trainer.ts';
import type { Checkpoint } from './types.ts';

/** The embedded trainer's GRPO jobs: an interrupted job resumes from its `resume/` state exactly. */
describe('embedded trainer GRPO resume', () => {
  let dir = '';
  let init: Checkpoint;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vlthink-trainer-'));
    const rl = await worldSplit(dir, { family: 'clock', split: 'rl', n: 12, seed: 5, imageSize: 32, tiers: ['easy'] });
    const tok = tokenizerFor([rl]);
    const cfg = tinyConfig(tok.size, { dModel: 32, nLayers: 1, nHeads: 2, dFF: 64, maxTextLen: 80 });
    await saveCheckpoint(join(dir, 'init'), { config: cfg, params: initParams(cfg, 2), tokenizer: tok });
    init = { kind: 'embedded', path: join(dir, 'init'), name: 'init' };
    await writeFile(join(dir, 'rl.jsonl'), rl.problems.map((p) => JSON.stringify(p)).join('\n'));
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('resume after an interruption ends with the parameters of an uninterrupted run', async () => {
    const trainer = createEmbeddedTrainer({
      grpo: parseGrpoConfig({
        rolloutBatchSize: 4,
        groupSize: 3,
        miniBatchSize: 2,
        maxResponseTokens: 10,
        checkpointEvery: 1,
        lr: 1e-3,
      }),
      threads: 1,
    });
    const job = (outDir: string) => ({
      init,
      problemsFile: join(dir, 'rl.jsonl'),
      imageRoot: dir,
      outDir: join(dir, outDir),
      reward: { name: 'openvlthinker' as const },
      stage: 'medium',
      episodes: 2, // 12 problems x 2 / 4 per step = 6 rollout steps
      freezeVision: false,
    });
    const whole = await trainer.rl(job('whole'));

    const abort = new AbortController();
    const seen: number[] = [];
    await expect(
      trainer.rl(
        {
          ...job('interrupted'),
          onStep: (m) => {
            seen.push(m.step as number);
            if (m.step === 3) abort.abort();
          },
        },
        abort.signal,
      ),
    ).rejects.toThrow(AbortedError);
    expect(seen).toEqual([1, 2, 3]);
    const resumedSteps: number[] = [];
    const resumed = await trainer.rl({ ...job('interrupted'), onStep: (m) => resumedSteps.push(m.step as number) });
    // The saved steps 1-3 reported again (the caller's log stays whole), then 4-6: continued, did not start over.
    expect(resumedSteps).toEqual([1, 2, 3, 4, 5, 6]);
    expect(existsSync(join(dir, 'interrupted', 'resume'))).toBe(false);

    const a = await loadCheckpoint(whole.path);
    const b = await loadCheckpoint(resumed.path);
    expect(b.train?.step).toBe(a.train?.step); // optimizer step counter advanced the same
    expect(a.train?.step).toBe(6 * 2);
    for (const name of Object.keys(a.params)) expect(b.params[name]).toEqual(a.params[name]);
    // Both AdamW moments, for every parameter, continue exactly too.
    expect(Object.keys(a.train?.m ?? {}).sort()).toEqual(Object.keys(a.params).sort());
    expect(Object.keys(a.train?.v ?? {}).sort()).toEqual(Object.keys(a.params).sort());
    for (const name of Object.keys(a.params)) {
      expect(b.train?.m[name]).toEqual(a.train?.m[name]);
      expect(b.train?.v[name]).toEqual(a.train?.v[name]);
    }
    const initParams0 = (await loadCheckpoint(init.path)).params;
    expect(a.params['head.w']).not.toEqual(initParams0['head.w']);
  });
});
