import { AbortedError } from './errors.ts';

/**
 * Map `fn` over `items` with at most `concurrency` calls in flight; results keep the input order.
 * The first error stops new work and is rethrown after the calls in flight settle; an aborted signal does the same.
 */
export async function mapPool<T, R>(
  items: readonly T[],
  concurrency: number,
  fn: (item: T, index: number) => Promise<R>,
  signal?: AbortSignal,
): Promise<R[]> {
  if (!(concurrency >= 1)) throw new RangeError(`mapPool concurrency must be >= 1, got ${concurrency}`);
  const results = new Array<R>(items.length);
  let next = 0;
  let failure: { error: unknown } | undefined;

  const worker = async () => {
    while (failure === undefined && next < items.length) {
      if (signal?.aborted) {
        failure ??= { error: new AbortedError('mapPool') };
        return;
      }
      const i = next++;
      try {
        results[i] = await fn(items[i] as T, i);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  if (failure !== undefined) throw failure.error;
  return results;
}
