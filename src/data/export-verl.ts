import { DataError } from '../core/index.ts';
import { collectImages, type ExportImageOptions, withImageTokens } from './export-images.ts';
import { asHfImage, HF_IMAGE, type HfImage, type ParquetColumn, readParquet } from './parquet.ts';
import { hfFeaturesMetadata, writeParquetInBatches } from './parquet-writer.ts';
import { problemText } from './problem-text.ts';
import type { Problem } from './types.ts';

/**
 * verl RL data: the fields of verl's documented RL dataset (docs "Prepare Data for Post-Training", and
 * `examples/data_preprocess/geo3k.py` at commit 0646a9b for the multimodal case): `data_source` (selects the reward
 * function), `prompt` (a chat list [{role, content}] whose user content holds one `<image>` per image), `ability`,
 * `reward_model` {style: 'rule', ground_truth}, `extra_info` {split, index, ...}, and `images` (HF Image structs with
 * embedded bytes). EasyR1 is a verl fork; this is the format of verl itself.
 */

export const VERL_COLUMNS: readonly ParquetColumn[] = [
  { name: 'data_source', type: 'string', nullable: false },
  {
    name: 'prompt',
    type: { list: { type: { struct: { role: { type: 'string' }, content: { type: 'string' } } } } },
    nullable: false,
  },
  { name: 'ability', type: 'string' },
  { name: 'reward_model', type: { struct: { style: { type: 'string' }, ground_truth: { type: 'string' } } } },
  {
    name: 'extra_info',
    type: {
      struct: {
        split: { type: 'string' },
        index: { type: 'int64' },
        problem_id: { type: 'string' },
        answer: { type: 'string' },
        question: { type: 'string' },
      },
    },
  },
  { name: 'images', type: { list: HF_IMAGE } },
];

export interface VerlRow {
  data_source: string;
  prompt: { role: 'system' | 'user'; content: string }[];
  ability: string;
  reward_model: { style: 'rule'; ground_truth: string };
  extra_info: { split: string; index: number; problem_id: string; answer: string; question: string };
  images: HfImage[];
}

export interface ExportVerlOptions extends ExportImageOptions {
  readonly problems: readonly Problem[];
  readonly imageRoot: string;
  readonly outFile: string;
  /** verl picks the reward function by this name (default 'vlthink', served by vlthink's reward server). */
  readonly dataSource?: string;
  /** Task family label (default 'math', as verl's math examples). */
  readonly ability?: string;
  /** Stored in extra_info.split (default 'train'). */
  readonly split?: string;
  /** Optional system turn placed before the user turn. */
  readonly system?: string;
  /** The user text before the `<image>` placeholders are added (default: question plus lettered choices). */
  readonly promptText?: (problem: Problem) => string;
}

export interface VerlExport {
  readonly file: string;
  readonly rows: number;
  readonly images: number;
}

/** Problems exported per batch: images of one batch are in memory at a time. */
const EXPORT_BATCH = 256;

/** Builds the rows of problems [start, end) (images loaded and checked) without writing anything. */
export async function verlRows(options: ExportVerlOptions, start = 0, end?: number): Promise<VerlRow[]> {
  const problems = options.problems.slice(start, end);
  const text = options.promptText ?? problemText;
  const images = await collectImages(
    problems.map((p) => ({ problemId: p.id, images: p.images })),
    options.imageRoot,
    options,
  );
  return problems.map((p, i) => {
    const question = text(p);
    let user: string;
    try {
      user = withImageTokens(question, p.images.length, `problem '${p.id}'`);
    } catch (err) {
      throw new DataError(options.outFile, (err as Error).message, { field: `problems.${start + i}.question` });
    }
    const prompt: VerlRow['prompt'] = [];
    if (options.system !== undefined) prompt.push({ role: 'system', content: options.system });
    prompt.push({ role: 'user', content: user });
    return {
      data_source: options.dataSource ?? 'vlthink',
      prompt,
      ability: options.ability ?? 'math',
      reward_model: { style: 'rule', ground_truth: p.answer },
      extra_info: { split: options.split ?? 'train', index: start + i, problem_id: p.id, answer: p.answer, question },
      images: images[i].map((img) => ({ bytes: img.bytes, path: img.fileName })),
    };
  });
}

/**
 * Writes problems as a verl RL parquet file, streamed in batches to a temp file and renamed into place; a bad image
 * fails it naming the problem and path, leaving no file.
 */
export async function exportVerl(options: ExportVerlOptions): Promise<VerlExport> {
  const columns = options.problems.some((p) => p.images.length > 0)
    ? VERL_COLUMNS
    : VERL_COLUMNS.filter((c) => c.name !== 'images');
  const distinct = new Set<string>();
  const rows = await writeParquetInBatches(
    options.outFile,
    { columns, kvMetadata: { huggingface: hfFeaturesMetadata(columns, ['images']) } },
    options.problems.length,
    EXPORT_BATCH,
    async (start, end) => {
      const batch = await verlRows(options, start, end);
      for (const r of batch) for (const img of r.images) if (img.path !== null) distinct.add(img.path);
      return batch as unknown as Record<string, unknown>[];
    },
  );
  return { file: options.outFile, rows, images: distinct.size };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Reads a verl RL parquet file back, checking the documented fields. */
export async function readVerl(file: string): Promise<VerlRow[]> {
  const rows = await readParquet(file);
  return rows.map((row, i) => {
    const fail = (field: string, what: string) => new DataError(file, `row ${i + 1}: ${what}`, { field });
    if (typeof row.data_source !== 'string') throw fail('data_source', 'data_source must be a string');
    if (!Array.isArray(row.prompt)) throw fail('prompt', 'prompt must be a list of chat messages');
    const prompt = row.prompt.map((m, k) => {
      if (!isRecord(m) || (m.role !== 'user' && m.role !== 'system') || typeof m.content !== 'string') {
        throw fail(`prompt.${k}`, 'each prompt message needs role user/system and string content');
      }
      return { role: m.role, content: m.content } as VerlRow['prompt'][number];
    });
    const rm = row.reward_model;
    if (!isRecord(rm) || typeof rm.ground_truth !== 'string') {
      throw fail('reward_model', 'reward_model must be {style, ground_truth}');
    }
    const extra = isRecord(row.extra_info) ? row.extra_info : {};
    const cells = Array.isArray(row.images) ? row.images : [];
    return {
      data_source: row.data_source,
      prompt,
      ability: typeof row.ability === 'string' ? row.ability : '',
      reward_model: { style: 'rule', ground_truth: rm.ground_truth },
      extra_info: {
        split: typeof extra.split === 'string' ? extra.split : '',
        index: typeof extra.index === 'number' ? extra.index : i,
        problem_id: typeof extra.problem_id === 'string' ? extra.problem_id : String(i),
        answer: typeof extra.answer === 'string' ? extra.answer : rm.ground_truth,
        question: typeof extra.question === 'string' ? extra.question : '',
      },
      images: cells.map((cell, k) => {
        const img = asHfImage(cell);
        if (img === null) throw fail('images', `image ${k} is empty`);
        return img;
      }),
    };
  });
}
