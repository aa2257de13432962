import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { contentHash, DataError, shortHash } from '../core/index.ts';
import { easyR1QuestionText, easyR1Rows, exportEasyR1, readEasyR1 } from './export-easyr1.ts';
import { exportLlamaFactory, readLlamaFactory } from './export-llama-factory.ts';
import { exportVerl, readVerl, verlRows } from './export-verl.ts';
import fixture from './fixtures/engine-formats.json' with { type: 'json' };
import { imageInfo } from './images.ts';
import { parquetInfo } from './parquet.ts';
import { Problem, SftExample } from './types.ts';

let root: string;
let imageRoot: string;
let img1: Uint8Array;
let img2: Uint8Array;

async function png(width: number, height: number, colour: string): Promise<Uint8Array> {
  return new Uint8Array(
    await sharp({ create: { width, height, channels: 3, background: colour } })
      .png()
      .toBuffer(),
  );
}

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'vlthink-export-'));
  imageRoot = join(root, 'data');
  await mkdir(join(imageRoot, 'img'), { recursive: true });
  img1 = await png(64, 64, '#3366cc');
  img2 = await png(300, 200, '#cc6633');
  await writeFile(join(imageRoot, 'img/p1.png'), img1);
  await writeFile(join(imageRoot, 'img/p2.png'), img2);
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const name1 = () => `${shortHash(contentHash(img1), 16)}.png`;
const golden = <T>(value: T): T => JSON.parse(JSON.stringify(value).replaceAll('{{img1}}', name1()));

function problems(): Problem[] {
  return [
    Problem.parse(fixture.problem),
    Problem.parse({
      id: 'count-1',
      question: 'How many circles?',
      images: ['img/p2.png'],
      answer: '4',
      answerType: 'number',
    }),
    Problem.parse({
      id: 'both-2',
      question: 'Same <image> or <image> different?',
      images: ['img/p1.png', 'img/p2.png'],
      answer: 'yes',
      answerType: 'yesno',
    }),
  ];
}

function examples(): SftExample[] {
  return [
    SftExample.parse(fixture.example),
    SftExample.parse({
      id: 'count-1#0',
      problemId: 'count-1',
      images: ['img/p2.png'],
      prompt: 'How many circles?',
      response: '<think>1, 2, 3, 4.</think>\n<answer>4</answer>',
      answer: '4',
    }),
    SftExample.parse({
      id: 'text-3#0',
      problemId: 'text-3',
      images: [],
      prompt: 'What is 2+2?',
      response: '<answer>4</answer>',
      answer: '4',
    }),
  ];
}

/** Files under a folder, recursively, relative to it. */
async function tree(dir: string): Promise<string[]> {
  if (!existsSync(dir)) return [];
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}

describe('LLaMA-Factory export', () => {
  it('writes the documented sharegpt record, dataset_info entry and images, and reads back equal examples', async () => {
    const outDir = join(root, 'lf');
    const ex = examples();
    const result = await exportLlamaFactory({ examples: ex, imageRoot, outDir, datasetName: 'vlthink_sft' });
    expect(result).toMatchObject({ examples: 3, images: 2, dataFile: join(outDir, 'vlthink_sft.json') });
    const written = JSON.parse(await readFile(result.dataFile, 'utf8'));
    expect(written[0]).toEqual(golden(fixture.llamaFactory.record));
    expect(written[2].messages[0].content).toBe('What is 2+2?');
    const info = JSON.parse(await readFile(result.datasetInfoFile, 'utf8'));
    expect(info.vlthink_sft).toEqual(fixture.llamaFactory.datasetInfo);

    const back = await readLlamaFactory(outDir, 'vlthink_sft');
    expect(back.map((e) => ({ ...e, images: [] }))).toEqual(ex.map((e) => ({ ...e, images: [] })));
    // Images are the same bytes, renamed by content.
    for (const [i, e] of back.entries()) {
      for (const [k, p] of e.images.entries()) {
        expect(await readFile(join(outDir, p))).toEqual(await readFile(join(imageRoot, ex[i].images[k])));
      }
    }
    expect(await tree(outDir)).toEqual(
      [
        'dataset_info.json',
        `images/${name1()}`,
        `images/${shortHash(contentHash(img2), 16)}.png`,
        'vlthink_sft.json',
      ].sort(),
    );
  });

  it('merges into an existing dataset_info.json, keeping other datasets', async () => {
    const outDir = join(root, 'lf');
    await mkdir(outDir, { recursive: true });
    await writeFile(join(outDir, 'dataset_info.json'), JSON.stringify({ other: { file_name: 'other.json' } }));
    await exportLlamaFactory({ examples: examples(), imageRoot, outDir, datasetName: 'round1' });
    const info = JSON.parse(await readFile(join(outDir, 'dataset_info.json'), 'utf8'));
    expect(Object.keys(info).sort()).toEqual(['other', 'round1']);
    expect(info.other).toEqual({ file_name: 'other.json' });
  });

  it('adds a system turn when asked', async () => {
    const outDir = join(root, 'lf');
    await exportLlamaFactory({ examples: examples(), imageRoot, outDir, datasetName: 'sys', system: 'Be brief.' });
    const written = JSON.parse(await readFile(join(outDir, 'sys.json'), 'utf8'));
    expect(written[0].messages.map((m: { role: string }) => m.role)).toEqual(['system', 'user', 'assistant']);
    expect((await readLlamaFactory(outDir, 'sys'))[0].prompt).toBe(fixture.example.prompt);
  });

  it('resizes images under the pixel caps when given', async () => {
    const outDir = join(root, 'lf');
    const res = await exportLlamaFactory({
      examples: examples(),
      imageRoot,
      outDir,
      datasetName: 'small',
      pixelCaps: { minPixels: 16, maxPixels: 60 * 40, factor: 1 },
    });
    const back = await readLlamaFactory(res.datasetDir, 'small');
    const big = await imageInfo(join(outDir, back[1].images[0]));
    expect(big).toEqual({ format: 'png', width: 60, height: 40 });
  });

  it('fails on a missing image naming the problem and path, leaving no dataset behind', async () => {
    const outDir = join(root, 'lf');
    const ex = examples();
    ex[1] = { ...ex[1], images: ['img/missing.png'] };
    const err = (await exportLlamaFactory({ examples: ex, imageRoot, outDir, datasetName: 'x' }).catch(
      (e: unknown) => e,
    )) as DataError;
    expect(err).toBeInstanceOf(DataError);
    expect(err.message).toContain(join(imageRoot, 'img/missing.png'));
    expect(err.message).toContain("image of problem 'count-1' not found");
    expect(await tree(outDir)).toEqual([]);
    expect((await readdir(root)).sort()).toEqual(['data']);
  });

  it('keeps a previous export intact when a re-export fails', async () => {
    const outDir = join(root, 'lf');
    await exportLlamaFactory({ examples: examples(), imageRoot, outDir, datasetName: 'ds' });
    const before = await tree(outDir);
    const data = await readFile(join(outDir, 'ds.json'), 'utf8');
    await writeFile(join(imageRoot, 'img/p2.png'), img2.slice(0, 60)); // corrupt
    await expect(exportLlamaFactory({ examples: examples(), imageRoot, outDir, datasetName: 'ds' })).rejects.toThrow(
      /image of problem 'count-1' cannot be decoded/,
    );
    expect(await tree(outDir)).toEqual(before);
    expect(await readFile(join(outDir, 'ds.json'), 'utf8')).toBe(data);
  });

  it('rejects a prompt whose <image> placeholders do not match its images', async () => {
    const ex = examples();
    ex[0] = { ...ex[0], prompt: '<image><image>two?' };
    await expect(
      exportLlamaFactory({ examples: ex, imageRoot, outDir: join(root, 'lf'), datasetName: 'x' }),
    ).rejects.toThrow("example 'bar-0007#0': text has 2 <image> placeholders but the record has 1 images");
  });
});

describe('EasyR1 export', () => {
  it('writes problem/answer/images parquet in the documented layout and reads back equal rows', async () => {
    const outFile = join(root, 'rl', 'train.parquet');
    const ps = problems();
    const result = await exportEasyR1({ problems: ps, imageRoot, outFile });
    expect(result).toMatchObject({ file: outFile, rows: 3, images: 2 });
    expect(result.dataConfig).toEqual({ prompt_key: 'problem', answer_key: 'answer', image_key: 'images' });
    const back = await readEasyR1(outFile);
    expect(back).toEqual(await easyR1Rows({ problems: ps, imageRoot, outFile }));
    const g = golden(fixture.easyr1.row);
    expect({ ...back[0], images: back[0].images.map((i) => ({ path: i.path })) }).toEqual(g);
    expect(back[0].images[0].bytes).toEqual(img1);
    // A question that already places its images keeps them where they are.
    expect(back[2].problem).toBe('Same <image> or <image> different?');
    expect(easyR1QuestionText(back[1])).toBe('How many circles?');
    const info = await parquetInfo(outFile);
    expect(info.columns).toEqual(['problem', 'answer', 'images', 'problem_id']);
    expect(JSON.parse(info.kvMetadata.huggingface).info.features.images).toEqual([{ _type: 'Image' }]);
  });

  it('leaves the images column out of a text-only dataset', async () => {
    const outFile = join(root, 'text.parquet');
    const p = Problem.parse({ id: 't', question: '2+2?', answer: '4', answerType: 'number' });
    await exportEasyR1({ problems: [p], imageRoot, outFile });
    expect((await parquetInfo(outFile)).columns).toEqual(['problem', 'answer', 'problem_id']);
    expect(await readEasyR1(outFile)).toEqual([{ problem: '2+2?', answer: '4', images: [], problem_id: 't' }]);
  });

  it('writes nothing when an image is corrupt', async () => {
    await writeFile(join(imageRoot, 'img/p2.png'), 'garbage');
    const outFile = join(root, 'rl', 'train.parquet');
    await expect(exportEasyR1({ problems: problems(), imageRoot, outFile })).rejects.toThrow(
      new RegExp(`${join(imageRoot, 'img/p2.png')}.*image of problem 'count-1' cannot be decoded`),
    );
    expect(await tree(join(root, 'rl'))).toEqual([]);
  });
});

describe('verl export', () => {
  it('writes the documented RL fields and reads back equal rows', async () => {
    const outFile = join(root, 'verl', 'train.parquet');
    const ps = problems();
    const result = await exportVerl({ problems: ps, imageRoot, outFile });
    expect(result).toEqual({ file: outFile, rows: 3, images: 2 });
    const back = await readVerl(outFile);
    expect(back).toEqual(await verlRows({ problems: ps, imageRoot, outFile }));
    expect({ ...back[0], images: back[0].images.map((i) => ({ path: i.path })) }).toEqual(golden(fixture.verl.row));
    expect(back[2].images.map((i) => i.bytes)).toEqual([img1, img2]);
    expect(back[2].extra_info.index).toBe(2);
    expect((await parquetInfo(outFile)).columns).toEqual([
      'data_source',
      'prompt',
      'ability',
      'reward_model',
      'extra_info',
      'images',
    ]);
  });

  it('streams more problems than one batch, keeping order and indexes', async () => {
    const outFile = join(root, 'many.parquet');
    const many = Array.from({ length: 300 }, (_, i) => ({ ...problems()[i % 2], id: `m${i}` }));
    const result = await exportVerl({ problems: many, imageRoot, outFile });
    expect(result).toEqual({ file: outFile, rows: 300, images: 2 });
    const back = await readVerl(outFile);
    expect(back.map((r) => r.extra_info.index)).toEqual(many.map((_, i) => i));
    expect(back.map((r) => r.extra_info.problem_id)).toEqual(many.map((p) => p.id));
  });

  it('uses the given data source, split and system turn', async () => {
    const outFile = join(root, 'verl.parquet');
    await exportVerl({
      problems: problems().slice(0, 1),
      imageRoot,
      outFile,
      dataSource: 'geo',
      split: 'test',
      system: 'S',
    });
    const [row] = await readVerl(outFile);
    expect(row.data_source).toBe('geo');
    expect(row.extra_info.split).toBe('test');
    expect(row.prompt.map((m) => m.role)).toEqual(['system', 'user']);
  });
});
