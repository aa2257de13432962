import { withoutImageTokens } from './export-images.ts';
import {
  exportRlParquet,
  type RlExportOptions,
  type RlParquetFormat,
  readRlParquet,
  rlParquetRows,
} from './export-rl-parquet.ts';
import { HF_IMAGE, type HfImage, type ParquetColumn } from './parquet.ts';

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

/** `outFile` is EasyR1's `data.train_files` / `data.val_files`. */
export type ExportEasyR1Options = RlExportOptions;

export interface EasyR1Export {
  readonly file: string;
  readonly rows: number;
  readonly images: number;
  /** The `data.*` settings to hand EasyR1 for this file. */
  readonly dataConfig: { prompt_key: 'problem'; answer_key: 'answer'; image_key: 'images' };
}

const EASYR1: RlParquetFormat<EasyR1Row, ExportEasyR1Options> = {
  columns: EASYR1_COLUMNS,
  row: ({ problem, prompt, images }) => ({ problem: prompt, answer: problem.answer, images, problem_id: problem.id }),
  read: (row, i, images, fail) => {
    if (typeof row.problem !== 'string') throw fail('problem', "lacks a string 'problem'");
    if (typeof row.answer !== 'string') throw fail('answer', "lacks a string 'answer'");
    const problemId = typeof row.problem_id === 'string' ? row.problem_id : String(i);
    return { problem: row.problem, answer: row.answer, images, problem_id: problemId };
  },
};

/** Builds the rows of problems [start, end) (images loaded and checked) without writing anything. */
export function easyR1Rows(options: ExportEasyR1Options, start = 0, end?: number): Promise<EasyR1Row[]> {
  return rlParquetRows(EASYR1, options, start, end);
}

/**
 * Writes problems as an EasyR1 parquet file, atomically: a missing or corrupt image fails the export naming the
 * problem and path, and leaves no file behind. A text-only dataset has no images column.
 */
export async function exportEasyR1(options: ExportEasyR1Options): Promise<EasyR1Export> {
  const written = await exportRlParquet(EASYR1, options);
  return { ...written, dataConfig: { prompt_key: 'problem', answer_key: 'answer', image_key: 'images' } };
}

/** Reads an EasyR1 parquet file back (image cells as {bytes, path}). */
export function readEasyR1(file: string): Promise<EasyR1Row[]> {
  return readRlParquet(EASYR1, file);
}

/** The question text of an EasyR1 row without the placeholders the exporter added. */
export function easyR1QuestionText(row: EasyR1Row): string {
  return withoutImageTokens(row.problem, row.images.length);
}
