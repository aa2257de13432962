import type { Command } from 'commander';

/**
 * Every `vlthink` command: its name, usage and summary (for the top-level `--help`) and its module, imported only
 * when that command runs or shows its own help. Start-up then pays for one command's imports: `vlthink verify` never
 * loads ONNX Runtime, vega, sharp or skia, and `vlthink --help` loads none of them. Add new commands here.
 */
export interface CommandEntry {
  readonly name: string;
  /** Arguments as `--help` lists them, e.g. `<dir>`. */
  readonly usage: string;
  readonly summary: string;
  readonly load: () => Promise<(program: Command) => void>;
}

const one =
  (mod: () => Promise<{ register: (program: Command) => void }>) => async (): Promise<(program: Command) => void> =>
    (await mod()).register;

export const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'data',
    usage: '<command>',
    summary: 'make, inspect and convert datasets (data show, data synth)',
    load: async () => {
      const [show, synth] = await Promise.all([import('./data-show.ts'), import('./data-synth.ts')]);
      return (program) => {
        show.register(program);
        synth.register(program);
      };
    },
  },
  {
    name: 'doctor',
    usage: '[options]',
    summary: 'check what a run needs (engines, GPUs, endpoints, reward server, Ray) before it starts',
    load: one(() => import('./doctor.ts')),
  },
  {
    name: 'eval',
    usage: '[options]',
    summary: 'evaluate a model on benchmarks with their official scoring (or OpenVLThinker mode)',
    load: one(() => import('./eval.ts')),
  },
  {
    name: 'report',
    usage: '[dir]',
    summary: 'render the run report (report.html: accuracy table, GRPO curves, filter stats, gallery)',
    load: one(() => import('./report.ts')),
  },
  {
    name: 'reward-server',
    usage: '[options]',
    summary: "serve vlthink's rewards over HTTP: POST /v1/reward (batch), POST /get_reward (OpenRLHF), GET /health",
    load: one(() => import('./reward-server.ts')),
  },
  {
    name: 'run',
    usage: '[options]',
    summary: 'run the OpenVLThinker loop: caption, distill, filter, SFT, difficulty, RL, evaluate, for R rounds',
    load: one(() => import('./run.ts')),
  },
  {
    name: 'score',
    usage: '[options] <file>',
    summary: "score an existing output / predictions file with a benchmark's official rules",
    load: one(() => import('./score.ts')),
  },
  {
    name: 'serve',
    usage: '[options]',
    summary: 'serve an embedded checkpoint over the OpenAI chat-completions API (batched)',
    load: one(() => import('./serve.ts')),
  },
  {
    name: 'status',
    usage: '<dir>',
    summary: 'show where a run stands: every stage with its state, time and counts',
    load: one(() => import('./status.ts')),
  },
  {
    name: 'verify',
    usage: '[file]',
    summary: 'check answers: JSONL {gold, prediction, grader?, choices?} in, one {correct, extracted, reason} out',
    load: one(() => import('./verify.ts')),
  },
];
