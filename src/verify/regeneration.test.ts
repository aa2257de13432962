import { describe, expect, it } from 'vitest';
import { cleanAnswerForRegeneration, matchesForRegeneration } from './regeneration.ts';

// More of the regeneration rule (the common cases are in rewards.test.ts): each cleaning step where it applies and
// where it stops.
describe('cleanAnswerForRegeneration: where each step applies', () => {
  it.each([
    ['5. ', '5', 'trimmed before the trailing period is dropped'],
    ['Blue (the left one) .', 'blue', 'trimmed again after the period, so the parenthetical is at the end'],
    ['eyes, 2', 'eyes, 2', 'yes/no only as the first word'],
    ['red (a) blue', 'red (a) blue', 'a parenthetical is dropped only at the end'],
    ['blue(the left one)', 'blue', 'a parenthetical with no space before it'],
    ['blue  (left)', 'blue', 'a parenthetical after several spaces'],
    ['blue  or red', 'blue', 'the first of "x or y", trimmed'],
    ['x =  7', '7', 'what follows " = ", trimmed'],
    ['the answer is  blue', 'blue', 'what follows " is ", trimmed'],
    ['about 5 cm', 'about 5 cm', 'units are cut only from an answer that starts with a number'],
  ])('%j -> %j (%s)', (answer, cleaned) => {
    expect(cleanAnswerForRegeneration(answer)).toBe(cleaned);
  });
});

describe('matchesForRegeneration: the exact-match and empty-answer rules', () => {
  it.each([
    [' 2-3-4 ', '2-3-4', true, 'a long hyphenated gold is matched exactly, the prediction trimmed'],
    ['', '$', false, 'an empty answer never matches, though MathRuler normalizes "$" to nothing too'],
    ['.', '\\%', false, 'nor does one that cleans to nothing, though MathRuler drops "\\%"'],
  ])('%j vs gold %j -> %s (%s)', (pred, gold, expected) => {
    expect(matchesForRegeneration(pred, gold)).toBe(expected);
  });
});
