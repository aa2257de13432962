import type { Command } from 'commander';
import { ConfigError, writeFileAtomic } from '../../core/index.ts';
import { parseBenchList, scoreFile } from '../../eval/index.ts';
import { prepareOutputFile } from '../output-path.ts';
import {
  addScoringOptions,
  BENCH_HELP,
  benchSource,
  configFrom,
  type ScoringFlags,
  scoreContext,
} from './eval-options.ts';

/**
 * `vlthink score --bench NAME FILE [--out PRED.jsonl]`: scores stored responses (the benchmarks' own output files or
 * JSONL of {id, response}); the summary and the official score layout go to stdout as JSON, per-problem verdicts
 * { id, extraction, prediction, correct } to --out.
 */
interface ScoreFlags extends ScoringFlags {
  bench: string;
  out?: string;
  stored?: boolean;
}

export function register(program: Command): void {
  const cmd = program
    .command('score')
    .description("score an existing output / predictions file with a benchmark's official rules")
    .argument(
      '<file>',
      'a benchmark output file (MathVista output_*.json, MATH-V outputs/*.jsonl, ...) or JSONL of {id, response}',
    )
    .requiredOption('--bench <name>', BENCH_HELP)
    .option('--out <file>', 'write one JSON line per problem: { id, extraction, prediction, correct }')
    .option('--stored', 'use stored extractions / model answers (default: MathVista and MathVerse yes, MATH-V no)')
    .option('--no-stored', 'extract again from the responses');
  addScoringOptions(cmd).action(async (file: string, flags: ScoreFlags) => {
    const [bench, ...rest] = parseBenchList(flags.bench);
    if (!bench || rest.length > 0) {
      throw new ConfigError('score.bench', 'score takes exactly one benchmark', { value: flags.bench });
    }
    if (flags.out) await prepareOutputFile('--out', flags.out);
    const config = configFrom(flags, { benches: [bench], model: 'none' });
    const abort = new AbortController();
    const { ctx, helpers } = await scoreContext(config, abort.signal);
    try {
      const score = await scoreFile({ bench, file, source: benchSource(config), ctx, useStored: flags.stored });
      if (flags.out) {
        const lines = score.rows.map((r) =>
          JSON.stringify({ id: r.id, extraction: r.extraction, prediction: r.prediction, correct: r.correct }),
        );
        await writeFileAtomic(flags.out, lines.length > 0 ? `${lines.join('\n')}\n` : '');
      }
      const { bench: name, correct, total, accuracy } = score.summary;
      process.stdout.write(
        `${JSON.stringify({ bench: name, file, correct, total, accuracy, scores: score.official }, null, 2)}\n`,
      );
    } finally {
      for (const h of helpers) await h.close?.();
    }
  });
}
