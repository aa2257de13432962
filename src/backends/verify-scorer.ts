import { combineRewards, computeReward, type RewardFn } from '../verify/index.ts';
import type { BatchScorer } from './reward-server.ts';
import type { RewardSpec } from './types.ts';

/**
 * The reward server's scorer: verify/'s rewards (computeReward) over a batch. A `mix` spec is compiled once per
 * batch (its weights are checked up front: an unknown reward name is a ConfigError, which the server answers 400).
 */
export const verifyScorer: BatchScorer = (spec, responses, golds) => {
  const reward = rewardFn(spec);
  return responses.map((response, i) => reward(response, golds[i] ?? ''));
};

function rewardFn(spec: RewardSpec): RewardFn {
  if (spec.name === 'mix' && spec.weights) return combineRewards(spec.weights);
  return (output, gold) => computeReward(spec, output, gold);
}
