import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { ConfigError, createRng, stableStringify } from '../core/index.ts';
import { Problem } from '../data/types.ts';
import {
  captionScene,
  FAMILIES,
  generateDataset,
  readCaption,
  renderPixels,
  renderScene,
  SPLITS,
  worldTokens,
  worldVocabulary,
} from './index.ts';

describe('generateDataset', () => {
  it('is deterministic: the same seed gives byte-identical problems and PNGs', () => {
    const a = generateDataset({ n: 60, seed: 7, split: 'train', imageSize: 64, noise: 0.3 });
    const b = generateDataset({ n: 60, seed: 7, split: 'train', imageSize: 64, noise: 0.3 });
    expect(a.map((r) => JSON.stringify(r.problem))).toEqual(b.map((r) => JSON.stringify(r.problem)));
    for (let i = 0; i < a.length; i++) expect(Buffer.from(a[i].png).equals(Buffer.from(b[i].png))).toBe(true);
    const c = generateDataset({ n: 60, seed: 8, split: 'train', imageSize: 64, noise: 0.3 });
    expect(c.map((r) => r.problem.question)).not.toEqual(a.map((r) => r.problem.question));
  });

  it('keeps train, rl and test disjoint, whatever the seeds', () => {
    const key = (r: { scene: unknown; problem: { question: string } }) =>
      stableStringify({ scene: r.scene, q: r.problem.question });
    const sets = SPLITS.map(
      (split) =>
        new Set(
          [1, 2].flatMap((seed) =>
            generateDataset({ n: 400, seed, split, imageSize: 16, families: ['clock', 'rectangle'] }).map(key),
          ),
        ),
    );
    // these small families repeat content within a split, so overlap would show if splits leaked
    expect(sets[0].size).toBeLessThan(800);
    for (let i = 0; i < sets.length; i++) {
      for (let j = i + 1; j < sets.length; j++) {
        for (const k of sets[i]) expect(sets[j].has(k)).toBe(false);
      }
    }
  });

  it('writes valid Problem records with the image path, caption, tier and scene', () => {
    const records = generateDataset({ n: 50, seed: 2, split: 'rl', imageSize: 32 });
    for (const { problem, scene } of records) {
      expect(Problem.parse(problem)).toEqual(problem);
      expect(problem.images).toEqual([`images/${problem.id}.png`]);
      expect(problem.caption).toBeTruthy();
      expect(problem.metadata.scene).toEqual(scene);
      expect(problem.id).toMatch(/^w2-rl-\d+$/);
    }
    expect(new Set(records.map((r) => r.problem.id)).size).toBe(50);
  });

  it('draws only the requested families and tiers', () => {
    const records = generateDataset({ n: 80, seed: 4, imageSize: 16, families: ['clock', 'count'], tiers: ['hard'] });
    expect(new Set(records.map((r) => r.problem.source))).toEqual(new Set(['clock', 'count']));
    expect(new Set(records.map((r) => r.problem.tier))).toEqual(new Set(['hard']));
  });

  it('draws tiers per family: a family not named keeps every tier it has', () => {
    const records = generateDataset({
      n: 120,
      seed: 4,
      imageSize: 16,
      families: ['clock', 'clock-arith', 'rectangle'],
      tiers: { clock: ['easy'], rectangle: ['hard'] },
    });
    const tiersOf = (f: string) => new Set(records.filter((r) => r.problem.source === f).map((r) => r.problem.tier));
    expect(tiersOf('clock')).toEqual(new Set(['easy']));
    expect(tiersOf('rectangle')).toEqual(new Set(['hard']));
    expect(tiersOf('clock-arith')).toEqual(new Set(['medium']));
    expect(() => generateDataset({ n: 5, seed: 1, tiers: { sundial: ['easy'] } as never })).toThrow(/synth\.tiers/);
  });

  it('rejects bad options with a ConfigError naming the field', () => {
    expect(() => generateDataset({ n: 5, seed: 1, imageSize: 8 })).toThrow(/synth\.imageSize/);
    expect(() => generateDataset({ n: 5, seed: 1, noise: 2 })).toThrow(ConfigError);
    expect(() => generateDataset({ n: 5, seed: 1, families: ['bar-value'], tiers: ['hard'] })).toThrow(/no family/);
  });
});

describe('rendering', () => {
  it('PNG decodes to exactly the pixels renderPixels gives', async () => {
    const records = generateDataset({ n: FAMILIES.length * 2, seed: 12, imageSize: 48 });
    for (const { scene, png } of records) {
      const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
      expect([info.width, info.height, info.channels]).toEqual([48, 48, 3]);
      const pixels = renderPixels(scene, 48);
      const plane = 48 * 48;
      for (let i = 0; i < plane; i += 7) {
        for (let c = 0; c < 3; c++) expect(Math.round(pixels[c * plane + i] * 255)).toBe(data[i * 3 + c]);
      }
    }
  });

  it('gives the same bytes for a scene whatever was drawn before it', () => {
    const records = generateDataset({ n: 40, seed: 14, imageSize: 40 });
    const alone = records.map((r) => Buffer.from(renderScene(r.scene, 40)).toString('base64'));
    const reversed = [...records].reverse().map((r) => Buffer.from(renderScene(r.scene, 40)).toString('base64'));
    expect(reversed.reverse()).toEqual(alone);
  });

  it('draws something for every scene: images are not blank and differ between scenes', () => {
    const records = generateDataset({ n: 30, seed: 13, imageSize: 32 });
    const hashes = new Set<string>();
    for (const { scene } of records) {
      const px = renderPixels(scene, 32);
      const dark = px.filter((v) => v < 0.6).length;
      expect(dark).toBeGreaterThan(20);
      hashes.add(Buffer.from(renderScene(scene, 32)).toString('base64'));
    }
    expect(hashes.size).toBeGreaterThan(25);
  });
});

describe('worldVocabulary', () => {
  it('covers every token of questions, options, answers, captions at any noise, and traces', () => {
    const vocab = new Set(worldVocabulary());
    expect(vocab.size).toBeLessThan(400);
    const missing = new Set<string>();
    for (const noise of [0, 0.5, 1]) {
      const records = generateDataset({ n: 700, seed: 30, imageSize: 16, noise });
      records.forEach(({ problem, scene }, i) => {
        const rng = createRng(i);
        const texts = [
          problem.question,
          problem.answer,
          ...(problem.choices ?? []),
          problem.caption ?? '',
          captionScene(scene, { noise, rng }),
          readCaption(problem.caption ?? '', problem.question, problem.choices, rng),
        ];
        for (const t of texts) for (const tok of worldTokens(t)) if (!vocab.has(tok)) missing.add(tok);
      });
    }
    expect([...missing]).toEqual([]);
  });
});
