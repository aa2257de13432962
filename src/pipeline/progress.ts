/**
 * Progress for long stages: a redrawn bar with counts, rate and ETA on a TTY, plain log lines otherwise (every ~10% or
 * 15 s), so CI logs stay readable. Written to stderr; stdout is for results.
 */
export interface ProgressTask {
  tick(n?: number): void;
  done(note?: string): void;
}

export interface Progress {
  task(label: string, total: number, unit?: string): ProgressTask;
  line(text: string): void;
}

export interface ProgressOptions {
  readonly tty: boolean;
  readonly write: (text: string) => void;
  readonly now?: () => number;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

export function createProgress(options: ProgressOptions): Progress {
  const now = options.now ?? (() => performance.now() / 1000);
  return {
    line: (text) => options.write(`${options.tty ? '\r\x1b[K' : ''}${text}\n`),
    task(label, total, unit = 'items') {
      const t0 = now();
      let count = 0;
      let lastPlain = t0;
      let lastPlainFraction = 0;
      const status = () => {
        const elapsed = now() - t0;
        const rate = elapsed > 0 ? count / elapsed : 0;
        const eta = rate > 0 ? (total - count) / rate : Number.POSITIVE_INFINITY;
        return { elapsed, rate, eta };
      };
      const render = () => {
        const { rate, eta } = status();
        const frac = total > 0 ? Math.min(1, count / total) : 1;
        if (options.tty) {
          const width = 24;
          const filled = Math.round(frac * width);
          const bar = `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
          options.write(
            `\r\x1b[K${label} ${bar} ${count}/${total} ${unit} ${rate.toFixed(1)}/s ETA ${formatDuration(eta)}`,
          );
          return;
        }
        const t = now();
        if (frac - lastPlainFraction >= 0.1 || t - lastPlain >= 15) {
          lastPlain = t;
          lastPlainFraction = frac;
          options.write(`${label}: ${count}/${total} ${unit} (${rate.toFixed(1)}/s, ETA ${formatDuration(eta)})\n`);
        }
      };
      return {
        tick(n = 1) {
          count += n;
          render();
        },
        done(note) {
          const { elapsed } = status();
          const end = `${label}: done, ${count} ${unit} in ${formatDuration(elapsed)}${note ? ` — ${note}` : ''}`;
          options.write(options.tty ? `\r\x1b[K${end}\n` : `${end}\n`);
        },
      };
    },
  };
}

/** A progress sink that prints nothing (tests, library use). */
export const silentProgress: Progress = {
  line: () => undefined,
  task: () => ({ tick: () => undefined, done: () => undefined }),
};
