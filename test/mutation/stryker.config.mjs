// StrykerJS settings shared by every module of `npm run mutation` (test/mutation/run.ts passes --mutate and the
// report folder per module in VLTHINK_MUTATION_OUT; VLTHINK_MUTATION_TESTS names the test files that may kill a module's
// mutants).
const out = process.env.VLTHINK_MUTATION_OUT ?? 'reports/mutation/all';

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'test/mutation/vitest.mutation.config.ts', related: true },
  coverageAnalysis: 'perTest',
  // 2 shared cores: one test process per core at most.
  concurrency: 2,
  reporters: ['html', 'json', 'clear-text', 'progress'],
  htmlReporter: { fileName: `${out}/index.html` },
  jsonReporter: { fileName: `${out}/mutation.json` },
  incrementalFile: `${out}/incremental.json`,
  clearTextReporter: { allowColor: false, logTests: false, reportMutants: false, reportScoreTable: true },
  tempDirName: '.stryker-tmp',
  ignorePatterns: ['reports', 'runs', 'dist', '.vitest-cache', '.stryker-tmp', '.venv'],
  // Added to 1.5x a mutant's covering tests' time from the dry run. 3 s is ample on a quiet machine and keeps the
  // mutants that loop forever (the normalisation loops of verify/) from costing 10 s each; on a busy one, raise it
  // (VLTHINK_MUTATION_TIMEOUT_MS) or a slow survivor times out and counts as killed.
  timeoutMS: Number(process.env.VLTHINK_MUTATION_TIMEOUT_MS ?? 3000),
  thresholds: { high: 90, low: 80, break: null },
  cleanTempDir: 'always',
  // Mutants of module-level code (tables, regexes) would rerun every test of the module for each: too slow for the
  // 2 shared cores. Stryker reports them as ignored; the README counts them.
  ignoreStatic: true,
};
