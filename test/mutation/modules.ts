/**
 * The modules `npm run mutation` mutates: where a silent bug costs most (the answer verifier, the trainers' pure math,
 * the benchmarks' official scorers, the pipeline's data selection and resume bookkeeping). Each names the files Stryker
 * mutates and the only test files it runs against them (the slow learning and end-to-end tests never run).
 */
export interface MutationModule {
  readonly name: string;
  /** Globs of the source files to mutate (Stryker's --mutate). */
  readonly mutate: readonly string[];
  /** Globs of the test files that may kill its mutants. */
  readonly tests: readonly string[];
  /** Extra environment of its test runs. */
  readonly env?: Readonly<Record<string, string>>;
}

export const MUTATION_MODULES: readonly MutationModule[] = [
  {
    // What training decides with: the reward functions and the one judging rule every trainer and the pipeline use
    // (judge.ts: answer tag, then MathRuler's grade_answer or the regeneration rule).
    name: 'verify-rewards',
    mutate: [
      'src/verify/rewards.ts',
      'src/verify/judge.ts',
      'src/verify/answer-tag.ts',
      'src/verify/regeneration.ts',
      'src/verify/verify-jsonl.ts',
      'src/verify/mathruler.ts',
    ],
    tests: ['src/verify/**/*.test.ts'],
  },
  {
    // Math-Verify: extraction, LaTeX parsing, comparison (~2,000 mutants that run the verifier's case suites).
    name: 'verify-math',
    mutate: [
      'src/verify/**/*.ts',
      '!src/verify/**/*.test.ts',
      '!src/verify/index.ts',
      '!src/verify/sympy-notation.ts',
      '!src/verify/rewards.ts',
      '!src/verify/judge.ts',
      '!src/verify/answer-tag.ts',
      '!src/verify/regeneration.ts',
      '!src/verify/verify-jsonl.ts',
      '!src/verify/mathruler.ts',
    ],
    tests: ['src/verify/**/*.test.ts'],
  },
  {
    name: 'train-math',
    mutate: [
      'src/train/advantages.ts',
      'src/train/policy-loss.ts',
      'src/train/graph-losses.ts',
      'src/train/dapo.ts',
      'src/train/lr-schedule.ts',
      'src/train/metrics.ts',
      'src/train/batching.ts',
      'src/train/data-order.ts',
    ],
    tests: [
      'src/train/pure-math.test.ts',
      'src/train/graph-losses.test.ts',
      'src/train/batching.test.ts',
      'src/train/data-order.test.ts',
      'src/train/metrics.test.ts',
      'src/train/config.test.ts',
    ],
  },
  {
    name: 'eval-scorers',
    mutate: [
      'src/eval/mathvista/*.ts',
      'src/eval/mathverse/*.ts',
      'src/eval/mathvision/*.ts',
      'src/eval/openvlthinker-mode.ts',
      '!src/eval/**/*.test.ts',
    ],
    tests: [
      'src/eval/mathvista/*.test.ts',
      'src/eval/mathverse/*.test.ts',
      'src/eval/mathvision/*.test.ts',
      'src/eval/openvlthinker-mode.test.ts',
    ],
    // Every mutant reruns the stored-output reproduction: the first 300 rows of each file keep that affordable.
    env: { VLTHINK_REPRO_ROWS: '300' },
  },
  {
    name: 'pipeline',
    mutate: ['src/pipeline/filter.ts', 'src/pipeline/select-trace.ts', 'src/pipeline/difficulty.ts'],
    tests: ['src/pipeline/pure.test.ts'],
  },
  {
    // The stage ledger, against its own tests on real files (milliseconds a mutant). loop.test.ts exercises it too,
    // through whole fake runs (seconds a test, ~13 s for the SIGKILL-and-rerun one): too slow to rerun per mutant.
    name: 'pipeline-manifest',
    mutate: ['src/pipeline/manifest.ts'],
    tests: ['src/pipeline/manifest.test.ts'],
  },
];
