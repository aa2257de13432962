import { resolve } from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import type { GenerationBackend } from '../../backends/types.ts';
import {
  BENCH_NAMES,
  type BenchSource,
  createBackend,
  type EvalConfig,
  loadPromptFile,
  parseEvalConfig,
  parseModelSpec,
  type ScoreContext,
  textGeneratorFrom,
} from '../../eval/index.ts';

/** Options shared by `vlthink eval` and `vlthink score` (scoring mode, extractor / judge, data folder). */

export function intArg(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n)) throw new InvalidArgumentError(`expected an integer, got '${value}'`);
  return n;
}

export function numberArg(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n)) throw new InvalidArgumentError(`expected a number, got '${value}'`);
  return n;
}

/** The default data folder: $VLTHINK_SHARED_DATA, else ../shared/data beside the project (read at the CLI edge only). */
export function defaultDataDir(): string {
  return resolve(process.env.VLTHINK_SHARED_DATA ?? resolve(import.meta.dirname, '../../../../shared/data'));
}

export function addScoringOptions(cmd: Command): Command {
  return cmd
    .option(
      '--mode <mode>',
      "official (each benchmark's scorer) or openvlthinker (<answer> tag + MathRuler)",
      'official',
    )
    .option('--int-rule <rule>', 'MathVista integers: current int(float(x)) or legacy int(x)', 'current')
    .option('--data <dir>', `folder holding mathvista/, mathverse/, mathvision/ (default ${defaultDataDir()})`)
    .option('--extractor <model>', 'openai:URL#model LLM answer extractor (default: offline rules)')
    .option('--judge <model>', 'openai:URL#model MathVerse judge (default: quick exact match)')
    .option('--extraction-prompt <file>', 'few-shot extraction prompt file (e.g. the official one) instead of ours')
    .option('--judge-prompt <file>', 'judge prompt file with {question} {gt} {extraction} instead of ours')
    .option(
      '--api-key <key>',
      'bearer token for openai: models (default $OPENAI_API_KEY, then $VLTHINK_API_KEY, else EMPTY)',
    )
    .option('--world-n <n>', 'synthetic world test problems', intArg, 200)
    .option('--world-seed <seed>', 'synthetic world seed', intArg, 1)
    .option('--world-image-size <px>', 'synthetic world image side', intArg, 64)
    .option('--concurrency <n>', 'generate / LLM calls in flight', intArg, 4);
}

export interface ScoringFlags {
  mode: string;
  intRule: string;
  data?: string;
  extractor?: string;
  judge?: string;
  extractionPrompt?: string;
  judgePrompt?: string;
  apiKey?: string;
  worldN: number;
  worldSeed: number;
  worldImageSize: number;
  concurrency: number;
}

export function configFrom(
  flags: ScoringFlags,
  extra: {
    benches: string[];
    model: string;
    limit?: number;
    outDir?: string;
    generation?: object;
    timeoutS?: number;
    retries?: number;
  },
): EvalConfig {
  return parseEvalConfig({
    benches: extra.benches,
    model: extra.model,
    mode: flags.mode,
    integerRule: flags.intRule,
    limit: extra.limit,
    outDir: extra.outDir,
    timeoutS: extra.timeoutS,
    retries: extra.retries,
    dataDir: flags.data ?? defaultDataDir(),
    generation: { concurrency: flags.concurrency, ...extra.generation },
    extractor: flags.extractor,
    judge: flags.judge,
    extractionPrompt: flags.extractionPrompt,
    judgePrompt: flags.judgePrompt,
    apiKey: flags.apiKey ?? process.env.OPENAI_API_KEY ?? process.env.VLTHINK_API_KEY ?? 'EMPTY',
    world: { n: flags.worldN, seed: flags.worldSeed, imageSize: flags.worldImageSize },
  });
}

export function benchSource(config: EvalConfig): BenchSource {
  return { dataDir: config.dataDir, world: config.world };
}

/** Builds the scoring context; returns the helper backends too so the caller can close them. */
export async function scoreContext(
  config: EvalConfig,
  signal: AbortSignal,
): Promise<{ ctx: ScoreContext; helpers: GenerationBackend[] }> {
  const helpers: GenerationBackend[] = [];
  const helper = async (spec: string | undefined, field: string) => {
    if (spec === undefined) return undefined;
    const backend = await createBackend(parseModelSpec(spec, field), { apiKey: config.apiKey });
    helpers.push(backend);
    return textGeneratorFrom(backend);
  };
  const ctx: ScoreContext = {
    mode: config.mode,
    integerRule: config.integerRule,
    extractor: await helper(config.extractor, 'eval.extractor'),
    judge: await helper(config.judge, 'eval.judge'),
    extractionPrompt: config.extractionPrompt ? await loadPromptFile(config.extractionPrompt) : undefined,
    judgePrompt: config.judgePrompt ? await loadPromptFile(config.judgePrompt) : undefined,
    concurrency: config.generation.concurrency,
    signal,
  };
  return { ctx, helpers };
}

export const BENCH_HELP = `one or more of ${BENCH_NAMES.join(', ')}, comma-separated`;
