import { describe, expect, it } from 'vitest';
import type { MathVerseRecord } from '../../data/adapters/mathverse.ts';
import { formatTemplate, MATHVERSE_JUDGE_PROMPT, ruleExtractMathVerse, scoreMathVerse } from './index.ts';

function rec(over: Partial<MathVerseRecord>): MathVerseRecord {
  return {
    sample_index: '1',
    problem_index: '1',
    problem_version: 'Text Dominant',
    question: 'q',
    image: '',
    answer: 'B',
    question_type: 'multi-choice',
    metadata: { source: 's', subject: 'Plane Geometry', subfield: 'Angle' },
    query_wo: 'q',
    query_cot: 'q',
    ...over,
  };
}

describe('MathVerse scoring', () => {
  it.each([
    ['So the angle is 40°, which is option B.', 'multi-choice', 'B'],
    ['The answer is (C).', 'multi-choice', 'C'],
    ['Thus \\boxed{\\frac{1}{2}} is the ratio.', 'free-form', '\\frac{1}{2}'],
    ['<think>x</think><answer>14</answer>', 'free-form', '14'],
    ['Answer: 12.5 cm.', 'free-form', '12.5 cm'],
  ])('rule extraction of %j is %j', (response, type, expected) => {
    expect(ruleExtractMathVerse(response, type)).toBe(expected);
  });

  it('fills Python-style templates, keeping doubled braces literal', () => {
    expect(formatTemplate('{question} -> {{x}} {gt}/{extraction}', { question: 'Q', gt: '1', extraction: '2' })).toBe(
      'Q -> {x} 1/2',
    );
  });

  it('judges with the LLM (asking again on a malformed verdict) and groups by version and subject', async () => {
    const prompts: string[] = [];
    const replies = ['maybe', 'Judgement: 1', 'Judgement: 0'];
    const judge = async (prompt: string) => {
      prompts.push(prompt);
      return replies.shift() ?? '0';
    };
    const extractor = async () => 'Extracted Answer: B';
    const { rows, scores } = await scoreMathVerse(
      [
        rec({ model_answer: 'long reasoning' }),
        rec({ sample_index: '2', problem_version: 'Vision Only', model_answer: '...' }),
      ],
      { extractor, judge, concurrency: 1 },
    );
    expect(rows.map((r) => [r.extraction, r.correct])).toEqual([
      ['B', true],
      ['B', false],
    ]);
    expect(prompts[0]).toBe(formatTemplate(MATHVERSE_JUDGE_PROMPT.trim(), { question: 'q', gt: 'B', extraction: 'B' }));
    expect(scores.versions).toEqual({
      'Text Dominant': { acc: '1.000', correct: 1, total: 1 },
      'Vision Only': { acc: '0.000', correct: 0, total: 1 },
    });
    expect(scores.subjects['Plane Geometry']?.subfields.Angle).toEqual({ acc: '0.500', correct: 1, total: 2 });
  });

  it('falls back to rule extraction and quick exact match offline', async () => {
    const { rows } = await scoreMathVerse(
      [rec({ model_answer: 'Hence the answer is B.' }), rec({ model_answer: 'It is A' })],
      {},
    );
    expect(rows.map((r) => r.correct)).toEqual([true, false]);
  });
});

describe('MathVerse stored judgements', () => {
  it('keeps a stored extraction and judgement when asked to', async () => {
    const { rows } = await scoreMathVerse([rec({ model_answer: 'x', extraction: 'A', judgement: 1 })], {
      useStoredExtraction: true,
    });
    expect(rows[0]).toMatchObject({ extraction: 'A', correct: true });
  });
});
