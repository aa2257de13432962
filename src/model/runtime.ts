/**
 * Running the tiny VLM: per-token log-probs of given sequences (the RL loss's old/reference policy), logits, and
 * batched sampling with a KV cache (a prefill graph, then one decode-step graph per new token).
 *
 * Sampling keeps every row right-aligned on the same text position: rows whose prompt is longer than the shortest
 * one are fed their remaining prompt tokens through decode steps ("forced" tokens), so no padding mask is needed
 * and each sampled token's log-prob is computed exactly as the full-sequence forward computes it.
 *
 * The returned log-probs are those of the model's own distribution (temperature 1, no top-p), i.e. what the
 * full-sequence forward gives, unless `logprobTemperature` asks for log softmax(logits / T) (what an RL loss that scores
 * tokens at the rollout temperature needs as the old policy's log-probs); top-p shapes only which token is drawn.
 */
import { z } from 'zod';
import { createRng, DataError, type Rng } from '../core/index.ts';
import {
  asF32,
  type CompiledGraph,
  compile,
  createGraph,
  type HostTensor,
  i64,
  logSoftmax,
  type SessionOptions,
  slice,
  squeeze,
  type Tensor,
} from '../engine/index.ts';
import { imageValues, maxSeq, numPatches, type VlmConfig } from './config.ts';
import { type Params, paramSpecs } from './params.ts';
import { distinctPrefill, pickRows } from './shared-rows.ts';
import { declareParams, tokenLogprobs, vlmDecodeStep, vlmForward } from './vlm-graph.ts';

export interface VlmBatch {
  /** B images, row-major [B, C, H, W] float32 in [0, 1]. */
  readonly images: Float32Array;
  /** B token rows (each starting with <bos>); rows may differ in length. */
  readonly tokens: readonly (readonly number[])[];
}

export interface SampleBatch {
  readonly images: Float32Array;
  /** B prompts (each starting with <bos>), at least one token each. */
  readonly prompts: readonly (readonly number[])[];
  /**
   * Asked before every decode step for each unfinished row: true stops that row there (its client is gone), and the
   * loop ends as soon as every row is finished or stopped. A stopped row keeps the tokens it has, finish 'length'.
   */
  readonly cancelled?: (row: number) => boolean;
  /** Told each token as it is drawn for a row (streaming); the returned results are the authority. In-process only. */
  readonly onToken?: (row: number, token: number) => void;
  /**
   * Told every row's token at each text position from the shortest prompt's length on (drawn, the rest of a longer
   * prompt, or padding after a row ended), once per position, before the next step runs: e.g. a SequenceScorer's
   * `push`, which scores the rows under other weights while the sampling goes on. In-process only.
   */
  readonly onColumn?: (position: number, tokens: readonly number[]) => void;
}

export const SampleOptionsSchema = z.object({
  temperature: z.number().min(0).default(1).describe('softmax temperature; 0 = greedy (argmax)'),
  topP: z.number().gt(0).max(1).default(1).describe('nucleus sampling mass (Holtzman et al. 2020); 1 = off'),
  maxTokens: z.number().int().min(1).default(64).describe('most new tokens per row'),
  seed: z.number().int().default(0).describe('sampling seed; row b draws from an independent stream fork(b)'),
  stopToken: z
    .number()
    .int()
    .min(0)
    .optional()
    .describe('token id that ends a row (usually <eos>); it is kept in the output'),
  padToken: z.number().int().min(0).default(0).describe('token fed for rows that already stopped'),
  logprobTemperature: z
    .number()
    .positive()
    .default(1)
    .describe(
      'temperature of the returned log-probs: log softmax(logits / T) of each drawn token (1 = the model itself)',
    ),
  topLogprobs: z
    .number()
    .int()
    .min(0)
    .max(20)
    .default(0)
    .describe('also return, per new token, the k most likely tokens and their log-probs (at logprobTemperature)'),
});
export type SampleOptions = z.input<typeof SampleOptionsSchema>;

export interface SampleResult {
  /** New tokens (the stop token included when hit). */
  readonly tokens: number[];
  /** log p(token) under the model (at `logprobTemperature`, default 1) for each new token. */
  readonly logprobs: number[];
  /** With `topLogprobs` k > 0: per new token, the k most likely tokens, most likely first. */
  readonly topLogprobs?: TopLogprob[][];
  readonly finishReason: 'stop' | 'length';
}

export interface TopLogprob {
  readonly token: number;
  readonly logprob: number;
}

export interface VlmRuntime {
  readonly config: VlmConfig;
  /** Replace the weights (e.g. after a training step); compiled graphs are kept. */
  setParams(params: Params): void;
  /** Per row, log p(tokens[t] | tokens[<t], image) for t = 1..len-1 (length len-1). */
  logprobs(batch: VlmBatch): Promise<Float32Array[]>;
  /** Logits [B, T, V] at every text position (rows padded with `padToken` to the longest). */
  logits(batch: VlmBatch, padToken?: number): Promise<HostTensor>;
  sample(batch: SampleBatch, options?: SampleOptions): Promise<SampleResult[]>;
  /** Close the runtime's sessions (their memory is returned); the runtime cannot run afterwards. */
  release(): Promise<void>;
}

function checkImages(c: VlmConfig, images: Float32Array, rows: number, what: string): void {
  const per = imageValues(c);
  if (images.length !== rows * per) {
    throw new DataError(
      what,
      `images hold ${images.length} floats; ${rows} rows of [${c.channels}, ${c.imageSize}, ${c.imageSize}] need ${rows * per}`,
    );
  }
}

function padRows(
  rows: readonly (readonly number[])[],
  pad: number,
  vocab: number,
  what: string,
): { ids: number[]; T: number } {
  const T = Math.max(...rows.map((r) => r.length));
  const ids: number[] = [];
  rows.forEach((r, b) => {
    for (const t of r) {
      if (!Number.isInteger(t) || t < 0 || t >= vocab)
        throw new DataError(what, `row ${b} has token id ${t} outside [0, ${vocab})`);
    }
    ids.push(...r, ...new Array<number>(T - r.length).fill(pad));
  });
  return { ids, T };
}

/** Draw one token from log-probs `lp` (length V) with temperature and top-p. */
export function drawToken(lp: Float32Array, temperature: number, topP: number, rng: Rng): number {
  const V = lp.length;
  if (temperature === 0) {
    let best = 0;
    for (let i = 1; i < V; i++) if (lp[i] > lp[best]) best = i;
    return best;
  }
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < V; i++) max = Math.max(max, lp[i] / temperature);
  const w = new Float64Array(V);
  let sum = 0;
  for (let i = 0; i < V; i++) {
    w[i] = Math.exp(lp[i] / temperature - max);
    sum += w[i];
  }
  let order = [...Array(V).keys()];
  let mass = sum;
  if (topP < 1) {
    order.sort((a, b) => w[b] - w[a]);
    let acc = 0;
    let k = 0;
    while (k < V && acc < topP * sum) acc += w[order[k++]];
    order = order.slice(0, Math.max(1, k));
    mass = acc;
  }
  let u = rng.next() * mass;
  for (const i of order) {
    u -= w[i];
    if (u < 0) return i;
  }
  return order[order.length - 1];
}

/** log softmax(lp / T)[tok] for temperature-1 log-probs `lp` (length V): lp[tok] / T - logsumexp(lp / T). */
export function logprobAt(lp: Float32Array, tok: number, temperature: number): number {
  if (temperature === 1) return lp[tok];
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < lp.length; i++) max = Math.max(max, lp[i] / temperature);
  let sum = 0;
  for (let i = 0; i < lp.length; i++) sum += Math.exp(lp[i] / temperature - max);
  return lp[tok] / temperature - max - Math.log(sum);
}

/** The k most likely tokens of one log-prob row, most likely first (ties: lower id first), at `temperature`. */
export function topLogprobsAt(lp: Float32Array, k: number, temperature: number): TopLogprob[] {
  const top: number[] = [];
  for (let i = 0; i < lp.length; i++) {
    if (top.length === k && (lp[i] as number) <= (lp[top[k - 1] as number] as number)) continue;
    let j = top.length === k ? k - 1 : top.length;
    while (j > 0 && (lp[i] as number) > (lp[top[j - 1] as number] as number)) {
      top[j] = top[j - 1] as number;
      j--;
    }
    top[j] = i;
  }
  // Scaling by 1/T keeps the order; only the values change.
  return top.map((token) => ({ token, logprob: logprobAt(lp, token, temperature) }));
}

export async function createVlmRuntime(
  config: VlmConfig,
  params: Params,
  opts: { session?: Partial<SessionOptions> } = {},
): Promise<VlmRuntime> {
  const c = config;
  const specs = paramSpecs(c);
  let paramFeeds: Record<string, HostTensor> = {};
  const setParams = (p: Params) => {
    const feeds: Record<string, HostTensor> = {};
    for (const s of specs) {
      const data = p[s.name];
      const size = s.shape.reduce((a, b) => a * b, 1);
      if (!data || data.length !== size)
        throw new DataError('params', `parameter '${s.name}' is missing or not of size ${size}`);
      feeds[s.name] = { data, dims: s.shape };
    }
    paramFeeds = feeds;
  };
  setParams(params);

  const built: Promise<CompiledGraph>[] = [];
  const lazy = (build: () => Promise<CompiledGraph>) => {
    let p: Promise<CompiledGraph> | undefined;
    return () => {
      if (!p) {
        p = build();
        built.push(p);
      }
      return p;
    };
  };
  const imagesShape = ['B', c.channels, c.imageSize, c.imageSize] as const;
  const logprobGraph = lazy(() => {
    const g = createGraph();
    const p = declareParams(g, c);
    const { logits } = vlmForward(
      c,
      p,
      g.input('images', 'float32', imagesShape),
      g.input('tokens', 'int64', ['B', 'T']),
    );
    return compile({ logp: tokenLogprobs(logits, g.input('targets', 'int64', ['B', 'T'])) }, opts.session);
  });
  const logitsGraph = lazy(() => {
    const g = createGraph();
    const p = declareParams(g, c);
    const { logits } = vlmForward(
      c,
      p,
      g.input('images', 'float32', imagesShape),
      g.input('tokens', 'int64', ['B', 'T']),
    );
    return compile({ logits }, opts.session);
  });
  const prefillGraph = lazy(() => {
    const g = createGraph();
    const p = declareParams(g, c);
    const { logits, cache } = vlmForward(
      c,
      p,
      g.input('images', 'float32', imagesShape),
      g.input('tokens', 'int64', ['B', 'T']),
    );
    const outputs: Record<string, Tensor> = {
      logp: logSoftmax(squeeze(slice(logits, 1, -1), 1), -1),
    };
    cache.forEach((kv, i) => {
      outputs[`k${i}`] = kv.k;
      outputs[`v${i}`] = kv.v;
    });
    return compile(outputs, opts.session);
  });
  const M = maxSeq(c);
  const hd = c.dModel / c.nHeads;
  const decodeGraph = lazy(() => {
    const g = createGraph();
    const p = declareParams(g, c);
    const cache = [...Array(c.nLayers).keys()].map((i) => ({
      k: g.input(`cache_k${i}`, 'float32', ['B', c.nHeads, 'M', hd]),
      v: g.input(`cache_v${i}`, 'float32', ['B', c.nHeads, 'M', hd]),
    }));
    const tokens = g.input('tokens', 'int64', ['B', 1]);
    const step = vlmDecodeStep(
      c,
      p,
      tokens,
      g.input('textPos', 'int64', [1]),
      cache,
      g.input('keyBias', 'float32', ['M']),
    );
    const outputs: Record<string, Tensor> = { logp: step.logp };
    step.kv.forEach((kv, i) => {
      outputs[`k${i}`] = kv.k;
      outputs[`v${i}`] = kv.v;
    });
    return compile(outputs, opts.session);
  });

  const imageFeed = (images: Float32Array, B: number): HostTensor => ({
    data: images,
    dims: [B, c.channels, c.imageSize, c.imageSize],
  });

  return {
    config: c,
    setParams,
    async release() {
      for (const p of built.splice(0)) await (await p).release();
    },
    async logprobs(batch) {
      const B = batch.tokens.length;
      checkImages(c, batch.images, B, 'logprobs');
      for (const [b, r] of batch.tokens.entries()) {
        if (r.length < 2 || r.length > c.maxTextLen + 1) {
          throw new DataError('logprobs', `row ${b} has ${r.length} tokens; need 2..${c.maxTextLen + 1}`);
        }
      }
      const { ids, T } = padRows(batch.tokens, 0, c.vocabSize, 'logprobs');
      const inp: number[] = [];
      const tgt: number[] = [];
      for (let b = 0; b < B; b++) {
        inp.push(...ids.slice(b * T, b * T + T - 1));
        tgt.push(...ids.slice(b * T + 1, b * T + T));
      }
      const graph = await logprobGraph();
      const out = await graph.run({
        ...paramFeeds,
        images: imageFeed(batch.images, B),
        tokens: i64(inp, [B, T - 1]),
        targets: i64(tgt, [B, T - 1]),
      });
      const lp = asF32(out.logp, 'logp');
      return batch.tokens.map((r, b) => lp.slice(b * (T - 1), b * (T - 1) + r.length - 1));
    },
    async logits(batch, padToken = 0) {
      const B = batch.tokens.length;
      checkImages(c, batch.images, B, 'logits');
      const { ids, T } = padRows(batch.tokens, padToken, c.vocabSize, 'logits');
      if (T < 1 || T > c.maxTextLen) throw new DataError('logits', `rows need 1..${c.maxTextLen} tokens, got ${T}`);
      const graph = await logitsGraph();
      const out = await graph.run({ ...paramFeeds, images: imageFeed(batch.images, B), tokens: i64(ids, [B, T]) });
      return out.logits as HostTensor;
    },
    async sample(batch, options = {}) {
      const o = SampleOptionsSchema.parse(options);
      const B = batch.prompts.length;
      checkImages(c, batch.images, B, 'sample');
      if (B === 0) return [];
      padRows(batch.prompts, 0, c.vocabSize, 'sample');
      const lens = batch.prompts.map((r) => r.length);
      if (Math.min(...lens) < 1) throw new DataError('sample', 'every prompt needs at least one token (<bos>)');
      if (Math.max(...lens) > c.maxTextLen)
        throw new DataError(
          'sample',
          `a prompt of ${Math.max(...lens)} tokens leaves no room (maxTextLen ${c.maxTextLen})`,
        );
      const L0 = Math.min(...lens);
      // Rows that repeat an earlier row's image and first L0 tokens (a GRPO group, n > 1) share one prefill row.
      const shared = distinctPrefill(
        batch.images,
        batch.prompts.map((r) => r.slice(0, L0)),
        imageValues(c),
      );
      const U = shared.distinct.length;
      const prefill = await prefillGraph();
      const decode = await decodeGraph();
      let out = await prefill.run({
        ...paramFeeds,
        images: imageFeed(shared.images, U),
        tokens: i64(shared.tokens, [U, L0]),
      });
      const rngs = batch.prompts.map((_, b) => createRng(o.seed).fork(b));
      const results = batch.prompts.map(() => ({
        tokens: [] as number[],
        logprobs: [] as number[],
        ...(o.topLogprobs > 0 ? { topLogprobs: [] as TopLogprob[][] } : {}),
        finishReason: 'length' as 'stop' | 'length',
      }));
      const done = new Array<boolean>(B).fill(false);
      const V = c.vocabSize;
      // Fixed-capacity caches [B, H, M, HD]: the prefill fills positions [0, P + L0); each step's new key/value
      // is stored at its position by the host, and `keyBias` hides the positions not yet written.
      const P = numPatches(c);
      // Capacity: every position that can be fed (prompt + new tokens), at most the position table.
      const cap = Math.min(M, numPatches(c) + Math.max(...lens) + o.maxTokens);
      const caches = [...Array(2 * c.nLayers)].map(() => new Float32Array(B * c.nHeads * cap * hd));
      /** Store `count` positions from `from` of every row; `source` maps a row to its row of `src` (the prefill's). */
      const store = (name: string, from: number, count: number, src: Float32Array, source?: Int32Array) => {
        const j = (Number(name.slice(1)) << 1) | (name[0] === 'v' ? 1 : 0);
        const dst = caches[j] as Float32Array;
        const H = c.nHeads;
        for (let bh = 0; bh < B * H; bh++) {
          const sh = source ? (source[Math.floor(bh / H)] as number) * H + (bh % H) : bh;
          dst.set(src.subarray(sh * count * hd, (sh + 1) * count * hd), (bh * cap + from) * hd);
        }
      };
      const names = [...Array(c.nLayers).keys()].flatMap((i) => [`k${i}`, `v${i}`]);
      for (const n of names) store(n, 0, P + L0, asF32(out[n], n), shared.source);
      // The first step's log-probs, one row per batch row.
      const firstLogp = U === B ? undefined : pickRows(asF32(out.logp, 'logp'), shared.source, c.vocabSize);
      const keyBias = new Float32Array(cap);
      const cacheFeeds: Record<string, HostTensor> = {};
      for (let i = 0; i < c.nLayers; i++) {
        cacheFeeds[`cache_k${i}`] = { data: caches[2 * i] as Float32Array, dims: [B, c.nHeads, cap, hd] };
        cacheFeeds[`cache_v${i}`] = { data: caches[2 * i + 1] as Float32Array, dims: [B, c.nHeads, cap, hd] };
      }
      for (let t = L0; ; t++) {
        const lp = t === L0 && firstLogp ? firstLogp : asF32(out.logp, 'logp');
        const next = new Array<number>(B);
        if (batch.cancelled) for (let b = 0; b < B; b++) if (!done[b] && batch.cancelled(b)) done[b] = true;
        for (let b = 0; b < B; b++) {
          const prompt = batch.prompts[b] as readonly number[];
          const res = results[b] as SampleResult & { finishReason: 'stop' | 'length' };
          if (t < prompt.length) next[b] = prompt[t];
          else if (done[b]) next[b] = o.padToken;
          else {
            const row = lp.subarray(b * V, b * V + V);
            const tok = drawToken(row, o.temperature, o.topP, rngs[b] as Rng);
            res.tokens.push(tok);
            res.logprobs.push(logprobAt(row, tok, o.logprobTemperature));
            res.topLogprobs?.push(topLogprobsAt(row, o.topLogprobs, o.logprobTemperature));
            batch.onToken?.(b, tok);
            next[b] = tok;
            if (o.stopToken !== undefined && tok === o.stopToken) {
              done[b] = true;
              res.finishReason = 'stop';
            } else if (res.tokens.length >= o.maxTokens || t >= c.maxTextLen) done[b] = true;
          }
        }
        batch.onColumn?.(t, next);
        if (done.every(Boolean)) break;
        const past = P + t; // cached positions: the image and text positions [0, t)
        keyBias.fill(0, 0, past);
        keyBias.fill(-1e9, past);
        out = await decode.run({
          ...paramFeeds,
          ...cacheFeeds,
          tokens: i64(next, [B, 1]),
          textPos: i64([t], [1]),
          keyBias: { data: keyBias, dims: [cap] },
        });
        for (const n of names) store(n, past, 1, asF32(out[n], n));
      }
      return results;
    },
  };
}

/** Image tokens per image, re-exported for callers that lay out sequences. */
export const imageTokens = numPatches;
