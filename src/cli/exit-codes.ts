import {
  AbortedError,
  ConfigError,
  DataError,
  describeSystemError,
  isSystemError,
  UsageError,
  VlthinkError,
} from '../core/index.ts';

/**
 * Exit codes: 0 success; 1 a failure that is not the user's (a backend, a bug); 2 the user's mistake (a config field, a
 * data file, a path, a busy run directory), printed as one line naming the thing and the fix; 130 interrupted (Ctrl-C).
 * A stack trace is printed only for errors nobody anticipated (bugs), never for anything a user can cause.
 */
export function exitCodeOf(err: unknown): number {
  if (err instanceof AbortedError) return 130;
  if (err instanceof ConfigError || err instanceof DataError || err instanceof UsageError) return 2;
  if (err instanceof VlthinkError) return 1;
  if (isSystemError(err)) return 2;
  return 1;
}

/** The one line (or, for a config with several wrong fields, one line per field) printed for `err`. */
export function describeError(err: unknown): string {
  if (err instanceof VlthinkError) return err.hint ? `${err.message} — ${err.hint}` : err.message;
  if (isSystemError(err)) return describeSystemError(err);
  return err instanceof Error ? (err.stack ?? err.message) : String(err);
}
