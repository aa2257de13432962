import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { AbortedError, createLogger, makeDirs, writeJsonAtomic } from '../../core/index.ts';
import {
  BENCHMARKS,
  createBackend,
  formatSummaryTable,
  parseBenchList,
  parseModelSpec,
  runEval,
  type ScoreSummary,
} from '../../eval/index.ts';
import {
  addScoringOptions,
  BENCH_HELP,
  benchSource,
  configFrom,
  intArg,
  numberArg,
  type ScoringFlags,
  scoreContext,
} from './eval-options.ts';

/**
 * `vlthink eval --bench NAME[,NAME] --model (DIR | openai:URL#model)`: generate (greedy, bounded concurrency, cached
 * and resumable per problem), extract, score; writes <out>/<bench>/{responses,predictions}.jsonl, scores.json (the
 * benchmark's official layout) and summary.json, and prints a table.
 */
interface EvalFlags extends ScoringFlags {
  bench: string;
  model: string;
  limit?: number;
  out: string;
  temperature: number;
  topK: number;
  maxTokens: number;
  batchSize: number;
  groups: boolean;
  timeout: number;
  retries: number;
}

export function register(program: Command): void {
  const cmd = program
    .command('eval')
    .description('evaluate a model on benchmarks with their official scoring (or OpenVLThinker mode)')
    .requiredOption('--bench <names>', BENCH_HELP)
    .requiredOption('--model <model>', 'embedded checkpoint folder, or openai:URL#model')
    .option('--limit <n>', 'only the first N problems of each benchmark', intArg)
    .option('--out <dir>', 'output folder (one subfolder per benchmark)', 'runs/eval')
    .option('--temperature <t>', 'sampling temperature (0 = greedy)', numberArg, 0)
    .option('--top-k <k>', 'top-k cut (1 = greedy, 0 = none)', intArg, 1)
    .option('--max-tokens <n>', 'new tokens per response', intArg, 2048)
    .option('--batch-size <n>', 'prompts per generate call', intArg, 8)
    .option('--no-groups', 'print only the headline row per benchmark')
    .option('--timeout <s>', 'openai: models: seconds one request attempt may take', numberArg, 300)
    .option('--retries <n>', 'openai: models: retries after a 429 / 5xx / timeout / dropped connection', intArg, 5);
  addScoringOptions(cmd).action(async (flags: EvalFlags) => {
    const config = configFrom(flags, {
      benches: parseBenchList(flags.bench),
      model: flags.model,
      limit: flags.limit,
      outDir: flags.out,
      timeoutS: flags.timeout,
      retries: flags.retries,
      generation: {
        temperature: flags.temperature,
        topK: flags.topK,
        maxTokens: flags.maxTokens,
        batchSize: flags.batchSize,
      },
    });
    await makeDirs(config.outDir);
    const logger = createLogger({ scope: 'eval' });
    const abort = new AbortController();
    const onSigint = () => {
      if (abort.signal.aborted) process.exit(130);
      logger.warn('interrupted: stopping requests in flight (Ctrl-C again to quit now)');
      abort.abort(new AbortedError('eval'));
    };
    process.on('SIGINT', onSigint);
    const backend = await createBackend(parseModelSpec(config.model), {
      apiKey: config.apiKey,
      timeoutS: config.timeoutS,
      retries: config.retries,
      logger,
    });
    const { ctx, helpers } = await scoreContext(config, abort.signal);
    let current: string | undefined;
    try {
      await writeJsonAtomic(join(config.outDir, 'eval-config.json'), { ...config, apiKey: undefined });
      const summaries: ScoreSummary[] = [];
      for (const name of parseBenchList(flags.bench)) {
        current = name;
        const bench = BENCHMARKS[name];
        const all = await bench.load(benchSource(config));
        const items = config.limit === undefined ? all : all.slice(0, config.limit);
        const result = await runEval({
          bench,
          items,
          backend,
          generation: config.generation,
          score: ctx,
          outDir: config.outDir,
          logger,
          signal: abort.signal,
        });
        logger.info(`${name}: ${result.generated} generated, ${result.cached} from cache -> ${result.dir}`);
        summaries.push(result.score.summary);
      }
      process.stdout.write(`${formatSummaryTable(summaries, { groups: flags.groups })}\n`);
    } catch (err) {
      if (!abort.signal.aborted) throw err;
      const cache = join(config.outDir, current ?? '', 'responses.jsonl');
      const kept = await countLines(cache);
      throw new AbortedError(`eval${current ? ` of ${current}` : ''}`, {
        hint: `${kept} finished responses are kept in ${cache}; rerun the same command to resume (only the rest are requested)`,
      });
    } finally {
      process.off('SIGINT', onSigint);
      await backend.close?.();
      for (const h of helpers) await h.close?.();
    }
  });
}

async function countLines(file: string): Promise<number> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text.split('\n').filter((l) => l.trim() !== '').length;
}
