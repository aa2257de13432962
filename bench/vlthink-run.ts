/**
 * `vlthink run` as a child process, as a user starts it (bin/vlthink.js), for the benchmarks that time or compare
 * whole runs (`bench run`, `bench ablations`). The child's output goes to this process's stderr, so stdout keeps
 * only the benchmarks' JSON lines.
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { RunSummary } from '../src/pipeline/index.ts';

export interface ChildRun {
  readonly code: number;
  readonly seconds: number;
  /** The run directory, `<out>/<name>`. */
  readonly runDir: string;
}

export async function vlthinkRun(out: string, name: string, args: readonly string[]): Promise<ChildRun> {
  const bin = resolve(import.meta.dirname, '../bin/vlthink.js');
  const t0 = performance.now();
  const code = await new Promise<number>((done) => {
    const child = spawn(process.execPath, [bin, 'run', '--out', out, '--name', name, ...args], {
      stdio: ['ignore', process.stderr, process.stderr],
    });
    child.on('close', (c) => done(c ?? 1));
  });
  return { code, seconds: (performance.now() - t0) / 1000, runDir: join(out, name) };
}

export async function readRunSummary(runDir: string): Promise<RunSummary> {
  return RunSummary.parse(JSON.parse(await readFile(join(runDir, 'summary.json'), 'utf8')));
}

/** Accuracy per source, in percent with one decimal (the JSON lines' per-family figures). */
export function sourcePercents(bySource: RunSummary['rounds'][number]['sft']['bySource']): Record<string, number> {
  return Object.fromEntries(
    Object.entries(bySource)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([s, v]) => [s, Number((100 * v.accuracy).toFixed(1))]),
  );
}
