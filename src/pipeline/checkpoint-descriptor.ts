import { readFile } from 'node:fs/promises';
import { isAbsolute, join, relative } from 'node:path';
import { z } from 'zod';
import type { Checkpoint } from '../backends/types.ts';
import { DataError, writeJsonAtomic } from '../core/index.ts';

/**
 * `vlthink-checkpoint.json`, written by the base, SFT and RL stages inside their output folder: where the stage's
 * checkpoint is. A trainer may put the model in a sub-folder of its output (an external engine's merged `model/`),
 * or name a model outside the run (a Hugging Face base): `sub` is the folder relative to the output, `path` an
 * outside location; exactly one is set. Relative, so a run directory can be moved.
 */
export const CheckpointDescriptor = z
  .strictObject({
    kind: z.enum(['embedded', 'hf']),
    name: z.string().min(1),
    sub: z.string().nullable(),
    path: z.string().nullable(),
  })
  .refine((d) => (d.sub === null) !== (d.path === null), 'exactly one of sub and path is set');
export type CheckpointDescriptor = z.infer<typeof CheckpointDescriptor>;

export const DESCRIPTOR_FILE = 'vlthink-checkpoint.json';

export async function writeCheckpointDescriptor(outDir: string, made: Checkpoint): Promise<void> {
  const sub = relative(outDir, made.path);
  const inside = sub === '' || !(sub.startsWith('..') || isAbsolute(sub));
  const descriptor: CheckpointDescriptor = {
    kind: made.kind,
    name: made.name,
    sub: inside ? sub : null,
    path: inside ? null : made.path,
  };
  await writeJsonAtomic(join(outDir, DESCRIPTOR_FILE), descriptor);
}

/** The checkpoint a stage output folder holds; a missing or malformed descriptor is a DataError naming the file. */
export async function readCheckpointDescriptor(outDir: string): Promise<Checkpoint> {
  const file = join(outDir, DESCRIPTOR_FILE);
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (cause) {
    throw new DataError(file, 'cannot be read as JSON', { cause, hint: 'delete the stage folder to rerun the stage' });
  }
  const parsed = CheckpointDescriptor.safeParse(json);
  if (!parsed.success) {
    throw new DataError(file, `is not a checkpoint descriptor: ${z.prettifyError(parsed.error)}`, {
      hint: 'delete the stage folder to rerun the stage',
    });
  }
  const d = parsed.data;
  return { kind: d.kind, name: d.name, path: d.path ?? join(outDir, d.sub ?? '') };
}
