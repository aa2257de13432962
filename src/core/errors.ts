/**
 * One base error for everything vlthink reports to a user. Subclasses carry the data a user needs to act:
 * which config field, which file and line, which URL and status. Model *output* never becomes an error: it is data.
 */
export class VlthinkError extends Error {
  /** What to do about it, shown after the message. */
  readonly hint: string | undefined;

  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.hint = options.hint;
  }

  /** Message plus hint, as printed by the CLI. */
  describe(): string {
    return this.hint ? `${this.message}\n  hint: ${this.hint}` : this.message;
  }
}

/** A configuration value is wrong. `field` is the dotted path (`rl.groupSize`). */
export class ConfigError extends VlthinkError {
  readonly field: string;
  readonly value: unknown;

  constructor(field: string, message: string, options: { value?: unknown; hint?: string; cause?: unknown } = {}) {
    super(`config field '${field}': ${message}`, options);
    this.field = field;
    this.value = options.value;
  }
}

/** A data file is wrong: names the file, the 1-based line (for line formats) and the field where known. */
export class DataError extends VlthinkError {
  readonly file: string;
  readonly line: number | undefined;
  readonly field: string | undefined;

  constructor(
    file: string,
    message: string,
    options: { line?: number; field?: string; hint?: string; cause?: unknown } = {},
  ) {
    const where = options.line === undefined ? file : `${file}:${options.line}`;
    const what = options.field === undefined ? '' : ` (field '${options.field}')`;
    super(`${where}${what}: ${message}`, options);
    this.file = file;
    this.line = options.line;
    this.field = options.field;
  }
}

/**
 * The user asked for something that cannot be done as asked: a path that is a file where a folder is needed, a folder
 * that cannot be written, a run directory held by another process. The CLI prints it on one line and exits 2.
 */
export class UsageError extends VlthinkError {}

/** A remote peer (inference server, trainer, Ray) failed. `retryable` says whether trying again may help. */
export class BackendError extends VlthinkError {
  readonly url: string;
  readonly status: number | undefined;
  readonly retryable: boolean;

  constructor(
    url: string,
    message: string,
    options: { status?: number; retryable?: boolean; hint?: string; cause?: unknown } = {},
  ) {
    const status = options.status === undefined ? '' : ` (HTTP ${options.status})`;
    super(`${url}${status}: ${message}`, options);
    this.url = url;
    this.status = options.status;
    this.retryable = options.retryable ?? false;
  }
}

/** The caller aborted the operation through its AbortSignal (Ctrl-C in the CLI). */
export class AbortedError extends VlthinkError {
  constructor(what = 'operation', options: { hint?: string } = {}) {
    super(`${what} was aborted`, options);
  }
}

export function throwIfAborted(signal: AbortSignal | undefined, what?: string): void {
  if (signal?.aborted) throw new AbortedError(what);
}

/** An AbortedError, or the DOM-style AbortError that fetch and timers throw when their signal fires. */
export function isAbortError(err: unknown): boolean {
  return err instanceof AbortedError || (err instanceof Error && err.name === 'AbortError');
}

/** Node's fs / net errors carry these; they are the user's environment, not a bug in vlthink. */
export interface SystemError extends Error {
  readonly code: string;
  readonly syscall?: string;
  readonly path?: string;
  readonly dest?: string;
}

export function isSystemError(err: unknown): err is SystemError {
  const code: unknown = err instanceof Error ? (err as { code?: unknown }).code : undefined;
  return typeof code === 'string' && /^E[A-Z]+$/.test(code);
}

const SYSTEM_REASONS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or folder',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'is a folder, not a file',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EEXIST: 'already exists',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
  ENAMETOOLONG: 'name too long',
  EMFILE: 'too many open files',
  ECONNREFUSED: 'connection refused (nothing listens there)',
  ENOTFOUND: 'host name not found',
  EADDRINUSE: 'address already in use',
  EADDRNOTAVAIL: 'address not available on this machine',
};

/** `cannot open '/x/y': permission denied (EACCES)`: one line naming the path and the reason. */
export function describeSystemError(err: SystemError): string {
  const reason = SYSTEM_REASONS[err.code] ?? err.message.replace(/^E[A-Z]+: /, '').split(',')[0];
  const what = err.syscall ? `cannot ${err.syscall}` : 'failed';
  const where = err.path ? ` '${err.path}'${err.dest ? ` -> '${err.dest}'` : ''}` : '';
  return `${what}${where}: ${reason} (${err.code})`;
}
