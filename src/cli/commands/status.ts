import type { Command } from 'commander';
import { formatStatus, readRunStatus } from '../../pipeline/index.ts';

/** `vlthink status DIR`: where a run stands (stage states, timings, counts, and the summary when there is one). */
export function register(program: Command): void {
  program
    .command('status')
    .description('show where a run stands: every stage with its state, time and counts')
    .argument('<dir>', 'the run directory (e.g. runs/embedded)')
    .option('--json', 'print the manifest and summary as JSON')
    .action(async (dir: string, flags: { json?: boolean }) => {
      const status = await readRunStatus(dir);
      if (flags.json) {
        process.stdout.write(
          `${JSON.stringify({ manifest: status.manifest, summary: status.summary, complete: status.complete }, null, 2)}\n`,
        );
        return;
      }
      process.stdout.write(`${formatStatus(status)}\n`);
    });
}
