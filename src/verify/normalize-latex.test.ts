import { describe, expect, it } from 'vitest';
import { normalizeLatex } from './normalize-latex.ts';

describe('normalizeLatex', () => {
  it.each([
    // unicode look-alikes
    ['5−3', '5-3'],
    ['2×3', '2*3'],
    ['6÷2', '6/2'],
    ['x≤1', 'x\\le 1'],
    ['x≥1', 'x\\ge 1'],
    ['x≠1', 'x\\ne 1'],
    ['2π', '2\\pi'],
    ['∞', '\\infty'],
    ['±1', '\\pm 1'],
    ['√2', '\\sqrt 2'],
    ['A∪B', 'A\\cup B'],
    ['A∩B', 'A\\cap B'],
    ['∅', '\\emptyset'],
    ['x²', 'x^2'],
    ['x³', 'x^3'],
    ['90°', '90'],
    ['a\u200Bb', 'ab'],
    // sizing, spacing
    ['\\displaystyle\\frac{1}{2}', '\\frac{1}{2}'],
    ['(1)\\limits x', '(1) x'],
    ['1\\quad2', '1 2'],
    ['a\\,b', 'a b'],
    ['a~b', 'a b'],
    [' 1 ', '1'],
    // degrees
    ['90^{\\circ}', '90'],
    ['90^ { \\circ }', '90'],
    ['90^\\circ', '90'],
    ['90^ \\circ', '90'],
    ['(90\\degree)', '(90)'],
    ['90\\degree', '90'],
    // "and"/"or" between answers
    ['1\\text { and } 2', '1 ;  2'],
    ['1\\text{,and}2', '1 ; 2'],
    ['1\\text{, and}2', '1 ; 2'],
    ['1, and 2', '1, 2'],
    ['1, and  2', '1, 2'],
    ['1 and2', '1 ;2'],
    ['x andy', 'x andy'],
    // units
    ['5\\text{ cm}\\times 2', '5 \\times 2'],
  ])('%j -> %j', (input, expected) => {
    expect(normalizeLatex(input)).toBe(expected);
  });
});
