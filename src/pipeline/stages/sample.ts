import { z } from 'zod';
import type { Checkpoint, Completion } from '../../backends/types.ts';
import { VlthinkError, writeJsonAtomic } from '../../core/index.ts';
import { readJsonlAll, writeJsonl } from '../../data/jsonl.ts';
import { type Problem, SftExample, Trace } from '../../data/types.ts';
import { judgeAnswer } from '../../verify/index.ts';
import type { StageContext } from '../context.ts';
import { filterTraces } from '../filter.ts';
import { generateAll, generateWithPolicy } from '../generate.ts';
import { abs, paths } from '../paths.ts';
import { captionPrompt, policyPrompt, policyPromptText, reasonerPrompt } from '../prompts.ts';
import { selectTrace } from '../select-trace.ts';

/** A sampled chain as the trace files store it: the seam's Trace plus whether selection kept it. */
export const SampledTrace = Trace.extend({
  selected: z.boolean().describe('the chain kept for this problem (shortest correct, or the code variant)'),
});
export type SampledTrace = z.infer<typeof SampledTrace>;

export const CaptionRecord = z.object({
  problemId: z.string(),
  caption: z.string(),
  from: z.enum(['dataset', 'captioner']),
});
export type CaptionRecord = z.infer<typeof CaptionRecord>;

/** caption: dataset captions where present (and allowed), the captioner for the rest. */
export async function captionStage(ctx: StageContext, problems: readonly Problem[], dataHash: string) {
  const cfg = ctx.config.caption;
  const captioner = ctx.deps.captioner;
  const out = paths.captions(1);
  const { record } = await ctx.ledger.runStage({
    key: 'round-1/caption',
    inputs: { cfg, dataHash, captioner: captioner?.id ?? null },
    outputs: [out],
    run: async (staged) => {
      const missing = problems.filter((p) => !(cfg.skipWhenPresent && p.caption));
      let generated: string[] = [];
      if (missing.length > 0) {
        if (!captioner) {
          throw new VlthinkError(`${missing.length} problems carry no caption and no captioner backend is configured`, {
            hint: 'give the problems captions, or use a backend with a captioner',
          });
        }
        const imageRoot = abs(ctx, paths.dataDir);
        const prompts = missing.map((p) => captionPrompt(p, imageRoot, cfg.prompt));
        const params = { n: 1, temperature: cfg.temperature, topP: 1, maxTokens: cfg.maxTokens };
        generated = (await generateAll(ctx, captioner, prompts, params, 'caption')).map((c) => c[0]?.text.trim() ?? '');
      }
      const byId = new Map(missing.map((p, i) => [p.id, generated[i] ?? '']));
      const records: CaptionRecord[] = problems.map((p) => {
        const fromCaptioner = byId.get(p.id);
        return fromCaptioner === undefined
          ? { problemId: p.id, caption: p.caption ?? '', from: 'dataset' }
          : { problemId: p.id, caption: fromCaptioner, from: 'captioner' };
      });
      await writeJsonl(staged(out), records, { schema: CaptionRecord });
      return { problems: problems.length, fromDataset: problems.length - missing.length, captioned: missing.length };
    },
  });
  return { hash: record.outputs[out] ?? '' };
}

export async function readCaptions(ctx: StageContext): Promise<Map<string, string>> {
  const { records } = await readJsonlAll(abs(ctx, paths.captions(1)), CaptionRecord);
  return new Map(records.map((r) => [r.problemId, r.caption]));
}

/**
 * distill (round 1: text reasoner on caption + question) or regenerate (round >= 2: the previous RL policy on image +
 * question): k samples per problem, each verified; the selected correct chain is flagged.
 */
export async function sampleStage(
  ctx: StageContext,
  round: number,
  problems: readonly Problem[],
  source:
    | { kind: 'reasoner'; captionsHash: string }
    | { kind: 'policy'; checkpoint: Checkpoint; checkpointHash: string },
  dataHash: string,
) {
  const cfg = round === 1 ? ctx.config.distill : ctx.config.regenerate;
  const name = round === 1 ? 'distill' : 'regenerate';
  const out = paths.traces(round);
  const { record } = await ctx.ledger.runStage({
    key: `round-${round}/${name}`,
    inputs: {
      cfg,
      dataHash,
      source:
        source.kind === 'reasoner'
          ? { reasoner: ctx.deps.reasoner.id, captions: source.captionsHash }
          : source.checkpointHash,
      seed: ctx.config.seed,
    },
    outputs: [out],
    run: async (staged) => {
      const params = { n: cfg.k, temperature: cfg.temperature, topP: cfg.topP, maxTokens: cfg.maxTokens };
      const label = `round ${round} ${name}`;
      let completions: Completion[][];
      let generator: string;
      if (source.kind === 'reasoner') {
        const captions = await readCaptions(ctx);
        const prompts = problems.map((p) => reasonerPrompt(p, captions.get(p.id) ?? ''));
        completions = await generateAll(ctx, ctx.deps.reasoner, prompts, params, label);
        generator = ctx.deps.reasoner.id;
      } else {
        const imageRoot = abs(ctx, paths.dataDir);
        const prompts = problems.map((p) => policyPrompt(p, imageRoot, ctx.deps.policyPromptText));
        ({ completions, generator } = await generateWithPolicy(ctx, source.checkpoint, prompts, params, label));
      }
      const traces: SampledTrace[] = [];
      let correct = 0;
      let withCorrect = 0;
      for (const [i, problem] of problems.entries()) {
        const samples = (completions[i] ?? []).map((c, sample) => {
          const verdict = judgeAnswer(c.text, problem, round === 1 ? 'match' : 'regenerate');
          return {
            problemId: problem.id,
            sample,
            text: c.text,
            extracted: verdict.extracted,
            correct: verdict.correct,
            generator,
          };
        });
        const chosen = selectTrace(samples, cfg.selection);
        correct += samples.filter((s) => s.correct).length;
        if (chosen) withCorrect++;
        for (const s of samples) traces.push({ ...s, selected: s === chosen });
      }
      await writeJsonl(staged(out), traces, { schema: SampledTrace });
      return { problems: problems.length, samples: traces.length, correct, problemsWithCorrect: withCorrect };
    },
  });
  return { hash: record.outputs[out] ?? '', counts: record.counts };
}

/** filter: selected chains -> `sft-data.jsonl`, with the reasons for every drop in `filter-stats.json`. */
export async function filterStage(
  ctx: StageContext,
  round: number,
  problems: readonly Problem[],
  tracesHash: string,
  previous: { hash: string } | null,
) {
  const cfg = ctx.config.filter;
  const out = paths.sftData(round);
  const stats = paths.filterStats(round);
  const carry = cfg.keepPrevious && round > 1 && previous !== null;
  const { record } = await ctx.ledger.runStage({
    key: `round-${round}/filter`,
    inputs: { cfg, tracesHash, previous: carry ? previous.hash : null },
    outputs: [out, stats],
    run: async (staged) => {
      const { records } = await readJsonlAll(abs(ctx, paths.traces(round)), SampledTrace);
      const chosen = new Map(records.filter((t) => t.selected).map((t) => [t.problemId, t]));
      const candidates = problems.map((p) => {
        const t = chosen.get(p.id);
        return { problemId: p.id, text: t?.text ?? null, answer: t ? (t.extracted ?? p.answer) : null };
      });
      const outcome = filterTraces(candidates, cfg);
      const byId = new Map(problems.map((p) => [p.id, p]));
      const examples: SftExample[] = outcome.kept.map((k, i) => {
        const p = byId.get(k.problemId) as Problem;
        return {
          id: `r${round}-${i}`,
          problemId: p.id,
          images: p.images,
          prompt: (ctx.deps.policyPromptText ?? policyPromptText)(p),
          response: k.response,
          answer: p.answer,
        };
      });
      let fromPrevious = 0;
      if (carry) {
        const lost = new Set(outcome.dropped.filter((d) => d.reason === 'no-correct-trace').map((d) => d.problemId));
        const { records: before } = await readJsonlAll(abs(ctx, paths.sftData(round - 1)), SftExample);
        for (const ex of before) {
          if (!lost.has(ex.problemId)) continue;
          examples.push({ ...ex, id: `r${round}-${examples.length}` });
          fromPrevious++;
        }
      }
      if (examples.length === 0) {
        throw new VlthinkError(`round ${round}: the filter kept no SFT examples out of ${problems.length} problems`, {
          hint: 'check filter.minWords / maxWords and the traces in the round folder',
        });
      }
      await writeJsonl(staged(out), examples, { schema: SftExample });
      await writeJsonAtomic(staged(stats), { ...outcome.stats, fromPrevious, droppedProblems: outcome.dropped });
      const { kept, truncated } = outcome.stats;
      return { candidates: outcome.stats.candidates, kept, truncated, fromPrevious, examples: examples.length };
    },
  });
  return { hash: record.outputs[out] ?? '', counts: record.counts };
}
