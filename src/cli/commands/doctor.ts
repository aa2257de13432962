import type { Command } from 'commander';
import { resolveApiKey } from '../../backends/http-auth.ts';
import { VlthinkError } from '../../core/index.ts';
import { formatDoctor, resolveConfig, runDoctor } from '../../pipeline/index.ts';

/**
 * `vlthink doctor [--preset paper] [--config FILE ...]`: what the run would need (engines, GPUs, endpoints, reward
 * server, Ray, input files), one table; exit 1 when anything is missing.
 */
export function register(program: Command): void {
  program
    .command('doctor')
    .description(
      'check what a run needs (engines, GPUs, endpoints, reward server, Ray) before it starts; exit 1 if anything is missing',
    )
    .option('--preset <name>', 'embedded | embedded-quick | paper', 'embedded')
    .option('--config <file...>', 'YAML or JSON config files, applied in order')
    .option('--timeout-ms <ms>', 'time allowed to each probe', '5000')
    .action(async (flags: { preset: string; config?: string[]; timeoutMs: string }) => {
      const config = await resolveConfig({ preset: flags.preset, files: flags.config });
      const checks = await runDoctor(config, {
        timeoutMs: Number(flags.timeoutMs) || 5000,
        apiKey: resolveApiKey(undefined),
      });
      process.stdout.write(
        `vlthink doctor: ${config.name} (backend ${config.backend.kind})\n${formatDoctor(checks)}\n`,
      );
      const missing = checks.filter((c) => !c.ok).length;
      if (missing > 0) {
        throw new VlthinkError(`${missing} of ${checks.length} checks failed`, {
          hint: 'fix the rows marked MISSING above, then run `vlthink doctor` again',
        });
      }
    });
}
