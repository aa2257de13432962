import { describe, expect, it } from 'vitest';
import { verifyScorer } from '../src/backends/verify-scorer.ts';
import { Problem } from '../src/data/types.ts';
import { openVlThinkerGold, scoreOpenVlThinker } from '../src/eval/openvlthinker-mode.ts';
import { accuracyReward, computeReward, goldAnswer, judgeAnswer, openVLThinkerReward } from '../src/verify/index.ts';

/**
 * Every place that decides "is this answer correct?" gives the same verdict: the pipeline's distillation, difficulty
 * and evaluation stages and the embedded trainer (judgeAnswer on the problem), the rewards in-process (on the problem)
 * and through the reward server's scorer (on the gold that the EasyR1 export writes, `goldAnswer`), and eval's
 * openvlthinker mode. These are the cases where four definitions disagreed before.
 */
function problem(answer: string, choices: string[] | null = null): Problem {
  return Problem.parse({ id: 'p', question: 'q', answer, choices, answerType: choices ? 'choice' : 'text' });
}

const OPTIONS = ['4', '5', '6', '7'];
const JUSTIFIED = (answer: string) => `<think>reasoning</think> so it is that. <answer>${answer}</answer>`;

const CASES: Array<[string, Problem, string, boolean]> = [
  ['option text for a letter gold', problem('B', OPTIONS), '5', false],
  ['the letter for a letter gold', problem('B', OPTIONS), 'B', true],
  ['a lowercase letter', problem('B', OPTIONS), 'b', true],
  ['a parenthesised letter (MathRuler)', problem('B', OPTIONS), '(B)', true],
  ['the letter for a gold given as option text', problem('5', OPTIONS), 'B', true],
  ['option text for a gold given as option text', problem('5', OPTIONS), '5', false],
  ['case of a word', problem('Yes'), 'yes', true],
  ['a unit after a number', problem('5'), '5 cm', true],
  ['a unit word after a number', problem('30'), '30 degrees', true],
  ['a wrong number with a unit', problem('5'), '6 cm', false],
];

describe('one correctness rule, every caller', () => {
  it.each(CASES)('%s', (_name, p, answer, correct) => {
    const output = JUSTIFIED(answer);
    const verdicts = {
      judge: judgeAnswer(output, p).correct,
      accuracyReward: accuracyReward(output, p).score === 1,
      openvlthinkerReward: openVLThinkerReward(output, p).score === 1,
      rewardSpec: computeReward({ name: 'accuracy' }, output, p).score === 1,
      rewardServer: verifyScorer({ name: 'openvlthinker' }, [output], [goldAnswer(p)])[0]?.score === 1,
      evalOpenVlThinker: scoreOpenVlThinker(p.id, output, openVlThinkerGold(p)).correct,
    };
    expect(verdicts).toEqual(Object.fromEntries(Object.keys(verdicts).map((k) => [k, correct])));
  });

  it('an output without an answer tag is wrong everywhere', () => {
    const p = problem('7');
    expect(judgeAnswer('7', p)).toEqual({ correct: false, extracted: null });
    expect(openVLThinkerReward('7', p).score).toBe(0);
    expect(verifyScorer({ name: 'accuracy' }, ['7'], ['7'])[0]?.score).toBe(0);
    expect(scoreOpenVlThinker('p', '7', '7').correct).toBe(false);
  });

  it('regeneration alone may use the code cleaning rules', () => {
    const p = problem('5');
    expect(judgeAnswer('<answer>it is 5.</answer>', p, 'regenerate').correct).toBe(true);
    expect(judgeAnswer('<answer>it is 5.</answer>', p).correct).toBe(false);
  });
});
