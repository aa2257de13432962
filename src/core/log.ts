/**
 * Logging: plain timestamped lines on stderr (stdout stays for results a script may parse).
 * Level comes from the caller (the CLI parses `--log-level`), never from the environment inside the library.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  child(scope: string): Logger;
}

export function createLogger(
  options: { level?: LogLevel; scope?: string; sink?: (line: string) => void } = {},
): Logger {
  const level = options.level ?? 'info';
  const sink = options.sink ?? ((line: string) => process.stderr.write(`${line}\n`));
  const emit = (at: LogLevel, message: string, fields?: Record<string, unknown>) => {
    if (ORDER[at] < ORDER[level]) return;
    const scope = options.scope ? ` [${options.scope}]` : '';
    const extra = fields && Object.keys(fields).length > 0 ? ` ${JSON.stringify(fields)}` : '';
    sink(`${new Date().toISOString().slice(11, 19)} ${at.padEnd(5)}${scope} ${message}${extra}`);
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (scope) => createLogger({ level, sink, scope: options.scope ? `${options.scope}/${scope}` : scope }),
  };
}

/** A logger that drops everything: the default in library code and tests. */
export const silentLogger: Logger = createLogger({ level: 'silent' });
