import { z } from 'zod';
import { ConfigError } from '../core/index.ts';
import { FAMILIES } from '../world/index.ts';
import { EvalGeneration } from './runner.ts';

/** Settings of `vlthink eval` / `vlthink score`, parsed once at the CLI edge. */
export const EvalConfig = z.object({
  benches: z
    .array(z.string())
    .min(1)
    .describe('benchmarks to run (mathvista, mathverse, mathvision, mathvision-testmini, world)'),
  model: z.string().min(1).describe('embedded checkpoint folder, or openai:URL#model for an OpenAI-compatible server'),
  mode: z
    .enum(['official', 'openvlthinker'])
    .default('official')
    .describe("scoring: each benchmark's official scorer, or OpenVLThinker's (<answer> tag, exact or MathRuler match)"),
  integerRule: z
    .enum(['current', 'legacy'])
    .default('current')
    .describe("MathVista integer answers: current official int(float(x)), or legacy int(x) (the published outputs')"),
  limit: z.number().int().min(1).optional().describe('score only the first N problems of each benchmark'),
  outDir: z.string().default('runs/eval').describe('run folder; each benchmark writes <outDir>/<bench>/'),
  dataDir: z.string().describe('folder holding mathvista/, mathverse/, mathvision/ as published by the benchmarks'),
  generation: EvalGeneration.default(EvalGeneration.parse({})).describe('decoding (greedy by default, as the paper)'),
  extractor: z
    .string()
    .optional()
    .describe('openai:URL#model of an LLM answer extractor (MathVista, MathVerse); offline rules when unset'),
  judge: z.string().optional().describe('openai:URL#model of the MathVerse judge; quick exact match when unset'),
  extractionPrompt: z
    .string()
    .optional()
    .describe('file with a few-shot extraction prompt (e.g. the official one) to use instead of ours'),
  judgePrompt: z
    .string()
    .optional()
    .describe('file with a judge prompt ({question}, {gt}, {extraction}) to use instead of ours'),
  apiKey: z.string().default('EMPTY').describe('bearer token for openai: models, extractor and judge'),
  timeoutS: z
    .number()
    .gt(0)
    .max(86_400)
    .default(300)
    .describe('openai: models: seconds one request attempt may take before it is retried (--timeout)'),
  retries: z
    .number()
    .int()
    .min(0)
    .max(99)
    .default(5)
    .describe('openai: models: retries of a request after a 429 / 5xx / timeout / dropped connection (--retries)'),
  world: z
    .object({
      n: z.number().int().min(1).max(100_000).default(200).describe('synthetic test problems'),
      seed: z.number().int().default(1).describe('world seed of the test split'),
      imageSize: z.number().int().min(16).max(2048).default(64).describe('image side in pixels (embedded model: 64)'),
      families: z.array(z.enum(FAMILIES)).optional().describe('families to draw from (default: all)'),
    })
    .default({ n: 200, seed: 1, imageSize: 64 })
    .describe('the synthetic world benchmark'),
});
export type EvalConfig = z.infer<typeof EvalConfig>;

/** Parses the config, turning the first zod issue into a ConfigError naming the field. */
export function parseEvalConfig(input: unknown): EvalConfig {
  const parsed = EvalConfig.safeParse(input);
  if (parsed.success) return Object.freeze(parsed.data);
  const issue = parsed.error.issues[0];
  const field = issue?.path.map(String).join('.') || 'eval';
  throw new ConfigError(`eval.${field}`, issue?.message ?? 'invalid', { hint: 'see vlthink eval --help' });
}
