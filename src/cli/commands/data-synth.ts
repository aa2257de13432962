import { type Command, InvalidArgumentError } from 'commander';
import { FAMILIES, SPLITS, SynthOptions, writeWorldDataset } from '../../world/index.ts';
import { dataCommandGroup } from './data-show.ts';

/**
 * `vlthink data synth --n N --seed S --out DIR [--split train|rl|test] [--size PX] [--noise X] [--families a,b]
 * [--tiers easy,medium] [--force]`: writes a synthetic-world dataset (problems.jsonl, images/, world.json).
 */

function number(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError(`expected a number, got '${value}'`);
  return n;
}

const list = (value: string): string[] =>
  value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);

const describe = (field: keyof typeof SynthOptions.shape) => SynthOptions.shape[field].description ?? field;

export function register(program: Command): void {
  dataCommandGroup(program)
    .command('synth')
    .description('generate a synthetic visual-math dataset: problems.jsonl, images/ and world.json')
    .requiredOption('--n <count>', describe('n'), number)
    .requiredOption('--seed <seed>', describe('seed'), number)
    .requiredOption('--out <dir>', 'output folder (must not exist unless --force)')
    .option('--split <split>', `${describe('split')}: ${SPLITS.join(' | ')}`, 'train')
    .option('--size <px>', describe('imageSize'), number, 64)
    .option('--noise <x>', describe('noise'), number, 0)
    .option('--families <list>', `comma-separated, from: ${FAMILIES.join(', ')}`, list)
    .option('--tiers <list>', 'comma-separated, from: easy, medium, hard', list)
    .option('--force', 'replace an existing output folder', false)
    .action(
      async (opts: {
        n: number;
        seed: number;
        out: string;
        split: string;
        size: number;
        noise: number;
        families?: string[];
        tiers?: string[];
        force: boolean;
      }) => {
        const started = performance.now();
        const summary = await writeWorldDataset(
          opts.out,
          {
            n: opts.n,
            seed: opts.seed,
            split: opts.split as SynthOptions['split'],
            imageSize: opts.size,
            noise: opts.noise,
            families: opts.families as SynthOptions['families'],
            tiers: opts.tiers as SynthOptions['tiers'],
          },
          { force: opts.force },
        );
        const seconds = (performance.now() - started) / 1000;
        const tiers = Object.entries(summary.byTier)
          .map(([t, c]) => `${t} ${c}`)
          .join(', ');
        process.stdout.write(
          `wrote ${summary.problems} problems to ${summary.outDir} (${tiers}) in ${seconds.toFixed(1)} s\n`,
        );
      },
    );
}
