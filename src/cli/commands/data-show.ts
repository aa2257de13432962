import { type Command, InvalidArgumentError } from 'commander';
import { formatShown, readFirstRecords } from '../../data/show-records.ts';

/**
 * `vlthink data show FILE [--n K]`: prints the first records of a JSONL, JSON or Parquet file for people.
 * The `data` group is shared with other data subcommands (`data synth`): whoever registers first creates it.
 */
export function dataCommandGroup(program: Command): Command {
  return (
    program.commands.find((c) => c.name() === 'data') ??
    program.command('data').description('make, inspect and convert datasets')
  );
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`expected a positive integer, got '${value}'`);
  return n;
}

export function register(program: Command): void {
  dataCommandGroup(program)
    .command('show')
    .description('print the first records of a JSONL, JSON or Parquet file, readable for people')
    .argument('<file>', 'a .jsonl, .json or .parquet file')
    .option('-n, --n <count>', 'how many records to print', positiveInt, 3)
    .option('--skip-bad', 'skip malformed JSONL lines and report how many were skipped', false)
    .option('--full', 'print long values whole instead of cutting them', false)
    .action(async (file: string, opts: { n: number; skipBad: boolean; full: boolean }) => {
      const shown = await readFirstRecords(file, { n: opts.n, skipBad: opts.skipBad });
      process.stdout.write(`${formatShown(file, shown, { full: opts.full })}\n`);
    });
}
