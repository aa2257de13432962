import { describe, expect, it } from 'vitest';
import { assignTiers, kMeans1d, zScores } from './difficulty.ts';
import { countWords, cutAtMarkers, filterTraces, formatResponse, justificationOf, reasoningOf } from './filter.ts';
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

  it("target 'answer' keeps the same problems with the final answer alone (the chain ablation's control)", () => {
    const candidates = [
      {
        problemId: 'p1',
        text: '<think>Two plus two is four. Wait, five?</think> So four. <answer>4</answer>',
        answer: '4',
      },
      { problemId: 'p3', text: 'Four.<answer>4</answer>', answer: '4' },
      { problemId: 'p6', text: '<think>red is 3 , so 5</think> <answer> 5 </answer>', answer: ' 5 ' },
    ];
    const chain = filterTraces(candidates, settings);
    const answer = filterTraces(candidates, { ...settings, target: 'answer' });
    expect(answer.kept.map((k) => k.response)).toEqual([
      '<think></think> <answer>4</answer>',
      '<think></think> <answer>5</answer>',
    ]);
    expect(answer.kept.map((k) => k.problemId)).toEqual(chain.kept.map((k) => k.problemId));
    expect(answer.stats).toEqual(chain.stats);
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

describe('filter details', () => {
  it('reads the reasoning of a think block that never closes, or of text without tags; strips stray tags', () => {
    expect(reasoningOf('<think> a\nb </think> c')).toBe('a\nb');
    expect(reasoningOf('<think> a b')).toBe('a b');
    expect(reasoningOf('x <think>a</think> y')).toBe('a');
    expect(reasoningOf('a </think> b <answer>1</answer>')).toBe('a  b');
    expect(reasoningOf('plain text')).toBe('plain text');
  });
  it('takes the justification between </think> and <answer>, else nothing', () => {
    expect(justificationOf('<think>a</think> So 4. <answer>4</answer>')).toBe('So 4.');
    expect(justificationOf('<think>a</think> So 4.')).toBe('');
    expect(justificationOf('no tags <answer>4</answer>')).toBe('');
    expect(justificationOf('</think><answer>4</answer>')).toBe('');
  });
  it('cuts at the earliest of several markers, also at position 0', () => {
    expect(cutAtMarkers('a b But wait, c Wait, d', markers)).toEqual({ text: 'a b', truncated: true });
    expect(cutAtMarkers('Wait, all of it', markers)).toEqual({ text: '', truncated: true });
  });
  it('counts words split on any whitespace', () => {
    expect(countWords('  one\ttwo\nthree  ')).toBe(3);
    expect(countWords('   ')).toBe(0);
    expect(countWords('one')).toBe(1);
  });
  it('formats a response with and without a justification', () => {
    expect(formatResponse('r', 'j', 'a')).toBe('<think>r</think> j <answer>a</answer>');
    expect(formatResponse('r', '', 'a')).toBe('<think>r</think> <answer>a</answer>');
  });
  it('keeps lengths at the bounds, trims the answer, counts truncations and mean words before and after the cut', () => {
    const out = filterTraces(
      [
        { problemId: 'a', text: '<think>one two Wait, three four</think><answer>1</answer>', answer: ' 1 ' },
        {
          problemId: 'b',
          text: '<think>one two three four five six seven eight</think><answer>2</answer>',
          answer: '2',
        },
        { problemId: 'c', text: '<think>one</think><answer>3</answer>', answer: '3' },
        { problemId: 'd', text: '<think>x</think>', answer: '   ' },
      ],
      settings,
    );
    expect(out.kept).toEqual([
      { problemId: 'a', response: '<think>one two</think> <answer>1</answer>', truncated: true, words: 2 },
      {
        problemId: 'b',
        response: '<think>one two three four five six seven eight</think> <answer>2</answer>',
        truncated: false,
        words: 8,
      },
    ]);
    expect(out.stats).toEqual({
      candidates: 4,
      kept: 2,
      truncated: 1,
      dropped: { 'no-correct-trace': 0, 'no-answer': 1, 'too-short': 1, 'too-long': 0, duplicate: 0 },
      meanWordsBefore: (5 + 8 + 1) / 3,
      meanWordsAfter: (2 + 8 + 1) / 3,
    });
    expect(filterTraces([], settings).stats).toMatchObject({ meanWordsBefore: 0, meanWordsAfter: 0 });
  });
  it('drops a justification that reflects, and treats whitespace-only differences as duplicates unless dedup is off', () => {
    const twice = [
      { problemId: 'p', text: '<think>one two</think> So 1. Wait, no. <answer>1</answer>', answer: '1' },
      { problemId: 'p', text: '<think>one  two</think>   So 1. <answer>1</answer>', answer: '1' },
      { problemId: 'q', text: '<think>one two</think> So 1. <answer>1</answer>', answer: '1' },
    ];
    const out = filterTraces(twice, settings);
    expect(out.kept.map((k) => [k.problemId, k.response])).toEqual([
      ['p', '<think>one two</think> So 1. <answer>1</answer>'],
      ['q', '<think>one two</think> So 1. <answer>1</answer>'],
    ]);
    expect(out.dropped).toEqual([{ problemId: 'p', reason: 'duplicate' }]);
    expect(filterTraces(twice, { ...settings, dedup: false }).kept).toHaveLength(3);
  });
});

describe('selection details', () => {
  it('breaks length ties on the sample index, and keeps the only correct chain whatever the rule', () => {
    const tied = [
      { sample: 3, text: 'xx', correct: true },
      { sample: 1, text: 'xx', correct: true },
      { sample: 2, text: 'xxxx', correct: true },
    ];
    expect(selectTrace(tied, 'shortest')?.sample).toBe(1);
    expect(selectTrace(tied, 'second-longest')?.sample).toBe(3);
    const one = [
      { sample: 0, text: 'x', correct: false },
      { sample: 1, text: 'xxx', correct: true },
    ];
    expect(selectTrace(one, 'second-longest')?.sample).toBe(1);
    expect(selectTrace([], 'shortest')).toBeUndefined();
  });
});

describe('difficulty details', () => {
  it('handles empty input and k = 1 (one centroid at the median start, moved to the mean)', () => {
    expect(zScores([])).toEqual([]);
    expect(kMeans1d([], 3)).toEqual({ labels: [], centroids: [] });
    expect(kMeans1d([1, 2, 6], 1)).toEqual({ labels: [0, 0, 0], centroids: [3] });
  });
  it('iterates until the labels are stable, from centroids at the quantiles', () => {
    // Three passes: 8 leaves the middle cluster in the second, 13 joins the top one in the third.
    expect(kMeans1d([14, 2, 13, 11, 7, 17, 8], 3)).toEqual({
      labels: [2, 0, 2, 1, 1, 2, 1],
      centroids: [2, 26 / 3, 44 / 3],
    });
    expect(kMeans1d([14, 2, 13, 11, 7, 17, 8], 3, 2)).toEqual({
      labels: [2, 0, 1, 1, 1, 2, 1],
      centroids: [2, 9.75, 15.5],
    });
    // No pass at all: everything in cluster 0, the centroids where they started (the 0, 1/2 and 1 quantiles).
    expect(kMeans1d([0, 2, 3, 6, 10], 3, 0)).toEqual({ labels: [0, 0, 0, 0, 0], centroids: [0, 3, 10] });
  });
  it('numbers clusters by ascending centroid and keeps an emptied cluster where it was', () => {
    expect(kMeans1d([5, 5, 5, 1], 2)).toEqual({ labels: [1, 1, 1, 0], centroids: [1, 5] });
    const empty = kMeans1d([0, 0, 0, 0, 9], 3);
    expect(empty.labels).toEqual([0, 0, 0, 0, 2]);
    expect(empty.centroids).toEqual([0, 0, 9]);
  });
  it('gives two distinct levels medium and hard, and the centroids of the z-scores', () => {
    const t = assignTiers([0.2, 0.2, 0.8]);
    expect(t.tiers).toEqual(['medium', 'medium', 'hard']);
    expect(t.centroids).toHaveLength(2);
    expect(assignTiers([]).tiers).toEqual([]);
    expect(assignTiers([0.5, 0.5])).toEqual({ tiers: ['medium', 'medium'], z: [0, 0], centroids: [0] });
  });
});

describe('filter corner cases', () => {
  it('reads an unclosed think block after other text, and strips think tags nested in the reasoning', () => {
    expect(reasoningOf('x <think> a b')).toBe('a b');
    expect(reasoningOf('<think>a <think> b</think>')).toBe('a  b');
  });
  it('takes the justification of a response that starts with </think>, and none without </think>', () => {
    expect(justificationOf('</think> So 4. <answer>4</answer>')).toBe('So 4.');
    expect(justificationOf('no tags here then <answer>4</answer>')).toBe('');
  });
  it('cuts at the earliest marker even when a later-listed marker comes later in the text', () => {
    expect(cutAtMarkers('a Wait, b But wait, c', markers)).toEqual({ text: 'a', truncated: true });
  });
  it('counts runs of whitespace as one separator', () => {
    expect(countWords('one  two \t three')).toBe(3);
  });
  it('drops a trace without an answer before reading it; words that differ only in spacing are not duplicates', () => {
    const out = filterTraces(
      [
        { problemId: 'n', text: '<think>a b</think>', answer: null },
        { problemId: 'p', text: '<think>ab cd ef</think>', answer: '1' },
        { problemId: 'p', text: '<think>abcd ef</think>', answer: '1' },
      ],
      settings,
    );
    expect(out.dropped).toEqual([{ problemId: 'n', reason: 'no-answer' }]);
    expect(out.kept.map((k) => k.words)).toEqual([3, 2]);
  });
});
