import { describe, expect, it } from 'vitest';
import {
  extractAnswerTag,
  extractAnswerTagSingleLine,
  hasThinkAnswerFormat,
  lacksJustification,
} from './answer-tag.ts';

describe('extractAnswerTag (the first tag, across lines)', () => {
  it.each([
    ['<answer>5</answer>', '5'],
    ['<answer></answer>', ''],
    ['<answer>1</answer> then <answer>2</answer>', '1'],
    ['<answer><answer>5</answer></answer>', '5'],
    ['<answer>a <answer>b</answer>', 'b'],
    ['</answer> early <answer>5</answer>', '5'],
    ['<answer>\n 7 \n</answer>', '\n 7 \n'],
    ['<answer>5', null],
    ['5</answer>', null],
    ['<answer</answer>', null],
    ['', null],
  ])('%j -> %j', (text, expected) => {
    expect(extractAnswerTag(text)).toBe(expected);
  });
});

describe("extractAnswerTagSingleLine (OpenVLThinker's regex: no tag content across a line break)", () => {
  it.each([
    ['<answer>5</answer>', '5'],
    ['<answer></answer>', ''],
    ['<answer>7</answer>\nmore text', '7'],
    ['line\n<answer>7</answer>', '7'],
    ['<answer>a\nb</answer>', null],
    ['<answer>a\nb</answer> <answer>7</answer>', '7'],
    ['<answer>x\n<answer>7</answer>', '7'],
    ['<answer>1</answer><answer>2</answer>', '1'],
    ['<answer>a\nb', null],
    ['<answer>7', null],
    ['no tags', null],
  ])('%j -> %j', (text, expected) => {
    expect(extractAnswerTagSingleLine(text)).toBe(expected);
  });
});

describe('hasThinkAnswerFormat (the whole output is <think>...</think> then <answer>...</answer>)', () => {
  it.each([
    ['<think>a</think><answer>b</answer>', true],
    ['<think></think><answer></answer>', true],
    ['\n <think>a</think>\n\n<answer>b</answer> \n', true],
    ['<think>a</think>b</think> <answer>c</answer>', true],
    ['<think>a</think>x<answer>b</answer>', false],
    ['x<think>a</think><answer>b</answer>', false],
    ['<think>a</think><answer>b</answer>x', false],
    ['<think>a<answer>b</answer>', false],
    ['<think>a</think>', false],
    ['<answer>b</answer>', false],
  ])('%j -> %s', (text, expected) => {
    expect(hasThinkAnswerFormat(text)).toBe(expected);
  });
});

describe('lacksJustification (nothing but whitespace between the first </think> and the next <answer>)', () => {
  it.each([
    ['<think>a</think><answer>7</answer>', true],
    ['<think>a</think> \n\t <answer>7</answer>', true],
    ['<think>a</think>So 7.<answer>7</answer>', false],
    ['<think>a</think> text </think><answer>7</answer>', false],
    ['<answer>7</answer><think>a</think>', false],
    ['<think>a <answer>7</answer>', false],
    ['</think><answer>7</answer>', true],
    ['</think> x <answer>7</answer>', false],
    ['', false],
  ])('%j -> %s', (text, expected) => {
    expect(lacksJustification(text)).toBe(expected);
  });
});
