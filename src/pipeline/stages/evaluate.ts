import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { writeJsonAtomic } from '../../core/index.ts';
import { readJsonlAll, writeJsonl } from '../../data/jsonl.ts';
import type { Problem } from '../../data/types.ts';
import { judgeAnswer } from '../../verify/index.ts';
import type { StageContext } from '../context.ts';
import { generateWithPolicy } from '../generate.ts';
import { abs, paths } from '../paths.ts';
import { policyPrompt } from '../prompts.ts';
import type { StageCheckpoint } from './train.ts';

/** One test problem's outcome under one checkpoint. */
export const EvalRecord = z.object({
  problemId: z.string(),
  source: z.string(),
  tier: z.string().nullable(),
  text: z.string(),
  extracted: z.string().nullable(),
  answer: z.string(),
  correct: z.boolean(),
});
export type EvalRecord = z.infer<typeof EvalRecord>;

export const EvalSummary = z.object({
  round: z.int(),
  checkpoint: z.string().describe('sft, or rl-<stage>'),
  testSet: z.string(),
  total: z.int(),
  correct: z.int(),
  accuracy: z.number(),
  bySource: z.record(z.string(), z.object({ total: z.int(), correct: z.int(), accuracy: z.number() })),
});
export type EvalSummary = z.infer<typeof EvalSummary>;

/** evaluate: greedy decoding of a checkpoint on the held-out test set, graded by the verifier. */
export async function evaluateStage(
  ctx: StageContext,
  round: number,
  name: string,
  ckpt: StageCheckpoint,
  test: readonly Problem[],
  testName: string,
  dataHash: string,
): Promise<EvalSummary> {
  const cfg = ctx.config.eval;
  const results = paths.evalResults(round, name);
  const summary = paths.evalSummary(round, name);
  await ctx.ledger.runStage({
    key: `round-${round}/eval-${name}`,
    inputs: { cfg: { temperature: cfg.temperature, maxTokens: cfg.maxTokens }, ckpt: ckpt.hash, dataHash },
    outputs: [results, summary],
    run: async (staged) => {
      const imageRoot = abs(ctx, paths.dataDir);
      const params = { n: 1, temperature: cfg.temperature, topP: 1, topK: 1, maxTokens: cfg.maxTokens };
      const { completions } = await generateWithPolicy(
        ctx,
        ckpt.checkpoint,
        test.map((p) => policyPrompt(p, imageRoot, ctx.deps.policyPromptText)),
        params,
        `round ${round} eval ${name}`,
      );
      const records: EvalRecord[] = test.map((p, i) => {
        const text = completions[i]?.[0]?.text ?? '';
        const verdict = judgeAnswer(text, p);
        return {
          problemId: p.id,
          source: p.source,
          tier: p.tier,
          text,
          extracted: verdict.extracted,
          answer: p.answer,
          correct: verdict.correct,
        };
      });
      const value = summarize(round, name, testName, records);
      await writeJsonl(staged(results), records, { schema: EvalRecord });
      await writeJsonAtomic(staged(summary), value);
      return { total: value.total, correct: value.correct };
    },
  });
  return EvalSummary.parse(JSON.parse(await readFile(abs(ctx, summary), 'utf8')));
}

export function summarize(
  round: number,
  checkpoint: string,
  testSet: string,
  records: readonly EvalRecord[],
): EvalSummary {
  const bySource: EvalSummary['bySource'] = {};
  for (const r of records) {
    const s = bySource[r.source] ?? { total: 0, correct: 0, accuracy: 0 };
    s.total++;
    if (r.correct) s.correct++;
    s.accuracy = s.correct / s.total;
    bySource[r.source] = s;
  }
  const correct = records.filter((r) => r.correct).length;
  return {
    round,
    checkpoint,
    testSet,
    total: records.length,
    correct,
    accuracy: records.length > 0 ? correct / records.length : 0,
    bySource,
  };
}

export async function readEvalRecords(runDir: string, round: number, name: string): Promise<EvalRecord[]> {
  return (await readJsonlAll(`${runDir}/${paths.evalResults(round, name)}`, EvalRecord)).records;
}
