import { Command, CommanderError } from 'commander';
import { COMMANDS } from './commands/index.ts';
import { describeError, exitCodeOf } from './exit-codes.ts';

/**
 * `vlthink`: argv -> parsed options -> one call. Each command lives in its own file under commands/; only the command
 * named in argv is imported (the others are listed by name and summary for `--help`), so start-up stays small. cli/
 * is the top layer: it may import every folder, and no folder imports it (test/architecture.test.ts).
 */
export async function buildProgram(argv: readonly string[]): Promise<Command> {
  const program = new Command('vlthink')
    .description('Teach vision-language models to reason with iterative SFT <-> GRPO cycles (OpenVLThinker).')
    .showHelpAfterError('(add --help for usage)')
    .exitOverride();
  const words = argv.filter((a) => !a.startsWith('-'));
  const named = words[0] === 'help' ? words[1] : words[0];
  const entry = COMMANDS.find((c) => c.name === named);
  if (entry) (await entry.load())(program);
  else for (const c of COMMANDS) program.command(c.name).usage(c.usage).description(c.summary);
  return program;
}

export async function main(argv: readonly string[]): Promise<number> {
  try {
    await (await buildProgram(argv)).parseAsync(argv as string[], { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    const code = exitCodeOf(err);
    process.stderr.write(`${code === 130 ? 'interrupted' : 'error'}: ${describeError(err)}\n`);
    return code;
  }
}

process.exitCode = await main(process.argv.slice(2));
