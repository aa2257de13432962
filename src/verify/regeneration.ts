import { gradeAnswer } from './mathruler.ts';

/**
 * Answer cleaning used when a round's RL model regenerates SFT data, as OpenVLThinker's code cleans them: lowercase;
 * drop a trailing period; "yes,"/"no," prefixes -> yes/no; drop a parenthetical after text; keep the first of
 * "x or y"; keep what follows " is ", " = ", " ≈ "; cut at common unit words.
 */
const UNIT_CUT =
  /\s*\b(?:degrees?|cm|centimeters?|meters?|metres?|m|km|kilometers?|mm|seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?|feet|foot|ft|inch(?:es)?|in|yards?|miles?|liters?|litres?|l|ml|grams?|g|kg|kilograms?|pounds?|lbs?|ounces?|oz|units?|square|sq|cubic)\b.*$/s;

export function cleanAnswerForRegeneration(answer: string): string {
  let a = answer.trim().toLowerCase();
  a = a.replace(/\.$/, '').trim();
  const yn = /^(yes|no)\s*,/.exec(a);
  if (yn) return yn[1];
  // "5 (rounded)" / "blue (the left one)": drop a parenthetical that follows text
  a = a.replace(/^(.*\S)\s*\([^()]*\)$/s, '$1').trim();
  const or = a.split(' or ');
  if (or.length > 1) a = or[0].trim();
  for (const sep of [' is ', ' = ', ' ≈ ']) {
    const k = a.lastIndexOf(sep);
    if (k >= 0) a = a.slice(k + sep.length).trim();
  }
  if (/^[-+]?[\d.,/]/.test(a)) a = a.replace(UNIT_CUT, '').trim();
  return a;
}

/**
 * Whether a regenerated answer counts as matching the gold: a gold with "-" and at least 5 characters must match
 * exactly (case-insensitive); otherwise the cleaned strings must be equal or gradeAnswer must hold on them.
 */
export function matchesForRegeneration(pred: string, gold: string): boolean {
  const g = gold.trim();
  if (g.includes('-') && g.length >= 5) return pred.trim().toLowerCase() === g.toLowerCase();
  const cp = cleanAnswerForRegeneration(pred);
  const cg = cleanAnswerForRegeneration(gold);
  if (cp === cg) return true;
  return cp.length > 0 && gradeAnswer(cg, cp);
}
