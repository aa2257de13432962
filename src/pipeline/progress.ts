/**
 * Progress for long stages: a redrawn bar with counts, rate and ETA on a TTY, plain log lines otherwise (every ~10% or
 * 15 s), so CI logs stay readable. Written to stderr; stdout is for results.
 */
export interface ProgressTask {
  tick(n?: number): void;
  done(note?: string): void;
}

/** A training run's per-step display: one call per step record (the trainer's onStep metrics). */
export interface StepProgress {
  step(metrics: Readonly<Record<string, number | string>>): void;
  done(note?: string): void;
}

export interface Progress {
  task(label: string, total: number, unit?: string): ProgressTask;
  /**
   * SFT / GRPO steps: on a TTY one redrawn line (step/total, loss or reward / accuracy / KL, steps/s, ETA), otherwise a
   * plain line every ~10% or 15 s. `total` may be unknown (then no ETA), or given by the records' `total_steps`.
   */
  steps(label: string, total?: number): StepProgress;
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

/** The figures a training step line shows, in this order, when the record has them. */
const STEP_FIELDS: ReadonlyArray<[string, string, number]> = [
  ['loss', 'loss', 3],
  ['reward_mean', 'reward', 3],
  ['accuracy', 'acc', 2],
  ['kl', 'KL', 4],
  ['eval_accuracy', 'eval acc', 2],
  ['val_accuracy', 'val acc', 2],
];

/** `step 12/164 loss 0.812 · 3.1 steps/s · ETA 49s` from one step record. */
export function formatStepLine(
  label: string,
  m: Readonly<Record<string, number | string>>,
  total: number | undefined,
  rate: number,
): string {
  const step = typeof m.step === 'number' ? m.step : 0;
  const figures = STEP_FIELDS.filter(([k]) => typeof m[k] === 'number').map(
    ([k, name, digits]) => `${name} ${Number(m[k]).toFixed(digits)}`,
  );
  const eta = total !== undefined && rate > 0 ? ` · ETA ${formatDuration((total - step) / rate)}` : '';
  return `${label} step ${step}${total !== undefined ? `/${total}` : ''}${figures.length > 0 ? ` ${figures.join(' ')}` : ''} · ${rate.toFixed(2)} steps/s${eta}`;
}

export function createProgress(options: ProgressOptions): Progress {
  const now = options.now ?? (() => performance.now() / 1000);
  return {
    steps(label, givenTotal) {
      const t0 = now();
      let lastPlain = t0;
      let lastDecile = 0;
      let count = 0;
      return {
        step(m) {
          count++;
          const total = typeof m.total_steps === 'number' ? m.total_steps : givenTotal;
          const elapsed = now() - t0;
          const rate = elapsed > 0 ? count / elapsed : 0;
          const text = formatStepLine(label, m, total, rate);
          if (options.tty) {
            options.write(`\r\x1b[K${text}`);
            return;
          }
          const t = now();
          const step = typeof m.step === 'number' ? m.step : count;
          const decile = total ? Math.floor((10 * step) / total) : 0;
          if (decile > lastDecile || t - lastPlain >= 15) {
            lastPlain = t;
            lastDecile = decile;
            options.write(`${text}\n`);
          }
        },
        done(note) {
          const end = `${label}: done, ${count} steps in ${formatDuration(now() - t0)}${note ? ` — ${note}` : ''}`;
          options.write(options.tty ? `\r\x1b[K${end}\n` : `${end}\n`);
        },
      };
    },
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
  steps: () => ({ step: () => undefined, done: () => undefined }),
  task: () => ({ tick: () => undefined, done: () => undefined }),
};
