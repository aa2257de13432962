import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { AbortedError, BackendError } from '../core/index.ts';
import type { PlannedCommand } from './job-plan.ts';
import { createLineSplitter, createTail, type JobRunner, type RunOptions } from './job-runner.ts';

/**
 * Runs engine commands as local child processes (no shell): stdout and stderr are merged line by line into the log
 * file and `onLine`. An abort sends SIGTERM to the process group, then SIGKILL after `killGraceMs`.
 * The child inherits this process's environment plus the command's `env`.
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
      try {
        await new Promise<void>((resolve, reject) => {
          const child = spawn(program, args, {
            cwd: command.cwd,
            env: { ...process.env, ...command.env },
            stdio: ['ignore', 'pipe', 'pipe'],
            detached: true,
          });
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
