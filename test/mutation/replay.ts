/**
 * `npx tsx test/mutation/replay.ts REPORT FILE [--lines A-B] [--tests GLOB,...] [--status S,...]`: replays the
 * surviving mutants of one source file from a Stryker report (reports/mutation/<module>/mutation.json) against the
 * current tests, without a whole Stryker run: for each mutant, the file's source as the report recorded it with the
 * mutant's replacement spliced in, written into a scratch copy of src/ and test/, then one vitest run of the given
 * test files (default: every test file in FILE's folder and below). Prints one line a mutant (killed, SURVIVED, timeout) and the totals, so a test
 * written for a survivor is checked at once; the next `npm run mutation` confirms the figures.
 *
 * A helper of the mutation workflow, not part of `npm test`; it mutates nothing in the working tree.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { type Mutant, type Position, Report } from './report.ts';

const root = resolve(import.meta.dirname, '../..');

function usage(message: string): never {
  console.error(`${message}
usage: npx tsx test/mutation/replay.ts REPORT FILE [--lines A-B] [--tests GLOB,...] [--status S,...] [--timeout-ms N]
  (default timeout: 3x the unmutated run plus 10 s)
  REPORT   a Stryker JSON report, e.g. reports/mutation/verify-math/mutation.json
  FILE     a source file as the report names it, e.g. src/verify/compare.ts`);
  process.exit(2);
}

const args = process.argv.slice(2);
const option = (name: string): string | undefined => {
  const at = args.indexOf(name);
  if (at < 0) return undefined;
  const value = args[at + 1];
  if (value === undefined) usage(`${name} needs a value`);
  args.splice(at, 2);
  return value;
};
const linesOption = option('--lines');
const testsOption = option('--tests');
const statuses = (option('--status') ?? 'Survived,NoCoverage').split(',');
const timeoutOption = option('--timeout-ms');
const [reportPath, file] = args;
if (reportPath === undefined || file === undefined) usage('REPORT and FILE are required');

let lineRange: readonly [number, number] = [1, Number.POSITIVE_INFINITY];
if (linesOption !== undefined) {
  const m = /^(\d+)-(\d+)$/.exec(linesOption);
  if (m === null) usage(`--lines takes A-B (line numbers), got "${linesOption}"`);
  lineRange = [Number(m[1]), Number(m[2])];
}

const report = Report.parse(JSON.parse(readFileSync(resolve(reportPath), 'utf8')));
const entry = report.files[file];
if (entry === undefined) usage(`${reportPath} has no file ${file}; it has ${Object.keys(report.files).join(', ')}`);
const tests = testsOption?.split(',') ?? [`${dirname(file)}/**/*.test.ts`];
const current = readFileSync(join(root, file), 'utf8');
if (current !== entry.source) {
  console.warn(
    `note: ${file} changed since the report; each mutant is spliced into the report's source (positions stay right), ` +
      'so a fix made since is not in the mutated copies',
  );
}

const mutants = entry.mutants.filter(
  (m) => statuses.includes(m.status) && m.location.start.line >= lineRange[0] && m.location.start.line <= lineRange[1],
);

/** The report's source with one mutant's replacement in place (Stryker's lines and columns are 1-based). */
function mutate(source: string, m: Mutant): string {
  const lineStarts = [0];
  for (let i = 0; i < source.length; i++) if (source[i] === '\n') lineStarts.push(i + 1);
  const offset = (p: Position) => (lineStarts[p.line - 1] ?? source.length) + p.column - 1;
  return source.slice(0, offset(m.location.start)) + (m.replacement ?? '') + source.slice(offset(m.location.end));
}

// A scratch copy of what the tests import; node_modules is shared through a link.
const scratch = mkdtempSync(join(tmpdir(), 'vlthink-replay-'));
for (const p of ['src', 'test', 'package.json', 'tsconfig.json'])
  cpSync(join(root, p), join(scratch, p), { recursive: true });
symlinkSync(join(root, 'node_modules'), join(scratch, 'node_modules'), 'dir');
// The scratch copy lives elsewhere, so a relative shared-data default would not resolve there.
const env = {
  ...process.env,
  VLTHINK_MUTATION_TESTS: JSON.stringify(tests),
  VLTHINK_SHARED_DATA: resolve(process.env.VLTHINK_SHARED_DATA ?? join(root, '../shared/data')),
};

/** One vitest run of the tests in the scratch copy: 'pass', 'fail' or 'timeout'. */
function runTests(timeoutMs: number): 'pass' | 'fail' | 'timeout' {
  const run = spawnSync(
    process.execPath,
    [
      join(root, 'node_modules/vitest/vitest.mjs'),
      'run',
      '--config',
      'test/mutation/vitest.mutation.config.ts',
      '--bail',
      '1',
      '--reporter',
      'dot',
    ],
    { cwd: scratch, env, timeout: timeoutMs, killSignal: 'SIGKILL', encoding: 'utf8' },
  );
  if (run.error !== undefined) return 'timeout';
  if (run.status !== 0 && process.env.VLTHINK_REPLAY_VERBOSE) console.log(run.stdout, run.stderr);
  return run.status === 0 ? 'pass' : 'fail';
}

const counts = { killed: 0, survived: 0, timeout: 0 };
try {
  // The tests must pass on the unmutated report source, or every mutant would count as killed.
  writeFileSync(join(scratch, file), entry.source);
  const started = performance.now();
  if (runTests(600_000) !== 'pass') {
    throw new Error(
      `the tests (${tests.join(', ')}) do not pass on ${file} as the report recorded it; fix them first ` +
        '(VLTHINK_REPLAY_VERBOSE=1 prints vitest output)',
    );
  }
  // A mutant that loops forever is stopped at 3x the baseline run plus 10 s (as Stryker's timeouts, counted killed).
  const timeoutMs =
    timeoutOption === undefined ? Math.round(3 * (performance.now() - started) + 10_000) : Number(timeoutOption);
  for (const m of mutants) {
    writeFileSync(join(scratch, file), mutate(entry.source, m));
    const outcome = runTests(timeoutMs);
    const verdict = outcome === 'timeout' ? 'timeout' : outcome === 'pass' ? 'SURVIVED' : 'killed';
    counts[verdict === 'SURVIVED' ? 'survived' : verdict]++;
    const { line, column } = m.location.start;
    console.log(
      `${verdict.padEnd(8)} ${file}:${line}:${column} ${m.mutatorName} ${JSON.stringify(m.replacement ?? '')}`,
    );
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
console.log(
  `${mutants.length} mutants (${statuses.join(', ')}): ${counts.killed} killed, ${counts.timeout} timed out, ` +
    `${counts.survived} survived`,
);
