/**
 * Which examples each step sees: a fresh seeded shuffle per epoch, read through a cursor that a checkpoint saves,
 * so a resumed run draws exactly the batches an uninterrupted one would.
 */
import { createRng } from '../core/index.ts';

/** Position in the data stream: the epoch and the index within that epoch's shuffled order. */
export interface DataCursor {
  readonly epoch: number;
  readonly index: number;
}

export const startCursor: DataCursor = Object.freeze({ epoch: 0, index: 0 });

/** The shuffled order of `count` examples in `epoch` (a function of seed and epoch only). */
export function epochOrder(count: number, seed: number, epoch: number): number[] {
  return createRng(seed)
    .fork(`epoch-${epoch}`)
    .shuffle([...Array(count).keys()]);
}

/**
 * The next `size` example indices from `cursor`, continuing into the next epoch's order when one ends.
 *
 * Example: count 3, size 2: epoch 0 gives 2 of its 3, the next call the last one of epoch 0 and the first of
 * epoch 1, leaving the cursor at { epoch: 1, index: 1 }.
 */
export function takeBatch(
  count: number,
  size: number,
  cursor: DataCursor,
  seed: number,
): { indices: number[]; next: DataCursor } {
  if (count < 1) throw new RangeError('takeBatch: the dataset is empty');
  const indices: number[] = [];
  let { epoch, index } = cursor;
  let order = epochOrder(count, seed, epoch);
  while (indices.length < size) {
    if (index >= count) {
      epoch++;
      index = 0;
      order = epochOrder(count, seed, epoch);
    }
    indices.push(order[index]);
    index++;
  }
  if (index >= count) return { indices, next: { epoch: epoch + 1, index: 0 } };
  return { indices, next: { epoch, index } };
}
