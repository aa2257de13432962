import {
  exportRlParquet,
  type RlExport,
  type RlExportOptions,
  type RlParquetFormat,
  readRlParquet,
  rlParquetRows,
} from './export-rl-parquet.ts';
import { HF_IMAGE, type HfImage, type ParquetColumn } from './parquet.ts';

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

type VerlMessage = { role: 'system' | 'user'; content: string };

export interface VerlRow {
  data_source: string;
  prompt: VerlMessage[];
  ability: string;
  reward_model: { style: 'rule'; ground_truth: string };
  extra_info: { split: string; index: number; problem_id: string; answer: string; question: string };
  images: HfImage[];
}

export interface ExportVerlOptions extends RlExportOptions {
  /** verl picks the reward function by this name (default 'vlthink', served by vlthink's reward server). */
  readonly dataSource?: string;
  /** Task family label (default 'math', as verl's math examples). */
  readonly ability?: string;
  /** Stored in extra_info.split (default 'train'). */
  readonly split?: string;
  /** Optional system turn placed before the user turn. */
  readonly system?: string;
}

export type VerlExport = RlExport;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isMessage(m: unknown): m is VerlMessage {
  return isRecord(m) && (m.role === 'user' || m.role === 'system') && typeof m.content === 'string';
}

const VERL: RlParquetFormat<VerlRow, ExportVerlOptions> = {
  columns: VERL_COLUMNS,
  row: ({ problem, index, text, prompt, images }, options) => ({
    data_source: options.dataSource ?? 'vlthink',
    prompt: [
      ...(options.system !== undefined ? [{ role: 'system' as const, content: options.system }] : []),
      { role: 'user', content: prompt },
    ],
    ability: options.ability ?? 'math',
    reward_model: { style: 'rule', ground_truth: problem.answer },
    extra_info: {
      split: options.split ?? 'train',
      index,
      problem_id: problem.id,
      answer: problem.answer,
      question: text,
    },
    images,
  }),
  read: (row, i, images, fail) => {
    if (typeof row.data_source !== 'string') throw fail('data_source', 'data_source must be a string');
    if (!Array.isArray(row.prompt)) throw fail('prompt', 'prompt must be a list of chat messages');
    const prompt = row.prompt.map((m, k) => {
      if (!isMessage(m)) throw fail(`prompt.${k}`, 'each prompt message needs role user/system and string content');
      return { role: m.role, content: m.content };
    });
    const rm = row.reward_model;
    if (!isRecord(rm) || typeof rm.ground_truth !== 'string') {
      throw fail('reward_model', 'reward_model must be {style, ground_truth}');
    }
    const extra = isRecord(row.extra_info) ? row.extra_info : {};
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
      images,
    };
  },
};

/** Builds the rows of problems [start, end) (images loaded and checked) without writing anything. */
export function verlRows(options: ExportVerlOptions, start = 0, end?: number): Promise<VerlRow[]> {
  return rlParquetRows(VERL, options, start, end);
}

/** Writes problems as a verl RL parquet file, atomically; a bad image fails it naming the problem and path. */
export function exportVerl(options: ExportVerlOptions): Promise<VerlExport> {
  return exportRlParquet(VERL, options);
}

/** Reads a verl RL parquet file back, checking the documented fields. */
export function readVerl(file: string): Promise<VerlRow[]> {
  return readRlParquet(VERL, file);
}
