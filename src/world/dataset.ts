import { z } from 'zod';
import { ConfigError, createRng, fnv1a } from '../core/index.ts';
import { type Problem, type Tier, Tier as TierSchema } from '../data/types.ts';
import { captionScene } from './caption.ts';
import { barArithFamily, barCompareFamily, barValueFamily } from './families-charts.ts';
import { clockArithFamily, clockFamily, rectangleFamily, triangleFamily } from './families-geometry.ts';
import { countArithFamily, countFamily, positionFamily } from './families-shapes.ts';
import { FAMILIES, type Family, type FamilyName, type GeneratedProblem } from './family.ts';
import { renderScene } from './render.ts';
import type { Scene } from './scene.ts';

/**
 * Datasets of the synthetic world. Deterministic: (seed, split, options) -> byte-identical problems and PNGs.
 * Splits never overlap: each candidate problem's content (scene + question) hashes to one split, and a split keeps
 * only the candidates that hash to it, so no image+question can appear in two splits whatever the seeds.
 */

export const FAMILY_TABLE: Readonly<Record<FamilyName, Family>> = {
  count: countFamily,
  'count-arith': countArithFamily,
  'bar-value': barValueFamily,
  'bar-compare': barCompareFamily,
  'bar-arith': barArithFamily,
  'triangle-angle': triangleFamily,
  rectangle: rectangleFamily,
  clock: clockFamily,
  'clock-arith': clockArithFamily,
  position: positionFamily,
};

export const SPLITS = ['train', 'rl', 'test'] as const;
export type Split = (typeof SPLITS)[number];

/** Share of the content-hash space each split owns, in percent (train 60, rl 20, test 20). */
const SPLIT_BUCKETS: Record<Split, readonly [number, number]> = { train: [0, 60], rl: [60, 80], test: [80, 100] };

export const SynthOptions = z.object({
  n: z.number().int().min(0).max(10_000_000).describe('number of problems to generate'),
  seed: z.number().int().describe('random seed; the same seed gives byte-identical problems and images'),
  split: z.enum(SPLITS).default('train').describe('which disjoint split to draw from (train / rl / test)'),
  families: z
    .array(z.enum(FAMILIES))
    .min(1)
    .optional()
    .describe('problem families to draw from, uniformly (default: all)'),
  tiers: z
    .union([z.array(TierSchema).min(1), z.partialRecord(z.enum(FAMILIES), z.array(TierSchema).min(1))])
    .optional()
    .describe(
      'difficulty tiers to draw from, uniformly within a family: one list for every family, or a list per family (a family not named draws every tier it has; default: all the family has)',
    ),
  imageSize: z
    .number()
    .int()
    .min(16)
    .max(2048)
    .default(64)
    .describe('image side in pixels (embedded model: 32-64; 256+ for people)'),
  noise: z
    .number()
    .min(0)
    .max(1)
    .default(0)
    .describe('caption noise: probability that each fact in the caption is dropped or corrupted (0 = faithful)'),
});
export type SynthOptions = z.input<typeof SynthOptions>;

export interface WorldRecord {
  readonly problem: Problem;
  readonly scene: Scene;
  /** The image, PNG bytes (its path is `problem.images[0]`). */
  readonly png: Uint8Array;
}

/** Which split a problem's content belongs to (scene + question; the choice order does not matter). */
export function splitOf(scene: Scene, question: string): Split {
  // plain JSON.stringify: scenes are built (and re-read from JSONL) with a fixed key order, and stableStringify's key
  // sorting cost as much as the rest of a problem's generation
  // fnv1a, not sha256: sha256 cost 4x more per candidate, and split assignment needs no security
  const bucket = fnv1a(`${JSON.stringify(scene)}\n${question}`) % 100;
  for (const s of SPLITS) if (bucket >= SPLIT_BUCKETS[s][0] && bucket < SPLIT_BUCKETS[s][1]) return s;
  return 'test';
}

/** Options validated, defaults filled; a bad value is a ConfigError naming `synth.<field>`. */
export function parseSynthOptions(options: SynthOptions): z.output<typeof SynthOptions> {
  const parsed = SynthOptions.safeParse(options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue.path.join('.') || 'options';
    throw new ConfigError(`synth.${field}`, issue.message, {
      value: issue.input,
      hint: SynthOptions.shape[field as 'n']?.description,
    });
  }
  return parsed.data;
}

function parseOptions(options: SynthOptions) {
  const o = parseSynthOptions(options);
  const plan = (o.families ?? FAMILIES)
    .map((name) => {
      const family = FAMILY_TABLE[name];
      const wanted = Array.isArray(o.tiers) ? o.tiers : o.tiers?.[name];
      return { family, tiers: family.tiers.filter((t) => !wanted || wanted.includes(t)) };
    })
    .filter((p) => p.tiers.length > 0);
  if (plan.length === 0) {
    throw new ConfigError(
      'synth.tiers',
      `no family in [${(o.families ?? FAMILIES).join(', ')}] has tiers ${JSON.stringify(o.tiers)}`,
      {
        hint: `family tiers: ${FAMILIES.map((f) => `${f}: ${FAMILY_TABLE[f].tiers.join('/')}`).join('; ')}`,
      },
    );
  }
  return { ...o, plan };
}

export function toProblem(
  g: GeneratedProblem,
  id: string,
  caption: string,
  extra: Record<string, unknown> = {},
): Problem {
  return {
    id,
    question: g.question,
    images: [`images/${id}.png`],
    choices: g.choices,
    answer: g.answer,
    answerType: g.answerType,
    source: g.family,
    tier: g.tier,
    caption,
    metadata: { family: g.family, steps: g.steps, scene: g.scene, ...extra },
  };
}

/** Problems one by one (lazily), each with its scene and PNG. */
export function* iterateDataset(options: SynthOptions): Generator<WorldRecord> {
  const o = parseOptions(options);
  const root = createRng(o.seed).fork(`world/${o.split}`);
  let candidate = 0;
  for (let i = 0; i < o.n; candidate++) {
    const rng = root.fork(candidate);
    const { family, tiers } = rng.pick(o.plan);
    const tier: Tier = rng.pick(tiers);
    const g = family.generate(rng, tier);
    if (splitOf(g.scene, g.question) !== o.split) continue;
    const caption = captionScene(g.scene, { noise: o.noise, rng: rng.fork('caption') });
    const id = `w${o.seed}-${o.split}-${i}`;
    const problem = toProblem(g, id, caption, { split: o.split, noise: o.noise });
    yield { problem, scene: g.scene, png: renderScene(g.scene, o.imageSize) };
    i++;
  }
}

export function generateDataset(options: SynthOptions): WorldRecord[] {
  return Array.from(iterateDataset(options));
}
