import { join } from 'node:path';
import type { Command } from 'commander';
import { resolveApiKey } from '../../backends/http-auth.ts';
import { AbortedError, ConfigError, createLogger } from '../../core/index.ts';
import { configHelp, PRESET_NAMES, resolveConfig } from '../../pipeline/config/index.ts';
import {
  createDeps,
  formatSummaryTable,
  planRun,
  readManifest,
  runDirOf,
  runDoctor,
  runPipeline,
  writePlanFiles,
  writeReport,
} from '../../pipeline/index.ts';
import { createProgress } from '../../pipeline/progress.ts';
import { acquireRunLock } from '../../pipeline/run-lock.ts';

/**
 * `vlthink run`: resolve the config (preset <- files <- --field overrides), then run the loop, or with --dry-run print
 * what every stage would read, write, run and call. Any config field can be set as `--a.b value`; `--help` lists them.
 */
interface RunFlags {
  readonly config?: string[];
  readonly preset?: string;
  readonly out?: string;
  readonly name?: string;
  readonly rounds?: string;
  readonly dryRun?: boolean;
  /** `--no-checks` sets it false. */
  readonly checks?: boolean;
}

/** `--a.b value`, `--a.b=value`, or a bare `--a.b` (true) -> [path, text] pairs. */
export function parseFieldArgs(args: readonly string[]): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (!arg.startsWith('--')) {
      throw new ConfigError('argv', `unexpected argument '${arg}'`, {
        value: arg,
        hint: 'config fields are set as --field value',
      });
    }
    const body = arg.slice(2);
    const eq = body.indexOf('=');
    if (eq >= 0) {
      out.push([body.slice(0, eq), body.slice(eq + 1)]);
      continue;
    }
    const next = args[i + 1];
    if (next === undefined || next.startsWith('--')) out.push([body, 'true']);
    else {
      out.push([body, next]);
      i++;
    }
  }
  return out;
}

export function register(program: Command): void {
  program
    .command('run')
    .description('run the OpenVLThinker loop: caption, distill, filter, SFT, difficulty, RL, evaluate, for R rounds')
    .option('--config <file...>', 'YAML or JSON config files, merged in order over the preset')
    .option('--preset <name>', `starting point: ${PRESET_NAMES.join(', ')}`, 'embedded')
    .option('--out <dir>', 'folder for run directories (config field outDir)')
    .option('--name <name>', 'run name; the run directory is <out>/<name>')
    .option('--rounds <n>', 'number of SFT -> RL rounds')
    .option('--no-checks', 'scale-out: start without checking engines, GPUs and endpoints first (see `vlthink doctor`)')
    .option('--dry-run', 'print every stage with its files, commands and endpoints; run nothing')
    .allowUnknownOption()
    .allowExcessArguments()
    .addHelpText('after', `\nConfig fields (set any with --field value, e.g. --distill.k 8):\n${configHelp()}`)
    .action(async (flags: RunFlags, cmd: Command) => {
      const overrides = parseFieldArgs(cmd.args);
      if (flags.out !== undefined) overrides.push(['outDir', flags.out]);
      if (flags.name !== undefined) overrides.push(['name', flags.name]);
      if (flags.rounds !== undefined) overrides.push(['rounds', flags.rounds]);
      const config = await resolveConfig({ preset: flags.preset, files: flags.config, overrides });
      if (flags.dryRun) {
        const plan = planRun(config, await createDeps(config));
        const written = await writePlanFiles(plan);
        const where = written.length > 0 ? ` under ${runDirOf(config)}` : '';
        process.stdout.write(
          `${plan.text}\n(dry run: wrote ${written.length} engine file(s)${where}; trained nothing)\n`,
        );
        return;
      }
      if (config.backend.kind === 'scale-out' && flags.checks !== false) {
        // What the engines need is checked before the first stage spends time (`vlthink doctor` prints the same).
        const checks = await runDoctor(config, { apiKey: resolveApiKey(undefined) });
        const missing = checks.filter((c) => !c.ok);
        if (missing.length > 0) {
          throw new ConfigError(
            'backend',
            `the run would fail: ${missing.map((c) => `${c.name} (${c.detail})`).join('; ')}`,
            {
              hint: 'run `vlthink doctor --preset ...` for the table and what to do, or pass --no-checks to start anyway',
            },
          );
        }
      }
      const runDir = runDirOf(config);
      // The lock is the first write into the run directory: an unwritable or file-shaped --out fails here, at once.
      const lock = await acquireRunLock(runDir);
      const log = createLogger({ level: 'info' });
      const progress = createProgress({ tty: process.stderr.isTTY === true, write: (t) => process.stderr.write(t) });
      const controller = new AbortController();
      let interrupts = 0;
      const onSigint = () => {
        interrupts++;
        if (interrupts > 1) process.exit(130);
        progress.line('interrupted: stopping after the current step (Ctrl-C again to quit now)');
        controller.abort(new AbortedError('run'));
      };
      process.on('SIGINT', onSigint);
      progress.line(`run directory: ${runDir}`);
      try {
        const deps = await createDeps(config, { log });
        // report.html is rewritten after every finished stage (one write at a time), so a browser tab on it follows
        // the run; the last write happens after the run ends, however it ends.
        let reporting: Promise<void> = Promise.resolve();
        const refreshReport = () => {
          reporting = reporting
            .then(() => writeReport(runDir))
            .then(
              () => undefined,
              (err: unknown) =>
                log.warn(`report.html not refreshed: ${err instanceof Error ? err.message : String(err)}`),
            );
        };
        try {
          const summary = await runPipeline(config, deps, {
            progress,
            log,
            signal: controller.signal,
            onStage: (e) => {
              if (e.type === 'done') refreshReport();
            },
          });
          process.stdout.write(`${formatSummaryTable(summary)}\n`);
          progress.line(`summary: ${runDir}/summary.json; report: ${join(runDir, 'report.html')}`);
        } finally {
          refreshReport();
          await reporting;
          await deps.close?.();
        }
      } catch (err) {
        if (controller.signal.aborted) throw await interrupted(runDir);
        throw err;
      } finally {
        process.off('SIGINT', onSigint);
        await lock.release();
      }
    });
}

/** The error a Ctrl-C'd run ends with: which stage stopped and how to resume. */
async function interrupted(runDir: string): Promise<AbortedError> {
  const manifest = await readManifest(runDir).catch(() => null);
  const stage = manifest?.order.find((k) => manifest.stages[k]?.state === 'interrupted');
  return new AbortedError(stage ? `run at ${stage}` : 'run', {
    hint: `finished stages are kept in ${runDir}; rerun the same command to resume`,
  });
}
