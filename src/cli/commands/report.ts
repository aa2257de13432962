import type { Command } from 'commander';
import { VlthinkError } from '../../core/index.ts';
import { checkReportInBrowser, DEFAULT_CHROMIUM, writeReport } from '../../pipeline/index.ts';

/** `vlthink report DIR`: write DIR/report.html; `--check` loads it in headless Chromium and saves a screenshot. */
export function register(program: Command): void {
  program
    .command('report')
    .description('render the run report (report.html: accuracy table, GRPO curves, filter stats, gallery)')
    .argument('[dir]', 'the run directory', 'runs/embedded')
    .option('--check', 'load the page in headless Chromium, verify every chart rendered, save report.png beside it')
    .option('--chromium <path>', 'Chromium binary for --check', DEFAULT_CHROMIUM)
    .action(async (dir: string, flags: { check?: boolean; chromium: string }) => {
      const { path, charts } = await writeReport(dir);
      process.stdout.write(`${path} (${charts} charts)\n`);
      if (!flags.check) return;
      const shot = path.replace(/\.html$/, '.png');
      const check = await checkReportInBrowser(path, { chromium: flags.chromium, screenshot: shot });
      if (check.rendered !== check.expected) {
        throw new VlthinkError(`${path}: ${check.rendered} of ${check.expected} charts rendered in Chromium`);
      }
      process.stdout.write(
        `Chromium rendered ${check.rendered}/${check.expected} charts; screenshot ${check.screenshot}\n`,
      );
    });
}
