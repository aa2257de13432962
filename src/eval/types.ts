/** One judged problem, as `vlthink score --out` writes it (id = the benchmark's own pid / id). */
export interface ScoredRow {
  readonly id: string;
  /** What the extractor pulled out of the response (before normalization). */
  readonly extraction: string;
  /** The normalized answer that was compared with the gold one; null where the official code yields None. */
  readonly prediction: string | null;
  readonly correct: boolean;
}

/** Headline numbers every benchmark reports, beside its official score layout. */
export interface ScoreSummary {
  readonly bench: string;
  readonly correct: number;
  readonly total: number;
  /** Percent, 0-100. */
  readonly accuracy: number;
  /** Per-group accuracies (percent) for the table: group -> value -> { correct, total, accuracy }. */
  readonly groups: Readonly<Record<string, Readonly<Record<string, GroupCell>>>>;
}

export interface GroupCell {
  readonly correct: number;
  readonly total: number;
  readonly accuracy: number;
}

/** The result of scoring one benchmark: per-row verdicts, the official score file, and the summary. */
export interface BenchScore {
  readonly rows: readonly ScoredRow[];
  /** The benchmark's own score layout (MathVista scores_*.json, MATH-V *_result.json, ...). */
  readonly official: unknown;
  readonly summary: ScoreSummary;
}

/** Accuracy in percent; 0 for an empty group. */
export function percent(correct: number, total: number): number {
  return total === 0 ? 0 : (100 * correct) / total;
}

/** Groups rows by a key function (one row may fall in several values, e.g. skills) into GroupCells, first-seen order. */
export function groupAccuracy<T>(
  rows: readonly T[],
  valuesOf: (row: T) => readonly string[],
  correctOf: (row: T) => boolean,
): Record<string, GroupCell> {
  const counts = new Map<string, { correct: number; total: number }>();
  for (const row of rows) {
    for (const value of new Set(valuesOf(row))) {
      const c = counts.get(value) ?? { correct: 0, total: 0 };
      c.total += 1;
      if (correctOf(row)) c.correct += 1;
      counts.set(value, c);
    }
  }
  return Object.fromEntries([...counts].map(([value, c]) => [value, { ...c, accuracy: percent(c.correct, c.total) }]));
}
