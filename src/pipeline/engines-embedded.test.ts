import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StepMetrics } from '../backends/types.ts';
import { loadCheckpoint } from '../model/index.ts';
import { sftTotalSteps } from '../train/sft.ts';
import { basePretraining, type RunConfig, resolveConfig } from './config/index.ts';
import { baseModelKey } from './engines.ts';
import { initEmbeddedBase } from './engines-embedded.ts';

let root = '';
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'vlthink-base-'));
});
afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

const quick = (overrides: [string, string][] = []) =>
  resolveConfig({ preset: 'embedded-quick', overrides: [['backend.threads', '1'], ...overrides] });

function embedded(config: RunConfig) {
  if (config.backend.kind !== 'embedded') throw new Error('expected the embedded backend');
  return config.backend;
}

describe('embedded base', () => {
  it('without pretraining is the initialized model, in the base folder itself', async () => {
    const config = await quick([['backend.pretrain.problems', '0']]);
    const dir = join(root, 'plain');
    const made = await initEmbeddedBase(dir, config, embedded(config));
    expect(made.path).toBe(dir);
    expect((await loadCheckpoint(dir)).train).toBeUndefined();
  });

  it('learns to caption world images from the third split before any SFT', async () => {
    const config = await quick([
      ['backend.pretrain.problems', '40'],
      ['backend.pretrain.epochs', '2'],
    ]);
    const pretrain = basePretraining(config);
    if (!pretrain) throw new Error('pretraining is on');
    const dir = join(root, 'pretrained');
    const steps: StepMetrics[] = [];
    const made = await initEmbeddedBase(dir, config, embedded(config), { onStep: (m) => steps.push(m) });
    expect(made.path).toBe(join(dir, 'model'));

    const lines = (await readFile(join(dir, 'pretrain-data', 'captions.jsonl'), 'utf8')).trim().split('\n');
    const examples = lines.map((l) => JSON.parse(l));
    expect(examples).toHaveLength(40);
    for (const e of examples) {
      expect(e.prompt).toBe(config.caption.prompt);
      expect(e.problemId).toMatch(/-rl-/);
      // the faithful caption: the world's caption at noise 0 names what is drawn
      expect(e.response.length).toBeGreaterThan(10);
    }
    const init = await loadCheckpoint(join(dir, 'init'));
    const base = await loadCheckpoint(made.path);
    // the caption prompt is in the vocabulary: the base reads it without <unk>
    expect(base.tokenizer?.encode(config.caption.prompt)).not.toContain(base.tokenizer?.unk);
    expect(steps.filter((m) => m.phase !== 'sft-eval')).toHaveLength(sftTotalSteps(pretrain.sft, 40));
    const name = Object.keys(init.params).find((k) => k.includes('patch')) ?? Object.keys(init.params)[0] ?? '';
    expect(base.params[name]).not.toEqual(init.params[name]);
  });

  it('names a family it does not know at config time', async () => {
    await expect(quick([['backend.pretrain.families', '["clok"]']])).rejects.toThrow(/backend\.pretrain\.families/);
  });

  it('is keyed on its pretraining: the draw, the prompt and the training settings, and nothing when it is off', async () => {
    const off = baseModelKey(await quick([['backend.pretrain.problems', '0']]));
    expect(
      baseModelKey(
        await quick([
          ['backend.pretrain.problems', '0'],
          ['backend.pretrain.epochs', '9'],
        ]),
      ),
    ).toEqual(off);
    expect(
      baseModelKey(
        await quick([
          ['backend.pretrain.problems', '0'],
          ['sft.epochs', '3'],
        ]),
      ),
    ).toEqual(off);
    const on = baseModelKey(await quick([['backend.pretrain.problems', '40']]));
    expect(on).not.toEqual(off);
    for (const change of [
      ['backend.pretrain.problems', '41'],
      ['backend.pretrain.epochs', '5'],
      ['data.seed', '8'],
      ['caption.prompt', 'what is drawn ?'],
      ['sft.lr', '0.001'],
    ] as [string, string][]) {
      expect(baseModelKey(await quick([['backend.pretrain.problems', '40'], change])), change[0]).not.toEqual(on);
    }
    // the round SFT's epochs are not the pretraining's
    expect(
      baseModelKey(
        await quick([
          ['backend.pretrain.problems', '40'],
          ['sft.epochs', '3'],
        ]),
      ),
    ).toEqual(on);
  });
});
