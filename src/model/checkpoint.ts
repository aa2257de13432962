/**
 * Checkpoints in the Hugging Face convention: a directory with `model.safetensors` (parameters) and `config.json`
 * (the VlmConfig), plus, when given, `optimizer.safetensors` (AdamW moments, the step count in its metadata) for an
 * exact resume and `tokenizer.json`. Every file is written atomically.
 *
 * `exportInferenceOnnx` writes a standalone ONNX file (weights as initializers) mapping images [B, C, H, W] and
 * tokens [B, T] to logits [B, T, V]: any ONNX Runtime can run it.
 */
import { access, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DataError, writeFileAtomic, writeJsonAtomic } from '../core/index.ts';
import {
  createGraph,
  exportOnnx,
  loadSafetensors,
  type NamedTensor,
  saveSafetensors,
  type TrainState,
} from '../engine/index.ts';
import { type VlmConfig, VlmConfigSchema } from './config.ts';
import { type Params, paramSpecs } from './params.ts';
import { loadTokenizer, saveTokenizer, type Tokenizer } from './tokenizer.ts';
import type { ParamTensors } from './vlm-graph.ts';
import { vlmForward } from './vlm-graph.ts';

export interface Checkpoint {
  readonly config: VlmConfig;
  readonly params: Params;
  /** Optimizer state (moments and step), when saved. */
  readonly train?: TrainState;
  readonly tokenizer?: Tokenizer;
}

export async function saveCheckpoint(dir: string, ckpt: Checkpoint): Promise<void> {
  await mkdir(dir, { recursive: true });
  const tensors: Record<string, NamedTensor> = {};
  for (const s of paramSpecs(ckpt.config)) {
    const data = ckpt.params[s.name];
    if (!data) throw new DataError(dir, `cannot save: parameter '${s.name}' is missing`);
    tensors[s.name] = { data, shape: s.shape };
  }
  await saveSafetensors(join(dir, 'model.safetensors'), tensors, { format: 'pt', producer: 'vlthink' });
  if (ckpt.train) {
    const opt: Record<string, NamedTensor> = {};
    const shapes = new Map(paramSpecs(ckpt.config).map((s) => [s.name, s.shape]));
    for (const [kind, rec] of [
      ['m', ckpt.train.m],
      ['v', ckpt.train.v],
    ] as const) {
      for (const [name, data] of Object.entries(rec))
        opt[`${kind}.${name}`] = { data, shape: shapes.get(name) ?? [data.length] };
    }
    await saveSafetensors(join(dir, 'optimizer.safetensors'), opt, { step: String(ckpt.train.step) });
  }
  if (ckpt.tokenizer) await saveTokenizer(join(dir, 'tokenizer.json'), ckpt.tokenizer);
  await writeJsonAtomic(join(dir, 'config.json'), { model_type: 'vlthink-tiny-vlm', ...ckpt.config });
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

export async function loadCheckpoint(dir: string): Promise<Checkpoint> {
  const cfgPath = join(dir, 'config.json');
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(cfgPath, 'utf8'));
  } catch (err) {
    throw new DataError(cfgPath, 'cannot read the checkpoint config', {
      cause: err,
      hint: 'is this a vlthink checkpoint directory?',
    });
  }
  const { model_type: _type, ...rest } = raw as Record<string, unknown>;
  const parsed = VlmConfigSchema.safeParse(rest);
  if (!parsed.success) throw new DataError(cfgPath, `invalid model config: ${parsed.error.message}`);
  const config = Object.freeze(parsed.data);
  const file = await loadSafetensors(join(dir, 'model.safetensors'));
  const params: Params = {};
  for (const s of paramSpecs(config)) {
    const t = file.tensors[s.name];
    const size = s.shape.reduce((a, b) => a * b, 1);
    if (!t || !(t.data instanceof Float32Array) || t.data.length !== size) {
      throw new DataError(
        join(dir, 'model.safetensors'),
        `parameter '${s.name}' is missing or not F32 [${s.shape.join(', ')}]`,
      );
    }
    params[s.name] = t.data;
  }
  let train: TrainState | undefined;
  const optPath = join(dir, 'optimizer.safetensors');
  if (await exists(optPath)) {
    const opt = await loadSafetensors(optPath);
    const step = Number(opt.metadata.step);
    if (!Number.isInteger(step) || step < 0)
      throw new DataError(optPath, `metadata 'step' must be a non-negative integer, got ${opt.metadata.step}`);
    train = { step, params, m: {}, v: {} };
    for (const [key, t] of Object.entries(opt.tensors)) {
      if (!(t.data instanceof Float32Array)) throw new DataError(optPath, `tensor '${key}' is not F32`);
      const [kind, ...name] = key.split('.');
      if (kind === 'm') train.m[name.join('.')] = t.data;
      else if (kind === 'v') train.v[name.join('.')] = t.data;
    }
  }
  const tokPath = join(dir, 'tokenizer.json');
  const tokenizer = (await exists(tokPath)) ? await loadTokenizer(tokPath) : undefined;
  return { config, params, ...(train ? { train } : {}), ...(tokenizer ? { tokenizer } : {}) };
}

/** The inference graph as a standalone ONNX model: inputs images, tokens; output logits. */
export function inferenceOnnxBytes(config: VlmConfig, params: Params): Uint8Array {
  const g = createGraph();
  const p: Record<string, ReturnType<typeof g.constant>> = {};
  for (const s of paramSpecs(config)) {
    const data = params[s.name];
    if (!data) throw new DataError('params', `parameter '${s.name}' is missing`);
    p[s.name] = g.constant(data, s.shape);
  }
  const images = g.input('images', 'float32', ['B', config.channels, config.imageSize, config.imageSize]);
  const tokens = g.input('tokens', 'int64', ['B', 'T']);
  const { logits } = vlmForward(config, p as ParamTensors, images, tokens);
  return exportOnnx({ outputs: { logits } }).bytes;
}

export async function exportInferenceOnnx(path: string, config: VlmConfig, params: Params): Promise<void> {
  await writeFileAtomic(path, inferenceOnnxBytes(config, params));
}
