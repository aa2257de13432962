import type { Command } from 'commander';
import { register as dataShow } from './data-show.ts';
import { register as dataSynth } from './data-synth.ts';
import { register as doctor } from './doctor.ts';
import { register as evalCommand } from './eval.ts';
import { register as report } from './report.ts';
import { register as rewardServer } from './reward-server.ts';
import { register as run } from './run.ts';
import { register as score } from './score.ts';
import { register as serve } from './serve.ts';
import { register as status } from './status.ts';
import { register as verify } from './verify.ts';

/** Every `vlthink` subcommand registers itself on the program; add new commands to this list. */
export const commands: ReadonlyArray<(program: Command) => void> = [
  dataShow,
  dataSynth,
  doctor,
  evalCommand,
  report,
  rewardServer,
  run,
  score,
  serve,
  status,
  verify,
];
