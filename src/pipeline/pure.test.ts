import { describe, expect, it } from 'vitest';
import { assignTiers, kMeans1d, zScores } from './difficulty.ts';
import { cutAtMarkers, filterTraces, reasoningOf } from './filter.ts';
import { selectTrace } from './select-trace.ts';

const markers = ['Wait,', 'But wait,', 'But the question'];
const settings = { markers, minWords: 2, maxWords: 8, dedup: true };

describe('filter', () => {
  it.each([
    ['Count 3 red. Wait, let me recount: 4.', 'Count 3 red.', true],
    ['A is 2. But wait, B is 3. Wait, no.', 'A is 2.', true],
    ['So 5. But the question asks for 6.', 'So 5.', true],
    ['Plain reasoning with no detour.', 'Plain reasoning with no detour.', false],
  ])('cuts %j at the first marker', (text, expected, truncated) => {
    expect(cutAtMarkers(text, markers)).toEqual({ text: expected, truncated });
  });

  it('takes the reasoning from <think> when present, else before <answer>', () => {
    expect(reasoningOf('<think> a b c </think>\n<answer>1</answer>')).toBe('a b c');
    expect(reasoningOf('a b c <answer>1</answer>')).toBe('a b c');
  });

  it('keeps the final answer, bounds the length, drops duplicates and records why', () => {
    const out = filterTraces(
      [
        {
          problemId: 'p1',
          text: '<think>Two plus two is four. Wait, five?</think> So four. <answer>4</answer>',
          answer: '4',
        },
        {
          problemId: 'p1',
          text: '<think>Two plus two is four. Wait, six?</think> So four. <answer>4</answer>',
          answer: '4',
        },
        { problemId: 'p2', text: null, answer: null },
        { problemId: 'p3', text: 'Four.<answer>4</answer>', answer: '4' },
        { problemId: 'p4', text: 'one two three four five six seven eight nine<answer>4</answer>', answer: '4' },
        { problemId: 'p5', text: 'one two three<answer></answer>', answer: '' },
      ],
      settings,
    );
    expect(out.kept).toEqual([
      {
        problemId: 'p1',
        response: '<think>Two plus two is four.</think> So four. <answer>4</answer>',
        truncated: true,
        words: 5,
      },
    ]);
    expect(out.stats.dropped).toEqual({
      'no-correct-trace': 1,
      'no-answer': 1,
      'too-short': 1,
      'too-long': 1,
      duplicate: 1,
    });
    expect(out.stats.kept).toBe(1);
    expect(out.dropped.map((d) => d.problemId)).toEqual(['p1', 'p2', 'p3', 'p4', 'p5']);
  });
});

describe('selection of the kept chain', () => {
  const traces = [
    { sample: 0, text: 'x'.repeat(120), correct: true },
    { sample: 1, text: 'x'.repeat(80), correct: true },
    { sample: 2, text: 'x'.repeat(10), correct: false },
    { sample: 3, text: 'x'.repeat(95), correct: true },
  ];
  it('keeps the shortest correct chain (paper)', () => expect(selectTrace(traces, 'shortest')?.sample).toBe(1));
  it('keeps the next after the longest (the code)', () =>
    expect(selectTrace(traces, 'second-longest')?.sample).toBe(3));
  it('keeps nothing when no chain is correct', () =>
    expect(selectTrace([{ sample: 0, text: 'a', correct: false }], 'shortest')).toBeUndefined());
});

describe('difficulty', () => {
  it('z-scores with the population std, and all-equal values give zeros', () => {
    const z = zScores([0, 0, 0.25, 0.5, 1, 1]);
    expect(z.map((v) => Number(v.toFixed(2)))).toEqual([-1.09, -1.09, -0.5, 0.1, 1.29, 1.29]);
    expect(zScores([0.5, 0.5])).toEqual([0, 0]);
  });

  it('splits a line into three clusters numbered by centroid', () => {
    const { labels, centroids } = kMeans1d([9, 1, 1.2, 5, 5.1, 8.8], 3);
    expect(labels).toEqual([2, 0, 0, 1, 1, 2]);
    expect(centroids.map((c) => Number(c.toFixed(2)))).toEqual([1.1, 5.05, 8.9]);
  });

  it('tiers error rates into easy / medium / hard', () => {
    expect(assignTiers([0, 0, 0.25, 0.5, 1, 1]).tiers).toEqual(['easy', 'easy', 'easy', 'medium', 'hard', 'hard']);
    expect(assignTiers([0.5, 0.5]).tiers).toEqual(['medium', 'medium']);
    expect(assignTiers([0, 1, 1]).tiers).toEqual(['medium', 'hard', 'hard']);
  });
});
