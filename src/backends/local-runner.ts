import { spawn } from 'node:child_process';
import { createWriteStream, writeFileSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { AbortedError, BackendError } from '../core/index.ts';
import type { PlannedCommand } from './job-plan.ts';
import { createLineSplitter, createTail, type JobRunner, type RunOptions } from './job-runner.ts';
import { abortableSleep } from './retry.ts';

/**
 * Runs engine commands as local child processes (no shell): stdout and stderr are merged line by line into the log
 * file and `onLine`. An abort sends SIGTERM to the process group, then SIGKILL after `killGraceMs`.
 * The child inherits this process's environment plus the command's `env`.
 *
 * A command runs in its own process group, so a vlthink killed outright (SIGKILL) leaves it running. The runner keeps
 * `<logFile>.pid` while a command runs; when the next run of the same command finds that process still alive, with the
 * same arguments (Linux: /proc/<pid>/cmdline), it stops that process group first, so two attempts never write the
 * same outputs at once. Without /proc nothing is stopped.
 */
export function createLocalRunner(options: { killGraceMs?: number } = {}): JobRunner {
  const grace = options.killGraceMs ?? 10_000;
  return {
    id: 'local',
    async run(command: PlannedCommand, opts: RunOptions): Promise<void> {
      if (opts.signal?.aborted) throw new AbortedError(`${command.name} command`);
      await mkdir(dirname(opts.logFile), { recursive: true });
      const log = createWriteStream(opts.logFile, { flags: 'a' });
      const tail = createTail(20);
      const [program, ...args] = command.argv;
      if (program === undefined) throw new BackendError('local', `${command.name}: empty command`);
      const where = `local:${program}`;
      const pidFile = `${opts.logFile}.pid`;
      const stopped = await stopEarlierAttempt(pidFile, args, grace);
      if (stopped !== undefined)
        log.write(
          `[vlthink] stopped pid ${stopped}, an earlier attempt of this command left running by a killed run\n`,
        );
      try {
        await new Promise<void>((resolve, reject) => {
          const child = spawn(program, args, {
            cwd: command.cwd,
            env: { ...process.env, ...command.env },
            stdio: ['ignore', 'pipe', 'pipe'],
            detached: true,
          });
          if (child.pid !== undefined)
            writeFileSync(pidFile, `${JSON.stringify({ pid: child.pid, argv: command.argv })}\n`);
          const emit = (line: string) => {
            log.write(`${line}\n`);
            tail.push(line);
            opts.onLine?.(line);
          };
          // One splitter per stream: a partial stdout line must not swallow a stderr line.
          const out = createLineSplitter(emit);
          const err = createLineSplitter(emit);
          child.stdout.setEncoding('utf8').on('data', (c: string) => out.write(c));
          child.stderr.setEncoding('utf8').on('data', (c: string) => err.write(c));
          let killTimer: NodeJS.Timeout | undefined;
          const onAbort = () => {
            signalGroup(child.pid, 'SIGTERM');
            killTimer = setTimeout(() => signalGroup(child.pid, 'SIGKILL'), grace);
          };
          opts.signal?.addEventListener('abort', onAbort, { once: true });
          child.once('error', (err) =>
            reject(
              new BackendError(where, `${command.name}: cannot start '${program}': ${err.message}`, {
                hint: `is ${program} installed and on PATH (cwd ${command.cwd})?`,
                cause: err,
              }),
            ),
          );
          child.once('close', (code, sig) => {
            out.flush();
            err.flush();
            clearTimeout(killTimer);
            opts.signal?.removeEventListener('abort', onAbort);
            if (opts.signal?.aborted) return reject(new AbortedError(`${command.name} command`));
            if (code === 0) return resolve();
            const status = code === null ? `killed by ${sig}` : `exited with code ${code}`;
            reject(
              new BackendError(where, `${command.name} ${status}; last lines:\n${tail.text()}`, {
                hint: `full log: ${opts.logFile}`,
              }),
            );
          });
        });
      } finally {
        await rm(pidFile, { force: true });
        await new Promise<void>((resolve) => log.end(resolve));
      }
    },
  };
}

function signalGroup(pid: number | undefined, sig: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, sig);
  } catch {
    // The group is already gone: nothing left to stop.
  }
}

/**
 * Stops the process group an earlier run of the same command left running (see above); returns its pid, or
 * undefined when there was none.
 */
async function stopEarlierAttempt(
  pidFile: string,
  args: readonly string[],
  graceMs: number,
): Promise<number | undefined> {
  const text = await readFile(pidFile, 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  let pid: number;
  try {
    pid = Number((JSON.parse(text) as { pid?: unknown }).pid);
  } catch {
    return undefined;
  }
  if (!Number.isInteger(pid) || pid <= 1 || !(await runsArgs(pid, args))) return undefined;
  signalGroup(pid, 'SIGTERM');
  for (let waited = 0; waited < graceMs && alive(pid); waited += 100) await abortableSleep(100);
  if (alive(pid)) signalGroup(pid, 'SIGKILL');
  return pid;
}

/** Whether process `pid` is alive and its command line ends with `args` (an interpreter may stand before them). */
async function runsArgs(pid: number, args: readonly string[]): Promise<boolean> {
  if (!alive(pid)) return false;
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => undefined);
  if (cmdline === undefined) return false;
  const parts = cmdline.split('\0').filter((p, i, all) => p !== '' || i < all.length - 1);
  const tail = parts.slice(parts.length - args.length);
  return parts.length > args.length && tail.every((p, i) => p === args[i]);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
