import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UsageError } from '../core/index.ts';
import { acquireRunLock, RUN_LOCK_FILE, readLiveLock } from './run-lock.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vlthink-lock-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A pid that surely exited: a child that already finished. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '0']);
  return child.pid ?? 999_999;
}

describe('run directory lock', () => {
  it('refuses a second holder while the first is alive, naming its pid', async () => {
    const live = { pid: process.ppid, host: hostname(), startedAt: '2026-12-06T00:00:00.000Z' };
    await writeFile(join(dir, RUN_LOCK_FILE), JSON.stringify(live));
    expect(await readLiveLock(dir)).toEqual(live);
    const err = await acquireRunLock(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toContain(`in use by vlthink pid ${process.ppid}`);
  });

  it('takes over a stale lock of a dead pid and releases only its own', async () => {
    await writeFile(
      join(dir, RUN_LOCK_FILE),
      JSON.stringify({ pid: deadPid(), host: hostname(), startedAt: '2026-12-06T00:00:00.000Z' }),
    );
    expect(await readLiveLock(dir)).toBeNull();
    const lock = await acquireRunLock(dir);
    expect(JSON.parse(await readFile(join(dir, RUN_LOCK_FILE), 'utf8')).pid).toBe(process.pid);
    await lock.release();
    expect(await readLiveLock(dir)).toBeNull();
    await expect(readFile(join(dir, RUN_LOCK_FILE))).rejects.toThrow(/ENOENT/);
  });

  it('treats an empty lock file (a crash between create and write) as free', async () => {
    await writeFile(join(dir, RUN_LOCK_FILE), '');
    const lock = await acquireRunLock(dir);
    expect(lock.info.pid).toBe(process.pid);
    await lock.release();
  });
});
