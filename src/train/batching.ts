/**
 * Sequences -> padded token tensors with masks, the form the train-step graph consumes.
 *
 * Layout (right padding, text positions only; the model puts its image tokens in front by itself). With a full
 * sequence s = prompt ++ response of length n, T = (longest n) - 1:
 *   ids      [B, T]  s[0 .. n-2] then `pad` (the last token is only ever a target)
 *   targets  [B, T]  s[1 .. n-1] then `pad`: position t predicts s[t + 1]
 *   mask     [B, T]  1 where targets[t] is a response token (prompt and padding are masked out of every loss)
 * so the response token k of sequence b sits at target position promptLen[b] - 1 + k. Per-token RL values
 * (old / reference log-probs, advantages, aggregation weights) use the same [B, T] target positions.
 */

export interface TokenSequence {
  readonly promptIds: readonly number[];
  readonly responseIds: readonly number[];
}

export interface TokenBatch {
  readonly batch: number;
  /** Padded input length T (the longest sequence minus one). */
  readonly length: number;
  readonly ids: BigInt64Array;
  readonly targets: BigInt64Array;
  readonly mask: Float32Array;
  readonly promptLengths: readonly number[];
  /** Response tokens kept per sequence (after any cut to `maxLength`). */
  readonly responseLengths: readonly number[];
}

/**
 * Cut a sequence to at most `maxLength` tokens (prompt + response) by dropping response tokens from the end (the
 * prompt must fit: a prompt longer than the limit is the caller's error, reported with its index). For a model with
 * `maxTextLen` positions, maxLength is maxTextLen + 1 (the last token is never an input).
 */
export function fitSequence(seq: TokenSequence, maxLength: number, index = 0): TokenSequence {
  if (seq.promptIds.length < 1) throw new RangeError(`sequence ${index}: the prompt needs at least one token`);
  if (seq.promptIds.length >= maxLength) {
    throw new RangeError(
      `sequence ${index}: prompt of ${seq.promptIds.length} tokens leaves no room for a response within ${maxLength}`,
    );
  }
  const room = maxLength - seq.promptIds.length;
  return seq.responseIds.length <= room ? seq : { ...seq, responseIds: seq.responseIds.slice(0, room) };
}

/**
 * Pad sequences into one batch. `length` fixes T (it must fit every sequence); by default T is the longest minus one.
 *
 * Worked example: prompt [5,6], response [7,8], pad 0, T 4 ->
 *   ids [5,6,7,0], targets [6,7,8,0], mask [0,1,1,0].
 */
export function padBatch(seqs: readonly TokenSequence[], pad: number, length?: number): TokenBatch {
  const longest = seqs.reduce((m, s) => Math.max(m, s.promptIds.length + s.responseIds.length - 1), 1);
  const T = length ?? longest;
  if (T < longest) throw new RangeError(`padBatch: length ${T} is shorter than the longest sequence (${longest})`);
  const B = seqs.length;
  const ids = new BigInt64Array(B * T).fill(BigInt(pad));
  const targets = new BigInt64Array(B * T).fill(BigInt(pad));
  const mask = new Float32Array(B * T);
  seqs.forEach((s, b) => {
    const all = [...s.promptIds, ...s.responseIds];
    for (let t = 0; t + 1 < all.length; t++) {
      ids[b * T + t] = BigInt(all[t]);
      targets[b * T + t] = BigInt(all[t + 1]);
    }
    for (let k = 0; k < s.responseIds.length; k++) mask[b * T + s.promptIds.length - 1 + k] = 1;
  });
  return {
    batch: B,
    length: T,
    ids,
    targets,
    mask,
    promptLengths: seqs.map((s) => s.promptIds.length),
    responseLengths: seqs.map((s) => s.responseIds.length),
  };
}

/**
 * Scatter per-response-token values (one array per sequence, response order) into [B, T] target positions, zero
 * elsewhere. Used for old / reference log-probs and anything else aligned with the response tokens.
 */
export function scatterResponseValues(batch: TokenBatch, values: readonly (readonly number[])[]): Float32Array {
  const out = new Float32Array(batch.batch * batch.length);
  for (let b = 0; b < batch.batch; b++) {
    const row = values[b] ?? [];
    const n = batch.responseLengths[b] ?? 0;
    if (row.length < n) throw new RangeError(`sequence ${b}: ${row.length} values for ${n} response tokens`);
    const start = b * batch.length + (batch.promptLengths[b] ?? 0) - 1;
    for (let k = 0; k < n; k++) out[start + k] = row[k];
  }
  return out;
}

/** The inverse: read [B, T] values at the response positions back into one array per sequence. */
export function gatherResponseValues(batch: TokenBatch, values: Float32Array): number[][] {
  return batch.responseLengths.map((n, b) => {
    const start = b * batch.length + (batch.promptLengths[b] ?? 0) - 1;
    return Array.from(values.subarray(start, start + n));
  });
}

/** Split `items` into consecutive chunks of `size` (the last may be shorter). */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  if (!(size >= 1)) throw new RangeError(`chunk size must be >= 1, got ${size}`);
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
