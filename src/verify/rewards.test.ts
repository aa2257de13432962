import { describe, expect, it } from 'vitest';
import { ConfigError } from '../core/index.ts';
import {
  accuracyReward,
  cleanAnswerForRegeneration,
  combineRewards,
  computeReward,
  formatReward,
  type JudgeTarget,
  matchesForRegeneration,
  openVLThinkerReward,
  type RewardSpec,
} from './index.ts';

const GOOD = '<think>3 apples and 4 apples.</think>\nSo there are 7.\n<answer>7</answer>';
const BARE = '<think>3 apples and 4 apples.</think>\n<answer>7</answer>';

describe('openVLThinkerReward (1 / 0.5 / 0 by the one correctness rule)', () => {
  it.each([
    [GOOD, '7', 1, 'correct with a justification'],
    [BARE, '7', 0.5, 'correct but nothing between </think> and <answer>'],
    [GOOD, '8', 0, 'wrong'],
    ['7', '7', 0, 'no tag: wrong, as the evaluation judges it'],
    ['<answer>(A)</answer>', 'A', 1, 'gradeAnswer quirk: (A) matches A'],
    ['<answer>Blue</answer>', 'blue', 1, 'case-insensitive equality'],
    ['<answer>7\n</answer> 8', '7', 1, 'the first tag counts across lines, trimmed'],
    ['<answer>5</answer>', { answer: 'B', choices: ['4', '5', '6'] }, 0, 'an option text is not its letter'],
    ['<answer>b</answer>', { answer: '5', choices: ['4', '5', '6'] }, 1, 'a gold given as option text is its letter'],
    ['', '7', 0, 'empty output'],
  ] as Array<[string, JudgeTarget | string, number, string]>)(
    '%j with gold %j scores %d (%s)',
    (output, gold, score) => {
      expect(openVLThinkerReward(output, gold).score).toBe(score);
    },
  );

  it('logs accuracy, the missing-justification flag and the format score as components', () => {
    expect(openVLThinkerReward(BARE, '7').components).toEqual({ accuracy: 1, no_justification: 1, format: 1 });
    expect(openVLThinkerReward('<answer>7</answer>', '7').components).toEqual({
      accuracy: 1,
      no_justification: 0,
      format: 0,
    });
  });
});

describe('formatReward', () => {
  it.each([
    [BARE, 1],
    ['  <think>a</think> <answer>b</answer>\n', 1],
    [GOOD, 0],
    ['<think>a</think><answer>b</answer> trailing', 0],
    ['<answer>b</answer>', 0],
    ['<think>a<answer>b</answer>', 0],
    ['', 0],
  ])('%j -> %d', (output, score) => {
    expect(formatReward(output)).toEqual({ score, components: { format: score } });
  });
});

describe('accuracyReward', () => {
  it.each([
    ['<answer>0.5</answer>', '\\frac{1}{2}', 1],
    ['<answer>3</answer>', '4', 0],
    ['The answer is $\\boxed{\\frac{1}{2}}$', '0.5', 0],
  ] as const)('%j vs %j -> %d', (output, gold, score) => {
    expect(accuracyReward(output, gold)).toEqual({ score, components: { accuracy: score } });
  });
});

describe('combineRewards and computeReward', () => {
  it('weights and logs each component', () => {
    const r = combineRewards({ accuracy: 0.9, format: 0.1 })(BARE, '7');
    expect(r.score).toBeCloseTo(1);
    expect(r.components).toEqual({ accuracy: 1, 'accuracy.accuracy': 1, format: 1, 'format.format': 1 });
    expect(combineRewards({ accuracy: 0.9, format: 0.1 })(GOOD, '7').score).toBeCloseTo(0.9);
  });

  it('dispatches on the RewardSpec name', () => {
    expect(computeReward({ name: 'openvlthinker' }, BARE, '7').score).toBe(0.5);
    expect(computeReward({ name: 'format' }, BARE, '7').score).toBe(1);
    expect(computeReward({ name: 'accuracy' }, GOOD, '7').score).toBe(1);
    expect(computeReward({ name: 'mix', weights: { openvlthinker: 2 } }, BARE, '7').score).toBe(1);
  });

  it('sums each weighted score and logs every reward under its name', () => {
    const r = combineRewards({ openvlthinker: 0.5, format: 0.25, accuracy: 2 })(BARE, '7');
    expect(r.score).toBe(0.5 * 0.5 + 0.25 * 1 + 2 * 1);
    expect(r.components).toEqual({
      openvlthinker: 0.5,
      'openvlthinker.accuracy': 1,
      'openvlthinker.no_justification': 1,
      'openvlthinker.format': 1,
      format: 1,
      'format.format': 1,
      accuracy: 1,
      'accuracy.accuracy': 1,
    });
    expect(combineRewards({ accuracy: -1, format: 3 })('<answer>7</answer>', '7')).toEqual({
      score: -1,
      components: { accuracy: 1, 'accuracy.accuracy': 1, format: 0, 'format.format': 0 },
    });
  });

  it('names the field, the value and the fix of each bad mix', () => {
    const err = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e;
      }
      throw new Error('did not throw');
    };
    expect(err(() => combineRewards({}))).toMatchObject({
      field: 'reward.weights',
      hint: 'name some of: accuracy, format, openvlthinker',
    });
    expect(err(() => combineRewards({ accuracy: 1, speed: 1 }))).toMatchObject({
      field: 'reward.weights.speed',
      value: 'speed',
      message: "config field 'reward.weights.speed': unknown reward 'speed'",
      hint: 'use one of: accuracy, format, openvlthinker',
    });
    expect(err(() => combineRewards({ format: Number.POSITIVE_INFINITY }))).toMatchObject({
      field: 'reward.weights.format',
      value: Number.POSITIVE_INFINITY,
      message: "config field 'reward.weights.format': weight must be a finite number, got Infinity",
    });
    expect(err(() => combineRewards({ format: Number.NaN }))).toBeInstanceOf(ConfigError);
    expect(err(() => computeReward({ name: 'mix' }, 'x', 'y'))).toMatchObject({
      field: 'reward.weights',
      hint: 'e.g. { accuracy: 0.9, format: 0.1 }',
    });
    expect(err(() => computeReward({ name: 'speed' } as unknown as RewardSpec, 'x', 'y'))).toMatchObject({
      field: 'reward.name',
      message: "config field 'reward.name': unknown reward 'speed'",
    });
  });

  it('rejects a bad config with a ConfigError naming the field', () => {
    expect(() => combineRewards({ speed: 1 })).toThrow(ConfigError);
    expect(() => combineRewards({})).toThrow(/at least one/);
    expect(() => computeReward({ name: 'mix' }, 'x', 'y')).toThrow(/needs weights/);
  });

  // The known scores [accuracy, format, openvlthinker] against gold 7: "\u22127" is -7, not 7; only the nested tags
  // hold a right answer (the innermost tag, by the one correctness rule), so every reward counts it.
  it.each([
    ['empty', '', [0, 0, 0]],
    ['1 MB of text', 'the answer is maybe '.repeat(50_000), [0, 0, 0]],
    ['unbalanced braces', '<think>}}{{</think><answer>\\frac{1}{</answer>', [0, 1, 0]],
    ['nested tags', '<think><think>x</think></think><answer><answer>7</answer></answer>', [1, 1, 1]],
    ['unicode minus', '<answer>\u22127</answer>', [0, 0, 0]],
    ['RTL text', '<answer>\u202Eسبعة</answer>', [0, 0, 0]],
    ['a million-digit number', `<answer>${'7'.repeat(1_000_000)}</answer>`, [0, 0, 0]],
  ])('every reward scores %s without throwing, as known', (_name, output, scores) => {
    const specs = [{ name: 'accuracy' }, { name: 'format' }, { name: 'openvlthinker' }] as const;
    expect(specs.map((spec) => computeReward(spec, output, '7').score)).toEqual(scores);
  });
});

describe("regeneration answer cleaning (OpenVLThinker's code)", () => {
  it.each([
    ['The answer is 5 cm.', '5'],
    ['Yes, because the lines meet', 'yes'],
    ['no, never', 'no'],
    ['Blue (the left one)', 'blue'],
    ['3 or 4', '3'],
    ['x = 12', '12'],
    ['area ≈ 3.14 square meters', '3.14'],
    ['45 degrees', '45'],
    ['  7  ', '7'],
    ['7..', '7.'],
    ['5 (rounded).', '5'],
    ['No , it is not', 'no'],
    ['(a)', '(a)'],
    ['f(x) (approx)', 'f(x)'],
    ['1 or 2 or 3', '1'],
    ['the answer is x = 12', '12'],
    ['3,000 miles', '3,000'],
    ['-3 degrees', '-3'],
    ['.5 cm', '.5'],
    ['+2 kg', '+2'],
    ['3/4 in', '3/4'],
    ['5 m', '5'],
    ['5m', '5m'],
    ['5 cmx', '5 cmx'],
    ['blue m', 'blue m'],
  ])('%j -> %j', (answer, cleaned) => {
    expect(cleanAnswerForRegeneration(answer)).toBe(cleaned);
  });

  it.each([
    ['The answer is 5 cm.', '5', true],
    ['Yes, it is', 'yes', true],
    ['well-known', 'Well-Known', true],
    ['well known', 'well-known', false],
    ['0.5', '\\frac{1}{2}', true],
    ['6', '5', false],
    ['ab-cd.', 'ab-cd', false],
    ['a-bc.', 'a-bc', true],
    ['ab-cd', ' ab-cd ', true],
    ['-5.', '-5', true],
    ['5', '5.0', true],
    ['The answer is 0.5', '1/2', true],
    ['.', '', true],
    ['', '5', false],
  ])('%j matches gold %j: %s', (pred, gold, expected) => {
    expect(matchesForRegeneration(pred, gold)).toBe(expected);
  });
});
