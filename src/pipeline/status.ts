import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DataError, UsageError } from '../core/index.ts';
import { RunConfig } from './config/schema.ts';
import { RunSummary } from './loop.ts';
import { type Manifest, readManifest } from './manifest.ts';
import { paths } from './paths.ts';
import { formatDuration } from './progress.ts';
import { type RunLockInfo, readLiveLock } from './run-lock.ts';
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
  /** The process running it now (from run.lock), or null when none is alive. */
  readonly live: RunLockInfo | null;
}

export async function readRunStatus(runDir: string): Promise<RunStatus> {
  const manifest = await readManifest(runDir);
  if (!manifest) {
    throw new UsageError(`${runDir} is not a vlthink run directory (no manifest.json)`, {
      hint: 'pass the folder `vlthink run` printed, e.g. runs/embedded',
    });
  }
  const config = await readJson(join(runDir, paths.config), RunConfig);
  const summary = await readJson(join(runDir, paths.summary), RunSummary);
  const current = manifest.order.find((k) => manifest.stages[k]?.state !== 'done') ?? null;
  const complete = summary !== null && current === null && (config === null || summary.rounds.length === config.rounds);
  const live = await readLiveLock(runDir);
  return { runDir, manifest, config, summary, current, complete, live };
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

function describeState(status: RunStatus): string {
  const { live, current } = status;
  if (live)
    return `running (pid ${live.pid} on ${live.host}, since ${live.startedAt})${current ? `, at ${current}` : ''}`;
  if (status.complete) return 'complete';
  if (!current) return 'stopped between stages; rerun to resume';
  const state = status.manifest.stages[current]?.state;
  if (state === 'interrupted') return `interrupted at ${current}; rerun to resume`;
  if (state === 'failed') return `failed at ${current}; fix the error and rerun to resume`;
  return `stopped at ${current} (its process is gone); rerun to resume`;
}

export function formatStatus(status: RunStatus): string {
  const { manifest } = status;
  const lines = [`run ${manifest.name} in ${status.runDir} (updated ${manifest.updatedAt})`];
  const rounds = status.config?.rounds;
  const planned = rounds ? ` (${rounds} rounds planned)` : '';
  lines.push(`state: ${describeState(status)}${status.complete ? '' : planned}`);
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
