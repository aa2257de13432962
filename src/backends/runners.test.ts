import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AbortedError, BackendError } from '../core/index.ts';
import type { PlannedCommand } from './job-plan.ts';
import { createLocalRunner } from './local-runner.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vlthink-runner-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const nodeCommand = (script: string, env: Record<string, string> = {}): PlannedCommand => ({
  name: 'train',
  argv: [process.execPath, '-e', script],
  cwd: dir,
  env,
});

describe('local runner', () => {
  it('streams stdout and stderr lines to the log and the caller, with the command env and cwd', async () => {
    const seen: string[] = [];
    const logFile = join(dir, 'logs', 'train.log');
    await createLocalRunner().run(
      nodeCommand(
        "console.log('step 1'); console.error('warn: ' + process.env.VLTHINK_TEST); process.stdout.write('cwd ' + process.cwd())",
        { VLTHINK_TEST: 'x1' },
      ),
      { logFile, onLine: (l) => seen.push(l) },
    );
    expect(seen).toContain('step 1');
    expect(seen).toContain('warn: x1');
    expect(seen).toContain(`cwd ${dir}`);
    expect((await readFile(logFile, 'utf8')).split('\n').filter(Boolean).sort()).toEqual([...seen].sort());
  });

  it('stops the earlier attempt a killed run left running (same command) before running it again; others are left alone', async () => {
    const logFile = join(dir, 'logs', 'train.log');
    const script = "if (process.env.EARLIER) setTimeout(() => {}, 60000); else console.log('again')";
    const command = nodeCommand(script);
    const start = (argv: readonly string[]) =>
      spawn(argv[0] ?? '', argv.slice(1), { detached: true, stdio: 'ignore', env: { ...process.env, EARLIER: '1' } });
    const earlier = start(command.argv);
    const stranger = start(nodeCommand(`${script} // another command`).argv);
    const ended = (child: ChildProcess) =>
      new Promise<NodeJS.Signals | null>((done) => child.once('exit', (_code, sig) => done(sig)));
    const earlierEnded = ended(earlier);
    await mkdir(join(dir, 'logs'), { recursive: true });
    try {
      // A pid file naming another command's process: that process is not ours to stop.
      await writeFile(`${logFile}.pid`, JSON.stringify({ pid: stranger.pid, argv: command.argv }));
      await createLocalRunner().run(command, { logFile });
      expect(stranger.exitCode === null && stranger.signalCode === null).toBe(true);
      // The earlier attempt of this very command: stopped first.
      await writeFile(`${logFile}.pid`, JSON.stringify({ pid: earlier.pid, argv: command.argv }));
      await createLocalRunner({ killGraceMs: 5_000 }).run(command, { logFile });
      expect(await earlierEnded).toBe('SIGTERM');
      const log = await readFile(logFile, 'utf8');
      expect(log).toBe(
        `again\n[vlthink] stopped pid ${earlier.pid}, an earlier attempt of this command left running by a killed run\nagain\n`,
      );
      expect(existsSync(`${logFile}.pid`)).toBe(false);
    } finally {
      earlier.kill('SIGKILL');
      stranger.kill('SIGKILL');
    }
  });

  it('fails with the exit code and the last lines', async () => {
    const err = (await createLocalRunner()
      .run(nodeCommand("console.log('loading'); console.log('CUDA out of memory'); process.exit(3)"), {
        logFile: join(dir, 'a.log'),
      })
      .catch((e: unknown) => e)) as BackendError;
    expect(err).toBeInstanceOf(BackendError);
    expect(err.message).toContain('train exited with code 3');
    expect(err.message).toContain('CUDA out of memory');
  });

  it('names a program that cannot be started', async () => {
    const err = (await createLocalRunner()
      .run({ name: 'train', argv: ['vlthink-no-such-program'], cwd: dir, env: {} }, { logFile: join(dir, 'b.log') })
      .catch((e: unknown) => e)) as BackendError;
    expect(err.message).toContain("cannot start 'vlthink-no-such-program'");
  });

  it('stops a running command on abort', async () => {
    const ctl = new AbortController();
    setTimeout(() => ctl.abort(), 200);
    // The command never ends by itself: only the abort (and the kill it sends) can settle this run.
    const err = await createLocalRunner({ killGraceMs: 500 })
      .run(nodeCommand('setInterval(() => console.log("tick"), 50)'), {
        logFile: join(dir, 'c.log'),
        signal: ctl.signal,
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AbortedError);
  });
});
