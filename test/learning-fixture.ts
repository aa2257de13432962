/**
 * A small world dataset for the learning tests: problems of one family written to a folder (PNG images,
 * problems.jsonl), SFT examples from the rule-based caption reader's correct traces, and a tokenizer over all of it.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createRng } from '../src/core/index.ts';
import { policyPromptText, THINK_INSTRUCTION } from '../src/data/problem-text.ts';
import type { Problem, SftExample } from '../src/data/types.ts';
import { createTokenizer, type Tokenizer } from '../src/model/index.ts';
import { judgeAnswer } from '../src/verify/judge.ts';
import { type FamilyName, generateDataset, readCaption, type Split } from '../src/world/index.ts';

export interface WorldSplit {
  readonly problems: Problem[];
  /** One caption-reader trace per problem, kept only where it is correct. */
  readonly examples: SftExample[];
}

/** Generate `n` problems of `family` in `split`, write their images under `dir`, and read their captions. */
export async function worldSplit(
  dir: string,
  opts: {
    family: FamilyName;
    split: Split;
    n: number;
    seed: number;
    imageSize: number;
    tiers?: ('easy' | 'medium' | 'hard')[];
  },
): Promise<WorldSplit> {
  const records = generateDataset({
    n: opts.n,
    seed: opts.seed,
    split: opts.split,
    families: [opts.family],
    imageSize: opts.imageSize,
    ...(opts.tiers ? { tiers: opts.tiers } : {}),
  });
  await mkdir(join(dir, 'images'), { recursive: true });
  const rng = createRng(opts.seed).fork(`reader-${opts.split}`);
  const problems: Problem[] = [];
  const examples: SftExample[] = [];
  for (const r of records) {
    await writeFile(join(dir, r.problem.images[0] as string), r.png);
    problems.push(r.problem);
    const trace = readCaption(r.problem.caption ?? '', r.problem.question, r.problem.choices, rng.fork(r.problem.id));
    if (!judgeAnswer(trace, r.problem).correct) continue;
    examples.push({
      id: `${r.problem.id}-sft`,
      problemId: r.problem.id,
      images: r.problem.images,
      prompt: policyPromptText(r.problem),
      response: trace,
      answer: r.problem.answer,
    });
  }
  return { problems, examples };
}

/** A tokenizer covering the prompts and traces (what the pipeline's base model gets from its seed data). */
export function tokenizerFor(splits: readonly WorldSplit[]): Tokenizer {
  return createTokenizer([
    THINK_INSTRUCTION,
    ...splits.flatMap((s) => [
      ...s.examples.flatMap((e) => [e.prompt, e.response]),
      ...s.problems.map((p) => p.question),
    ]),
  ]);
}
