import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../core/index.ts';
import { embeddedGrpoConfig, embeddedSftConfig, paperGrpoConfig, paperSftConfig } from '../../train/config.ts';
import { configHelp, parseRunConfig, resolveConfig } from './load.ts';
import { grpoSettings } from './schema.ts';

describe('config resolution', () => {
  it('defaults to the embedded preset', async () => {
    const cfg = await resolveConfig({});
    expect(cfg.backend.kind).toBe('embedded');
    expect(cfg.rounds).toBe(3);
    expect(Object.isFrozen(cfg.rl)).toBe(true);
  });

  it('layers preset <- files (YAML then JSON) <- overrides, typed by the schema', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vlthink-cfg-'));
    await writeFile(join(dir, 'a.yaml'), 'rounds: 3\nfilter:\n  maxWords: 100\n');
    await writeFile(join(dir, 'b.json'), JSON.stringify({ filter: { dedup: false } }));
    const cfg = await resolveConfig({
      preset: 'embedded-quick',
      files: [join(dir, 'a.yaml'), join(dir, 'b.json')],
      overrides: [
        ['rounds', '4'],
        ['data.train', '10'],
        ['filter.markers', '["Hmm,","Wait,"]'],
        ['caption.skipWhenPresent', 'false'],
      ],
    });
    expect(cfg.rounds).toBe(4);
    expect(cfg.filter).toMatchObject({ maxWords: 100, dedup: false, minWords: 3 });
    expect(cfg.data).toMatchObject({ kind: 'world', train: 10, test: 100 });
    expect(cfg.caption.skipWhenPresent).toBe(false);
    expect(cfg.filter.markers).toEqual(['Hmm,', 'Wait,']);
    expect(cfg.distill.k).toBe(2);
  });

  it('switching a tagged union branch drops the old branch fields', async () => {
    const cfg = await resolveConfig({
      overrides: [
        ['data.kind', 'files'],
        ['data.train', 'a.jsonl'],
        ['data.test', 'b.jsonl'],
      ],
    });
    expect(cfg.data).toEqual({ kind: 'files', train: 'a.jsonl', test: 'b.jsonl', testName: 'test' });
  });

  it('the paper preset carries the paper settings', async () => {
    const cfg = await resolveConfig({ preset: 'paper' });
    expect(cfg.rounds).toBe(3);
    expect(cfg.distill.k).toBe(4);
    expect(cfg.rl.stages.map((s) => [s.name, s.episodes, s.freezeVision])).toEqual([
      ['medium', 5, true],
      ['hard', 15, false],
    ]);
    expect(cfg.backend.kind).toBe('scale-out');
  });

  it('reports every wrong field at once with the value seen and what is allowed', async () => {
    const err = await resolveConfig({
      overrides: [
        ['rounds', '0'],
        ['distill.k', 'many'],
        ['filter.maxWordz', '3'],
        ['backend.kind', 'gpu'],
      ],
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    const text = (err as ConfigError).message;
    expect(text).toContain('rounds: saw 0; allowed: number >=1');
    expect(text).toContain('distill.k: saw "many"');
    expect(text).toContain('filter.maxWordz: saw "3"; this field does not exist');
    expect(text).toContain('backend.kind: saw "gpu"; allowed: "embedded" | "scale-out"');
    expect((err as ConfigError).field).toBe('rounds, distill.k, filter.maxWordz, backend.kind');
  });

  it('names an unknown preset and an unreadable file', async () => {
    await expect(resolveConfig({ preset: 'huge' })).rejects.toThrow(/unknown preset 'huge'/);
    await expect(resolveConfig({ files: ['/nonexistent.yaml'] })).rejects.toThrow(/cannot read config file/);
  });

  it('help lists every field with its description and default', () => {
    const help = configHelp();
    expect(help).toMatch(/--distill\.k <integer>\s+samples drawn per problem \(paper: k = 4\) \(embedded: 4\)/);
    expect(help).toMatch(/--sft\.lr <number>\s+peak learning rate .* \(embedded: 0\.002\)/);
    expect(help).toContain('--sft.maxSteps <integer|null>');
    expect(help).toContain('--backend.runner <local|ray>');
  });
});

describe('one owner per default', () => {
  it('the schema defaults are the embedded preset, whose training values are train/ embedded configs', async () => {
    const defaults = parseRunConfig({});
    expect(await resolveConfig({ preset: 'embedded' })).toEqual(defaults);
    expect(defaults.sft).toEqual(embeddedSftConfig);
    expect(grpoSettings(defaults.rl)).toEqual(embeddedGrpoConfig);
  });
  it('a partial slice keeps the embedded value of every field it does not set', () => {
    const cfg = parseRunConfig({ sft: { lr: 1e-3 }, rl: { klCoef: 0.05 }, regenerate: { topP: 0.9 } });
    expect(cfg.sft).toEqual({ ...embeddedSftConfig, lr: 1e-3 });
    expect(grpoSettings(cfg.rl)).toEqual({ ...embeddedGrpoConfig, klCoef: 0.05 });
    expect(cfg.regenerate).toMatchObject({ k: 1, temperature: 0, topP: 0.9 });
  });
  it('the paper preset carries the paper training values', async () => {
    const cfg = await resolveConfig({ preset: 'paper' });
    expect(cfg.sft).toEqual(paperSftConfig);
    expect(grpoSettings(cfg.rl)).toEqual(paperGrpoConfig);
    expect(cfg.filter).toMatchObject({ markers: ['Wait,', 'But wait,', 'But the question'], keepPrevious: false });
  });
});
