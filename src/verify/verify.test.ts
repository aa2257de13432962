import { describe, expect, it } from 'vitest';
import { extractAnswerTag, parseMath, show, verifyAnswer } from './index.ts';

describe('verifyAnswer: extraction from free text', () => {
  it.each([
    ['3', '<think>maybe 4</think><answer>3</answer>', true, 'the answer tag comes first'],
    ['3', 'We get \\boxed{4} first, then \\boxed{3}.', true, 'the last \\boxed{}'],
    ['\\frac{1}{2}', 'so it is $\\boxed{\\frac{1}{2}}$ and 7 more words', true, 'boxed inside math'],
    ['12', 'Final Answer: The final answer is $12$. I hope it is correct.', true, '"final answer is"'],
    ['12', 'Answer: 12', true, '"answer:"'],
    ['7', 'First 3 + 4 = 7', true, 'the last number'],
    ['2/3', 'the probability is 2/3.', true, 'a plain expression'],
    ['1000', 'about 1,000 apples', true, 'thousands separators'],
    ['0.5', 'it is 50%', true, 'percentages'],
    ['5', 'no numbers here', false, 'nothing to extract'],
  ])('gold %j in %j -> %s (%s)', (gold, pred, expected) => {
    expect(verifyAnswer(gold, pred).correct).toBe(expected);
  });

  it('reports no-answer when nothing can be extracted', () => {
    expect(verifyAnswer('5', 'I do not know.')).toEqual({
      correct: false,
      gold: '5',
      extracted: null,
      reason: 'no-answer',
    });
  });

  it('reports the extracted value on a mismatch', () => {
    const r = verifyAnswer('5', 'The answer is $\\boxed{6}$');
    expect(r).toEqual({ correct: false, gold: '5', extracted: '6', reason: 'mismatch' });
  });
});

describe('verifyAnswer: values', () => {
  it.each([
    ['\\frac{1}{2}', '0.5', true],
    ['\\dfrac{3}{4}', '3/4', true],
    ['1\\frac{1}{2}', '3/2', true],
    ['2\\sqrt{3}', '\\sqrt{12}', true],
    ['\\pi/2', '1.5707963', true],
    ['1.5707963', '\\frac{\\pi}{2}', true],
    ['10^3', '1000', true],
    ['1e3', '1000', true],
    ['15 \\text{ cm}^2', '15', true],
    ['90^\\circ', '90', true],
    ['\\$5', '5', true],
    ['x = 3', '3', true],
    ['3', 'x=3', true],
    ['x^2+2x+1', '(x+1)^2', true],
    ['x^2+2x+1', '(x-1)^2', false],
    ['\\{1, 2, 3\\}', '\\{3, 2, 1\\}', true],
    ['(1, 2)', '(2, 1)', false],
    ['[0, 1)', '[0, 1)', true],
    ['[0, 1)', '[0, 1]', false],
    ['(-\\infty, 2] \\cup (3, \\infty)', '(3,\\infty)\\cup(-\\infty,2]', true],
    ['\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}', '\\begin{bmatrix}1&2\\\\3&4\\end{bmatrix}', true],
    ['x \\geq 5', '5 \\leq x', true],
    ['x > 5', 'x < 5', false],
    ['2x+4y=6', 'x+2y=3', true],
    ['1 \\pm \\sqrt{2}', '\\{1-\\sqrt{2}, 1+\\sqrt{2}\\}', true],
    ['\\text{odd}', 'odd', true],
    ['0.333', '1/3', false],
    ['12345678901234567890123', '12345678901234567890123', true],
    ['12345678901234567890123', '12345678901234567890124', false],
    ['-5', '\u22125', true],
  ])('gold %j vs %j -> %s', (gold, pred, expected) => {
    expect(verifyAnswer(gold, `$${pred}$`).correct).toBe(expected);
  });
});

describe('verifyAnswer: tagged answers as the engines produce them', () => {
  it.each([
    ['left', '<think>x</think> so <answer>left</answer>', true],
    ['left', '<answer>right</answer>', false],
    ['3:45', '<answer>3:45</answer>', true],
    ['3:45', '<answer>4:45</answer>', false],
    ['blue circle', '<answer>Blue circle</answer>', true],
    ['1.5', '<answer>3/2</answer>', true],
    ['12', '<answer>12 apples</answer>', true],
    ['60^\\circ', '<answer>60 degrees</answer>', true],
    ['30%', '<answer>30</answer>', false],
    ['0.3', '<answer>30%</answer>', true],
    ['5', '<answer>x = 5</answer>', true],
    ['12', '<answer>12.</answer>', true],
    ['3.14', '<answer>\\pi</answer>', false],
  ])('gold %j in %j -> %s', (gold, pred, expected) => {
    expect(verifyAnswer(gold, pred).correct).toBe(expected);
  });
});

describe('verifyAnswer: choices and yes/no', () => {
  it.each([
    ['B', 'The answer is (B).', true],
    ['B', 'B. because the area doubles', true],
    ['(B)', 'I choose option B', true],
    ['B', 'The answer is C', false],
    ['C', 'thinking about it, the correct answer is C', true],
    ['Yes', 'yes, the lines are parallel', true],
    ['no', 'Yes.', false],
  ])('gold %j in %j -> %s', (gold, pred, expected) => {
    expect(verifyAnswer(gold, pred).correct).toBe(expected);
  });

  it('maps option text to its letter on both sides', () => {
    const choices = ['red', 'green', 'blue'];
    expect(verifyAnswer('green', 'The answer is B', { choices }).correct).toBe(true);
    expect(verifyAnswer('B', '<answer>green</answer>', { choices }).correct).toBe(true);
    expect(verifyAnswer('B', '<answer>blue</answer>', { choices }).correct).toBe(false);
  });
});

describe('verifyAnswer never throws and stays bounded', () => {
  // Each input's known verdict against gold 5. The time budget is lifted so that a loaded machine cannot turn a
  // verdict into 'timeout'; the budget itself is tested below (timeoutMs 0), and vitest's test timeout guards hangs.
  it.each([
    ['empty', '', 'no-answer', null],
    ['1 MB of text', 'lorem ipsum 12 '.repeat(70_000), 'mismatch', '12'],
    ['1 MB of digits and spaces', '1 000 '.repeat(170_000), 'mismatch', '1000'],
    ['unbalanced braces', '\\boxed{\\frac{1}{2}', 'mismatch', '1/2'],
    ['only closing braces', '}}}}}}} $}}$', 'unparseable', '}}'],
    ['nested tags', '<answer><answer>5</answer></answer>', 'match', '5'],
    ['unicode minus', '\u22125', 'mismatch', '-5'],
    ['RTL text', '\u202Eالإجابة ٥', 'unparseable', '\u202Eالإجابة ٥'],
    ['a million-digit number', '9'.repeat(1_000_000), 'no-answer', null],
    [
      'deep nesting',
      `$${'('.repeat(5000)}1${')'.repeat(5000)}$`,
      'unparseable',
      `${'('.repeat(5000)}1${')'.repeat(5000)}`,
    ],
    ['many environments', '$1$ and '.repeat(20_000), 'mismatch', '{1, 1}'],
    ['unclosed environments', '\\['.repeat(100_000), 'no-answer', null],
  ])('%s', (_name, pred, reason, extracted) => {
    const r = verifyAnswer('5', pred, { timeoutMs: Number.POSITIVE_INFINITY });
    expect(r).toEqual({ correct: reason === 'match', gold: '5', extracted, reason });
  });

  it('a unicode minus is a minus sign: "\u22127" is -7, wrong for gold 7 and right for gold -7', () => {
    expect(verifyAnswer('7', '\u22127')).toMatchObject({ correct: false, extracted: '-7', reason: 'mismatch' });
    expect(verifyAnswer('-7', '$\u22127$')).toMatchObject({ correct: true, extracted: '-7', reason: 'match' });
  });

  it('nested answer tags give the innermost answer', () => {
    expect(verifyAnswer('5', '<answer><answer>5</answer></answer>').correct).toBe(true);
  });

  it('a time budget cuts off slow work with reason timeout', () => {
    const long = `$${Array.from({ length: 1500 }, (_, i) => `x_{${i}}`).join('+')}$`;
    const r = verifyAnswer(long, long.replace('x_{0}', 'x_{1}'), { timeoutMs: 0 });
    expect(r.reason).toBe('timeout');
    expect(r.correct).toBe(false);
  });
});

describe('parseMath', () => {
  it.each([
    ['\\frac{1}{2}', '1/2'],
    ['\\sqrt3', 'sqrt(3)'],
    ['2x', '2*x'],
    ['[0,1)', '[0, 1)'],
    ['\\{1,2\\}', '{1, 2}'],
    ['x \\le 3', 'x <= 3'],
  ])('%s reads as %s', (latex, shown) => {
    const e = parseMath(latex);
    expect(e && show(e)).toBe(shown);
  });

  it.each(['\\frac{1}{', '(', '\\unknowncommand', '1 +', ''])('%j does not parse', (latex) => {
    expect(parseMath(latex)).toBeNull();
  });
});

describe('extractAnswerTag', () => {
  it.each([
    ['<answer>5</answer>', '5'],
    ['x <answer> a\nb </answer> <answer>2</answer>', ' a\nb '],
    ['<answer>5', null],
    ['no tags', null],
  ])('%j -> %j', (text, expected) => {
    expect(extractAnswerTag(text)).toBe(expected);
  });
});
