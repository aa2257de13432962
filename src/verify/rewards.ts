import { ConfigError } from '../core/index.ts';
import { hasThinkAnswerFormat, lacksJustification } from './answer-tag.ts';
import { type JudgeTarget, judgeAnswer } from './judge.ts';

/**
 * Rewards for RL. Each returns its score and the components it was built from, for logging. Model output is data:
 * no reward throws on it (empty, huge, malformed or adversarial text all score). Only a bad *config* (an unknown
 * reward name in a mix) throws, as a ConfigError.
 */
/** Which reward RL optimizes; all rewards are computed here (external engines reach them through the reward server). */
export interface RewardSpec {
  readonly name: 'accuracy' | 'format' | 'openvlthinker' | 'mix';
  /** For `mix`: weight per component reward name. */
  readonly weights?: Readonly<Record<string, number>>;
}

export interface RewardResult {
  readonly score: number;
  readonly components: Readonly<Record<string, number>>;
}

/** A reward of one output against its gold (a bare gold string, or the gold with the problem's options). */
export type RewardFn = (output: string, gold: JudgeTarget | string) => RewardResult;

/** 1 when the output's answer is right by vlthink's one correctness rule (`judgeAnswer`, judge.ts), else 0. */
export function accuracyReward(output: string, gold: JudgeTarget | string): RewardResult {
  const accuracy = judgeAnswer(output, gold).correct ? 1 : 0;
  return { score: accuracy, components: { accuracy } };
}

/** 1 when the whole output is `<think>...</think>` then `<answer>...</answer>`, else 0. */
export function formatReward(output: string): RewardResult {
  const format = hasThinkAnswerFormat(output) ? 1 : 0;
  return { score: format, components: { format } };
}

/**
 * OpenVLThinker's RL reward: 1 if correct, 0.5 if correct but nothing stands between `</think>` and `<answer>`, else
 * 0; the format score is computed and logged only. Correct is vlthink's one rule (`judgeAnswer`), the rule the
 * evaluation applies, so RL optimizes what is reported. The paper's reward script differs only on outputs the
 * evaluation counts wrong or judges alike: it reads a tag only within one line and, with no tag, the whole output.
 */
export function openVLThinkerReward(output: string, gold: JudgeTarget | string): RewardResult {
  const correct = judgeAnswer(output, gold).correct;
  const bare = lacksJustification(output);
  const score = correct ? (bare ? 0.5 : 1) : 0;
  return {
    score,
    components: {
      accuracy: correct ? 1 : 0,
      no_justification: bare ? 1 : 0,
      format: hasThinkAnswerFormat(output) ? 1 : 0,
    },
  };
}

const NAMED: Record<string, RewardFn> = {
  accuracy: (o, g) => accuracyReward(o, g),
  format: formatReward,
  openvlthinker: openVLThinkerReward,
};

/**
 * A weighted sum of named rewards (`{ accuracy: 0.9, format: 0.1 }`). Components are prefixed by reward name
 * (`accuracy.accuracy`, `format.format`) and each reward's own score is logged under its name.
 */
export function combineRewards(weights: Readonly<Record<string, number>>): RewardFn {
  const entries = Object.entries(weights);
  if (entries.length === 0) {
    throw new ConfigError('reward.weights', 'a mix needs at least one weighted reward', {
      hint: `name some of: ${Object.keys(NAMED).join(', ')}`,
    });
  }
  for (const [name, w] of entries) {
    if (!(name in NAMED)) {
      throw new ConfigError(`reward.weights.${name}`, `unknown reward '${name}'`, {
        value: name,
        hint: `use one of: ${Object.keys(NAMED).join(', ')}`,
      });
    }
    if (!Number.isFinite(w)) {
      throw new ConfigError(`reward.weights.${name}`, `weight must be a finite number, got ${w}`, { value: w });
    }
  }
  return (output, gold) => {
    let score = 0;
    const components: Record<string, number> = {};
    for (const [name, w] of entries) {
      const r = NAMED[name](output, gold);
      score += w * r.score;
      components[name] = r.score;
      for (const [k, v] of Object.entries(r.components)) components[`${name}.${k}`] = v;
    }
    return { score, components };
  };
}

/** The reward named by a RewardSpec. */
export function computeReward(spec: RewardSpec, output: string, gold: JudgeTarget | string): RewardResult {
  switch (spec.name) {
    case 'accuracy':
      return accuracyReward(output, gold);
    case 'format':
      return formatReward(output);
    case 'openvlthinker':
      return openVLThinkerReward(output, gold);
    case 'mix':
      if (!spec.weights) {
        throw new ConfigError('reward.weights', "reward 'mix' needs weights", {
          hint: 'e.g. { accuracy: 0.9, format: 0.1 }',
        });
      }
      return combineRewards(spec.weights)(output, gold);
    default: {
      const never: never = spec.name;
      throw new ConfigError('reward.name', `unknown reward '${String(never)}'`);
    }
  }
}
