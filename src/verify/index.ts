/** verify/: is this answer right? The general verifier, MathRuler's grader, and the rewards built on them. */
export {
  extractAnswerTag,
  extractAnswerTagSingleLine,
  hasThinkAnswerFormat,
  lacksJustification,
} from './answer-tag.ts';
export { type CompareOptions, equivalent } from './compare.ts';
export { canonicalKey, type Expr, show } from './expr.ts';
export { type Extraction, type ExtractionConfig, type ExtractionTarget, extractAnswer } from './extract.ts';
export { type VerifyOptions, type VerifyReason, type VerifyResult, verifyAnswer } from './math-verify.ts';
export { gradeAnswer } from './mathruler.ts';
export { type ParseOptions, parseMath } from './parse-math.ts';
export { cleanAnswerForRegeneration, matchesForRegeneration } from './regeneration.ts';
export {
  type AccuracyOptions,
  accuracyReward,
  combineRewards,
  computeReward,
  formatReward,
  openVLThinkerReward,
  type RewardFn,
  type RewardResult,
} from './rewards.ts';
