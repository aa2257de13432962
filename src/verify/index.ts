/**
 * verify/: is this answer right? The one correctness rule (`judgeAnswer`) that rewards, data selection and evaluation
 * share, the general Math-Verify-class verifier, MathRuler's grader, and the rewards. Imports core/ only.
 */
export {
  extractAnswerTag,
  extractAnswerTagSingleLine,
  hasThinkAnswerFormat,
  lacksJustification,
} from './answer-tag.ts';
export { type CompareOptions, equivalent } from './compare.ts';
export { canonicalKey, type Expr, show } from './expr.ts';
export { type Extraction, type ExtractionConfig, type ExtractionTarget, extractAnswer } from './extract.ts';
export { answersMatch, goldAnswer, type Judgement, type JudgeRule, type JudgeTarget, judgeAnswer } from './judge.ts';
export { type VerifyOptions, type VerifyReason, type VerifyResult, verifyAnswer } from './math-verify.ts';
export { gradeAnswer } from './mathruler.ts';
export { type ParseOptions, parseMath } from './parse-math.ts';
export { cleanAnswerForRegeneration, matchesForRegeneration } from './regeneration.ts';
export {
  accuracyReward,
  combineRewards,
  computeReward,
  formatReward,
  openVLThinkerReward,
  type RewardFn,
  type RewardResult,
  type RewardSpec,
} from './rewards.ts';
