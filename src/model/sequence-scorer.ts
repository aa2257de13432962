/**
 * Scoring sequences while they are being sampled: each row's per-token log-probs under a fixed set of parameters (a
 * frozen reference policy), at a temperature, computed chunk by chunk as the sampler hands over each new position.
 *
 * The scorer keeps its own KV cache: `begin` runs the images and the common prompt prefix through the model, then
 * every `minChunk` pushed positions run through one extend graph (vlmExtend: K positions against the cache). Run in a
 * worker thread (`createWorkerSequenceScorer`), this work overlaps the sampling, so a GRPO rollout gets the reference's
 * log-probs for little more than the sampling time; the values equal a full forward's to float tolerance.
 */
import { DataError } from '../core/index.ts';
import {
  asF32,
  compile,
  createGraph,
  type HostTensor,
  i64,
  logSoftmax,
  mul,
  type SessionOptions,
  type Tensor,
} from '../engine/index.ts';
import { imageValues, maxSeq, numPatches, type VlmConfig } from './config.ts';
import { type Params, paramSpecs } from './params.ts';
import { distinctPrefill } from './shared-rows.ts';
import { declareParams, vlmExtend, vlmForward } from './vlm-graph.ts';

export interface SequenceScorerOptions {
  readonly session?: Partial<SessionOptions>;
  /** Log-probs of softmax(logits / temperature) (1 = the model itself). */
  readonly temperature?: number;
  /** Pushed positions gathered before a chunk runs (fewer runs of larger products; default 16). */
  readonly minChunk?: number;
}

export interface SequenceScorer {
  /**
   * Start scoring B rows: their images and their first tokens (every row the same length, at least 1; `<bos>` first).
   * `lastPosition`, when known (the sampler's prompt + maxTokens), lets the chunks shrink towards it, so that little
   * is left to run once the last position arrives. Any unfinished scoring is dropped.
   */
  begin(images: Float32Array, prefix: readonly (readonly number[])[], lastPosition?: number): void;
  /** Every row's token at text position `position` (positions follow each other from the prefix length on). */
  push(position: number, tokens: readonly number[]): void;
  /**
   * Per row, log p(token j | tokens < j, image) at the scorer's temperature for j = 1..last (the prefix and every
   * pushed position): entry j - 1. Ends this scoring.
   */
  finish(): Promise<Float32Array[]>;
  /** Close the sessions. */
  release(): Promise<void>;
}

interface Scoring {
  readonly B: number;
  /** Tokens by text position (column per position), prefix included. */
  readonly columns: number[][];
  /** Per row, the log-probs found so far (entry j - 1 for position j). */
  readonly values: number[][];
  /** Positions [0, fed) have run through the model and sit in the cache. */
  fed: number;
  /** Positions [0, queued) are or will be fed by the runs queued so far. */
  queued: number;
  /** The last position that can be pushed (never fed: nothing follows it), or the model's last. */
  readonly last: number;
  /** Log-probs [B, V] of the position after the last fed one (from the last run's last position). */
  nextLogp: Float32Array | undefined;
  caches: Float32Array[];
  failed: Error | undefined;
}

const DEFAULT_MIN_CHUNK = 16;

/** A scorer in this thread (its runs block the thread; see `createWorkerSequenceScorer` for the overlapped one). */
export async function createSequenceScorer(
  config: VlmConfig,
  params: Params,
  opts: SequenceScorerOptions = {},
): Promise<SequenceScorer> {
  const c = config;
  const temperature = opts.temperature ?? 1;
  if (!(temperature > 0)) throw new RangeError(`sequence scorer: temperature must be > 0, got ${temperature}`);
  const minChunk = Math.max(1, Math.floor(opts.minChunk ?? DEFAULT_MIN_CHUNK));
  const paramFeeds: Record<string, HostTensor> = {};
  for (const s of paramSpecs(c)) {
    const data = params[s.name];
    const size = s.shape.reduce((a, b) => a * b, 1);
    if (!data || data.length !== size)
      throw new DataError('params', `parameter '${s.name}' is missing or not of size ${size}`);
    paramFeeds[s.name] = { data, dims: s.shape };
  }
  const scaled = (logits: Tensor) => logSoftmax(temperature === 1 ? logits : mul(logits, 1 / temperature), -1);
  const imagesShape = ['B', c.channels, c.imageSize, c.imageSize] as const;
  const hd = c.dModel / c.nHeads;
  const P = numPatches(c);
  const M = maxSeq(c);

  const prefillGraph = (() => {
    const g = createGraph();
    const p = declareParams(g, c);
    const images = g.input('images', 'float32', imagesShape);
    const { logits, cache } = vlmForward(c, p, images, g.input('tokens', 'int64', ['B', 'T']));
    const outputs: Record<string, Tensor> = { logp: scaled(logits) };
    cache.forEach((kv, i) => {
      outputs[`k${i}`] = kv.k;
      outputs[`v${i}`] = kv.v;
    });
    return compile(outputs, opts.session);
  })();
  const extendGraph = (() => {
    const g = createGraph();
    const p = declareParams(g, c);
    const cache = [...Array(c.nLayers).keys()].map((i) => ({
      k: g.input(`cache_k${i}`, 'float32', ['B', c.nHeads, 'M', hd]),
      v: g.input(`cache_v${i}`, 'float32', ['B', c.nHeads, 'M', hd]),
    }));
    const tokens = g.input('tokens', 'int64', ['B', 'K']);
    const bias = g.input('bias', 'float32', ['K', 'M+K']);
    const step = vlmExtend(c, p, tokens, g.input('textPos', 'int64', [1]), cache, bias);
    const outputs: Record<string, Tensor> = { logp: scaled(step.logits) };
    step.kv.forEach((kv, i) => {
      outputs[`k${i}`] = kv.k;
      outputs[`v${i}`] = kv.v;
    });
    return compile(outputs, opts.session);
  })();
  const [prefill, extend] = await Promise.all([prefillGraph, extendGraph]);
  const names = [...Array(c.nLayers).keys()].flatMap((i) => [`k${i}`, `v${i}`]);
  const V = c.vocabSize;

  let current: Scoring | undefined;
  let work: Promise<void> = Promise.resolve();
  let released = false;

  /**
   * Copy keys/values [B, H, count, HD] of positions [from, from + count) into the capacity-M caches; with `source`, row b
   * reads row source[b] of the output (a prefill over the distinct rows).
   */
  const store = (s: Scoring, out: Record<string, HostTensor>, from: number, count: number, source?: Int32Array) => {
    const H = c.nHeads;
    names.forEach((n, j) => {
      const src = asF32(out[n], n);
      const dst = s.caches[j] as Float32Array;
      for (let bh = 0; bh < s.B * H; bh++) {
        const sh = source ? (source[Math.floor(bh / H)] as number) * H + (bh % H) : bh;
        dst.set(src.subarray(sh * count * hd, (sh + 1) * count * hd), (bh * M + from) * hd);
      }
    });
  };
  /**
   * Record the log-probs of positions [from, from + count) of every row: a run over positions [first, first + K)
   * gave `logp` [B, K, V], whose row p - 1 - first predicts position p.
   */
  const record = (
    s: Scoring,
    logp: Float32Array,
    K: number,
    first: number,
    from: number,
    count: number,
    source?: Int32Array,
  ) => {
    for (let b = 0; b < s.B; b++) {
      const vals = s.values[b] as number[];
      const row = source ? (source[b] as number) : b;
      for (let p = from; p < from + count; p++) {
        const tok = (s.columns[p] as number[])[b] as number;
        vals[p - 1] = logp[(row * K + p - 1 - first) * V + tok] as number;
      }
    }
  };
  /** Score position `fed` with the held log-probs, then run positions [fed, end) and score [fed + 1, end). */
  const runChunk = async (s: Scoring, end: number) => {
    const from = s.fed;
    const K = end - from;
    if (K <= 0) return;
    if (!s.nextLogp) throw new Error('sequence scorer: no log-probs for the next position (begin was not run)');
    const held = s.nextLogp;
    for (let b = 0; b < s.B; b++) {
      const tok = (s.columns[from] as number[])[b] as number;
      (s.values[b] as number[])[from - 1] = held[b * V + tok] as number;
    }
    const ids: number[] = [];
    for (let b = 0; b < s.B; b++) for (let j = from; j < end; j++) ids.push((s.columns[j] as number[])[b] as number);
    // Row j (position from + j) sees the cache's written positions [0, P + from) and the new positions up to itself.
    const bias = new Float32Array(K * (M + K)).fill(-1e9);
    for (let j = 0; j < K; j++) {
      bias.fill(0, j * (M + K), j * (M + K) + P + from);
      bias.fill(0, j * (M + K) + M, j * (M + K) + M + j + 1);
    }
    const feeds: Record<string, HostTensor> = {
      ...paramFeeds,
      tokens: i64(ids, [s.B, K]),
      textPos: i64([from], [1]),
      bias: { data: bias, dims: [K, M + K] },
    };
    names.forEach((n, j) => {
      feeds[`cache_${n}`] = { data: s.caches[j] as Float32Array, dims: [s.B, c.nHeads, M, hd] };
    });
    const out = await extend.run(feeds);
    if (current !== s) return;
    const logp = asF32(out.logp, 'logp');
    record(s, logp, K, from, from + 1, K - 1);
    store(s, out, P + from, K);
    s.nextLogp = lastRow(logp, s.B, K);
    s.fed = end;
  };
  const lastRow = (logp: Float32Array, B: number, K: number, source?: Int32Array) => {
    const row = new Float32Array(B * V);
    for (let b = 0; b < B; b++) {
      const r = source ? (source[b] as number) : b;
      row.set(logp.subarray((r * K + K - 1) * V, (r * K + K) * V), b * V);
    }
    return row;
  };
  const enqueue = (s: Scoring, job: () => Promise<void>) => {
    work = work.then(async () => {
      if (current !== s || s.failed) return;
      try {
        await job();
      } catch (err) {
        s.failed = err instanceof Error ? err : new Error(String(err));
      }
    });
  };
  /**
   * Queue a run over the gathered positions once `minChunk` wait (every one when `final`). The last position is only
   * scored (by its predecessor's run), never fed. Towards `last` the chunks halve (16, 8, 4, 2, 1), so that the run
   * over the position before the last one starts while the sampler computes the last, and little is left after it.
   */
  const drain = (s: Scoring, final: boolean) => {
    const ready = Math.min(s.columns.length - (final ? 1 : 0), s.last);
    const left = s.last - s.queued;
    const need = final ? 1 : Math.max(1, Math.min(minChunk, Math.ceil(left / 2)));
    if (ready - s.queued >= need) {
      const end = ready;
      s.queued = end;
      enqueue(s, () => runChunk(s, end));
    }
  };

  return {
    begin(images, prefix, lastPosition) {
      if (released) throw new Error('sequence scorer: released');
      const B = prefix.length;
      const L0 = prefix[0]?.length ?? 0;
      if (B === 0 || L0 < 1 || prefix.some((r) => r.length !== L0))
        throw new DataError(
          'sequence scorer',
          `begin needs rows of one length >= 1, got [${prefix.map((r) => r.length)}]`,
        );
      if (images.length !== B * imageValues(c))
        throw new DataError(
          'sequence scorer',
          `images hold ${images.length} floats; ${B} rows need ${B * imageValues(c)}`,
        );
      const columns: number[][] = [];
      for (let j = 0; j < L0; j++) columns.push(prefix.map((r) => r[j] as number));
      const s: Scoring = {
        B,
        columns,
        values: prefix.map(() => []),
        fed: 0,
        queued: L0,
        last: Math.max(L0, Math.min(lastPosition ?? c.maxTextLen, c.maxTextLen)),
        nextLogp: undefined,
        caches: names.map(() => new Float32Array(B * c.nHeads * M * hd)),
        failed: undefined,
      };
      current = s;
      enqueue(s, async () => {
        // Rows that repeat an earlier row (a GRPO group's samples of one prompt) share one prefill row.
        const shared = distinctPrefill(images, prefix, imageValues(c));
        const U = shared.distinct.length;
        const out = await prefill.run({
          ...paramFeeds,
          images: { data: shared.images, dims: [U, c.channels, c.imageSize, c.imageSize] },
          tokens: i64(shared.tokens, [U, L0]),
        });
        if (current !== s) return;
        const logp = asF32(out.logp, 'logp');
        record(s, logp, L0, 0, 1, L0 - 1, shared.source);
        store(s, out, 0, P + L0, shared.source);
        s.nextLogp = lastRow(logp, B, L0, shared.source);
        s.fed = L0;
      });
    },
    push(position, tokens) {
      const s = current;
      if (!s) throw new Error('sequence scorer: push before begin');
      if (position !== s.columns.length)
        throw new DataError('sequence scorer', `pushed position ${position}, expected ${s.columns.length}`);
      if (tokens.length !== s.B)
        throw new DataError('sequence scorer', `position ${position} has ${tokens.length} tokens for ${s.B} rows`);
      if (position > s.last)
        throw new DataError('sequence scorer', `position ${position} is past the last one announced (${s.last})`);
      s.columns.push(
        tokens.map((t) => {
          if (!Number.isInteger(t) || t < 0 || t >= V)
            throw new DataError('sequence scorer', `token id ${t} outside [0, ${V})`);
          return t;
        }),
      );
      drain(s, false);
    },
    async finish() {
      const s = current;
      if (!s) throw new Error('sequence scorer: finish before begin');
      drain(s, true);
      await work;
      current = undefined;
      if (s.failed) throw s.failed;
      const last = s.columns.length - 1;
      if (last > s.fed - 1 && s.nextLogp) {
        // The newest position: scored with the held log-probs of its predecessor.
        for (let b = 0; b < s.B; b++) {
          const tok = (s.columns[last] as number[])[b] as number;
          (s.values[b] as number[])[last - 1] = s.nextLogp[b * V + tok] as number;
        }
      }
      return s.values.map((v) => Float32Array.from(v));
    },
    async release() {
      if (released) return;
      released = true;
      current = undefined;
      await work;
      await prefill.release();
      await extend.release();
    },
  };
}
