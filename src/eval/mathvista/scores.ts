import type { MathVistaRecord } from '../../data/adapters/mathvista.ts';
import { pyFloatRepr, pyFormatFixed, pyRound } from '../python-compat.ts';

/**
 * MathVista's score file layout (`scores_*.json`, as published with the stored outputs):
 *   { average: { accuracy: "26.1", correct, total },            accuracy = str(round(100 * correct / total, 2))
 *     question_type: { multi_choice: { accuracy: "46.67", correct, total }, ... },   "{:.2f}" of the percentage
 *     answer_type, language, source, category, task, context, grade, skills }
 * Within a key, values are sorted by accuracy, highest first; ties keep the order of first appearance (pandas
 * `unique()`; for skills the official code iterates a Python set, whose order is arbitrary).
 */

export const MATHVISTA_SCORE_KEYS = [
  'question_type',
  'answer_type',
  'language',
  'source',
  'category',
  'task',
  'context',
  'grade',
  'skills',
] as const;
export type MathVistaScoreKey = (typeof MATHVISTA_SCORE_KEYS)[number];

export interface ScoreCell {
  readonly accuracy: string;
  readonly correct: number;
  readonly total: number;
}

export type MathVistaScores = { average: ScoreCell } & Record<MathVistaScoreKey, Record<string, ScoreCell>>;

function valuesOf(record: MathVistaRecord, key: MathVistaScoreKey): string[] {
  switch (key) {
    case 'question_type':
      return [record.question_type];
    case 'answer_type':
      return [record.answer_type];
    case 'skills':
      return record.metadata.skills;
    default:
      return [String(record.metadata[key])];
  }
}

/** The score file for scored rows (each row: its record, with the metadata to group by, and whether it was right). */
export function mathVistaScores(rows: readonly { record: MathVistaRecord; correct: boolean }[]): MathVistaScores {
  const total = rows.length;
  const correct = rows.filter((r) => r.correct).length;
  const average: ScoreCell = {
    accuracy: total === 0 ? '0.0' : pyFloatRepr(pyRound((correct / total) * 100, 2)),
    correct,
    total,
  };
  const out = { average } as MathVistaScores;
  for (const key of MATHVISTA_SCORE_KEYS) {
    const counts = new Map<string, { correct: number; total: number }>();
    for (const row of rows) {
      for (const value of new Set(valuesOf(row.record, key))) {
        const c = counts.get(value) ?? { correct: 0, total: 0 };
        c.total += 1;
        if (row.correct) c.correct += 1;
        counts.set(value, c);
      }
    }
    const cells = [...counts].map(([value, c]) => ({
      value,
      cell: { accuracy: pyFormatFixed((c.correct / c.total) * 100, 2), correct: c.correct, total: c.total },
    }));
    // The official sort key is float(accuracy string); Array.prototype.sort is stable like Python's sorted.
    cells.sort((a, b) => Number(b.cell.accuracy) - Number(a.cell.accuracy));
    out[key] = Object.fromEntries(cells.map((c) => [c.value, c.cell]));
  }
  return out;
}
