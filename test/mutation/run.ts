/**
 * `npm run mutation [-- MODULE... [--full]]`: StrykerJS over each module of modules.ts in turn (niced, 2 test
 * processes, only the module's own tests), an HTML report per module under reports/mutation/<module>/, then one table:
 * per module and file the mutants, killed (timeouts count as killed), survived, not covered, the score, and the score
 * with the survivors that equivalent-mutants.json explains as equivalent left out. Runs are incremental (Stryker reuses
 * the previous verdict of a mutant whose code and tests did not change); --full starts over; --summary runs nothing and
 * tabulates the reports already there.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { MUTATION_MODULES } from './modules.ts';
import { Report } from './report.ts';

const root = resolve(import.meta.dirname, '../..');
const args = process.argv.slice(2);
const full = args.includes('--full');
const summaryOnly = args.includes('--summary');
const names = args.filter((a) => !a.startsWith('--'));
const unknown = names.filter((n) => !MUTATION_MODULES.some((m) => m.name === n));
if (unknown.length > 0) {
  console.error(
    `unknown mutation module ${unknown.join(', ')}; choose from ${MUTATION_MODULES.map((m) => m.name).join(', ')}`,
  );
  process.exit(2);
}
const modules = MUTATION_MODULES.filter((m) => names.length === 0 || names.includes(m.name));

const Equivalent = z.array(
  z.object({
    file: z.string(),
    line: z.number(),
    mutator: z.string(),
    replacement: z.string(),
    reason: z.string().min(1),
  }),
);
const equivalentPath = join(import.meta.dirname, 'equivalent-mutants.json');
const equivalents = Equivalent.parse(JSON.parse(readFileSync(equivalentPath, 'utf8')));
const keyOf = (file: string, line: number, mutator: string, replacement: string) =>
  `${file}:${line} ${mutator} ${replacement}`;
const equivalentKeys = new Set(equivalents.map((e) => keyOf(e.file, e.line, e.mutator, e.replacement)));

interface Row {
  readonly label: string;
  mutants: number;
  killed: number;
  survived: number;
  noCoverage: number;
  equivalent: number;
  ignored: number;
}
const pct = (n: number, d: number) => (d === 0 ? '-' : `${((100 * n) / d).toFixed(1)}%`);
const cells = (r: Row) => [
  r.label,
  String(r.mutants),
  String(r.killed),
  String(r.survived),
  String(r.noCoverage),
  pct(r.killed, r.killed + r.survived + r.noCoverage),
  String(r.equivalent),
  pct(r.killed, r.killed + r.survived + r.noCoverage - r.equivalent),
  String(r.ignored),
];

const lines: string[] = [
  '| module / file | mutants | killed | survived | no coverage | score | equivalent | score w/o equivalent | static (ignored) |',
  '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
];
const survivors: string[] = [];
const seenEquivalent = new Set<string>();
const reportedFiles = new Set<string>();
let failed = false;
for (const m of modules) {
  const out = join(root, 'reports', 'mutation', m.name);
  mkdirSync(out, { recursive: true });
  const stryker = [
    'node_modules/@stryker-mutator/core/bin/stryker.js',
    'run',
    'test/mutation/stryker.config.mjs',
    '--mutate',
    m.mutate.join(','),
    '--incremental',
    ...(full ? ['--force'] : []),
  ];
  if (summaryOnly) {
    if (!existsSync(join(out, 'mutation.json'))) {
      lines.push(`| **${m.name}** | not run | | | | | | | |`);
      continue;
    }
  } else {
    console.log(`\n== mutation: ${m.name} ==`);
    const res = spawnSync('nice', ['-n', '10', process.execPath, ...stryker], {
      cwd: root,
      stdio: 'inherit',
      env: {
        ...process.env,
        ...m.env,
        VLTHINK_MUTATION_TESTS: JSON.stringify(m.tests),
        VLTHINK_MUTATION_OUT: out,
        // The sandbox lives in .stryker-tmp/: point the data-reading tests at the real shared data.
        VLTHINK_SHARED_DATA: process.env.VLTHINK_SHARED_DATA ?? resolve(root, '../shared/data'),
      },
    });
    if (res.status !== 0 || !existsSync(join(out, 'mutation.json'))) {
      console.error(`stryker failed on module ${m.name} (exit ${res.status})`);
      failed = true;
      continue;
    }
  }
  const report = Report.parse(JSON.parse(readFileSync(join(out, 'mutation.json'), 'utf8')));
  const total: Row = {
    label: `**${m.name}**`,
    mutants: 0,
    killed: 0,
    survived: 0,
    noCoverage: 0,
    equivalent: 0,
    ignored: 0,
  };
  const files: Row[] = [];
  for (const [file, { mutants }] of Object.entries(report.files).sort(([a], [b]) => a.localeCompare(b))) {
    reportedFiles.add(file);
    const row: Row = { label: file, mutants: 0, killed: 0, survived: 0, noCoverage: 0, equivalent: 0, ignored: 0 };
    for (const x of mutants) {
      if (x.status === 'Ignored') row.ignored++;
      if (x.status === 'Ignored' || x.status === 'CompileError' || x.status === 'RuntimeError') continue;
      row.mutants++;
      if (x.status === 'Killed' || x.status === 'Timeout') row.killed++;
      else {
        if (x.status === 'Survived') row.survived++;
        else row.noCoverage++;
        const key = keyOf(file, x.location.start.line, x.mutatorName, x.replacement ?? '');
        if (equivalentKeys.has(key)) {
          row.equivalent++;
          seenEquivalent.add(key);
        } else survivors.push(`${key} (${x.status})`);
      }
    }
    files.push(row);
    for (const k of ['mutants', 'killed', 'survived', 'noCoverage', 'equivalent', 'ignored'] as const)
      total[k] += row[k];
  }
  lines.push(`| ${cells(total).join(' | ')} |`);
  for (const row of files) lines.push(`| ${cells(row).join(' | ')} |`);
}
const stale = equivalents
  .filter((e) => reportedFiles.has(e.file))
  .map((e) => keyOf(e.file, e.line, e.mutator, e.replacement))
  .filter((k) => !seenEquivalent.has(k));
const summary = [
  ...lines,
  '',
  `unexplained survivors (${survivors.length}):`,
  ...survivors.map((s) => `- ${s}`),
  `equivalent-mutants.json entries that matched no survivor (stale line numbers?) (${stale.length}):`,
  ...stale.map((s) => `- ${s}`),
].join('\n');
writeFileSync(join(root, 'reports', 'mutation', 'summary.md'), `${summary}\n`);
console.log(`\n${summary}\n\nHTML reports: reports/mutation/<module>/index.html`);
if (failed) process.exit(1);
