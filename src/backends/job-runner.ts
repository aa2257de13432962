import type { PlannedCommand } from './job-plan.ts';

/**
 * Where an engine command runs: a local process or a Ray job. A runner streams the command's output line by line
 * (to the caller and to a log file) and resolves when it succeeds; failure is a BackendError naming the command,
 * its exit status and its last lines; an abort stops the command and rejects with AbortedError.
 */
export interface RunOptions {
  /** Every output line is appended here. */
  readonly logFile: string;
  readonly onLine?: (line: string) => void;
  readonly signal?: AbortSignal;
}

export interface JobRunner {
  readonly id: string;
  run(command: PlannedCommand, options: RunOptions): Promise<void>;
}

/** Keeps the last `n` lines for error messages. */
export function createTail(n: number): { push(line: string): void; text(): string } {
  const lines: string[] = [];
  return {
    push(line) {
      lines.push(line);
      if (lines.length > n) lines.shift();
    },
    text: () => lines.join('\n'),
  };
}

/** Splits a stream of chunks into lines; `flush` returns the unterminated rest. */
export function createLineSplitter(onLine: (line: string) => void): { write(chunk: string): void; flush(): void } {
  let rest = '';
  return {
    write(chunk) {
      const parts = (rest + chunk).split(/\r?\n|\r/);
      rest = parts.pop() ?? '';
      for (const p of parts) onLine(p);
    },
    flush() {
      if (rest.length > 0) onLine(rest);
      rest = '';
    },
  };
}
