import { describe, expect, it } from 'vitest';
import type { MathVerseRecord } from '../../data/adapters/mathverse.ts';
import {
  extractMathVerse,
  formatTemplate,
  judgeMathVerse,
  MATHVERSE_JUDGE_PROMPT,
  mathVerseScores,
  ruleExtractMathVerse,
  scoreMathVerse,
} from './index.ts';

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

describe('MathVerse details', () => {
  it.each([
    ['nested \\boxed{\\frac{a}{b}} then \\boxed{x^{2}}', 'free-form', 'x^{2}'],
    ['an unclosed \\boxed{3 and <answer>4</answer>', 'free-form', '4'],
    ['The answer is 3.\nThe answer is 5.', 'free-form', '5'],
    ['answer: 7', 'free-form', '7'],
    ['  first line\nlast line 9.  ', 'free-form', 'last line 9'],
    ['I pick D', 'multi-choice', 'D'],
    ['Answer: none of them', 'multi-choice', 'none of them'],
    ['Answer: (B) 40', 'multi-choice', 'B'],
    ['Answer: BC', 'multi-choice', 'BC'],
  ])('rule extraction of %j is %j', (response, type, expected) => {
    expect(ruleExtractMathVerse(response, type)).toBe(expected);
  });

  it('leaves unknown template fields as written', () => {
    expect(formatTemplate('{a} {b} }} {{', { a: '1' })).toBe('1 {b} } {');
  });

  it('asks the extractor with our prompt and the response, and strips its prefix', async () => {
    const prompts: string[] = [];
    const extraction = await extractMathVerse('r', rec({}), {
      extractor: async (prompt) => {
        prompts.push(prompt);
        return ' Extracted Answer: 12 ';
      },
      extractionPrompt: '  P  ',
    });
    expect(extraction).toBe('12');
    expect(prompts).toEqual(["P\n\nModel response: 'r'\nExtracted Answer: "]);
  });

  it('reads yes / no verdicts, and counts three malformed replies as wrong', async () => {
    const judgeWith = (replies: string[]) => {
      let calls = 0;
      const verdict = judgeMathVerse('B', rec({}), {
        judge: async () => {
          calls++;
          return replies.shift() ?? 'still unsure';
        },
      });
      return verdict.then((v) => [v, calls]);
    };
    expect(await judgeWith(['Judgement: Yes'])).toEqual([true, 1]);
    expect(await judgeWith([' no '])).toEqual([false, 1]);
    expect(await judgeWith(['?', '?', '1'])).toEqual([true, 3]);
    expect(await judgeWith([])).toEqual([false, 3]);
    expect(await judgeMathVerse('B', rec({}), {})).toBe(true);
    expect(await judgeMathVerse('b', rec({}), {})).toBe(false);
  });

  it('prints per subject, subfield and version with 3 decimals, and totals', () => {
    const rows = [
      { record: rec({}), correct: true },
      { record: rec({ metadata: { source: 's', subject: 'Plane Geometry', subfield: 'Length' } }), correct: false },
      {
        record: rec({
          problem_version: 'Vision Only',
          metadata: { source: 's', subject: 'Functions', subfield: 'Graph' },
        }),
        correct: true,
      },
    ];
    expect(mathVerseScores(rows)).toEqual({
      total: { acc: '0.667', correct: 2, total: 3 },
      subjects: {
        'Plane Geometry': {
          acc: '0.500',
          correct: 1,
          total: 2,
          subfields: { Angle: { acc: '1.000', correct: 1, total: 1 }, Length: { acc: '0.000', correct: 0, total: 1 } },
        },
        Functions: { acc: '1.000', correct: 1, total: 1, subfields: { Graph: { acc: '1.000', correct: 1, total: 1 } } },
      },
      versions: {
        'Text Dominant': { acc: '0.500', correct: 1, total: 2 },
        'Vision Only': { acc: '1.000', correct: 1, total: 1 },
      },
    });
    expect(mathVerseScores([]).total).toEqual({ acc: '0.000', correct: 0, total: 0 });
  });

  it('uses a stored judgement only with a stored extraction, and writes whole rows', async () => {
    const { rows } = await scoreMathVerse(
      [
        rec({ sample_index: '7', model_answer: 'The answer is A', judgement: 1 }),
        rec({ sample_index: '8', model_answer: 'The answer is A', extraction: 'B', judgement: 0 }),
        rec({ sample_index: '9', model_answer: 'The answer is B', extraction: 'A', judgement: 1 }),
      ],
      { useStoredExtraction: true },
    );
    expect(rows).toEqual([
      { id: '7', extraction: 'A', prediction: 'A', correct: false },
      { id: '8', extraction: 'B', prediction: 'B', correct: false },
      { id: '9', extraction: 'A', prediction: 'A', correct: true },
    ]);
    const fresh = await scoreMathVerse([rec({ model_answer: 'x', extraction: 'B', judgement: 0 })], {});
    expect(fresh.rows[0]).toMatchObject({ extraction: 'x', correct: false });
  });
});

describe('MathVerse rules, edge by edge', () => {
  it.each([
    ['\\boxed{5}', 'free-form', '5', 'a \\boxed at the very start'],
    ['the value x} ok', 'free-form', 'the value x} ok', 'no \\boxed: a stray "}" is no answer'],
    ['<answer>4 cm</answer>', 'free-form', '4 cm', 'an answer tag with a space'],
    ['answer:5', 'free-form', '5', 'no space after "answer:"'],
    ['The answer is\n5', 'free-form', '5', 'the flag, then a line break'],
    ['\\boxed{3 C}', 'free-form', '3 C', 'a free-form answer keeps its letters'],
    ['\\boxed{B is right}', 'multi-choice', 'B', 'a letter at the start'],
  ])('rule extraction of %j (%s) is %j (%s)', (response, type, expected) => {
    expect(ruleExtractMathVerse(response, type)).toBe(expected);
  });

  it('asks the judge once for a clear 0 or no, with the trimmed prompt', async () => {
    for (const reply of ['0', 'no', 'Judgement: 0']) {
      const prompts: string[] = [];
      const verdict = await judgeMathVerse('B', rec({}), {
        judgePrompt: '  Q {question} A {gt} E {extraction} \n',
        judge: async (prompt) => {
          prompts.push(prompt);
          return reply;
        },
      });
      expect(verdict).toBe(false);
      expect(prompts).toEqual(['Q q A B E B']);
    }
  });

  it('takes a stored verdict only with useStoredExtraction and a stored extraction', async () => {
    const score = async (over: Partial<MathVerseRecord>, useStoredExtraction: boolean) =>
      (await scoreMathVerse([rec(over)], { useStoredExtraction })).rows[0];
    // not asked to use it: the rule extraction and the quick match
    expect(await score({ model_answer: '\\boxed{B}', extraction: 'A', judgement: 0 }, false)).toMatchObject({
      extraction: 'B',
      correct: true,
    });
    // a stored extraction without a judgement: judged again
    expect(await score({ model_answer: 'x', extraction: 'B' }, true)).toMatchObject({ extraction: 'B', correct: true });
    // a judgement without an extraction: extracted and judged again
    expect(await score({ model_answer: '\\boxed{A}', judgement: 1 }, true)).toMatchObject({
      extraction: 'A',
      correct: false,
    });
    // no model answer at all: an empty extraction
    expect(await score({}, false)).toMatchObject({ extraction: '', correct: false });
  });
});
