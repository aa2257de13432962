/**
 * `npm run bench -- run`: the product end to end — `vlthink run` on the embedded preset in a fresh run directory, as
 * `npm start` does — timed, with the accuracy table's shape checked (RL_1 > SFT_1, RL_2 >= RL_1). The figure is the
 * wall time as a fraction of the 15-minute budget on this machine's cores. The run directory is removed when the run
 * shows the paper's shape and kept (its path printed) otherwise, for its metrics and evaluation records.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const BUDGET_S = 15 * 60;

export async function run(): Promise<void> {
  const out = await mkdtemp(join(tmpdir(), 'vlthink-bench-run-'));
  const bin = resolve(import.meta.dirname, '../bin/vlthink.js');
  const t0 = performance.now();
  const code = await new Promise<number>((done) => {
    const child = spawn(process.execPath, [bin, 'run', '--out', out], { stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('close', (c) => done(c ?? 1));
  });
  const seconds = (performance.now() - t0) / 1000;
  let keep = true;
  try {
    if (code !== 0) {
      process.stdout.write(
        `${JSON.stringify({ bench: 'run', error: `vlthink run exited with ${code}`, seconds, runDir: join(out, 'embedded') })}\n`,
      );
      process.exitCode = 1;
      return;
    }
    const summary = JSON.parse(await readFile(join(out, 'embedded', 'summary.json'), 'utf8')) as {
      rounds: Array<{ round: number; sft: { accuracy: number }; rl: { accuracy: number } }>;
      test: { name: string; size: number };
    };
    const acc = Object.fromEntries(
      summary.rounds.flatMap((r) => [
        [`sft${r.round}`, r.sft.accuracy],
        [`rl${r.round}`, r.rl.accuracy],
      ]),
    );
    const [r1, r2] = summary.rounds;
    const shape =
      r1 !== undefined && r1.rl.accuracy > r1.sft.accuracy && (r2 === undefined || r2.rl.accuracy >= r1.rl.accuracy);
    keep = !shape;
    process.stdout.write(
      `${JSON.stringify({ bench: 'run', preset: 'embedded', cores: availableParallelism(), seconds: Math.round(seconds), budgetFraction: Number((seconds / BUDGET_S).toFixed(3)), test: summary.test, ...acc, paperShape: shape, ...(keep ? { runDir: join(out, 'embedded') } : {}) })}\n`,
    );
  } finally {
    if (!keep) await rm(out, { recursive: true, force: true });
  }
}
