import { join, resolve } from 'node:path';
import type { RunConfig } from './config/schema.ts';

/**
 * The run directory, `<outDir>/<name>`, absolute: every path a stage hands an engine is then absolute, so a job that
 * runs in its own working folder (EasyR1's checkout, a Ray job) reads the files the run wrote.
 */
export function runDirOf(config: Pick<RunConfig, 'outDir' | 'name'>): string {
  return resolve(config.outDir, config.name);
}

/** Run-relative paths of a round's artifacts (the run directory's layout). */
export const paths = {
  dataDir: 'data',
  trainProblems: 'data/train.jsonl',
  testProblems: 'data/test.jsonl',
  round: (r: number) => `round-${r}`,
  captions: (r: number) => `round-${r}/captions.jsonl`,
  traces: (r: number) => (r === 1 ? `round-${r}/distill.jsonl` : `round-${r}/regenerate.jsonl`),
  sftData: (r: number) => `round-${r}/sft-data.jsonl`,
  filterStats: (r: number) => `round-${r}/filter-stats.json`,
  sft: (r: number) => `round-${r}/sft`,
  difficulty: (r: number) => `round-${r}/difficulty.json`,
  rlData: (r: number, stage: string) => `round-${r}/rl-data/${stage}.jsonl`,
  rl: (r: number, stage: string) => `round-${r}/rl-${stage}`,
  stageMetrics: (r: number, stage: string) => `round-${r}/metrics/${stage}.jsonl`,
  evalResults: (r: number, ckpt: string) => `round-${r}/eval/${ckpt}.jsonl`,
  evalSummary: (r: number, ckpt: string) => `round-${r}/eval/${ckpt}.json`,
  base: 'base',
  metrics: 'metrics.jsonl',
  summary: 'summary.json',
  config: 'config.json',
  report: 'report.html',
} as const;

export function abs(ctx: { runDir: string }, rel: string): string {
  return join(ctx.runDir, rel);
}
