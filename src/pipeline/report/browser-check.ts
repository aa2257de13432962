import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { VlthinkError } from '../../core/index.ts';

/**
 * Load a report in headless Chromium (Debian's `chromium`) and count the charts that laid out; optionally save a
 * screenshot for people (`npm run report:check`).
 */
export const DEFAULT_CHROMIUM = '/usr/bin/chromium';

export interface BrowserCheck {
  readonly expected: number;
  readonly rendered: number;
  readonly screenshot: string | null;
}

const run = promisify(execFile);

export async function checkReportInBrowser(
  htmlPath: string,
  options: { chromium?: string; screenshot?: string; timeoutMs?: number } = {},
): Promise<BrowserCheck> {
  const chromium = options.chromium ?? DEFAULT_CHROMIUM;
  if (!existsSync(chromium)) {
    throw new VlthinkError(`no Chromium at ${chromium}`, { hint: 'apt-get install chromium, or pass --chromium PATH' });
  }
  const profile = await mkdtemp(join(tmpdir(), 'vlthink-chromium-'));
  const url = pathToFileURL(resolve(htmlPath)).href;
  const base = ['--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', `--user-data-dir=${profile}`];
  const timeout = options.timeoutMs ?? 60_000;
  try {
    const { stdout } = await run(chromium, [...base, '--virtual-time-budget=5000', '--dump-dom', url], {
      timeout,
      maxBuffer: 64 * 1024 * 1024,
    });
    const expected = Number(/data-charts-expected="(\d+)"/.exec(stdout)?.[1] ?? Number.NaN);
    const rendered = Number(/data-charts-rendered="(\d+)"/.exec(stdout)?.[1] ?? Number.NaN);
    if (!Number.isFinite(expected) || !Number.isFinite(rendered)) {
      throw new VlthinkError(`${htmlPath}: Chromium loaded the page but its chart check did not run`, {
        hint: 'is this a vlthink report.html?',
      });
    }
    let screenshot: string | null = null;
    if (options.screenshot) {
      screenshot = resolve(options.screenshot);
      await run(chromium, [...base, '--window-size=1200,3200', `--screenshot=${screenshot}`, url], { timeout });
    }
    return { expected, rendered, screenshot };
  } finally {
    await rm(profile, { recursive: true, force: true });
  }
}
