import { open, readFile, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { makeDirs, UsageError } from '../core/index.ts';

/**
 * One process per run directory: `run.lock` holds the owner's pid, host and start time. It is created exclusively
 * (O_EXCL), so two `vlthink run`s racing for one directory cannot both win. A lock whose pid is no longer alive on this
 * host (a run killed by SIGKILL or a crash) is stale and is taken over. Creating the lock is also the first write into
 * the run directory, so an unwritable `--out` is reported here, before any work.
 */
export const RUN_LOCK_FILE = 'run.lock';

export const RunLockInfo = z.object({
  pid: z.int(),
  host: z.string(),
  startedAt: z.string(),
});
export type RunLockInfo = z.infer<typeof RunLockInfo>;

export interface RunLock {
  readonly info: RunLockInfo;
  /** Removes the lock if this process still holds it. */
  release(): Promise<void>;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the pid exists but belongs to another user, so it is alive.
    return (err as { code?: string }).code === 'EPERM';
  }
}

/** The lock's holder if one is alive (on this host; a lock from another host is trusted as live), else null. */
export async function readLiveLock(runDir: string): Promise<RunLockInfo | null> {
  let text: string;
  try {
    text = await readFile(join(runDir, RUN_LOCK_FILE), 'utf8');
  } catch {
    return null;
  }
  let parsed: ReturnType<typeof RunLockInfo.safeParse>;
  try {
    parsed = RunLockInfo.safeParse(JSON.parse(text));
  } catch {
    return null; // a lock cut short by a crash between create and write: nobody holds it
  }
  if (!parsed.success) return null;
  const info = parsed.data;
  if (info.host !== hostname()) return info;
  return info.pid !== process.pid && isAlive(info.pid) ? info : null;
}

export async function acquireRunLock(runDir: string): Promise<RunLock> {
  await makeDirs(runDir);
  const file = join(runDir, RUN_LOCK_FILE);
  const info: RunLockInfo = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString() };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fh = await open(file, 'wx');
      try {
        await fh.writeFile(`${JSON.stringify(info)}\n`);
      } finally {
        await fh.close();
      }
      return {
        info,
        release: async () => {
          const current = await readFile(file, 'utf8').catch(() => '');
          if (current.includes(`"pid":${process.pid},`)) await rm(file, { force: true });
        },
      };
    } catch (err) {
      if ((err as { code?: string }).code !== 'EEXIST') throw err;
    }
    const holder = await readLiveLock(runDir);
    if (holder) {
      throw new UsageError(
        `${runDir} is in use by vlthink pid ${holder.pid} on ${holder.host} (since ${holder.startedAt})`,
        { hint: `wait for it to finish (vlthink status ${runDir}) or stop it; or pick another --name` },
      );
    }
    await rm(file, { force: true }); // stale: its process is gone
  }
  throw new UsageError(`${file} keeps reappearing; another process is taking the lock`, {
    hint: 'make sure only one vlthink run uses this directory',
  });
}
