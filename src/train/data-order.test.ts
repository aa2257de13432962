import { describe, expect, it } from 'vitest';
import { epochOrder, startCursor, takeBatch } from './data-order.ts';

describe('data order', () => {
  it('visits every example once per epoch', () => {
    const a = takeBatch(5, 3, startCursor, 9);
    const b = takeBatch(5, 2, a.next, 9);
    expect([...a.indices, ...b.indices].sort()).toEqual([0, 1, 2, 3, 4]);
    expect(b.next).toEqual({ epoch: 1, index: 0 });
  });
  it('continues into the next epoch with a different shuffle', () => {
    const a = takeBatch(3, 2, startCursor, 1);
    const b = takeBatch(3, 2, a.next, 1);
    expect(b.next).toEqual({ epoch: 1, index: 1 });
    expect(b.indices[1]).toBe(epochOrder(3, 1, 1)[0]);
  });
  it('is a function of the seed and cursor only (resume draws the same batch)', () => {
    const cursor = { epoch: 2, index: 1 };
    expect(takeBatch(10, 4, cursor, 3)).toEqual(takeBatch(10, 4, cursor, 3));
    expect(epochOrder(10, 3, 0)).not.toEqual(epochOrder(10, 3, 1));
  });
});

describe('data order edge cases', () => {
  it('refuses an empty dataset and serves a dataset of one', () => {
    expect(() => takeBatch(0, 2, startCursor, 1)).toThrow('takeBatch: the dataset is empty');
    expect(takeBatch(1, 3, startCursor, 1)).toEqual({ indices: [0, 0, 0], next: { epoch: 3, index: 0 } });
  });
});
