import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { z } from 'zod';
import { contentHash, DataError, hashFile, isAbortError, writeJsonAtomic } from '../core/index.ts';

/**
 * The run manifest: one record per stage (`round-1/distill`) with its state, the hash of what went in (config slice
 * plus input artifacts' hashes), the hash of each output, timings and counts. A stage whose record is `done`, whose
 * input hash matches and whose outputs still hash to the recorded values is skipped.
 *
 * Crash safety: a stage writes into `.staging/<stage>.<input hash>/` and its outputs are renamed into place only when
 * it finished; the manifest (written atomically) says `done` only after that. So a kill at any point leaves either a
 * finished stage or one that runs again (its writers are atomic; a trainer may resume from what it saved in its own
 * output folder); nothing half-written is ever taken as complete.
 */
export const StageRecord = z.object({
  state: z
    .enum(['running', 'done', 'failed', 'interrupted'])
    .describe('interrupted: stopped by Ctrl-C / abort; a rerun resumes it'),
  inputHash: z.string(),
  outputs: z.record(z.string(), z.string()).describe('run-relative output path -> content hash'),
  logs: z.array(z.string()).default([]).describe('run-relative logs of the stage (step metrics), not hashed'),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  durationMs: z.number().nullable(),
  counts: z.record(z.string(), z.number()),
  attempts: z.int().min(1),
  error: z.string().nullable(),
});
export type StageRecord = z.infer<typeof StageRecord>;

export const Manifest = z.object({
  version: z.literal(1),
  name: z.string(),
  configHash: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  stages: z.record(z.string(), StageRecord),
  order: z.array(z.string()).describe('stage keys in the order they first ran'),
});
export type Manifest = z.infer<typeof Manifest>;

export const MANIFEST_FILE = 'manifest.json';

export async function readManifest(runDir: string): Promise<Manifest | null> {
  const file = join(runDir, MANIFEST_FILE);
  if (!existsSync(file)) return null;
  const text = await readFile(file, 'utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new DataError(file, 'is not valid JSON', { cause, hint: 'delete it to rerun every stage' });
  }
  const parsed = Manifest.safeParse(json);
  if (!parsed.success) {
    throw new DataError(file, `is not a vlthink manifest: ${z.prettifyError(parsed.error)}`, {
      hint: 'delete it to rerun every stage',
    });
  }
  return parsed.data;
}

/** Hash of a file, or of a folder's files (relative names and contents, sorted). Temp and staging files excluded. */
export async function hashOutput(path: string): Promise<string> {
  const info = await stat(path);
  if (!info.isDirectory()) return hashFile(path);
  const entries: string[] = [];
  for (const file of await listFiles(path)) entries.push(`${relative(path, file)}:${await hashFile(file)}`);
  return contentHash(entries.join('\n'));
}

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.name.endsWith('.tmp')) continue;
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(full)));
    else if (entry.isFile()) out.push(full);
  }
  return out;
}

async function clearStaleStaging(root: string, prefix: string, keep: string): Promise<void> {
  if (!existsSync(root)) return;
  for (const entry of await readdir(root)) {
    const full = join(root, entry);
    if (entry.startsWith(`${prefix}.`) && full !== keep) await rm(full, { recursive: true, force: true });
  }
}

export interface StageSpec<T extends Record<string, number>> {
  /** `round-1/distill`; also the staging folder name. */
  readonly key: string;
  /** Everything that decides the outputs: config slice, input artifacts' hashes, seeds. */
  readonly inputs: unknown;
  /** Run-relative output paths (files or folders): what later stages read, hashed by content. */
  readonly outputs: readonly string[];
  /**
   * Run-relative logs of how the stage ran (step metrics with timings): moved into place with the outputs, never
   * hashed, so two runs that made the same outputs have the same manifest, and a lost log reruns nothing.
   */
  readonly logs?: readonly string[];
  /** Writes each output at `staged(path)`; returns counts for the manifest. */
  readonly run: (staged: (output: string) => string) => Promise<T>;
}

export interface StageResult {
  readonly skipped: boolean;
  readonly record: StageRecord;
}

/** The run directory's manifest, kept in memory and written atomically after every change. */
export interface RunLedger {
  readonly runDir: string;
  manifest(): Manifest;
  /** Stage keys this process ran or found up to date, in order (a manifest may also hold stages of older configs). */
  visited(): readonly string[];
  runStage<T extends Record<string, number>>(spec: StageSpec<T>): Promise<StageResult>;
}

/** Told when a stage is skipped, starts or finishes (progress lines). */
export type StageEvent =
  | { readonly type: 'skip'; readonly key: string; readonly record: StageRecord }
  | { readonly type: 'start'; readonly key: string; readonly attempt: number }
  | { readonly type: 'done'; readonly key: string; readonly record: StageRecord };

export async function openLedger(
  runDir: string,
  name: string,
  configHash: string,
  onEvent: (event: StageEvent) => void = () => undefined,
): Promise<RunLedger> {
  const now = () => new Date().toISOString();
  const manifest: Manifest = (await readManifest(runDir)) ?? {
    version: 1,
    name,
    configHash,
    createdAt: now(),
    updatedAt: now(),
    stages: {},
    order: [],
  };
  manifest.configHash = configHash;
  const save = async () => {
    manifest.updatedAt = now();
    await writeJsonAtomic(join(runDir, MANIFEST_FILE), manifest);
  };
  await save();

  const isComplete = async (record: StageRecord | undefined, inputHash: string, outputs: readonly string[]) => {
    if (record?.state !== 'done' || record.inputHash !== inputHash) return false;
    for (const out of outputs) {
      const full = join(runDir, out);
      if (!existsSync(full) || record.outputs[out] !== (await hashOutput(full))) return false;
    }
    return true;
  };

  const visited: string[] = [];
  return {
    runDir,
    manifest: () => manifest,
    visited: () => visited,
    async runStage(spec) {
      if (!visited.includes(spec.key)) visited.push(spec.key);
      const inputHash = contentHash(spec.inputs);
      const previous = manifest.stages[spec.key];
      if ((await isComplete(previous, inputHash, spec.outputs)) && previous) {
        onEvent({ type: 'skip', key: spec.key, record: previous });
        return { skipped: true, record: previous };
      }

      // The staging folder is keyed by the input hash: a killed attempt's folder is handed to the same stage again (a
      // trainer may resume from its own checkpoints there); folders of other inputs are cleared.
      const prefix = spec.key.replaceAll('/', '__');
      const stagingDir = join(runDir, '.staging', `${prefix}.${inputHash.slice(0, 16)}`);
      await clearStaleStaging(join(runDir, '.staging'), prefix, stagingDir);
      const staged = (out: string) => join(stagingDir, out);
      const startedAt = now();
      const t0 = performance.now();
      const record: StageRecord = {
        state: 'running',
        inputHash,
        outputs: {},
        logs: [...(spec.logs ?? [])],
        startedAt,
        finishedAt: null,
        durationMs: null,
        counts: {},
        attempts: (previous?.attempts ?? 0) + 1,
        error: null,
      };
      manifest.stages[spec.key] = record;
      if (!manifest.order.includes(spec.key)) manifest.order.push(spec.key);
      await save();
      onEvent({ type: 'start', key: spec.key, attempt: record.attempts });
      try {
        const written = [...spec.outputs, ...(spec.logs ?? [])];
        for (const out of written) await mkdir(dirname(staged(out)), { recursive: true });
        record.counts = await spec.run(staged);
        for (const out of written) {
          if (!existsSync(staged(out))) throw new Error(`stage ${spec.key} did not write its output ${out}`);
        }
        for (const out of written) {
          const target = join(runDir, out);
          await rm(target, { recursive: true, force: true });
          await mkdir(dirname(target), { recursive: true });
          await rename(staged(out), target);
        }
        for (const out of spec.outputs) record.outputs[out] = await hashOutput(join(runDir, out));
        await rm(stagingDir, { recursive: true, force: true });
        const stagingRoot = join(runDir, '.staging');
        if (existsSync(stagingRoot) && (await readdir(stagingRoot)).length === 0)
          await rm(stagingRoot, { recursive: true });
        record.state = 'done';
      } catch (err) {
        record.state = isAbortError(err) ? 'interrupted' : 'failed';
        record.error = err instanceof Error ? err.message : String(err);
        throw err;
      } finally {
        record.finishedAt = now();
        record.durationMs = Math.round(performance.now() - t0);
        await save();
      }
      onEvent({ type: 'done', key: spec.key, record });
      return { skipped: false, record };
    },
  };
}
