import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createRng } from '../src/core/index.ts';
import { seededGold } from './seeded-golds.ts';

/**
 * `npm run bench -- cli`: start-up of the `vlthink` command as a user meets it. `vlthink --help` wall time (goal
 * < 0.3 s) and `vlthink verify` on 3,000 JSONL lines including start-up (goal >= 5,000 lines/s), each the median of
 * several runs, with `node -e 0` measured in the same run as the reference (x_node = time / node's time). `path` says
 * whether bin/vlthink.js ran the compiled dist/ (after `npm run build`) or the TypeScript sources through tsx.
 */
const LINES = 3000;
const bin = resolve(import.meta.dirname, '../bin/vlthink.js');
const root = resolve(import.meta.dirname, '..');

/** Seeded {gold, prediction} lines: numbers, fractions, choices, yes/no; right and wrong, tagged and bare. */
function verifyLines(seed: number): string {
  const rng = createRng(seed);
  const out: string[] = [];
  for (let i = 0; i < LINES; i++) {
    const { kind, gold } = seededGold(rng);
    const wrong = [String(rng.int(200)), rng.pick(['3/4', '0.5', '\\frac{2}{5}']), rng.pick(['A', 'B', 'C']), 'maybe'];
    const answer = rng.chance(0.6) ? gold : (wrong[kind] as string);
    const prediction = rng.chance(0.5)
      ? `<think>count step by step</think><answer>${answer}</answer>`
      : `So the final answer is $\\boxed{${answer}}$.`;
    out.push(JSON.stringify(kind === 2 ? { gold, prediction, choices: ['1', '2', '3', '4'] } : { gold, prediction }));
  }
  return `${out.join('\n')}\n`;
}

/** CPU seconds (user + system) of this process's waited-for children, from /proc (Linux); NaN elsewhere. */
function childCpu(): number {
  if (!existsSync('/proc/self/stat')) return Number.NaN;
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]?.split(' ') ?? [];
  // After "pid (comm) ": field 3 (the state) is index 0, so cutime (field 16) and cstime (17) sit at 13 and 14.
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

/** Wall and CPU seconds of one `node ARGS` run. */
function time(args: readonly string[]): { wall: number; cpu: number } {
  const c0 = childCpu();
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const wall = (performance.now() - t0) / 1000;
  if (r.status !== 0)
    throw new Error(`node ${args.join(' ')} exited ${r.status}: ${r.stderr.toString().slice(0, 500)}`);
  return { wall, cpu: childCpu() - c0 };
}

/** Medians of wall and CPU time over `runs` runs (a loaded machine stretches wall time; CPU time much less). */
function median(runs: number, args: readonly string[]): { wall: number; cpu: number } {
  const xs = Array.from({ length: runs }, () => time(args));
  const mid = (v: number[]) => v.sort((a, b) => a - b)[Math.floor(v.length / 2)] ?? Number.NaN;
  return { wall: mid(xs.map((x) => x.wall)), cpu: mid(xs.map((x) => x.cpu)) };
}

/** Newest modification time (ms) of the .ts files under `dir`. */
function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const t = entry.isDirectory() ? newestSource(path) : entry.name.endsWith('.ts') ? statSync(path).mtimeMs : 0;
    newest = Math.max(newest, t);
  }
  return newest;
}

/** Which code bin/vlthink.js runs: dist/ when its build stamp is newer than every source file (the same test). */
function compiledPath(): string {
  const stamp = join(root, 'dist', '.build-stamp');
  if (!existsSync(stamp)) return 'source (tsx): no build; run npm run build';
  const built = statSync(stamp).mtimeMs;
  return newestSource(join(root, 'src')) <= built
    ? `dist (built ${new Date(built).toISOString()})`
    : 'source (tsx): sources changed since the build; run npm run build';
}

export async function run(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'vlthink-bench-cli-'));
  try {
    const file = join(dir, 'verify.jsonl');
    await writeFile(file, verifyLines(1));
    time([bin, '--help']); // warm the file cache
    const node = median(7, ['-e', '0']);
    const help = median(7, [bin, '--help']);
    const verify = median(3, [bin, 'verify', file]);
    const r = (x: number) => Math.round(x * 1000) / 1000;
    process.stdout.write(
      `${JSON.stringify({
        bench: 'cli',
        path: compiledPath(),
        load: r(loadavg()[0] ?? 0),
        node_s: r(node.wall),
        node_cpu_s: r(node.cpu),
        help_s: r(help.wall),
        help_cpu_s: r(help.cpu),
        help_goal_s: 0.3,
        help_x_node: r(help.wall / node.wall),
        verify_lines: LINES,
        verify_s: r(verify.wall),
        verify_cpu_s: r(verify.cpu),
        verify_per_s: Math.round(LINES / verify.wall),
        verify_per_cpu_s: Math.round(LINES / verify.cpu),
        verify_goal_per_s: 5000,
        verify_x_node: r(verify.wall / node.wall),
      })}\n`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
