import type { RunSummary } from './loop.ts';

/**
 * The end-of-run table: accuracy per round and stage on the held-out test set, plus the paper's Table 10 line
 * (SFT_1 -> RL_1 -> SFT_2 -> RL_2 ...).
 */
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

export function formatSummaryTable(summary: RunSummary): string {
  const stageNames = [...new Set(summary.rounds.flatMap((r) => Object.keys(r.rlStages)))];
  const header = ['round', 'SFT', ...stageNames.map((s) => `RL ${s}`), 'RL - SFT'];
  const rows = summary.rounds.map((r) => [
    String(r.round),
    pct(r.sft.accuracy),
    ...stageNames.map((s) => {
      const v = r.rlStages[s];
      return v ? pct(v.accuracy) : '-';
    }),
    `${r.rl.accuracy >= r.sft.accuracy ? '+' : ''}${(100 * (r.rl.accuracy - r.sft.accuracy)).toFixed(1)}`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ');
  const chain = summary.rounds.map(
    (r) => `SFT_${r.round} ${pct(r.sft.accuracy)} -> RL_${r.round} ${pct(r.rl.accuracy)}`,
  );
  return [
    `accuracy on ${summary.test.name} (${summary.test.size} problems)`,
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    '',
    chain.join(' -> '),
  ].join('\n');
}
