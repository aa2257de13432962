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
  timeoutMS: 10_000,
  thresholds: { high: 90, low: 80, break: null },
  cleanTempDir: 'always',
  // Mutants of module-level code (tables, regexes) would rerun every test of the module for each: too slow for the
  // 2 shared cores. Stryker reports them as ignored; the README counts them.
  ignoreStatic: true,
};
