/**
 * The tiny VLM as IR: images cut into patches and linearly embedded (ViT-style, no conv), then a decoder-only
 * pre-LayerNorm transformer over [image tokens ; text tokens] with full causal attention, learned positions, tanh-GELU
 * MLP and an untied head — the same model as the PyTorch reference that `npm run bench -- engine` compares against.
 *
 * Text position t's logits predict text token t+1 (feed tokens[:, :-1], score targets tokens[:, 1:]). Batch and text
 * length are symbolic ('B', 'T'), so one compiled graph serves every shape.
 */
import {
  add,
  cast,
  concat,
  dimOf,
  fixedDim,
  fusedMatmul,
  type Graph,
  gather,
  gatherElements,
  gelu,
  greater,
  layerNorm,
  logSoftmax,
  matmul,
  mul,
  range,
  reduceSum,
  reshape,
  reshapeDynamic,
  shapeOf,
  slice,
  softmax,
  split,
  squeeze,
  type Tensor,
  transpose,
  unsqueeze,
} from '../engine/index.ts';
import { numPatches, type VlmConfig } from './config.ts';
import { paramSpecs } from './params.ts';

export type ParamTensors = Readonly<Record<string, Tensor>>;

function param(p: ParamTensors, name: string): Tensor {
  const t = p[name];
  if (!t) throw new Error(`VLM graph: parameter '${name}' was not provided`);
  return t;
}

/** Declare every parameter as a graph input (inference graphs; training graphs get them from compileTrainStep). */
export function declareParams(g: Graph, c: VlmConfig): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  for (const s of paramSpecs(c)) out[s.name] = g.input(s.name, 'float32', s.shape);
  return out;
}

/**
 * x @ w + b. Rank-3 inputs are flattened to [B*S, K] first so that ONNX Runtime fuses MatMul + Add into one Gemm
 * (the bias costs no extra pass), then reshaped back.
 */
function linear(x: Tensor, w: Tensor, b?: Tensor): Tensor {
  if (x.shape.length !== 3) return b ? add(matmul(x, w), b) : matmul(x, w);
  const [B, S, K] = x.shape as [string | number, string | number, number];
  const N = fixedDim(w, 1, 'linear weight');
  const x2 = reshape(x, [-1, K]);
  const y2 = b ? add(matmul(x2, w), b) : matmul(x2, w);
  return reshapeDynamic(y2, concat([shapeOf(x, 0, 2), x.graph.ints([N])], 0), [B, S, N]);
}

/** [B, C, H, W] in [0, 1] -> [B, P, D] patch embeddings. */
export function encodeImages(c: VlmConfig, p: ParamTensors, images: Tensor): Tensor {
  const g = c.imageSize / c.patchSize;
  const B = images.shape[0] as string | number;
  const x6 = reshape(images, [B, c.channels, g, c.patchSize, g, c.patchSize]);
  const patches = reshape(transpose(x6, [0, 2, 4, 1, 3, 5]), [B, g * g, c.channels * c.patchSize * c.patchSize]);
  return linear(patches, param(p, 'patch.w'), param(p, 'patch.b')); // [B, P, D]
}

/** [B, S, D] -> [B, H, S, HD] */
function heads(c: VlmConfig, t: Tensor): Tensor {
  const [B, S] = t.shape as [string | number, string | number];
  return transpose(reshape(t, [B, S, c.nHeads, c.dModel / c.nHeads]), [0, 2, 1, 3]);
}

export interface BlockOut {
  readonly x: Tensor;
  /** Keys and values of this call's positions, [B, H, S, HD]. */
  readonly k: Tensor;
  readonly v: Tensor;
}

/** Attention output projection + residual, then the MLP + residual. att: [B, H, S, HD]. */
function blockTail(c: VlmConfig, p: ParamTensors, i: number, x: Tensor, att: Tensor): Tensor {
  const n = `blocks.${i}`;
  const [B, S] = x.shape as [string | number, string | number];
  const merged = reshape(transpose(att, [0, 2, 1, 3]), [B, S, c.dModel]);
  const x1 = add(x, linear(merged, param(p, `${n}.attn.proj.w`), param(p, `${n}.attn.proj.b`)));
  const h2 = layerNorm(x1, param(p, `${n}.ln2.g`), param(p, `${n}.ln2.b`), c.lnEps);
  const m = gelu(linear(h2, param(p, `${n}.mlp.fc1.w`), param(p, `${n}.mlp.fc1.b`)));
  return add(x1, linear(m, param(p, `${n}.mlp.fc2.w`), param(p, `${n}.mlp.fc2.b`)));
}

/** LayerNorm + QKV projection: q, k, v as [B, H, S, HD]. */
function qkvHeads(c: VlmConfig, p: ParamTensors, i: number, x: Tensor): [Tensor, Tensor, Tensor] {
  const n = `blocks.${i}`;
  const D = c.dModel;
  const h = layerNorm(x, param(p, `${n}.ln1.g`), param(p, `${n}.ln1.b`), c.lnEps);
  const qkv = linear(h, param(p, `${n}.attn.qkv.w`), param(p, `${n}.attn.qkv.b`));
  const [q, k, v] = split(qkv, -1, [D, D, D]) as [Tensor, Tensor, Tensor];
  return [heads(c, q), heads(c, k), heads(c, v)];
}

/**
 * One pre-LN block over a whole sequence; `mask` [S, S] is additive (0 / -1e9). With `queriesFrom` > 0 only the
 * positions from there on are computed past the keys and values (attention rows, projection, MLP): the output is
 * [B, S - queriesFrom, D]. The last block uses it to skip the image positions, whose outputs nothing reads.
 */
export function block(c: VlmConfig, p: ParamTensors, i: number, x: Tensor, mask: Tensor, queriesFrom = 0): BlockOut {
  const [qAll, k, v] = qkvHeads(c, p, i, x);
  const q = queriesFrom > 0 ? slice(qAll, 2, queriesFrom) : qAll;
  const rows = queriesFrom > 0 ? slice(mask, 0, queriesFrom) : mask;
  // scores = q k^T / sqrt(HD): one fused kernel, no transposed copy of k.  [B, H, S', S]
  const scores = add(rows, fusedMatmul(q, k, false, true, 1 / Math.sqrt(c.dModel / c.nHeads)));
  const att = matmul(softmax(scores, -1), v); // [B, H, S', HD]
  const residual = queriesFrom > 0 ? slice(x, 1, queriesFrom) : x;
  return { x: blockTail(c, p, i, residual, att), k, v };
}

/**
 * One block for one new position with a fixed-capacity KV cache: `x` is [B, D] (the one position of each row, kept
 * 2-D so that every projection is a plain Gemm and splitting into heads is a free reshape: with one position no
 * transpose is needed); `cache` holds keys/values [B, H, M, HD] of which the first `past` positions are valid;
 * `keyBias` [M] is 0 there and -1e9 beyond. The new position attends to the cache and to itself, so no step copies
 * the cache; the caller writes the returned k, v [B, H, 1, HD] into it.
 */
export function decodeBlock(
  c: VlmConfig,
  p: ParamTensors,
  i: number,
  x: Tensor,
  cache: { k: Tensor; v: Tensor },
  keyBias: Tensor,
): BlockOut {
  const n = `blocks.${i}`;
  const D = c.dModel;
  const B = x.shape[0] as string | number;
  const toHeads = (t: Tensor) => reshape(t, [B, c.nHeads, 1, D / c.nHeads]); // [B, D] -> [B, H, 1, HD]
  const h = layerNorm(x, param(p, `${n}.ln1.g`), param(p, `${n}.ln1.b`), c.lnEps);
  const qkv = add(matmul(h, param(p, `${n}.attn.qkv.w`)), param(p, `${n}.attn.qkv.b`)); // [B, 3D]
  const [q, k, v] = split(qkv, -1, [D, D, D]).map(toHeads) as [Tensor, Tensor, Tensor];
  const scale = 1 / Math.sqrt(D / c.nHeads);
  const sPast = add(fusedMatmul(q, cache.k, false, true, scale), keyBias); // [B, H, 1, M]
  // q . k of the new position with itself: one elementwise product and sum, not B x H one-element matmuls.
  const sSelf = mul(reduceSum(mul(q, k), [-1], true), scale); // [B, H, 1, 1]
  const probs = softmax(concat([sPast, sSelf], -1), -1); // [B, H, 1, M + 1]
  const pPast = slice(probs, -1, 0, -1);
  const pSelf = slice(probs, -1, -1);
  const att = reshape(add(matmul(pPast, cache.v), mul(pSelf, v)), [B, D]); // [B, D]
  const x1 = add(x, add(matmul(att, param(p, `${n}.attn.proj.w`)), param(p, `${n}.attn.proj.b`)));
  const h2 = layerNorm(x1, param(p, `${n}.ln2.g`), param(p, `${n}.ln2.b`), c.lnEps);
  const m = gelu(add(matmul(h2, param(p, `${n}.mlp.fc1.w`)), param(p, `${n}.mlp.fc1.b`)));
  return { x: add(x1, add(matmul(m, param(p, `${n}.mlp.fc2.w`)), param(p, `${n}.mlp.fc2.b`))), k, v };
}

/** Additive causal mask [S, S] for the run-time length of axis 1 of `x`: 0 on and below the diagonal, -1e9 above. */
export function causalMask(x: Tensor): Tensor {
  const r = range(dimOf(x, 1));
  const above = greater(unsqueeze(r, 0), unsqueeze(r, 1)); // [S, S]: key index > query index
  return mul(cast(above, 'float32'), -1e9);
}

export interface ForwardOut {
  /** [B, T, V] logits at the text positions. */
  readonly logits: Tensor;
  /** Per layer, keys and values over all positions [B, H, P + T, HD] (for prefill). */
  readonly cache: readonly { k: Tensor; v: Tensor }[];
}

/** Full forward: images [B, C, H, W] float32 in [0, 1], tokens [B, T] int64 -> logits [B, T, V]. */
export function vlmForward(c: VlmConfig, p: ParamTensors, images: Tensor, tokens: Tensor): ForwardOut {
  const img = encodeImages(c, p, images); // [B, P, D]
  const txt = gather(param(p, 'tok'), tokens); // [B, T, D]
  let x = concat([img, txt], 1); // [B, P + T, D]
  x = add(x, gather(param(p, 'pos'), range(dimOf(x, 1)))); // learned positions [P + T, D]
  const mask = causalMask(x);
  const cache: { k: Tensor; v: Tensor }[] = [];
  for (let i = 0; i < c.nLayers; i++) {
    // The last block computes the text positions only: the logits read nothing else.
    const out = block(c, p, i, x, mask, i === c.nLayers - 1 ? numPatches(c) : 0);
    x = out.x;
    cache.push({ k: out.k, v: out.v });
  }
  const text = c.nLayers > 0 ? x : slice(x, 1, numPatches(c)); // [B, T, D]
  const logits = matmul(layerNorm(text, param(p, 'lnf.g'), param(p, 'lnf.b'), c.lnEps), param(p, 'head.w'));
  return { logits, cache };
}

/** log p(target) per position: logits [B, T, V], targets [B, T] int64 -> [B, T]. */
export function tokenLogprobs(logits: Tensor, targets: Tensor): Tensor {
  return squeeze(gatherElements(logSoftmax(logits, -1), unsqueeze(targets, -1), -1), -1);
}

/**
 * One decoding step: tokens [B, 1] at text position `textPos` (int64 [1]), with each layer's fixed-capacity cache
 * [B, H, M, HD] and `keyBias` [M] (see decodeBlock) -> log-probs of the next token [B, V] and each layer's new key and
 * value [B, H, 1, HD] for the caller to store at position `past`.
 */
export function vlmDecodeStep(
  c: VlmConfig,
  p: ParamTensors,
  tokens: Tensor,
  textPos: Tensor,
  cache: readonly { k: Tensor; v: Tensor }[],
  keyBias: Tensor,
): { logp: Tensor; kv: { k: Tensor; v: Tensor }[] } {
  const posRow = gather(param(p, 'pos'), add(textPos, tokens.graph.scalar(numPatches(c), 'int64'))); // [1, D]
  let x = add(gather(param(p, 'tok'), squeeze(tokens, 1)), posRow); // [B, D]
  const kv: { k: Tensor; v: Tensor }[] = [];
  for (let i = 0; i < c.nLayers; i++) {
    const layerCache = cache[i];
    if (!layerCache) throw new Error(`vlmDecodeStep: no cache for layer ${i}`);
    const out = decodeBlock(c, p, i, x, layerCache, keyBias);
    x = out.x;
    kv.push({ k: out.k, v: out.v });
  }
  const h = layerNorm(x, param(p, 'lnf.g'), param(p, 'lnf.b'), c.lnEps); // [B, D]
  return { logp: logSoftmax(matmul(h, param(p, 'head.w')), -1), kv };
}

/**
 * One block for K new positions with a fixed-capacity KV cache (decodeBlock for a chunk of positions): `x` [B, K, D];
 * `cache` keys/values [B, H, M, HD]. The new positions attend to the cache and to themselves: keys and values are
 * [cache ; new] along the positions, and `bias` [K, M + K] (0 / -1e9) hides the cache's unwritten positions and
 * each new position's successors.
 */
export function extendBlock(
  c: VlmConfig,
  p: ParamTensors,
  i: number,
  x: Tensor,
  cache: { k: Tensor; v: Tensor },
  bias: Tensor,
): BlockOut {
  const [q, k, v] = qkvHeads(c, p, i, x);
  const keys = concat([cache.k, k], 2); // [B, H, M + K, HD]
  const values = concat([cache.v, v], 2);
  const scores = add(bias, fusedMatmul(q, keys, false, true, 1 / Math.sqrt(c.dModel / c.nHeads))); // [B, H, K, M + K]
  const att = matmul(softmax(scores, -1), values); // [B, H, K, HD]
  return { x: blockTail(c, p, i, x, att), k, v };
}

/**
 * K new text positions at once against each layer's fixed-capacity cache (scoring a sequence chunk by chunk as it
 * grows): tokens [B, K] starting at text position `textPos` (int64 [1]), each layer's cache [B, H, M, HD] and `bias`
 * [K, M + K] (see extendBlock) -> logits [B, K, V] and each layer's keys and values of the new positions
 * [B, H, K, HD] for the caller to store from position `past`.
 */
export function vlmExtend(
  c: VlmConfig,
  p: ParamTensors,
  tokens: Tensor,
  textPos: Tensor,
  cache: readonly { k: Tensor; v: Tensor }[],
  bias: Tensor,
): { logits: Tensor; kv: { k: Tensor; v: Tensor }[] } {
  const g = tokens.graph;
  const at = add(range(dimOf(tokens, 1)), add(textPos, g.scalar(numPatches(c), 'int64'))); // [K]
  let x = add(gather(param(p, 'tok'), tokens), gather(param(p, 'pos'), at)); // [B, K, D]
  const kv: { k: Tensor; v: Tensor }[] = [];
  for (let i = 0; i < c.nLayers; i++) {
    const layerCache = cache[i];
    if (!layerCache) throw new Error(`vlmExtend: no cache for layer ${i}`);
    const out = extendBlock(c, p, i, x, layerCache, bias);
    x = out.x;
    kv.push({ k: out.k, v: out.v });
  }
  const logits = matmul(layerNorm(x, param(p, 'lnf.g'), param(p, 'lnf.b'), c.lnEps), param(p, 'head.w'));
  return { logits, kv };
}
