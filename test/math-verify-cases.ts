import { readFileSync } from 'node:fs';
import type { ExtractionTarget, VerifyOptions } from '../src/verify/index.ts';
import { sharedPath } from './shared-data.ts';

/**
 * The Math-Verify / lighteval test-suite cases (`verifier/math_verify_cases.json` in the shared data), read by the
 * verifier's agreement test and by the verify benchmark: one case type and one mapping of a case's config to
 * `verifyAnswer`'s options.
 */
export interface MathVerifyCase {
  id: string;
  gold: string;
  prediction: string;
  expected: boolean;
  /** The gold as Math-Verify parsed it (SymPy notation), where the suite records it. */
  parsed_gold?: string[];
  config: {
    extraction: string[];
    latex_boxed_match_priority: number;
    float_rounding: number;
    strict: boolean;
    allow_set_relation_comp: boolean;
  };
}

/** Reads the cases; call only when the shared data is present (`hasSharedData`). */
export function readMathVerifyCases(): MathVerifyCase[] {
  const file = sharedPath('verifier', 'math_verify_cases.json');
  return (JSON.parse(readFileSync(file, 'utf8')) as { cases: MathVerifyCase[] }).cases;
}

/** A case's Math-Verify config as our options (its `NativeLetters` target is our `letters`; no `<answer>` tag step). */
export function mathVerifyOptions(c: MathVerifyCase): VerifyOptions {
  return {
    extraction: c.config.extraction.map((t) => (t === 'NativeLetters' ? 'letters' : t)) as ExtractionTarget[],
    boxedPriority: c.config.latex_boxed_match_priority,
    floatRounding: c.config.float_rounding,
    strict: c.config.strict,
    allowSetRelationComp: c.config.allow_set_relation_comp,
    answerTag: false,
  };
}
