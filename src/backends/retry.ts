import { z } from 'zod';
import { AbortedError, BackendError } from '../core/index.ts';

/**
 * Retries for calls to remote engines: exponential backoff with full jitter (delay drawn uniformly from
 * [0, min(maxDelay, base * 2^attempt)]), a server's Retry-After honoured up to maxDelay, and two budgets — attempts
 * and total wall time — whichever runs out first. Only errors marked retryable (429, 5xx, timeouts, dropped
 * connections, truncated bodies) are retried; the final error says how many attempts were made and why each failed.
 *
 * Example: base 500 ms, max 8 s: attempt 1 fails -> wait U(0, 0.5 s); attempt 2 fails -> U(0, 1 s); then U(0, 2 s) ...
 */
export const RetryPolicy = z.object({
  maxAttempts: z.number().int().min(1).max(100).default(6).describe('attempts per request, the first included'),
  baseDelayMs: z.number().min(0).default(500).describe('backoff before the 2nd attempt is drawn from [0, this] ms'),
  maxDelayMs: z.number().min(0).default(30_000).describe('cap on one backoff (and on a server Retry-After), ms'),
  budgetMs: z
    .number()
    .min(0)
    .default(600_000)
    .describe('wall-time budget for one request over all its attempts, ms; no retry starts past it'),
});
export type RetryPolicy = z.infer<typeof RetryPolicy>;

export interface RetryContext {
  readonly signal?: AbortSignal;
  /** Uniform [0, 1); inject a seeded one in tests. */
  readonly random?: () => number;
  readonly onRetry?: (info: { attempt: number; delayMs: number; error: BackendError }) => void;
  /** What to do when retries run out, naming the caller's own knobs (e.g. the CLI's --retries / --timeout). */
  readonly giveUpHint?: string;
}

/** Backoff before attempt `attempt + 1` (attempt counts from 1). */
export function backoffDelay(policy: RetryPolicy, attempt: number, random: number, retryAfterMs?: number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  const jittered = random * ceiling;
  return retryAfterMs === undefined ? jittered : Math.min(policy.maxDelayMs, Math.max(jittered, retryAfterMs));
}

export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new AbortedError('backoff'));
    const onAbort = () => {
      clearTimeout(timer);
      reject(new AbortedError('backoff'));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** A retryable BackendError may carry the server's Retry-After (ms) here. */
export interface RetryHint {
  readonly retryAfterMs?: number;
}

export async function withRetries<T>(
  call: (attempt: number) => Promise<T>,
  policy: RetryPolicy,
  ctx: RetryContext = {},
): Promise<T> {
  const random = ctx.random ?? Math.random;
  const started = Date.now();
  const failures: string[] = [];
  for (let attempt = 1; ; attempt++) {
    if (ctx.signal?.aborted) throw new AbortedError('request');
    try {
      return await call(attempt);
    } catch (err) {
      if (!(err instanceof BackendError) || !err.retryable) throw err;
      failures.push(err.status === undefined ? err.message : `HTTP ${err.status}`);
      const delayMs = backoffDelay(policy, attempt, random(), (err as BackendError & RetryHint).retryAfterMs);
      const elapsed = Date.now() - started;
      const outOfAttempts = attempt >= policy.maxAttempts;
      const outOfTime = elapsed + delayMs > policy.budgetMs;
      if (outOfAttempts || outOfTime) {
        const why = outOfAttempts ? `${attempt} attempts` : `the ${policy.budgetMs} ms budget`;
        throw new BackendError(
          err.url,
          `${bareMessage(err)}; gave up after ${why} (${elapsed} ms: ${summarize(failures)})`,
          {
            status: err.status,
            retryable: true,
            hint:
              err.hint ??
              ctx.giveUpHint ??
              'the server kept failing: check that it is up and not overloaded, or raise retry.maxAttempts / retry.budgetMs',
            cause: err,
          },
        );
      }
      ctx.onRetry?.({ attempt, delayMs, error: err });
      await abortableSleep(delayMs, ctx.signal);
    }
  }
}

function summarize(failures: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const f of failures) counts.set(f, (counts.get(f) ?? 0) + 1);
  return [...counts].map(([f, c]) => (c > 1 ? `${c}x ${f}` : f)).join(', ');
}

/** The message without the `url (HTTP status): ` prefix BackendError adds. */
export function bareMessage(err: BackendError): string {
  const prefix = `${err.url}${err.status === undefined ? '' : ` (HTTP ${err.status})`}: `;
  return err.message.startsWith(prefix) ? err.message.slice(prefix.length) : err.message;
}
