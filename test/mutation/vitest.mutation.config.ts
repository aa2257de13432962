import { defineConfig } from 'vitest/config';

/**
 * The vitest settings of a mutation run: only the test files of the module under test (VLTHINK_MUTATION_TESTS, a JSON
 * list of globs set by test/mutation/run.ts), never the slow learning or end-to-end tests.
 */
const include: string[] = JSON.parse(process.env.VLTHINK_MUTATION_TESTS ?? '["src/**/*.test.ts"]');

export default defineConfig({
  test: {
    include,
    exclude: ['**/node_modules/**', 'src/train/learning.test.ts', 'src/pipeline/embedded-quick.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
