/**
 * `npm run bench -- ablations`: what the round-1 SFT data is made of, measured on the embedded preset's problems.
 *
 * - chain vs answer-only: the same kept problems, SFT on the cut reasoning chain (`filter.target: chain`, the method)
 *   or on the final answer alone (`answer`). Per family: does writing the steps out help the tiny VLM?
 * - truncated vs unfiltered (the paper's Table 3: 63.4 vs 57.5 on MathVista): chains cut at the first self-reflection
 *   marker, or kept whole (`filter.markers: []`).
 *
 * Each variant is one `vlthink run` of one round on the default preset at one ONNX Runtime thread (the deterministic
 * setting: at 2 threads two SFT runs on the same data differ by several points, which would drown a small effect);
 * only SFT_1 on the test split is compared, so the difficulty pass and RL are cut to a token (one GRPO step of four
 * rollouts) to save their time; the variants after the first reuse its data, base model and distillation (a copy of
 * its run directory, resumed). The run directories are removed afterwards unless `VLTHINK_BENCH_KEEP=1`.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readRunSummary, sourcePercents, vlthinkRun } from './vlthink-run.ts';

const SFT_ONLY = {
  rounds: 1,
  backend: { kind: 'embedded', threads: 1 },
  difficulty: { k: 1, maxTokens: 4 },
  rl: {
    maxSteps: 1,
    rolloutBatchSize: 4,
    miniBatchSize: 4,
    groupSize: 2,
    stages: [{ name: 'token', tiers: ['easy', 'medium', 'hard'], episodes: 1, freezeVision: false }],
  },
};

const VARIANTS = {
  chain: {},
  'answer-only': { filter: { target: 'answer' } },
  unfiltered: { filter: { markers: [] } },
} as const;
type Variant = keyof typeof VARIANTS;

const round1 = (x: number) => Number((100 * x).toFixed(1));

export async function run(): Promise<void> {
  const out = await mkdtemp(join(tmpdir(), 'vlthink-bench-ablations-'));
  const results = new Map<Variant, { sft1: number; bySource: Record<string, number> }>();
  try {
    for (const [variant, overlay] of Object.entries(VARIANTS) as Array<[Variant, object]>) {
      const config = join(out, `${variant}.json`);
      await writeFile(config, JSON.stringify({ ...SFT_ONLY, ...overlay }));
      // Later variants start from a copy of the first one's run directory: the data, the (pretrained) base and the
      // round-1 distillation have the same inputs and are reused, so only the filter stage onwards reruns.
      const first = results.keys().next();
      if (!first.done) await cp(join(out, first.value), join(out, variant), { recursive: true });
      const child = await vlthinkRun(out, variant, ['--config', config]);
      if (child.code !== 0) {
        process.stdout.write(
          `${JSON.stringify({ bench: 'ablations', variant, error: `vlthink run exited with ${child.code}`, runDir: child.runDir })}\n`,
        );
        process.exitCode = 1;
        return;
      }
      const r1 = (await readRunSummary(child.runDir)).rounds[0];
      if (!r1) throw new Error(`${child.runDir}/summary.json has no round`);
      const stats = JSON.parse(await readFile(join(child.runDir, 'round-1', 'filter-stats.json'), 'utf8')) as {
        kept: number;
        truncated: number;
        meanWordsAfter: number;
      };
      const result = { sft1: round1(r1.sft.accuracy), bySource: sourcePercents(r1.sft.bySource) };
      results.set(variant, result);
      process.stdout.write(
        `${JSON.stringify({ bench: 'ablations', variant, seconds: Math.round(child.seconds), examples: stats.kept, truncated: stats.truncated, meanWords: Number(stats.meanWordsAfter.toFixed(1)), ...result })}\n`,
      );
    }
    const chain = results.get('chain');
    const answer = results.get('answer-only');
    const unfiltered = results.get('unfiltered');
    if (chain && answer) {
      const gap = Object.fromEntries(
        Object.entries(chain.bySource).map(([s, v]) => [s, Number((v - (answer.bySource[s] ?? 0)).toFixed(1))]),
      );
      process.stdout.write(
        `${JSON.stringify({ bench: 'ablations', compare: 'chain - answer-only (SFT_1 points)', overall: Number((chain.sft1 - answer.sft1).toFixed(1)), bySource: gap })}\n`,
      );
    }
    if (chain && unfiltered) {
      process.stdout.write(
        `${JSON.stringify({ bench: 'ablations', compare: 'truncated - unfiltered (SFT_1 points; paper Table 3: 63.4 - 57.5 = 5.9)', truncated: chain.sft1, unfiltered: unfiltered.sft1, gap: Number((chain.sft1 - unfiltered.sft1).toFixed(1)) })}\n`,
      );
    }
  } finally {
    if (process.env.VLTHINK_BENCH_KEEP !== '1') await rm(out, { recursive: true, force: true });
    else process.stderr.write(`bench ablations: run directories kept in ${out}\n`);
  }
}
