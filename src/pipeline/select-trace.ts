/**
 * Which correct chain becomes SFT data. The paper keeps the shortest correct of k samples; its code (v1.2) sorts the
 * correct chains, drops the longest and takes the next one. Ties break on the sample index, so the choice is
 * deterministic.
 *
 *   lengths of correct samples [120, 80, 95]: shortest -> 80; second-longest -> 95; one correct -> that one.
 */
export type Selection = 'shortest' | 'second-longest';

export function selectTrace<T extends { readonly text: string; readonly sample: number; readonly correct: boolean }>(
  traces: readonly T[],
  selection: Selection,
): T | undefined {
  const correct = traces.filter((t) => t.correct);
  if (correct.length === 0) return undefined;
  const byLength = [...correct].sort((a, b) => a.text.length - b.text.length || a.sample - b.sample);
  if (selection === 'shortest' || byLength.length === 1) return byLength[0];
  return byLength[byLength.length - 2];
}
