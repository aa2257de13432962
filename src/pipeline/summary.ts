import type { RunSummary } from './loop.ts';

/**
 * The end-of-run table: accuracy per round and stage on the held-out test set, the paper's Table 10 line
 * (SFT_1 -> RL_1 -> SFT_2 -> RL_2 ...), and, when the test set mixes sources (world families), each source's
 * accuracy at every round's SFT and final RL checkpoint.
 */
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}

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
  const chain = summary.rounds.map(
    (r) => `SFT_${r.round} ${pct(r.sft.accuracy)} -> RL_${r.round} ${pct(r.rl.accuracy)}`,
  );
  return [
    `accuracy on ${summary.test.name} (${summary.test.size} problems)`,
    ...table(header, rows),
    ...bySourceTable(summary),
    '',
    chain.join(' -> '),
  ].join('\n');
}

/** One row per source: its test problems, then its accuracy at SFT_1, RL_1, SFT_2, ... (nothing for one source). */
function bySourceTable(summary: RunSummary): string[] {
  const sources = [...new Set(summary.rounds.flatMap((r) => Object.keys(r.sft.bySource)))].sort();
  if (sources.length < 2) return [];
  const header = ['source', 'n', ...summary.rounds.flatMap((r) => [`SFT_${r.round}`, `RL_${r.round}`])];
  const rows = sources.map((source) => [
    source,
    String(summary.rounds[0]?.sft.bySource[source]?.total ?? 0),
    ...summary.rounds.flatMap((r) => [r.sft, r.rl].map((c) => cell(c.bySource[source]))),
  ]);
  return ['', 'by source', ...table(header, rows)];
}

const cell = (s: { accuracy: number } | undefined) => (s ? pct(s.accuracy) : '-');
