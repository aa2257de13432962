import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tokenizerFor, worldSplit } from '../../test/learning-fixture.ts';
import { policyPromptText } from '../data/problem-text.ts';
import { initParams, loadCheckpoint, saveCheckpoint, tinyConfig } from '../model/index.ts';
import { parseGrpoConfig, parseSftConfig } from '../train/config.ts';
import { createEmbeddedGenerator } from './embedded-generator.ts';
import { createEmbeddedTrainer } from './embedded-trainer.ts';
import type { Checkpoint, StepMetrics } from './types.ts';

/** The embedded trainer and generator on a very small model: the seams work end to end (learning is train/'s test). */
let dir = '';
let base: Checkpoint;
let firstPng = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vlthink-embedded-'));
  const train = await worldSplit(dir, {
    family: 'clock',
    split: 'train',
    n: 24,
    seed: 3,
    imageSize: 32,
    tiers: ['easy'],
  });
  const tok = tokenizerFor([train]);
  const config = tinyConfig(tok.size, { dModel: 32, nLayers: 1, nHeads: 2, dFF: 64, maxTextLen: 96 });
  await saveCheckpoint(join(dir, 'base'), { config, params: initParams(config, 1), tokenizer: tok });
  base = { kind: 'embedded', path: join(dir, 'base'), name: 'base' };
  await writeFile(join(dir, 'sft.jsonl'), train.examples.map((e) => JSON.stringify(e)).join('\n'));
  await writeFile(join(dir, 'rl.jsonl'), train.problems.map((p) => JSON.stringify(p)).join('\n'));
  firstPng = join(dir, train.problems[0]?.images[0] ?? '');
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('embedded trainer and generator', () => {
  const trainer = createEmbeddedTrainer({
    sft: parseSftConfig({ maxSteps: 3, batchSize: 8, evalLimit: 4, evalMaxTokens: 8 }),
    grpo: parseGrpoConfig({ rolloutBatchSize: 4, groupSize: 2, miniBatchSize: 2, maxResponseTokens: 12, maxSteps: 2 }),
    threads: 1,
  });

  it('fine-tunes, runs GRPO from the result, and samples the checkpoint with log-probs', async () => {
    const steps: StepMetrics[] = [];
    const sft = await trainer.sft({
      base,
      dataFile: join(dir, 'sft.jsonl'),
      imageRoot: dir,
      outDir: join(dir, 'sft'),
      evalFile: join(dir, 'sft.jsonl'),
      onStep: (m) => steps.push(m),
    });
    expect(sft).toEqual({ kind: 'embedded', path: join(dir, 'sft'), name: 'sft' });
    expect(steps.filter((m) => m.phase === 'sft').map((m) => m.step)).toEqual([1, 2, 3]);
    expect(steps.some((m) => m.phase === 'sft-eval')).toBe(true);
    const loaded = await loadCheckpoint(sft.path);
    expect(loaded.train?.step).toBe(3);
    const before = (await loadCheckpoint(base.path)).params['head.w'];
    expect(loaded.params['head.w']).not.toEqual(before);
    expect(steps.map((m) => [m.phase, m.step])).toEqual([
      ['sft', 1],
      ['sft', 2],
      ['sft', 3],
      ['sft-eval', 3],
    ]);
    expect(existsSync(join(sft.path, 'metrics.jsonl'))).toBe(false); // the caller keeps the log

    const rlSteps: StepMetrics[] = [];
    const rl = await trainer.rl({
      init: sft,
      problemsFile: join(dir, 'rl.jsonl'),
      imageRoot: dir,
      outDir: join(dir, 'rl'),
      reward: { name: 'openvlthinker' },
      stage: 'medium',
      episodes: 1,
      freezeVision: true,
      onStep: (m) => rlSteps.push(m),
    });
    expect(rlSteps.map((m) => m.step)).toEqual([1, 2]);
    for (const key of ['reward_mean', 'accuracy', 'format_rate', 'kl', 'clip_fraction', 'entropy', 'tokens_per_s']) {
      expect(typeof rlSteps[0]?.[key]).toBe('number');
    }
    expect(rlSteps[0]?.phase).toBe('grpo-medium');
    const rlCk = await loadCheckpoint(rl.path);
    expect(rlCk.params['patch.w']).toEqual(loaded.params['patch.w']); // vision frozen
    expect(rlCk.params['head.w']).not.toEqual(loaded.params['head.w']);
    expect(existsSync(join(rl.path, 'trainer-state.json'))).toBe(true);
    expect(existsSync(join(rl.path, 'resume'))).toBe(false); // the resume state is gone once the job finished

    const gen = createEmbeddedGenerator({ checkpoint: rl.path, threads: 1 });
    const problem = { question: 'what hour does the clock show ?', choices: null } as const;
    const prompt = [
      {
        role: 'user' as const,
        content: [
          { type: 'image' as const, image: { path: firstPng } },
          { type: 'text' as const, text: policyPromptText({ ...problem } as never) },
        ],
      },
    ];
    const params = { n: 3, temperature: 1, topP: 1, maxTokens: 10, seed: 5, logprobs: true };
    const out = await gen.generate([prompt, prompt], params);
    expect(out.length).toBe(2);
    expect(out[0]?.length).toBe(3);
    for (const c of out[0] ?? []) {
      expect(c.tokenIds?.length).toBe(c.logprobs?.length);
      expect(c.logprobs?.every((l) => l <= 0 && Number.isFinite(l))).toBe(true);
    }
    expect(await gen.generate([prompt, prompt], params)).toEqual(out); // seeded
    // Streaming: the pieces told for each sample, as drawn, join to exactly its final text (and change nothing).
    const told = new Map<string, string[]>();
    const streamed = await gen.generate([prompt, prompt], { ...params, stop: ['</answer>'] }, undefined, {
      onDelta: (p, k, text) => told.set(`${p}/${k}`, [...(told.get(`${p}/${k}`) ?? []), text]),
    });
    expect(streamed).toEqual(await gen.generate([prompt, prompt], { ...params, stop: ['</answer>'] }));
    for (const [p, row] of streamed.entries()) {
      for (const [k, c] of row.entries()) expect((told.get(`${p}/${k}`) ?? []).join('')).toBe(c.text);
    }
    expect([...told.values()].some((pieces) => pieces.length > 1)).toBe(true); // told as it went, not once at the end
    const bytes = new Uint8Array(await readFile(firstPng));
    const greedy = await gen.generate(
      [
        [
          {
            role: 'user',
            content: [
              { type: 'image', image: { bytes, mime: 'image/png' } },
              { type: 'text', text: 'what hour' },
            ],
          },
        ],
      ],
      { n: 2, temperature: 0.01, topP: 1, topK: 1, maxTokens: 6 },
    );
    expect(greedy[0]?.[0]?.text).toBe(greedy[0]?.[1]?.text);
    expect(greedy[0]?.[0]?.logprobs).toBeUndefined();
    await expect(gen.generate([prompt], { ...params, topK: 5 })).rejects.toThrow(/top-k/);
  });
});
