/**
 * Prefix sharing: the rows of a batch that start exactly as an earlier row does (the same image values and the same
 * prefix tokens), such as a GRPO group's n samples of one prompt or `generate` with n > 1, need the prefill's keys,
 * values and log-probs only once. The prefill runs over the distinct rows; every row then reads its source row's
 * outputs. The values are those of a prefill over all rows (the same graph on the same inputs, up to float rounding in
 * the batch's matrix products).
 */

export interface SharedRows {
  /** Index of each distinct row's first occurrence, in batch order. */
  readonly distinct: readonly number[];
  /** For each row, its index into `distinct`. */
  readonly source: Int32Array;
}

/** Find the distinct rows of a batch: images [B, rowValues] and the token prefix every row is prefilled with. */
export function shareRows(images: Float32Array, prefix: readonly (readonly number[])[], rowValues: number): SharedRows {
  const distinct: number[] = [];
  const source = new Int32Array(prefix.length);
  // Rows are grouped by their tokens first, then compared value by value with each candidate's image (exact: no hash
  // collision can share a cache between two different rows).
  const byTokens = new Map<string, number[]>();
  prefix.forEach((tokens, b) => {
    const key = tokens.join(',');
    const candidates = byTokens.get(key) ?? [];
    const image = images.subarray(b * rowValues, (b + 1) * rowValues);
    const match = candidates.find((u) => {
      const other = images.subarray((distinct[u] as number) * rowValues, ((distinct[u] as number) + 1) * rowValues);
      for (let i = 0; i < rowValues; i++) if (image[i] !== other[i]) return false;
      return true;
    });
    if (match !== undefined) {
      source[b] = match;
      return;
    }
    source[b] = distinct.length;
    candidates.push(distinct.length);
    distinct.push(b);
    byTokens.set(key, candidates);
  });
  return { distinct, source };
}

/** The rows `rows` of a row-major [B, rowValues] array, in that order (with a `SharedRows.source`: distinct rows back to the batch). */
export function pickRows(data: Float32Array, rows: ArrayLike<number>, rowValues: number): Float32Array {
  const out = new Float32Array(rows.length * rowValues);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i] as number;
    out.set(data.subarray(r * rowValues, (r + 1) * rowValues), i * rowValues);
  }
  return out;
}

/** The prefill's inputs for the distinct rows of a batch: their images [U, rowValues] and prefix tokens, row by row. */
export function distinctPrefill(
  images: Float32Array,
  prefix: readonly (readonly number[])[],
  rowValues: number,
): SharedRows & { readonly images: Float32Array; readonly tokens: number[] } {
  const shared = shareRows(images, prefix, rowValues);
  return {
    ...shared,
    images: shared.distinct.length === prefix.length ? images : pickRows(images, shared.distinct, rowValues),
    tokens: shared.distinct.flatMap((b) => [...(prefix[b] as readonly number[])]),
  };
}
