import { describe, expect, it } from 'vitest';
import { AbortedError, BackendError, ConfigError, DataError, UsageError } from '../core/index.ts';
import { describeError, exitCodeOf } from './exit-codes.ts';

function systemError(code: string, syscall: string, path: string): Error {
  return Object.assign(new Error(`${code}: boom, ${syscall} '${path}'`), { code, syscall, path });
}

describe('exit codes and error lines', () => {
  it.each([
    [new ConfigError('rounds', 'must be >= 1'), 2],
    [new DataError('a.jsonl', 'bad', { line: 3 }), 2],
    [new UsageError('runs/x is locked'), 2],
    [systemError('EACCES', 'mkdir', '/root/x'), 2],
    [new AbortedError('run'), 130],
    [new BackendError('http://h', 'down'), 1],
    [new TypeError('a bug'), 1],
  ])('%s -> %i', (err, code) => {
    expect(exitCodeOf(err)).toBe(code);
  });

  it('prints a user error on one line with its hint, a system error naming the path and the reason', () => {
    expect(describeError(new UsageError('runs/x is in use by pid 7', { hint: 'wait for it' }))).toBe(
      'runs/x is in use by pid 7 — wait for it',
    );
    expect(describeError(systemError('ENOTDIR', 'mkdir', '/tmp/f/x'))).toBe(
      "cannot mkdir '/tmp/f/x': a part of the path is a file, not a folder (ENOTDIR)",
    );
  });
});
