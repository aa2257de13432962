import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { hasSharedData, sharedDataSkipReason, sharedPath } from '../../test/shared-data.ts';
import { readSympy } from '../../test/sympy-notation.ts';
import { equivalent } from './compare.ts';
import { parseMath } from './parse-math.ts';

/**
 * Evidence: our LaTeX parser against latex2sympy2_extended's test suite (the parser behind Math-Verify). A case
 * passes when our parse equals the expected SymPy value — numerically (at random points where variables remain),
 * or structurally for sets, intervals, relations and unevaluated sums. Must-fail strings must not parse.
 */
interface ParseCase {
  latex: string;
  expected_str: string;
  expect_error: boolean;
}

if (!hasSharedData) console.warn(`skipping latex2sympy parse cases: ${sharedDataSkipReason}`);

describe.skipIf(!hasSharedData)('latex2sympy parse cases', () => {
  const data = hasSharedData
    ? (JSON.parse(readFileSync(sharedPath('verifier', 'latex2sympy_parse_cases.json'), 'utf8')) as {
        parse_cases: ParseCase[];
        bad_strings: string[];
      })
    : { parse_cases: [], bad_strings: [] };
  const opts = { floatRounding: 6, strict: true, allowSetRelationComp: false };

  it('parses 1,027 of the 1,130 cases to the expected value; the misses are exactly those in the fixture', () => {
    const cases = data.parse_cases.filter((c) => !c.expect_error);
    const missed = cases
      .filter((c) => {
        const expected = readSympy(c.expected_str);
        const got = parseMath(c.latex);
        return !(expected !== null && got !== null && equivalent(expected, got, opts));
      })
      .map((c) => c.latex);
    // The fixture may only shrink: a newly parsed case fails this test until its entry is removed (and the README's
    // figure updated with it).
    const known = JSON.parse(
      readFileSync(new URL('./fixtures/latex-parse-misses.json', import.meta.url), 'utf8'),
    ) as string[];
    expect(missed).toEqual(known);
    expect(cases).toHaveLength(1130);
    expect(cases.length - missed.length).toBe(1027);
  });

  it('rejects every must-fail string', () => {
    const accepted = data.bad_strings.filter((s) => parseMath(s) !== null);
    expect(data.bad_strings).toHaveLength(37);
    expect(accepted).toEqual([]);
  });

  it('rejects the cases marked as parse errors', () => {
    const accepted = data.parse_cases.filter((c) => c.expect_error && parseMath(c.latex) !== null).map((c) => c.latex);
    expect(accepted).toEqual([]);
  });

  it.each([
    ['\\frac{1}{2}', '1/2'],
    ['\\sqrt[3]{27}', '3'],
    ['|x|', 'Abs(x)'],
    ['\\lfloor 3.7 \\rfloor', '3'],
    ['\\binom{5}{2}', '10'],
    ['x^2_{i}', 'x_i**2'],
  ])('parses %s like SymPy %s', (latex, sympy) => {
    const expected = readSympy(sympy);
    const got = parseMath(latex);
    expect(expected).not.toBeNull();
    expect(got).not.toBeNull();
    if (expected && got) expect(equivalent(expected, got, opts)).toBe(true);
  });
});
