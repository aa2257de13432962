import { describe, expect, it } from 'vitest';
import { ConfigError } from '../core/index.ts';
import {
  accuracyReward,
  cleanAnswerForRegeneration,
  combineRewards,
  computeReward,
  formatReward,
  matchesForRegeneration,
  openVLThinkerReward,
} from './index.ts';

const GOOD = '<think>3 apples and 4 apples.</think>\nSo there are 7.\n<answer>7</answer>';
const BARE = '<think>3 apples and 4 apples.</think>\n<answer>7</answer>';

describe('openVLThinkerReward (PAPER.md "Reward")', () => {
  it.each([
    [GOOD, '7', 1, 'correct with a justification'],
    [BARE, '7', 0.5, 'correct but nothing between </think> and <answer>'],
    [GOOD, '8', 0, 'wrong'],
    ['7', '7', 1, 'no tag: the whole output is the answer'],
    ['<answer>(A)</answer>', 'A', 1, 'gradeAnswer quirk: (A) matches A'],
    ['<answer>Blue</answer>', 'blue', 1, 'case-insensitive equality'],
    ['<answer>7\n</answer> 7', '7', 0, 'a multi-line tag does not count, so the whole output is compared'],
    ['', '7', 0, 'empty output'],
  ])('%j with gold %j scores %d (%s)', (output, gold, score) => {
    expect(openVLThinkerReward(output, gold).score).toBe(score);
  });

  it('logs accuracy, the missing-justification flag and the format score as components', () => {
    expect(openVLThinkerReward(BARE, '7').components).toEqual({ accuracy: 1, no_justification: 1, format: 1 });
    expect(openVLThinkerReward('7', '7').components).toEqual({ accuracy: 1, no_justification: 0, format: 0 });
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
    ['The answer is $\\boxed{\\frac{1}{2}}$', '0.5', 'mathverify', 1],
    ['<answer>0.5</answer>', '\\frac{1}{2}', 'mathruler', 1],
    ['<answer>3</answer>', '4', 'mathruler', 0],
    ['so 41', '42', 'mathverify', 0],
  ] as const)('%j vs %j with %s -> %d', (output, gold, grader, score) => {
    expect(accuracyReward(output, gold, { grader })).toEqual({ score, components: { accuracy: score } });
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

  it('rejects a bad config with a ConfigError naming the field', () => {
    expect(() => combineRewards({ speed: 1 })).toThrow(ConfigError);
    expect(() => combineRewards({})).toThrow(/at least one/);
    expect(() => computeReward({ name: 'mix' }, 'x', 'y')).toThrow(/needs weights/);
  });

  // The known scores [accuracy, format, openvlthinker] against gold 7: "\u22127" is -7, not 7; only the nested tags
  // hold a right answer (accuracy 1, format 1), and their nesting breaks the OpenVLThinker format, so it scores 0.
  it.each([
    ['empty', '', [0, 0, 0]],
    ['1 MB of text', 'the answer is maybe '.repeat(50_000), [0, 0, 0]],
    ['unbalanced braces', '<think>}}{{</think><answer>\\frac{1}{</answer>', [0, 1, 0]],
    ['nested tags', '<think><think>x</think></think><answer><answer>7</answer></answer>', [1, 1, 0]],
    ['unicode minus', '<answer>\u22127</answer>', [0, 0, 0]],
    ['RTL text', '<answer>\u202Eسبعة</answer>', [0, 0, 0]],
    ['a million-digit number', `<answer>${'7'.repeat(1_000_000)}</answer>`, [0, 0, 0]],
  ])('every reward scores %s without throwing, as known', (_name, output, scores) => {
    const specs = [{ name: 'accuracy' }, { name: 'format' }, { name: 'openvlthinker' }] as const;
    expect(specs.map((spec) => computeReward(spec, output, '7').score)).toEqual(scores);
  });
});

describe('regeneration answer cleaning (PAPER.md)', () => {
  it.each([
    ['The answer is 5 cm.', '5'],
    ['Yes, because the lines meet', 'yes'],
    ['no, never', 'no'],
    ['Blue (the left one)', 'blue'],
    ['3 or 4', '3'],
    ['x = 12', '12'],
    ['area ≈ 3.14 square meters', '3.14'],
    ['45 degrees', '45'],
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
  ])('%j matches gold %j: %s', (pred, gold, expected) => {
    expect(matchesForRegeneration(pred, gold)).toBe(expected);
  });
});
