import { Command, CommanderError } from 'commander';
import { commands } from './commands/index.ts';
import { describeError, exitCodeOf } from './exit-codes.ts';

/** `vlthink`: argv -> parsed options -> one call. Each command lives in its own file under commands/. */
export function buildProgram(): Command {
  const program = new Command('vlthink')
    .description('Teach vision-language models to reason with iterative SFT <-> GRPO cycles (OpenVLThinker).')
    .showHelpAfterError('(add --help for usage)')
    .exitOverride();
  for (const register of commands) register(program);
  return program;
}

export async function main(argv: readonly string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv as string[], { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    const code = exitCodeOf(err);
    process.stderr.write(`${code === 130 ? 'interrupted' : 'error'}: ${describeError(err)}\n`);
    return code;
  }
}

process.exitCode = await main(process.argv.slice(2));
