import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mathVerifyOptions, readMathVerifyCases } from '../../test/math-verify-cases.ts';
import { hasSharedData, sharedDataSkipReason } from '../../test/shared-data.ts';
import { verifyAnswer } from './index.ts';

/**
 * Evidence: agreement with the Math-Verify / lighteval test-suite cases (the shared data's verifier/), each run under
 * the extraction config it was recorded with. Every case we disagree on is listed, with its reason, in
 * fixtures/math-verify-disagreements.json; the list must equal what we get, so it can only shrink (a fixed case
 * fails this test until its entry is removed).
 */
interface Disagreement {
  id: string;
  gold: string;
  prediction: string;
  expected: boolean;
  reason: string;
}

if (!hasSharedData) console.warn(`skipping Math-Verify cases: ${sharedDataSkipReason}`);

describe.skipIf(!hasSharedData)('Math-Verify test-suite cases', () => {
  const data = { cases: hasSharedData ? readMathVerifyCases() : [] };
  const fixture = JSON.parse(
    readFileSync(new URL('./fixtures/math-verify-disagreements.json', import.meta.url), 'utf8'),
  ) as Disagreement[];

  const results = data.cases.map((c) => {
    const r = verifyAnswer(c.gold, c.prediction, mathVerifyOptions(c));
    return { c, r };
  });

  it('agrees with the expected verdict on at least 97% of the cases', () => {
    const agree = results.filter(({ c, r }) => r.correct === c.expected).length;
    expect(data.cases.length).toBeGreaterThan(200);
    expect(agree / data.cases.length).toBeGreaterThanOrEqual(0.97);
  });

  it('disagrees exactly on the cases listed in the fixture, each with a reason', () => {
    const disagreements = results.filter(({ c, r }) => r.correct !== c.expected).map(({ c }) => c.id);
    expect(fixture.every((d) => d.reason.length > 20)).toBe(true);
    expect(disagreements.sort()).toEqual(fixture.map((d) => d.id).sort());
  });
});
