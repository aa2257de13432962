import type { Command } from 'commander';
import { register as dataShow } from './data-show.ts';
import { register as dataSynth } from './data-synth.ts';
import { register as evalCommand } from './eval.ts';
import { register as rewardServer } from './reward-server.ts';
import { register as score } from './score.ts';

/** Every `vlthink` subcommand registers itself on the program; add new commands to this list. */
export const commands: ReadonlyArray<(program: Command) => void> = [
  dataShow,
  dataSynth,
  evalCommand,
  rewardServer,
  score,
];
