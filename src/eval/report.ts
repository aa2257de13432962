import type { ScoreSummary } from './types.ts';

/**
 * The table `vlthink eval` prints: one headline row per benchmark, then each group's accuracies.
 *
 *   benchmark            correct   total   accuracy
 *   mathvision-testmini       31     304     10.20%
 *     level 1                 6      40     15.00%
 */
export function formatSummaryTable(summaries: readonly ScoreSummary[], options: { groups?: boolean } = {}): string {
  const rows: [string, string, string, string][] = [['benchmark', 'correct', 'total', 'accuracy']];
  for (const s of summaries) {
    rows.push([s.bench, String(s.correct), String(s.total), `${s.accuracy.toFixed(2)}%`]);
    if (options.groups === false) continue;
    for (const [group, cells] of Object.entries(s.groups)) {
      rows.push([`  ${group}`, '', '', '']);
      for (const [value, c] of Object.entries(cells)) {
        rows.push([`    ${value}`, String(c.correct), String(c.total), `${c.accuracy.toFixed(2)}%`]);
      }
    }
  }
  const width = [0, 1, 2, 3].map((col) => Math.max(...rows.map((r) => r[col]?.length ?? 0)));
  return rows
    .map((r) =>
      r.map((cell, col) => (col === 0 ? cell.padEnd(width[0] ?? 0) : cell.padStart(width[col] ?? 0))).join('  '),
    )
    .join('\n');
}
