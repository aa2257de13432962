import { Command, CommanderError } from 'commander';
import { ConfigError, VlthinkError } from '../core/index.ts';
import { commands } from './commands/index.ts';

/**
 * `vlthink`: argv -> parsed options -> one call. Each command lives in its own file under commands/. cli/ is the top
 * layer: it may import every folder, and no folder imports it (test/architecture.test.ts).
 */
export function buildProgram(): Command {
  const program = new Command('vlthink')
    .description('Teach vision-language models to reason with iterative SFT <-> GRPO cycles (OpenVLThinker).')
    .showHelpAfterError()
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
    if (err instanceof VlthinkError) {
      process.stderr.write(`error: ${err.describe()}\n`);
      return err instanceof ConfigError ? 2 : 1;
    }
    throw err;
  }
}

process.exitCode = await main(process.argv.slice(2));
