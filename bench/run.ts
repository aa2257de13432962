/**
 * `npm run bench -- run`: the product end to end — `vlthink run` on the embedded preset in a fresh run directory, as
 * `npm start` does — timed, with the accuracy table's shape checked: each round's RL above its SFT, and each round's
 * RL at least the previous round's (the paper's Table 10). The figure is the wall time as a fraction of the 15-minute
 * budget on this machine's cores, with every round's SFT / RL accuracy and the last round's per-family accuracies.
 *
 * `VLTHINK_BENCH_SEEDS=7,8,9` runs the preset once per world seed (`--data.seed`; the preset's own is 7): one JSON
 * line each, then one line saying whether the shape held on all of them. A run directory is removed when its run
 * shows the paper's shape and kept (its path printed) otherwise, for its metrics and evaluation records.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunSummary } from '../src/pipeline/index.ts';
import { readRunSummary, sourcePercents, vlthinkRun } from './vlthink-run.ts';

const BUDGET_S = 15 * 60;

/** The paper's shape: RL_r > SFT_r for every round r, and RL_r >= RL_{r-1}. */
export function paperShape(summary: RunSummary): boolean {
  return summary.rounds.every(
    (r, i) => r.rl.accuracy > r.sft.accuracy && (i === 0 || r.rl.accuracy >= (summary.rounds[i - 1]?.rl.accuracy ?? 1)),
  );
}

export async function run(): Promise<void> {
  const seeds = (process.env.VLTHINK_BENCH_SEEDS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const shapes: boolean[] = [];
  for (const seed of seeds.length > 0 ? seeds : [null]) shapes.push(await runOnce(seed));
  if (seeds.length > 1) {
    process.stdout.write(
      `${JSON.stringify({ bench: 'run', seeds, paperShapeOnAll: shapes.every(Boolean), held: shapes.filter(Boolean).length })}\n`,
    );
  }
}

async function runOnce(seed: string | null): Promise<boolean> {
  const out = await mkdtemp(join(tmpdir(), 'vlthink-bench-run-'));
  const child = await vlthinkRun(out, 'embedded', seed === null ? [] : ['--data.seed', seed]);
  let keep = true;
  try {
    if (child.code !== 0) {
      process.stdout.write(
        `${JSON.stringify({ bench: 'run', seed, error: `vlthink run exited with ${child.code}`, seconds: child.seconds, runDir: child.runDir })}\n`,
      );
      process.exitCode = 1;
      return false;
    }
    const summary = await readRunSummary(child.runDir);
    const acc = Object.fromEntries(
      summary.rounds.flatMap((r) => [
        [`sft${r.round}`, r.sft.accuracy],
        [`rl${r.round}`, r.rl.accuracy],
      ]),
    );
    const last = summary.rounds.at(-1);
    const shape = paperShape(summary);
    keep = !shape;
    const line = {
      bench: 'run',
      preset: 'embedded',
      seed: seed ?? 'preset',
      cores: availableParallelism(),
      seconds: Math.round(child.seconds),
      budgetFraction: Number((child.seconds / BUDGET_S).toFixed(3)),
      test: summary.test,
      ...acc,
      ...(last ? { bySource: { sft: sourcePercents(last.sft.bySource), rl: sourcePercents(last.rl.bySource) } } : {}),
      paperShape: shape,
      ...(keep ? { runDir: child.runDir } : {}),
    };
    process.stdout.write(`${JSON.stringify(line)}\n`);
    return shape;
  } finally {
    if (!keep) await rm(out, { recursive: true, force: true });
  }
}
