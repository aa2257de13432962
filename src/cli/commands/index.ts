import type { Command } from 'commander';

/** Every `vlthink` subcommand registers itself on the program; add new commands to this list. */
export const commands: ReadonlyArray<(program: Command) => void> = [];
