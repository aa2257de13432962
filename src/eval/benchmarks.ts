import { isAbsolute, join } from 'node:path';
import type { ImageRef } from '../backends/types.ts';
import { ConfigError } from '../core/index.ts';
import { loadMathVerse, type MathVerseRecord, mathVerseRecordOf } from '../data/adapters/mathverse.ts';
import { loadMathVision, type MathVisionRecord, mathVisionRecordOf } from '../data/adapters/mathvision.ts';
import { loadMathVista, type MathVistaRecord, mathVistaRecordOf } from '../data/adapters/mathvista.ts';
import { policyPromptText, problemText, THINK_INSTRUCTION } from '../data/problem-text.ts';
import type { Problem } from '../data/types.ts';
import { type FamilyName, generateDataset } from '../world/index.ts';
import { mathVerseScores, scoreMathVerse } from './mathverse/index.ts';
import { mathVisionPrompt, mathVisionResult, scoreMathVisionResponse } from './mathvision/index.ts';
import { type IntegerRule, MATHVISTA_SCORE_KEYS, mathVistaScores, scoreMathVista } from './mathvista/index.ts';
import { openVlThinkerGold, scoreOpenVlThinker } from './openvlthinker-mode.ts';
import type { TextGenerator } from './text-generator.ts';
import { type BenchScore, type GroupCell, groupAccuracy, percent, type ScoredRow, type ScoreSummary } from './types.ts';

/**
 * The benchmarks `vlthink eval` knows: where their problems come from, the prompt each model sees, and how the
 * responses are scored. `official` mode scores the way each benchmark's own code does; `openvlthinker` mode the way
 * the OpenVLThinker paper does (answer in <answer>, exact or MathRuler match) on the same prompts plus its
 * think/answer instruction. The synthetic world has no official scorer and is always scored the OpenVLThinker way.
 */

export const BENCH_NAMES = ['mathvista', 'mathverse', 'mathvision', 'mathvision-testmini', 'world'] as const;
export type BenchName = (typeof BENCH_NAMES)[number];
export type EvalMode = 'official' | 'openvlthinker';

export interface BenchItem {
  readonly problem: Problem;
  /** The images the model sees, in order. */
  readonly images: readonly ImageRef[];
}

export interface BenchSource {
  /** Folder holding mathvista/, mathverse/, mathvision/ (the benchmarks' own files). */
  readonly dataDir: string;
  /** The synthetic world's test split. */
  readonly world: {
    readonly n: number;
    readonly seed: number;
    readonly imageSize: number;
    readonly families?: readonly FamilyName[];
  };
}

export interface ScoreContext {
  readonly mode: EvalMode;
  readonly integerRule: IntegerRule;
  /** LLM answer extractor (MathVista, MathVerse); absent = offline rules. */
  readonly extractor?: TextGenerator;
  readonly extractionPrompt?: string;
  /** LLM judge (MathVerse); absent = quick exact match. */
  readonly judge?: TextGenerator;
  readonly judgePrompt?: string;
  readonly concurrency: number;
  readonly signal?: AbortSignal;
}

export interface Benchmark {
  readonly name: BenchName;
  readonly description: string;
  load(source: BenchSource): Promise<BenchItem[]>;
  promptText(problem: Problem, mode: EvalMode): string;
  score(items: readonly { problem: Problem; response: string }[], ctx: ScoreContext): Promise<BenchScore>;
}

const withInstruction = (text: string, mode: EvalMode) =>
  mode === 'openvlthinker' ? `${text}\n${THINK_INSTRUCTION}` : text;

function pathImages(problem: Problem, folder: string): ImageRef[] {
  return problem.images.map((p) => ({ path: isAbsolute(p) ? p : join(folder, p) }));
}

function summary(bench: string, rows: readonly ScoredRow[], groups: ScoreSummary['groups']): ScoreSummary {
  const correct = rows.filter((r) => r.correct).length;
  return { bench, correct, total: rows.length, accuracy: percent(correct, rows.length), groups };
}

function openVlThinkerRows(items: readonly { problem: Problem; response: string }[]): ScoredRow[] {
  return items.map(({ problem, response }) => scoreOpenVlThinker(problem.id, response, openVlThinkerGold(problem)));
}

/** The official score file and the summary table of scored MathVista rows (official or OpenVLThinker verdicts). */
export function mathVistaBenchScore(records: readonly MathVistaRecord[], rows: ScoredRow[]): BenchScore {
  const official = mathVistaScores(records.map((record, i) => ({ record, correct: rows[i]?.correct === true })));
  const groups: Record<string, Record<string, GroupCell>> = {};
  for (const key of MATHVISTA_SCORE_KEYS) {
    groups[key] = Object.fromEntries(
      Object.entries(official[key]).map(([v, c]) => [
        v,
        { correct: c.correct, total: c.total, accuracy: percent(c.correct, c.total) },
      ]),
    );
  }
  return { rows, official, summary: summary('mathvista', rows, groups) };
}

export function mathVerseBenchScore(records: readonly MathVerseRecord[], rows: ScoredRow[]): BenchScore {
  const judged = records.map((record, i) => ({ record, correct: rows[i]?.correct === true }));
  const groups = {
    version: groupAccuracy(
      judged,
      (j) => [j.record.problem_version],
      (j) => j.correct,
    ),
    subject: groupAccuracy(
      judged,
      (j) => [j.record.metadata.subject],
      (j) => j.correct,
    ),
    subfield: groupAccuracy(
      judged,
      (j) => [`${j.record.metadata.subject} / ${j.record.metadata.subfield}`],
      (j) => j.correct,
    ),
  };
  return { rows, official: mathVerseScores(judged), summary: summary('mathverse', rows, groups) };
}

export function mathVisionBenchScore(
  name: string,
  records: readonly MathVisionRecord[],
  rows: ScoredRow[],
): BenchScore {
  const judged = records.map((record, i) => ({ record, correct: rows[i]?.correct === true }));
  const groups = {
    level: groupAccuracy(
      judged,
      (j) => [`level ${j.record.level}`],
      (j) => j.correct,
    ),
    subject: groupAccuracy(
      judged,
      (j) => [j.record.subject],
      (j) => j.correct,
    ),
  };
  return { rows, official: mathVisionResult(judged), summary: summary(name, rows, groups) };
}

const mathvista: Benchmark = {
  name: 'mathvista',
  description: 'MathVista testmini (1000): official query prompt; quick + optional LLM extraction; official score file',
  async load(source) {
    const folder = join(source.dataDir, 'mathvista');
    const problems = await loadMathVista(join(folder, 'testmini.json'));
    return problems.map((problem) => ({ problem, images: pathImages(problem, folder) }));
  },
  promptText: (problem, mode) => withInstruction(mathVistaRecordOf(problem).query ?? problem.question, mode),
  async score(items, ctx) {
    const records = items.map((i) => ({ ...mathVistaRecordOf(i.problem), response: i.response }));
    let rows: ScoredRow[];
    if (ctx.mode === 'official') {
      const scored = await scoreMathVista(records, {
        integerRule: ctx.integerRule,
        useStoredExtraction: false,
        llm: ctx.extractor,
        demoPrompt: ctx.extractionPrompt,
        concurrency: ctx.concurrency,
        signal: ctx.signal,
      });
      rows = scored.rows;
    } else {
      rows = openVlThinkerRows(items);
    }
    return mathVistaBenchScore(records, rows);
  },
};

const mathverse: Benchmark = {
  name: 'mathverse',
  description:
    'MathVerse testmini, the Text-Only version shipped (788): query_cot prompts; LLM extract + judge or quick match',
  async load(source) {
    const folder = join(source.dataDir, 'mathverse');
    const problems = await loadMathVerse(join(folder, 'testmini_text_only.json'));
    return problems.map((problem) => ({ problem, images: pathImages(problem, folder) }));
  },
  promptText: (problem, mode) => withInstruction(mathVerseRecordOf(problem).query_cot, mode),
  async score(items, ctx) {
    const records = items.map((i) => ({ ...mathVerseRecordOf(i.problem), model_answer: i.response }));
    const rows =
      ctx.mode === 'official'
        ? (
            await scoreMathVerse(records, {
              extractor: ctx.extractor,
              extractionPrompt: ctx.extractionPrompt,
              judge: ctx.judge,
              judgePrompt: ctx.judgePrompt,
              concurrency: ctx.concurrency,
              signal: ctx.signal,
            })
          ).rows
        : openVlThinkerRows(items);
    return mathVerseBenchScore(records, rows);
  },
};

function mathVisionBench(name: 'mathvision' | 'mathvision-testmini', file: string, description: string): Benchmark {
  return {
    name,
    description,
    async load(source) {
      const folder = join(source.dataDir, 'mathvision');
      const problems = await loadMathVision(join(folder, file));
      return problems.map((problem) => ({ problem, images: pathImages(problem, folder) }));
    },
    promptText(problem, mode) {
      const record = mathVisionRecordOf(problem);
      if (mode === 'official') return mathVisionPrompt(record);
      // The paper's MathVision prompt: choices listed as (A) ... (E) and a hint asking for the letter at the end.
      const hint = record.options.length > 0 ? '\nAnswer with the option letter at the end.' : '';
      return withInstruction(`${problemText(problem)}${hint}`, mode);
    },
    async score(items, ctx) {
      const records = items.map((i) => mathVisionRecordOf(i.problem));
      const rows =
        ctx.mode === 'official'
          ? items.map((item, i) => scoreMathVisionResponse(item.response, records[i] as (typeof records)[number]))
          : openVlThinkerRows(items);
      return mathVisionBenchScore(name, records, rows);
    },
  };
}

const world: Benchmark = {
  name: 'world',
  description:
    'the synthetic visual-math world, test split (seeded): accuracy per family and tier, OpenVLThinker scoring',
  async load(source) {
    const { n, seed, imageSize, families } = source.world;
    const records = generateDataset({
      n,
      seed,
      split: 'test',
      imageSize,
      families: families ? [...families] : undefined,
    });
    return records.map((r) => ({ problem: r.problem, images: [{ bytes: r.png, mime: 'image/png' }] }));
  },
  promptText: policyPromptText,
  async score(items) {
    const rows = openVlThinkerRows(items);
    const judged = items.map((item, i) => ({ problem: item.problem, correct: rows[i]?.correct === true }));
    const groups = {
      family: groupAccuracy(
        judged,
        (j) => [j.problem.source],
        (j) => j.correct,
      ),
      tier: groupAccuracy(
        judged,
        (j) => [j.problem.tier ?? 'none'],
        (j) => j.correct,
      ),
      'family x tier': groupAccuracy(
        judged,
        (j) => [`${j.problem.source} / ${j.problem.tier ?? 'none'}`],
        (j) => j.correct,
      ),
    };
    const s = summary('world', rows, groups);
    return { rows, official: { accuracy: s.accuracy, correct: s.correct, total: s.total, ...groups }, summary: s };
  },
};

export const BENCHMARKS: Readonly<Record<BenchName, Benchmark>> = {
  mathvista,
  mathverse,
  mathvision: mathVisionBench(
    'mathvision',
    'test.jsonl',
    'MATH-Vision test (3040): hinted prompt, official extraction and is_equal',
  ),
  'mathvision-testmini': mathVisionBench(
    'mathvision-testmini',
    'testmini.jsonl',
    'MATH-Vision testmini (304, images shipped): hinted prompt, official extraction and is_equal',
  ),
  world,
};

/** Parses `--bench a,b`: known names only, no repeats. */
export function parseBenchList(value: string): BenchName[] {
  const names = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const known = new Set<string>(BENCH_NAMES);
  const bad = names.filter((n) => !known.has(n));
  if (names.length === 0 || bad.length > 0) {
    throw new ConfigError('eval.bench', `unknown benchmark${bad.length > 1 ? 's' : ''} '${bad.join(', ') || value}'`, {
      value,
      hint: `choose from ${BENCH_NAMES.join(', ')} (comma-separated)`,
    });
  }
  return [...new Set(names)] as BenchName[];
}
