import { describe, expect, it } from 'vitest';
import { createRng } from '../core/index.ts';
import { generateDataset, parseCaption, readCaption, worldTokens } from './index.ts';

const answerOf = (trace: string) => trace.match(/<answer> (.*) <\/answer>$/)?.[1] ?? null;
const FORMAT = /^<think> \S.* <\/think> \S.* <answer> \S.* <\/answer>$/;

function accuracy(noise: number, n: number): number {
  const records = generateDataset({ n, seed: 21, split: 'train', imageSize: 16, noise });
  let correct = 0;
  records.forEach(({ problem }, i) => {
    const trace = readCaption(problem.caption ?? '', problem.question, problem.choices, createRng(i));
    if (answerOf(trace) === problem.answer) correct++;
  });
  return correct / records.length;
}

describe('the caption reader', () => {
  it('answers every problem correctly from noise-free captions, in the trace format', () => {
    const records = generateDataset({ n: 900, seed: 3, split: 'train', imageSize: 16 });
    for (const [i, { problem }] of records.entries()) {
      for (const sample of [0, 1]) {
        const trace = readCaption(problem.caption ?? '', problem.question, problem.choices, createRng(i * 2 + sample));
        expect(trace, problem.caption ?? '').toMatch(FORMAT);
        expect(answerOf(trace), `${problem.question}\n${problem.caption}\n${trace}`).toBe(problem.answer);
      }
    }
  });

  it('gets less accurate as caption noise rises', () => {
    const acc = [0, 0.2, 0.5, 0.9].map((noise) => accuracy(noise, 500));
    expect(acc[0]).toBe(1);
    expect(acc[1]).toBeLessThan(0.95);
    expect(acc[2]).toBeLessThan(acc[1] - 0.05);
    expect(acc[3]).toBeLessThan(acc[2] - 0.05);
    expect(acc[3]).toBeGreaterThan(0.05); // some answers survive: guesses and facts the question does not need
  });

  it('samples varied traces for one problem, some with a "wait" detour that keeps the answer', () => {
    const [{ problem }] = generateDataset({ n: 1, seed: 5, split: 'train', imageSize: 16, families: ['bar-arith'] });
    const traces = Array.from({ length: 16 }, (_, i) =>
      readCaption(problem.caption ?? '', problem.question, problem.choices, createRng(100 + i)),
    );
    expect(new Set(traces).size).toBeGreaterThan(4);
    const detours = traces.filter((t) => t.includes(' wait , '));
    expect(detours.length).toBeGreaterThan(0);
    expect(detours.length).toBeLessThan(traces.length);
    for (const t of traces) expect(answerOf(t)).toBe(problem.answer);
  });

  it('reads the hour, adds the hours and wraps past 12 for "what hour will it be N hours later"', () => {
    const caption = 'the image shows a clock . the short hour hand points to 10 . the long minute hand points to 12 .';
    const trace = readCaption(caption, 'what hour will it be 4 hours later ?', null, createRng(3));
    expect(trace).toMatch(FORMAT);
    expect(trace).toContain('10 + 4 = 14 .');
    expect(trace).toContain('14 is 2 .');
    expect(answerOf(trace)).toBe('2');
    const noWrap = readCaption(caption.replace('10', '5'), 'what hour will it be 3 hours later ?', null, createRng(3));
    expect(noWrap).toContain('5 + 3 = 8 .');
    expect(noWrap).not.toContain('only goes to 12');
    expect(answerOf(noWrap)).toBe('8');
  });

  it('is seeded: the same rng seed gives the same trace', () => {
    const [{ problem }] = generateDataset({ n: 1, seed: 8, split: 'train', imageSize: 16 });
    const a = readCaption(problem.caption ?? '', problem.question, problem.choices, createRng(42));
    const b = readCaption(problem.caption ?? '', problem.question, problem.choices, createRng(42));
    expect(a).toBe(b);
  });

  it('answers from what the caption says, so a corrupted fact gives a wrong answer', () => {
    const caption = 'the image shows 2 red circles and 1 blue square .';
    const trace = readCaption(caption, 'how many red circles are there ?', null, createRng(1));
    expect(answerOf(trace)).toBe('2');
    expect(trace).toContain('1 , 2');
    const dropped = readCaption(
      'the image shows 1 blue square .',
      'how many red circles are there ?',
      null,
      createRng(1),
    );
    expect(answerOf(dropped)).toBe('0');
  });

  it('maps a computed value that is not among the options to the closest one', () => {
    const caption = 'this is a bar chart with 2 bars . the red bar reaches 5 . the blue bar reaches 2 .';
    const trace = readCaption(caption, 'what is the value of the red bar ?', ['1', '2', '4', '7'], createRng(3));
    expect(trace).toContain('5 is not an option');
    expect(answerOf(trace)).toBe('C');
  });

  it('writes an honest "unknown" for a question outside the world, without throwing', () => {
    const trace = readCaption('a photo of a cat .', 'what breed is the cat ?', null, createRng(1));
    expect(answerOf(trace)).toBe('unknown');
    expect(trace).toMatch(FORMAT);
  });

  it('never throws on arbitrary text: captions and questions from elsewhere are data', () => {
    const rng = createRng(77);
    const words = [
      'the',
      'red',
      '3',
      'bar',
      'hour',
      'hand',
      '.',
      '?',
      'circle',
      'question',
      'mark',
      'degrees',
      'left',
      'width',
    ];
    for (let i = 0; i < 300; i++) {
      const text = () => Array.from({ length: rng.range(0, 25) }, () => rng.pick(words)).join(' ');
      const trace = readCaption(text(), text(), rng.chance(0.5) ? [text(), text()] : null, rng);
      expect(trace).toMatch(FORMAT);
    }
    const real = readCaption('A RED circle. Two squares!', '  How many red circles are there ?', null, rng);
    expect(answerOf(real)).toBe('0');
  });

  it('keeps easy traces short and hard traces longer', () => {
    const records = generateDataset({ n: 600, seed: 9, split: 'train', imageSize: 16 });
    const mean = (tier: string) => {
      const lens = records
        .filter((r) => r.problem.tier === tier)
        .map(
          ({ problem }, i) =>
            worldTokens(readCaption(problem.caption ?? '', problem.question, problem.choices, createRng(i))).length,
        );
      return lens.reduce((a, b) => a + b, 0) / lens.length;
    };
    const [easy, medium, hard] = [mean('easy'), mean('medium'), mean('hard')];
    expect(easy).toBeGreaterThan(15);
    expect(easy).toBeLessThan(60);
    expect(medium).toBeGreaterThan(easy);
    expect(hard).toBeGreaterThan(medium);
  });
});

describe('parseCaption', () => {
  it('reads counts, positions, bars, angles, sides and clock hands', () => {
    const f = parseCaption(
      'the image shows 3 red circles and 1 blue square . a green triangle is at the top left . ' +
        'the yellow bar has a value of 4 . one angle is labelled 50 degrees . the width is 7 . ' +
        'the short hour hand is between 3 and 4 . the long minute hand points to 6 .',
    );
    expect([...f.counts]).toEqual([
      ['red circle', 3],
      ['blue square', 1],
    ]);
    expect(f.objects).toEqual([{ color: 'green', shape: 'triangle', row: 0, col: 0 }]);
    expect(f.bars.get('yellow')).toBe(4);
    expect(f.angles).toEqual([50]);
    expect(f.width).toBe(7);
    expect([f.hour, f.minuteMark]).toEqual([3, 6]);
  });
});
