import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { createRng } from '../src/core/index.ts';
import { createImageTensorLoader } from '../src/data/image-tensor-loader.ts';
import { decodeImage, loadImageTensor } from '../src/data/images.ts';
import { readJsonlAll, writeJsonl } from '../src/data/jsonl.ts';
import { HF_IMAGE, readParquet } from '../src/data/parquet.ts';
import { writeParquet } from '../src/data/parquet-writer.ts';
import { Problem } from '../src/data/types.ts';

/**
 * `npm run bench -- data-io`: dataset I/O throughput on one core.
 * - JSONL: atomic write + zod-validated streaming read of Problem records, against a plain reference in the same run
 *   (JSON.stringify lines + writeFile; readFile + split + JSON.parse, no validation).
 * - Parquet: write + read of EasyR1-shaped rows with an embedded 64 px PNG each.
 * - Images: loadImageTensor (decode + resize + [3,S,S] floats) at 64 px, against sharp's bare decode to raw RGB, and
 *   the cached batch loader over 100 images requested 2,000 times (the training loop's pattern).
 */

function seconds(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

function problems(n: number): Problem[] {
  const rng = createRng(7);
  return Array.from({ length: n }, (_, i) =>
    Problem.parse({
      id: `count-${i}`,
      question: `How many ${rng.pick(['red', 'blue', 'green'])} squares are there in the picture?`,
      images: [`images/count-${i}.png`],
      choices: rng.chance(0.5) ? ['1', '2', '3', '4'] : null,
      answer: String(rng.int(10)),
      answerType: 'number',
      source: 'counting',
      tier: rng.pick(['easy', 'medium', 'hard'] as const),
      caption: 'There are three red squares and two blue circles.',
      metadata: { steps: rng.int(4), seed: i },
    }),
  );
}

async function jsonl(dir: string): Promise<void> {
  const n = 20_000;
  const records = problems(n);
  const path = join(dir, 'p.jsonl');
  const refPath = join(dir, 'ref.jsonl');

  let t = process.hrtime.bigint();
  await writeFile(refPath, records.map((r) => `${JSON.stringify(r)}\n`).join(''));
  const refWrite = seconds(t);
  t = process.hrtime.bigint();
  await writeJsonl(path, records);
  const write = seconds(t);

  t = process.hrtime.bigint();
  const text = await readFile(refPath, 'utf8');
  const parsed = text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as unknown);
  const refRead = seconds(t);
  t = process.hrtime.bigint();
  const { records: back } = await readJsonlAll(path, Problem);
  const read = seconds(t);
  if (back.length !== n || parsed.length !== n) throw new Error('jsonl bench read the wrong count');

  const line = {
    bench: 'data-io',
    figure: 'jsonl',
    records: n,
    write_per_s: Math.round(n / write),
    read_validated_per_s: Math.round(n / read),
    write_ratio_vs_plain: +(refWrite / write).toFixed(3),
    read_ratio_vs_plain_parse: +(refRead / read).toFixed(3),
  };
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

async function tinyPngs(count: number, size: number): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const png = await sharp({
      create: { width: size, height: size, channels: 3, background: { r: (i * 37) % 256, g: 128, b: 200 } },
    })
      .png()
      .toBuffer();
    out.push(new Uint8Array(png));
  }
  return out;
}

async function parquet(dir: string): Promise<void> {
  const n = 5_000;
  const pngs = await tinyPngs(50, 64);
  const rows = Array.from({ length: n }, (_, i) => ({
    problem: `<image>How many squares? (${i})`,
    answer: String(i % 10),
    images: [{ bytes: pngs[i % pngs.length], path: `img-${i % pngs.length}.png` }],
    problem_id: `p${i}`,
  }));
  const columns = [
    { name: 'problem', type: 'string' as const },
    { name: 'answer', type: 'string' as const },
    { name: 'images', type: { list: HF_IMAGE } },
    { name: 'problem_id', type: 'string' as const },
  ];
  const path = join(dir, 'rows.parquet');
  let t = process.hrtime.bigint();
  await writeParquet(path, { columns, rows });
  const write = seconds(t);
  t = process.hrtime.bigint();
  const back = await readParquet(path);
  const read = seconds(t);
  if (back.length !== n) throw new Error('parquet bench read the wrong count');
  const line = {
    bench: 'data-io',
    figure: 'parquet',
    rows: n,
    image_bytes_per_row: pngs[0].length,
    write_rows_per_s: Math.round(n / write),
    read_rows_per_s: Math.round(n / read),
  };
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

async function images(dir: string): Promise<void> {
  const n = 2_000;
  const distinct = 100;
  const pngs = await tinyPngs(distinct, 96);
  const paths = pngs.map((_, i) => join(dir, `img-${i}.png`));
  for (const [i, p] of paths.entries()) await writeFile(p, pngs[i]);
  let t = process.hrtime.bigint();
  for (let i = 0; i < n; i++)
    await sharp(pngs[i % distinct])
      .raw()
      .toBuffer();
  const bare = seconds(t);
  t = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await decodeImage(pngs[i % distinct]);
  const decode = seconds(t);
  t = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await loadImageTensor(pngs[i % distinct], 64);
  const tensor = seconds(t);
  // The training loop's view: batches of 32 over 100 images, 20 epochs' worth of requests.
  const loader = createImageTensorLoader({ size: 64 });
  t = process.hrtime.bigint();
  for (let i = 0; i < n; i += 32) {
    await loader.loadBatch(Array.from({ length: 32 }, (_, k) => ({ path: paths[(i + k) % distinct] })));
  }
  const batched = seconds(t);
  const line = {
    bench: 'data-io',
    figure: 'image-tensor',
    images: n,
    source_px: 96,
    tensor_px: 64,
    load_tensor_per_s: Math.round(n / tensor),
    decode_rgb_per_s: Math.round(n / decode),
    loader_batches_per_s_images: Math.round(n / batched),
    tensor_ratio_vs_bare_sharp_decode: +(bare / tensor).toFixed(3),
  };
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

export async function run(): Promise<void> {
  sharp.concurrency(1);
  const dir = await mkdtemp(join(tmpdir(), 'vlthink-bench-data-io-'));
  try {
    await jsonl(dir);
    await parquet(dir);
    await images(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
