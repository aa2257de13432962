import { DataError } from '../core/index.ts';
import { collectImages, type ExportImageOptions, withImageTokens, withoutImageTokens } from './export-images.ts';
import { asHfImage, HF_IMAGE, type HfImage, type ParquetColumn, readParquet } from './parquet.ts';
import { hfFeaturesMetadata, writeParquetInBatches } from './parquet-writer.ts';
import { problemText } from './problem-text.ts';
import type { Problem } from './types.ts';

/**
 * EasyR1 RL data (the engine the paper used for GRPO): one Parquet file read by `load_dataset('parquet')` with the
 * keys of EasyR1's `examples/config.yaml` (commit 0243608, v0.3 line): `data.prompt_key: problem`,
 * `data.answer_key: answer`, `data.image_key: images`. `problem` carries one `<image>` placeholder per image (EasyR1
 * splits the text on it to place the images), `answer` is the ground truth its score function compares against, and
 * `images` is a list of HF Image structs {bytes, path} with the bytes embedded, so the file is self-contained.
 * `problem_id` is extra (EasyR1 passes unknown columns through) and keeps rewards traceable.
 */

export const EASYR1_COLUMNS: readonly ParquetColumn[] = [
  { name: 'problem', type: 'string', nullable: false },
  { name: 'answer', type: 'string', nullable: false },
  { name: 'images', type: { list: HF_IMAGE } },
  { name: 'problem_id', type: 'string' },
];

export interface EasyR1Row {
  problem: string;
  answer: string;
  images: HfImage[];
  problem_id: string;
}

export interface ExportEasyR1Options extends ExportImageOptions {
  readonly problems: readonly Problem[];
  readonly imageRoot: string;
  /** The .parquet file to write (EasyR1's `data.train_files` / `data.val_files`). */
  readonly outFile: string;
  /** The problem text before the `<image>` placeholders are added (default: question plus lettered choices). */
  readonly promptText?: (problem: Problem) => string;
}

export interface EasyR1Export {
  readonly file: string;
  readonly rows: number;
  readonly images: number;
  /** The `data.*` settings to hand EasyR1 for this file. */
  readonly dataConfig: { prompt_key: 'problem'; answer_key: 'answer'; image_key: 'images' };
}

/** Problems exported per batch: images of one batch are in memory at a time. */
const EXPORT_BATCH = 256;

/** Builds the rows of problems [start, end) (images loaded and checked) without writing anything. */
export async function easyR1Rows(options: ExportEasyR1Options, start = 0, end?: number): Promise<EasyR1Row[]> {
  const problems = options.problems.slice(start, end);
  const text = options.promptText ?? problemText;
  const images = await collectImages(
    problems.map((p) => ({ problemId: p.id, images: p.images })),
    options.imageRoot,
    options,
  );
  return problems.map((p, i) => {
    let problem: string;
    try {
      problem = withImageTokens(text(p), p.images.length, `problem '${p.id}'`);
    } catch (err) {
      throw new DataError(options.outFile, (err as Error).message, { field: `problems.${start + i}.question` });
    }
    return {
      problem,
      answer: p.answer,
      images: images[i].map((img) => ({ bytes: img.bytes, path: img.fileName })),
      problem_id: p.id,
    };
  });
}

/**
 * Writes problems as an EasyR1 parquet file, streamed in batches to a temp file and renamed into place: a missing or
 * corrupt image fails the export naming the problem and path, and leaves no file behind.
 */
export async function exportEasyR1(options: ExportEasyR1Options): Promise<EasyR1Export> {
  // A text-only dataset has no images column: EasyR1 takes the multimodal path whenever the column exists.
  const columns = options.problems.some((p) => p.images.length > 0)
    ? EASYR1_COLUMNS
    : EASYR1_COLUMNS.filter((c) => c.name !== 'images');
  const distinct = new Set<string>();
  const rows = await writeParquetInBatches(
    options.outFile,
    { columns, kvMetadata: { huggingface: hfFeaturesMetadata(columns, ['images']) } },
    options.problems.length,
    EXPORT_BATCH,
    async (start, end) => {
      const batch = await easyR1Rows(options, start, end);
      for (const r of batch) for (const img of r.images) if (img.path !== null) distinct.add(img.path);
      return batch as unknown as Record<string, unknown>[];
    },
  );
  return {
    file: options.outFile,
    rows,
    images: distinct.size,
    dataConfig: { prompt_key: 'problem', answer_key: 'answer', image_key: 'images' },
  };
}

/** Reads an EasyR1 parquet file back (image cells as {bytes, path}). */
export async function readEasyR1(file: string): Promise<EasyR1Row[]> {
  const rows = await readParquet(file);
  return rows.map((row, i) => {
    if (typeof row.problem !== 'string' || typeof row.answer !== 'string') {
      throw new DataError(file, `row ${i + 1} lacks a string 'problem' or 'answer'`, {
        field: typeof row.problem !== 'string' ? 'problem' : 'answer',
      });
    }
    const cells = Array.isArray(row.images) ? row.images : [];
    const images = cells.map((cell, k) => {
      const img = asHfImage(cell);
      if (img === null) throw new DataError(file, `row ${i + 1} image ${k} is empty`, { field: 'images' });
      return img;
    });
    return {
      problem: row.problem,
      answer: row.answer,
      images,
      problem_id: typeof row.problem_id === 'string' ? row.problem_id : String(i),
    };
  });
}

/** The question text of an EasyR1 row without the placeholders the exporter added. */
export function easyR1QuestionText(row: EasyR1Row): string {
  return withoutImageTokens(row.problem, row.images.length);
}
