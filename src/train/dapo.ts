/**
 * Two pieces of DAPO (Yu et al. 2025) that the GRPO loop can switch on.
 */
import { meanStd } from './advantages.ts';

/**
 * Dynamic sampling: a group whose rewards are all equal has zero advantage everywhere and teaches nothing, so it is
 * dropped from the update (DAPO keeps sampling until the batch is full; we filter what one rollout batch produced).
 * Returns the indices of the groups to keep.
 *
 * Worked example: [[1,1,1],[0,1,0],[0,0,0]] -> [1].
 */
export function informativeGroups(groups: readonly (readonly number[])[]): number[] {
  const keep: number[] = [];
  groups.forEach((g, i) => {
    if (g.length > 1 && meanStd(g).std > 0) keep.push(i);
  });
  return keep;
}

/** True when every reward in the group equals the first (a zero-variance group). */
export function isZeroVariance(group: readonly number[]): boolean {
  return group.every((r) => r === group[0]);
}

export interface OverlongOptions {
  /** Response length at which the penalty reaches its full size (DAPO's L_max: the max response tokens). */
  readonly maxTokens: number;
  /** Length of the soft zone before maxTokens in which the penalty grows linearly (DAPO's L_cache). */
  readonly bufferTokens: number;
  /** Scale of the penalty (verl: overlong_penalty_factor, 1.0). */
  readonly factor: number;
}

/**
 * DAPO's soft overlong punishment, added to the reward: 0 up to maxTokens - bufferTokens, then falling linearly to
 * -factor at maxTokens (and -factor beyond).
 *
 * Worked example: maxTokens 20, bufferTokens 4, factor 1: length 16 -> 0, length 18 -> -0.5, length 20 -> -1.
 */
export function overlongPenalty(length: number, options: OverlongOptions): number {
  const start = options.maxTokens - options.bufferTokens;
  if (length <= start) return 0;
  if (length >= options.maxTokens || options.bufferTokens <= 0) return -options.factor;
  return (-(length - start) / options.bufferTokens) * options.factor;
}
