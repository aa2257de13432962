import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testPython, testPythonHint } from '../../test/python.ts';
import { exportEasyR1 } from './export-easyr1.ts';
import { exportVerl } from './export-verl.ts';
import { Problem } from './types.ts';

/**
 * Our engine exports as the engines load them: through Hugging Face `datasets.load_dataset('parquet')`, which is how
 * EasyR1 and verl read their RL data. Needs a Python with `datasets`, `pyarrow` and `pillow` (test/python.ts).
 */
const python = testPython;
const probe = spawnSync(python, ['-c', 'import datasets, pyarrow, PIL'], { encoding: 'utf8' });
const hasDatasets = probe.status === 0;
const skipReason = `Python 'datasets', 'pyarrow' or 'pillow' not importable with ${testPythonHint}`;
if (!hasDatasets) console.warn(`skipping HF interop tests: ${skipReason}`);

const LOAD = `
import sys, json, datasets
ds = datasets.load_dataset('parquet', data_files=sys.argv[1], split='train')
out = []
for row in ds:
    imgs = [[type(i).__name__, i.size[0], i.size[1], list(i.convert('RGB').getpixel((0, 0)))] for i in row.pop('images', [])]
    out.append({'images': imgs, **row})
print(json.dumps({'features': {k: type(v).__name__ for k, v in ds.features.items()}, 'rows': out}))
`;

describe.skipIf(!hasDatasets)('exports load in HF datasets (as EasyR1 and verl read them)', () => {
  let dir: string;
  let problems: Problem[];
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vlthink-hf-'));
    await mkdir(join(dir, 'img'));
    await writeFile(
      join(dir, 'img/a.png'),
      await sharp({ create: { width: 64, height: 48, channels: 3, background: '#3366cc' } })
        .png()
        .toBuffer(),
    );
    await writeFile(
      join(dir, 'img/b.jpg'),
      await sharp({ create: { width: 30, height: 20, channels: 3, background: '#ffffff' } })
        .jpeg()
        .toBuffer(),
    );
    problems = [
      Problem.parse({
        id: 'p1',
        question: 'Which?',
        images: ['img/a.png'],
        choices: ['x', 'y'],
        answer: 'A',
        answerType: 'choice',
      }),
      Problem.parse({
        id: 'p2',
        question: 'Count?',
        images: ['img/a.png', 'img/b.jpg'],
        answer: '4',
        answerType: 'number',
      }),
    ];
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  function load(file: string) {
    const r = spawnSync(python, ['-c', LOAD, file], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    return JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '{}');
  }

  it('EasyR1 parquet: images decode as PIL images, text and answers intact', async () => {
    const outFile = join(dir, 'easyr1.parquet');
    await exportEasyR1({ problems, imageRoot: dir, outFile });
    const { features, rows } = load(outFile);
    expect(features).toEqual({ problem: 'Value', answer: 'Value', images: 'List', problem_id: 'Value' });
    expect(rows[1]).toEqual({
      images: [
        ['PngImageFile', 64, 48, [51, 102, 204]],
        ['JpegImageFile', 30, 20, [255, 255, 255]],
      ],
      problem: '<image><image>Count?',
      answer: '4',
      problem_id: 'p2',
    });
  });

  it('verl parquet: prompt chat list, reward_model and extra_info structs', async () => {
    const outFile = join(dir, 'verl.parquet');
    await exportVerl({ problems, imageRoot: dir, outFile });
    const { rows } = load(outFile);
    expect(rows[0]).toEqual({
      images: [['PngImageFile', 64, 48, [51, 102, 204]]],
      data_source: 'vlthink',
      prompt: [{ role: 'user', content: '<image>Which?\nChoices:\n(A) x\n(B) y' }],
      ability: 'math',
      reward_model: { style: 'rule', ground_truth: 'A' },
      extra_info: {
        split: 'train',
        index: 0,
        problem_id: 'p1',
        answer: 'A',
        question: 'Which?\nChoices:\n(A) x\n(B) y',
      },
    });
  });
});
