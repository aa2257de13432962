import type { Command } from 'commander';
import { register as dataShow } from './data-show.ts';

/** Every `vlthink` subcommand registers itself on the program; add new commands to this list. */
export const commands: ReadonlyArray<(program: Command) => void> = [dataShow];
