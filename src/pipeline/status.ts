import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DataError, VlthinkError } from '../core/index.ts';
import { RunConfig } from './config/schema.ts';
import { RunSummary } from './loop.ts';
import { type Manifest, readManifest } from './manifest.ts';
import { paths } from './paths.ts';
import { formatDuration } from './progress.ts';
import { formatSummaryTable } from './summary.ts';

/** Where a run stands: every stage's state from the manifest, what comes next, and the summary once there is one. */
export interface RunStatus {
  readonly runDir: string;
  readonly manifest: Manifest;
  readonly config: RunConfig | null;
  readonly summary: RunSummary | null;
  /** The stage in progress or failed, if any (a killed run shows `running`). */
  readonly current: string | null;
  readonly complete: boolean;
}

export async function readRunStatus(runDir: string): Promise<RunStatus> {
  const manifest = await readManifest(runDir);
  if (!manifest) {
    throw new VlthinkError(`${runDir} is not a vlthink run directory (no manifest.json)`, {
      hint: 'pass the folder `vlthink run` printed, e.g. runs/embedded',
    });
  }
  const config = await readJson(join(runDir, paths.config), RunConfig);
  const summary = await readJson(join(runDir, paths.summary), RunSummary);
  const current = manifest.order.find((k) => manifest.stages[k]?.state !== 'done') ?? null;
  const complete = summary !== null && current === null && (config === null || summary.rounds.length === config.rounds);
  return { runDir, manifest, config, summary, current, complete };
}

async function readJson<T>(
  file: string,
  schema: { safeParse(v: unknown): { success: true; data: T } | { success: false } },
): Promise<T | null> {
  if (!existsSync(file)) return null;
  let value: unknown;
  try {
    value = JSON.parse(await readFile(file, 'utf8'));
  } catch (cause) {
    throw new DataError(file, 'is not valid JSON', { cause });
  }
  const parsed = schema.safeParse(value);
  return parsed.success ? parsed.data : null;
}

export function formatStatus(status: RunStatus): string {
  const { manifest } = status;
  const lines = [`run ${manifest.name} in ${status.runDir} (updated ${manifest.updatedAt})`];
  const rounds = status.config?.rounds;
  lines.push(
    status.complete
      ? 'state: complete'
      : `state: ${status.current ? `stopped at ${status.current}` : 'in progress'}${rounds ? ` (${rounds} rounds planned)` : ''}`,
  );
  const width = Math.max(...manifest.order.map((k) => k.length), 5);
  for (const key of manifest.order) {
    const s = manifest.stages[key];
    if (!s) continue;
    const took = s.durationMs === null ? '' : formatDuration(s.durationMs / 1000);
    const counts = Object.entries(s.counts)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
    const error = s.error ? `  error: ${s.error}` : '';
    lines.push(`  ${key.padEnd(width)}  ${s.state.padEnd(7)}  ${took.padStart(6)}  ${counts}${error}`);
  }
  if (status.summary) lines.push('', formatSummaryTable(status.summary));
  return lines.join('\n');
}
