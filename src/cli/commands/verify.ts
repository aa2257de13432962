import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { type Command, InvalidArgumentError } from 'commander';
import { DataError } from '../../core/index.ts';
import { verifyJsonLine } from '../../verify/verify-jsonl.ts';

/**
 * `vlthink verify [FILE] [--timeout-ms MS]`: reads JSONL lines `{gold, prediction, grader?, choices?}` from FILE or
 * stdin and writes one JSON line per input line, in order: `{correct, extracted, reason}`, or `{line, error}` for
 * a malformed line (the rest go on; the command then exits 1 naming how many lines were bad). Blank lines are skipped.
 */
function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`expected a positive integer, got '${value}'`);
  return n;
}

export function register(program: Command): void {
  program
    .command('verify')
    .description('check answers: JSONL {gold, prediction, grader?, choices?} in, one {correct, extracted, reason} out')
    .argument('[file]', 'JSONL input (default: stdin)')
    .option('--timeout-ms <ms>', 'time budget per line, milliseconds', positiveInt, 2000)
    .action(async (file: string | undefined, opts: { timeoutMs: number }) => {
      const source = file ?? '<stdin>';
      const input = file ? createReadStream(file, { encoding: 'utf8' }) : process.stdin;
      const openError = new Promise<never>((_, reject) => {
        input.once('error', (err: Error) => reject(new DataError(source, `cannot read: ${err.message}`)));
      });
      const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
      let lineNo = 0;
      let bad = 0;
      const work = (async () => {
        for await (const text of lines) {
          lineNo++;
          if (text.trim() === '') continue;
          const out = verifyJsonLine(text, lineNo, { timeoutMs: opts.timeoutMs });
          if ('error' in out) bad++;
          if (!process.stdout.write(`${JSON.stringify(out)}\n`)) {
            await new Promise((resolve) => process.stdout.once('drain', resolve));
          }
        }
      })();
      await Promise.race([work, openError]);
      if (bad > 0) {
        throw new DataError(source, `${bad} malformed line(s) of ${lineNo}; each got an {line, error} output line`, {
          hint: 'each line must be a JSON object with string fields gold and prediction',
        });
      }
    });
}
