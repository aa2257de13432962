import { DataError } from '../core/index.ts';
import { collectImages, type ExportImageOptions, withImageTokens } from './export-images.ts';
import { asHfImage, type HfImage, type ParquetColumn, readParquet } from './parquet.ts';
import { hfFeaturesMetadata, writeParquetInBatches } from './parquet-writer.ts';
import { problemText } from './problem-text.ts';
import type { Problem } from './types.ts';

/**
 * The one implementation behind the RL-engine Parquet exports (EasyR1, verl): a row per problem, the problem text with
 * one `<image>` placeholder per image, the images embedded as HF Image structs, streamed in batches to a temp file and
 * renamed into place (a missing or corrupt image fails the export naming the problem and path, and leaves no file).
 * A format is a small spec: its columns, how a row is built from a problem, and how a stored row is read back.
 */

/** What every RL export takes; a format's own options extend it. */
export interface RlExportOptions extends ExportImageOptions {
  readonly problems: readonly Problem[];
  readonly imageRoot: string;
  /** The .parquet file to write. */
  readonly outFile: string;
  /** The problem text before the `<image>` placeholders are added (default: question plus lettered choices). */
  readonly promptText?: (problem: Problem) => string;
}

/** One problem as a format's row builder sees it. */
export interface RlRowInput {
  readonly problem: Problem;
  /** The problem's position in `options.problems`. */
  readonly index: number;
  /** The problem text without placeholders. */
  readonly text: string;
  /** `text` with one `<image>` placeholder per image. */
  readonly prompt: string;
  readonly images: HfImage[];
}

export interface RlParquetFormat<Row extends { images: HfImage[] }, Options extends RlExportOptions> {
  /** All columns; `images` is left out of a text-only dataset (EasyR1 takes its multimodal path whenever it exists). */
  readonly columns: readonly ParquetColumn[];
  readonly row: (input: RlRowInput, options: Options) => Row;
  /**
   * A stored row back as the format's row (`images` already read). `fail(field, what)` makes the error to throw for a
   * row that lacks what the format needs.
   */
  readonly read: (
    row: Record<string, unknown>,
    index: number,
    images: HfImage[],
    fail: (field: string, what: string) => DataError,
  ) => Row;
}

export interface RlExport {
  readonly file: string;
  readonly rows: number;
  /** Distinct image files embedded. */
  readonly images: number;
}

/** Problems exported per batch: images of one batch are in memory at a time. */
const EXPORT_BATCH = 256;

/** Builds the rows of problems [start, end) (images loaded and checked) without writing anything. */
export async function rlParquetRows<Row extends { images: HfImage[] }, Options extends RlExportOptions>(
  format: RlParquetFormat<Row, Options>,
  options: Options,
  start = 0,
  end?: number,
): Promise<Row[]> {
  const problems = options.problems.slice(start, end);
  const toText = options.promptText ?? problemText;
  const images = await collectImages(
    problems.map((p) => ({ problemId: p.id, images: p.images })),
    options.imageRoot,
    options,
  );
  return problems.map((problem, i) => {
    const text = toText(problem);
    let prompt: string;
    try {
      prompt = withImageTokens(text, problem.images.length, `problem '${problem.id}'`);
    } catch (err) {
      throw new DataError(options.outFile, (err as Error).message, { field: `problems.${start + i}.question` });
    }
    const rowImages = images[i].map((img) => ({ bytes: img.bytes, path: img.fileName }));
    return format.row({ problem, index: start + i, text, prompt, images: rowImages }, options);
  });
}

/** Writes `options.problems` in the format, atomically (see the module comment). */
export async function exportRlParquet<Row extends { images: HfImage[] }, Options extends RlExportOptions>(
  format: RlParquetFormat<Row, Options>,
  options: Options,
): Promise<RlExport> {
  const columns = options.problems.some((p) => p.images.length > 0)
    ? format.columns
    : format.columns.filter((c) => c.name !== 'images');
  const distinct = new Set<string>();
  const rows = await writeParquetInBatches(
    options.outFile,
    { columns, kvMetadata: { huggingface: hfFeaturesMetadata(columns, ['images']) } },
    options.problems.length,
    EXPORT_BATCH,
    async (start, end) => {
      const batch = await rlParquetRows(format, options, start, end);
      for (const r of batch) for (const img of r.images) if (img.path !== null) distinct.add(img.path);
      // Rows are plain objects keyed by column name; the writer checks each cell against its column.
      return batch as unknown as Record<string, unknown>[];
    },
  );
  return { file: options.outFile, rows, images: distinct.size };
}

/** Reads a file written in the format back (image cells as {bytes, path}), checking what the format needs. */
export async function readRlParquet<Row extends { images: HfImage[] }, Options extends RlExportOptions>(
  format: RlParquetFormat<Row, Options>,
  file: string,
): Promise<Row[]> {
  const rows = await readParquet(file);
  return rows.map((row, i) => {
    const fail = (field: string, what: string) => new DataError(file, `row ${i + 1}: ${what}`, { field });
    const cells = Array.isArray(row.images) ? row.images : [];
    const images = cells.map((cell, k) => {
      const img = asHfImage(cell);
      if (img === null) throw fail('images', `image ${k} is empty`);
      return img;
    });
    return format.read(row, i, images, fail);
  });
}
