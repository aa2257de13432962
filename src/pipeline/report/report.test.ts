import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFakeDeps } from '../../../test/pipeline-fakes.ts';
import { parseRunConfig } from '../config/load.ts';
import { runPipeline } from '../loop.ts';
import { checkReportInBrowser, DEFAULT_CHROMIUM } from './browser-check.ts';
import { writeReport } from './html.ts';

let root: string;
let runDir: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'vlthink-report-'));
  const config = parseRunConfig({
    name: 'r',
    outDir: root,
    rounds: 2,
    data: {
      kind: 'world',
      train: 30,
      test: 20,
      seed: 5,
      imageSize: 16,
      captionNoise: 0,
      families: ['clock', 'bar-value'],
    },
  });
  await runPipeline(config, createFakeDeps());
  runDir = join(root, 'r');
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('run report', () => {
  it('renders a self-contained page with Table 10, GRPO curves, filter stats and a gallery', async () => {
    const { path, charts } = await writeReport(runDir);
    const html = await readFile(path, 'utf8');
    const summary = JSON.parse(await readFile(join(runDir, 'summary.json'), 'utf8'));
    // accuracy bars, five GRPO curves, the filter chart
    expect(charts).toBe(7);
    expect(html.match(/<svg data-chart=/g)).toHaveLength(7);
    for (const name of ['accuracy', 'grpo-reward', 'grpo-accuracy', 'grpo-kl', 'grpo-length', 'grpo-clip', 'filter']) {
      expect(html).toContain(`data-chart="${name}"`);
    }
    expect(html).toContain(`${(100 * summary.rounds[0].sft.accuracy).toFixed(1)}%`);
    expect(html).toContain(`${(100 * summary.rounds[1].rl.accuracy).toFixed(1)}%`);
    expect(html).toContain('SFT<sub>2</sub>');
    // a row per source (the fakes' problems come from two), ending with its accuracy at the last checkpoint
    const sources = Object.entries(summary.rounds[1].rl.bySource) as Array<
      [string, { total: number; accuracy: number }]
    >;
    expect(sources).toHaveLength(2);
    for (const [source, s] of sources) {
      const last = `${(100 * s.accuracy).toFixed(1)}%`;
      expect(html).toMatch(new RegExp(`${source} \\(${s.total}\\)</td>(<td>[^<]*</td>)*<td>${last}</td></tr>`));
    }
    expect(html).toContain('dropped: no-correct-trace');
    expect(html.match(/<div class="card">/g)?.length).toBe(8);
    expect(html).toContain('src="data:image/png;base64,');
    // self-contained: nothing fetched from elsewhere
    expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)="(https?:|\/\/)/);
  });

  const skip = !existsSync(DEFAULT_CHROMIUM);
  if (skip)
    console.log(`skipping the headless Chromium check: ${DEFAULT_CHROMIUM} not found (apt-get install chromium)`);
  it.skipIf(skip)(
    'loads in headless Chromium with every chart laid out, and screenshots it',
    async () => {
      const { path, charts } = await writeReport(runDir);
      const shot = join(root, 'report.png');
      const check = await checkReportInBrowser(path, { screenshot: shot });
      expect(check.expected).toBe(charts);
      expect(check.rendered).toBe(charts);
      expect((await stat(shot)).size).toBeGreaterThan(10_000);
    },
    120_000,
  );
});
