import { mapPool } from '../../core/index.ts';
import type { MathVistaRecord } from '../../data/adapters/mathvista.ts';
import type { ScoredRow } from '../types.ts';
import { extractMathVista, type MathVistaExtractOptions } from './extract.ts';
import { type IntegerRule, mathVistaCorrect, normalizeMathVista } from './normalize.ts';
import { type MathVistaScores, mathVistaScores } from './scores.ts';

export * from './extract.ts';
export * from './normalize.ts';
export * from './scores.ts';

export interface MathVistaScoreOptions extends MathVistaExtractOptions {
  readonly integerRule: IntegerRule;
  /** Use a record's stored `extraction` when it has one (the official pipeline skips extraction then). */
  readonly useStoredExtraction: boolean;
  /** LLM calls in flight at once. */
  readonly concurrency?: number;
}

/** Extract (unless stored), normalize and judge each record's `response`; then the official score file. */
export async function scoreMathVista(
  records: readonly MathVistaRecord[],
  options: MathVistaScoreOptions,
): Promise<{ rows: ScoredRow[]; scores: MathVistaScores }> {
  const judged = await mapPool(
    records,
    options.concurrency ?? 8,
    async (record) => {
      const stored = options.useStoredExtraction && record.extraction !== undefined && record.extraction !== null;
      const extraction: unknown = stored
        ? record.extraction
        : (await extractMathVista(record.response ?? '', record, options)).extraction;
      const prediction = normalizeMathVista(extraction, record, options.integerRule);
      return { record, extraction, prediction, correct: mathVistaCorrect(prediction, record.answer) };
    },
    options.signal,
  );
  const rows: ScoredRow[] = judged.map((j) => ({
    id: j.record.pid,
    extraction: typeof j.extraction === 'string' ? j.extraction : JSON.stringify(j.extraction ?? null),
    prediction: j.prediction,
    correct: j.correct,
  }));
  return { rows, scores: mathVistaScores(judged) };
}
