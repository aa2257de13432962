import { ConfigError } from '../core/index.ts';
import {
  extractAnswerTag,
  extractAnswerTagSingleLine,
  hasThinkAnswerFormat,
  lacksJustification,
} from './answer-tag.ts';
import { verifyAnswer } from './math-verify.ts';
import { gradeAnswer } from './mathruler.ts';

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

export type RewardFn = (output: string, gold: string) => RewardResult;

export interface AccuracyOptions {
  /** `mathverify` (default): extract from free text and compare values; `mathruler`: gradeAnswer on the tag text. */
  readonly grader?: 'mathverify' | 'mathruler';
  /** Option texts of a multiple-choice problem, in letter order (A, B, ...). */
  readonly choices?: readonly string[];
}

/** 1 when the output's answer is right, else 0. */
export function accuracyReward(output: string, gold: string, opts: AccuracyOptions = {}): RewardResult {
  let correct: boolean;
  if (opts.grader === 'mathruler') {
    const answer = (extractAnswerTag(output) ?? output).trim();
    correct = gradeAnswer(gold, answer) || answer.toLowerCase() === gold.trim().toLowerCase();
  } else {
    correct = verifyAnswer(gold, output, { choices: opts.choices }).correct;
  }
  const accuracy = correct ? 1 : 0;
  return { score: accuracy, components: { accuracy } };
}

/** 1 when the whole output is `<think>...</think>` then `<answer>...</answer>`, else 0. */
export function formatReward(output: string): RewardResult {
  const format = hasThinkAnswerFormat(output) ? 1 : 0;
  return { score: format, components: { format } };
}

/**
 * OpenVLThinker's RL reward (PAPER.md "Reward"): the answer is the first single-line `<answer>` text, else the whole
 * output, trimmed; correct when gradeAnswer holds or the lowercased strings are equal; 1 if correct, 0.5 if correct
 * but nothing stands between `</think>` and `<answer>`, else 0. The format score is computed and logged only.
 */
export function openVLThinkerReward(output: string, gold: string): RewardResult {
  const answer = (extractAnswerTagSingleLine(output) ?? output).trim();
  const correct = gradeAnswer(gold, answer) || answer.toLowerCase() === gold.toLowerCase();
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

/** The reward named by a RewardSpec (src/backends/types.ts). */
export function computeReward(spec: RewardSpec, output: string, gold: string): RewardResult {
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
