import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import { DataError, writeJsonAtomic } from '../core/index.ts';
import { collectImages, type ExportImageOptions, withImageTokens, withoutImageTokens } from './export-images.ts';
import type { SftExample } from './types.ts';

/**
 * LLaMA-Factory SFT data in the sharegpt / OpenAI-messages layout with an `images` column (the engine the paper used
 * for SFT). Format per LLaMA-Factory v0.9 `data/README.md` ("OpenAI Format", "Multimodal Dataset") and the `mllm_demo`
 * entry of `data/dataset_info.json`: one JSON array; each record has `messages` [{role, content}] whose user turn
 * carries one `<image>` placeholder per image, and `images`, paths relative to the dataset folder (LLaMA-Factory's
 * `dataset_dir` / `media_dir`). Extra keys (`id`, `problem_id`, `answer`) are ignored by LLaMA-Factory's converter
 * and keep the export traceable and exactly readable back.
 *
 * Layout written:  outDir/<datasetName>.json, outDir/images/<hash>.<ext>, outDir/dataset_info.json (merged).
 * Everything is built in a sibling staging folder first; a failure removes it and leaves outDir as it was.
 */

export const LlamaFactoryMessage = z.object({
  role: z.enum(['system', 'user', 'assistant']),
  content: z.string(),
});

export const LlamaFactoryRecord = z.object({
  messages: z.array(LlamaFactoryMessage).min(2),
  images: z.array(z.string()).default([]),
  id: z.string().optional(),
  problem_id: z.string().optional(),
  answer: z.string().optional(),
});
export type LlamaFactoryRecord = z.infer<typeof LlamaFactoryRecord>;

/** One `dataset_info.json` entry for a sharegpt dataset in the OpenAI role/content layout. */
export const LlamaFactoryDatasetInfo = z.object({
  file_name: z.string(),
  formatting: z.literal('sharegpt'),
  columns: z.object({ messages: z.literal('messages'), images: z.literal('images').optional() }),
  tags: z.object({
    role_tag: z.literal('role'),
    content_tag: z.literal('content'),
    user_tag: z.literal('user'),
    assistant_tag: z.literal('assistant'),
    system_tag: z.literal('system'),
  }),
});
export type LlamaFactoryDatasetInfo = z.infer<typeof LlamaFactoryDatasetInfo>;

export interface ExportLlamaFactoryOptions extends ExportImageOptions {
  readonly examples: readonly SftExample[];
  /** Folder the examples' image paths are relative to. */
  readonly imageRoot: string;
  /** Folder LLaMA-Factory reads as `dataset_dir`. */
  readonly outDir: string;
  /** The key in dataset_info.json and the `dataset:` value in the LLaMA-Factory config. */
  readonly datasetName: string;
  /** Optional system prompt put first in every conversation. */
  readonly system?: string;
}

export interface LlamaFactoryExport {
  readonly datasetDir: string;
  readonly datasetName: string;
  readonly dataFile: string;
  readonly datasetInfoFile: string;
  readonly imageDir: string;
  readonly examples: number;
  readonly images: number;
}

const DATASET_NAME = /^[A-Za-z0-9_.-]+$/;

function datasetInfoEntry(fileName: string): LlamaFactoryDatasetInfo {
  return {
    file_name: fileName,
    formatting: 'sharegpt',
    columns: { messages: 'messages', images: 'images' },
    tags: {
      role_tag: 'role',
      content_tag: 'content',
      user_tag: 'user',
      assistant_tag: 'assistant',
      system_tag: 'system',
    },
  };
}

async function readDatasetInfo(path: string): Promise<Record<string, unknown>> {
  if (!existsSync(path)) return {};
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    throw new DataError(path, `is not valid JSON (${(err as Error).message})`, {
      cause: err,
      hint: 'fix or delete dataset_info.json; vlthink merges its entry into it',
    });
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new DataError(path, 'must hold a JSON object of dataset entries');
  }
  return raw as Record<string, unknown>;
}

/** Examples exported per batch: images of one batch are in memory at a time. */
const EXPORT_BATCH = 256;

function toRecord(
  ex: SftExample,
  images: string[],
  system: string | undefined,
  outDir: string,
  index: number,
): LlamaFactoryRecord {
  let user: string;
  try {
    user = withImageTokens(ex.prompt, ex.images.length, `example '${ex.id}'`);
  } catch (err) {
    throw new DataError(outDir, (err as Error).message, { field: `examples.${index}.prompt` });
  }
  const messages: LlamaFactoryRecord['messages'] = [];
  if (system !== undefined) messages.push({ role: 'system', content: system });
  messages.push({ role: 'user', content: user }, { role: 'assistant', content: ex.response });
  return { messages, images, id: ex.id, problem_id: ex.problemId, answer: ex.answer };
}

/** Writes SFT examples, their images and the dataset_info.json entry for LLaMA-Factory. Returns the written paths. */
export async function exportLlamaFactory(options: ExportLlamaFactoryOptions): Promise<LlamaFactoryExport> {
  const { examples, imageRoot, outDir, datasetName } = options;
  if (!DATASET_NAME.test(datasetName)) {
    throw new DataError(outDir, `dataset name '${datasetName}' must use only letters, digits, '_', '.', '-'`);
  }
  const fileName = `${datasetName}.json`;
  const infoPath = join(outDir, 'dataset_info.json');
  const info = await readDatasetInfo(infoPath);

  // Everything is built in a staging folder beside outDir, a batch of examples (and their images) at a time;
  // outDir is touched only once the whole dataset exists.
  const staging = join(
    dirname(outDir),
    `.${basename(outDir)}.staging-${process.pid}-${randomBytes(4).toString('hex')}`,
  );
  try {
    await mkdir(join(staging, 'images'), { recursive: true });
    const written = new Set<string>();
    const records: LlamaFactoryRecord[] = [];
    for (let start = 0; start < examples.length; start += EXPORT_BATCH) {
      const batch = examples.slice(start, start + EXPORT_BATCH);
      const images = await collectImages(batch, imageRoot, options);
      for (const img of images.flat()) {
        if (written.has(img.fileName)) continue;
        await writeFile(join(staging, 'images', img.fileName), img.bytes);
        written.add(img.fileName);
      }
      batch.forEach((ex, k) => {
        records.push(
          toRecord(
            ex,
            images[k].map((img) => `images/${img.fileName}`),
            options.system,
            outDir,
            start + k,
          ),
        );
      });
    }
    await writeFile(join(staging, fileName), `${JSON.stringify(records, null, 2)}\n`);
    await mkdir(join(outDir, 'images'), { recursive: true });
    // Images first (content-named, so an existing file of the same name is the same image), then the data file,
    // then dataset_info.json: until that last atomic write, LLaMA-Factory sees the old dataset or none.
    for (const name of written) {
      const target = join(outDir, 'images', name);
      if (!existsSync(target)) await rename(join(staging, 'images', name), target);
    }
    await rename(join(staging, fileName), join(outDir, fileName));
    await writeJsonAtomic(infoPath, { ...info, [datasetName]: datasetInfoEntry(fileName) });
    return {
      datasetDir: outDir,
      datasetName,
      dataFile: join(outDir, fileName),
      datasetInfoFile: infoPath,
      imageDir: join(outDir, 'images'),
      examples: records.length,
      images: written.size,
    };
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/**
 * Reads a LLaMA-Factory dataset written by `exportLlamaFactory` (or any sharegpt dataset in the OpenAI layout with
 * one user and one assistant turn) back into SFT examples. Image paths stay relative to `datasetDir`.
 */
export async function readLlamaFactory(datasetDir: string, datasetName: string): Promise<SftExample[]> {
  const infoPath = join(datasetDir, 'dataset_info.json');
  const info = await readDatasetInfo(infoPath);
  const entry = LlamaFactoryDatasetInfo.safeParse(info[datasetName]);
  if (!entry.success) {
    throw new DataError(infoPath, `has no sharegpt (role/content) entry named '${datasetName}'`, {
      field: datasetName,
    });
  }
  const dataPath = join(datasetDir, entry.data.file_name);
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(dataPath, 'utf8'));
  } catch (err) {
    throw new DataError(dataPath, `cannot be read as JSON (${(err as Error).message})`, { cause: err });
  }
  if (!Array.isArray(raw)) throw new DataError(dataPath, 'must hold a JSON array of records');
  return raw.map((item, i) => {
    const parsed = LlamaFactoryRecord.safeParse(item);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new DataError(dataPath, `record ${i} is not a sharegpt record: ${issue?.message}`, {
        field: `${i}.${issue?.path.map(String).join('.')}`,
      });
    }
    const r = parsed.data;
    const user = r.messages.find((m) => m.role === 'user');
    const assistant = r.messages.find((m) => m.role === 'assistant');
    if (!user || !assistant) throw new DataError(dataPath, `record ${i} lacks a user or assistant turn`);
    return {
      id: r.id ?? String(i),
      problemId: r.problem_id ?? r.id ?? String(i),
      images: r.images,
      prompt: withoutImageTokens(user.content, r.images.length),
      response: assistant.content,
      answer: r.answer ?? '',
    };
  });
}
