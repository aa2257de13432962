/**
 * What the loops feed the tiny VLM: examples and problems tokenized with their image tensors, the model held in memory,
 * and the two held-out measures (response-token loss, greedy accuracy) both loops report.
 *
 * Prompt layout: <bos> prompt-text tokens; response: response-text tokens <eos>. Images: the first image of a record,
 * letterboxed to the model's size; a record without an image gets a white one (the model always has image tokens).
 */
import { isAbsolute, join } from 'node:path';
import { mapPool } from '../core/index.ts';
import { loadImageTensor } from '../data/index.ts';
import type { Problem, SftExample } from '../data/types.ts';
import { imageValues, type Params, type Tokenizer, type VlmConfig, type VlmRuntime } from '../model/index.ts';
import { judgeAnswer } from '../verify/judge.ts';
import { chunks, fitSequence, type TokenSequence } from './batching.ts';

/** A trainable policy in memory. */
export interface PolicyState {
  readonly config: VlmConfig;
  readonly params: Params;
  readonly tokenizer: Tokenizer;
}

export interface EncodedExample extends TokenSequence {
  readonly id: string;
  /** [C, H, W] floats in [0, 1]. */
  readonly image: Float32Array;
  /** Gold answer, for accuracy. */
  readonly answer: string;
  readonly choices: readonly string[] | null;
}

/** The same text layout for training and generation: <bos> + prompt. */
export function encodePrompt(tokenizer: Tokenizer, text: string): number[] {
  return tokenizer.encode(text, { bos: true });
}

/** Response tokens, ending with <eos> so the model learns to stop. */
export function encodeResponse(tokenizer: Tokenizer, text: string): number[] {
  return tokenizer.encode(text, { eos: true });
}

const resolvePath = (root: string, path: string) => (isAbsolute(path) ? path : join(root, path));

/**
 * Pixels as the model gets them: 1 - x, so the white background is 0 and only ink carries signal. Why: with raw
 * [0, 1] pixels every patch embedding is dominated by the same all-white component, and the tiny VLM did not learn
 * even "what colour is the one small square" in 300 steps; inverted, it learns it in under 50 (measured). The
 * model's graph does not center its input, so every path that feeds the embedded model (training here, and the
 * embedded generator) goes through this one function. In place; returns its argument.
 */
export function toModelPixels(chw: Float32Array): Float32Array {
  for (let i = 0; i < chw.length; i++) chw[i] = 1 - chw[i];
  return chw;
}

/** Load image tensors once per distinct path (records often share none, but eval and train sets may). */
export async function loadImages(
  paths: readonly (string | undefined)[],
  root: string,
  config: VlmConfig,
  ids: readonly string[],
): Promise<Float32Array[]> {
  const blank = new Float32Array(imageValues(config)); // white, as the model sees it (toModelPixels)
  const cache = new Map<string, Promise<Float32Array>>();
  return mapPool([...paths.keys()], 4, async (i) => {
    const p = paths[i];
    if (p === undefined) return blank;
    const full = resolvePath(root, p);
    let hit = cache.get(full);
    if (!hit) {
      hit = loadImageTensor(full, config.imageSize, { problemId: ids[i] }).then(toModelPixels);
      cache.set(full, hit);
    }
    return hit;
  });
}

/** SFT examples -> token sequences (cut to `maxLength` = prompt + response tokens) with images. */
export async function encodeSftExamples(
  examples: readonly SftExample[],
  policy: PolicyState,
  imageRoot: string,
  maxLength: number,
): Promise<EncodedExample[]> {
  const images = await loadImages(
    examples.map((e) => e.images[0]),
    imageRoot,
    policy.config,
    examples.map((e) => e.id),
  );
  return examples.map((e, i) => {
    const seq = fitSequence(
      {
        promptIds: encodePrompt(policy.tokenizer, e.prompt),
        responseIds: encodeResponse(policy.tokenizer, e.response),
      },
      maxLength,
      i,
    );
    return { ...seq, id: e.id, image: images[i] as Float32Array, answer: e.answer, choices: null };
  });
}

/** RL problems -> prompt tokens with images (the response is sampled later). */
export async function encodeProblems(
  problems: readonly Problem[],
  policy: PolicyState,
  imageRoot: string,
  promptText: (p: Problem) => string,
): Promise<EncodedExample[]> {
  const images = await loadImages(
    problems.map((p) => p.images[0]),
    imageRoot,
    policy.config,
    problems.map((p) => p.id),
  );
  return problems.map((p, i) => {
    const promptIds = encodePrompt(policy.tokenizer, promptText(p));
    if (promptIds.length >= policy.config.maxTextLen) {
      throw new RangeError(
        `problem ${p.id}: its prompt is ${promptIds.length} tokens, the model holds ${policy.config.maxTextLen}`,
      );
    }
    return {
      promptIds,
      responseIds: [],
      id: p.id,
      image: images[i] as Float32Array,
      answer: p.answer,
      choices: p.choices,
    };
  });
}

/** examples[index], or a RangeError naming the index (a data-order bug, never bad input). */
export function exampleAt(examples: readonly EncodedExample[], index: number): EncodedExample {
  const e = examples[index];
  if (!e) throw new RangeError(`example index ${index} is outside 0..${examples.length - 1}`);
  return e;
}

/** Concatenate [C, H, W] images into one [B, C, H, W] buffer. */
export function stackImages(images: readonly Float32Array[]): Float32Array {
  const per = images[0]?.length ?? 0;
  const out = new Float32Array(per * images.length);
  images.forEach((img, b) => {
    out.set(img, b * per);
  });
  return out;
}

export interface HeldOut {
  /** Mean negative log-likelihood per response token (NaN when no example has a response). */
  readonly loss: number;
  /** Share of problems answered right by greedy decoding. */
  readonly accuracy: number;
  readonly count: number;
}

/**
 * Answers to `examples` — greedy by default, or sampled at `temperature` with `seed` (the paper validates at 0.5) —
 * graded by verify/'s accuracy reward against each gold answer. Returns the decoded texts too.
 */
export async function heldOutAccuracy(
  runtime: VlmRuntime,
  tokenizer: Tokenizer,
  examples: readonly EncodedExample[],
  opts: { maxTokens: number; temperature?: number; seed?: number; batchSize?: number },
): Promise<{ accuracy: number; texts: string[] }> {
  const texts: string[] = [];
  let right = 0;
  for (const [k, part] of chunks(examples, opts.batchSize ?? 64).entries()) {
    const out = await runtime.sample(
      { images: stackImages(part.map((e) => e.image)), prompts: part.map((e) => e.promptIds) },
      {
        temperature: opts.temperature ?? 0,
        seed: (opts.seed ?? 0) + k,
        maxTokens: opts.maxTokens,
        stopToken: tokenizer.eos,
        padToken: tokenizer.pad,
      },
    );
    out.forEach((r, i) => {
      const e = part[i] as EncodedExample;
      const text = tokenizer.decode(r.tokens);
      texts.push(text);
      if (judgeAnswer(text, { answer: e.answer, choices: e.choices }).correct) right++;
    });
  }
  return { accuracy: examples.length === 0 ? Number.NaN : right / examples.length, texts };
}

/** Mean response-token NLL of examples under the runtime's current parameters. */
export async function heldOutLoss(
  runtime: VlmRuntime,
  examples: readonly EncodedExample[],
  batchSize = 64,
): Promise<number> {
  let nll = 0;
  let count = 0;
  for (const part of chunks(
    examples.filter((e) => e.responseIds.length > 0),
    batchSize,
  )) {
    const lps = await runtime.logprobs({
      images: stackImages(part.map((e) => e.image)),
      tokens: part.map((e) => [...e.promptIds, ...e.responseIds]),
    });
    part.forEach((e, i) => {
      const lp = lps[i] as Float32Array;
      for (let k = 0; k < e.responseIds.length; k++) nll -= lp[e.promptIds.length - 1 + k];
      count += e.responseIds.length;
    });
  }
  return count === 0 ? Number.NaN : nll / count;
}
