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

/** The caller aborted the operation through its AbortSignal. */
export class AbortedError extends VlthinkError {
  constructor(what = 'operation') {
    super(`${what} was aborted`);
  }
}

export function throwIfAborted(signal: AbortSignal | undefined, what?: string): void {
  if (signal?.aborted) throw new AbortedError(what);
}
