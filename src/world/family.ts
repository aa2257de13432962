import type { Rng } from '../core/index.ts';
import type { AnswerType, Tier } from '../data/types.ts';
import { type QuestionSpec, questionText } from './question.ts';
import type { Scene } from './scene.ts';

/** One generated problem before it gets an id, an image and a caption. */
export interface GeneratedProblem {
  readonly family: FamilyName;
  readonly tier: Tier;
  /** Reasoning steps a careful solver takes (reads, counts, arithmetic, comparisons); the tier follows from it. */
  readonly steps: number;
  readonly scene: Scene;
  readonly spec: QuestionSpec;
  readonly question: string;
  readonly choices: string[] | null;
  readonly answer: string;
  readonly answerType: AnswerType;
}

/** A generated problem whose question is the spec's text (every family builds its problems through this). */
export function generatedProblem(
  family: FamilyName,
  tier: Tier,
  steps: number,
  scene: Scene,
  spec: QuestionSpec,
  answer: string,
  answerType: AnswerType,
  choices: string[] | null = null,
): GeneratedProblem {
  return { family, tier, steps, scene, spec, question: questionText(spec), choices, answer, answerType };
}

export const FAMILIES = [
  'count',
  'count-arith',
  'bar-value',
  'bar-compare',
  'bar-arith',
  'triangle-angle',
  'rectangle',
  'clock',
  'clock-arith',
  'position',
] as const;
export type FamilyName = (typeof FAMILIES)[number];

export interface Family {
  readonly name: FamilyName;
  readonly description: string;
  /** The tiers this family can produce. */
  readonly tiers: readonly Tier[];
  generate(rng: Rng, tier: Tier): GeneratedProblem;
}

/** Tiers from reasoning steps: 1-2 easy, 3-4 medium, 5+ hard (each family's variants are built to land in theirs). */
export function tierForSteps(steps: number): Tier {
  if (steps <= 2) return 'easy';
  if (steps <= 4) return 'medium';
  return 'hard';
}
