import { describe, expect, it } from 'vitest';
import { createRng } from '../core/index.ts';
import {
  add,
  cast,
  clip,
  concat,
  div,
  exp,
  expandLike,
  fusedMatmul,
  type GradCheckInput,
  gather,
  gatherElements,
  gelu,
  gradCheck,
  greater,
  isFixedShape,
  layerNorm,
  log,
  logSoftmax,
  matmul,
  maximum,
  minimum,
  mul,
  neg,
  reciprocal,
  reduceMean,
  reduceSum,
  relu,
  reshape,
  sigmoid,
  slice,
  softmax,
  split,
  sqrt,
  squeeze,
  sub,
  sumAll,
  sumSquares,
  type Tensor,
  tanh,
  transpose,
  unsqueeze,
  where,
} from './index.ts';

/** A float input with seeded values in [lo, hi]. */
function rand(dims: number[], seed: number, lo = -1, hi = 1, shape?: (number | string)[]): GradCheckInput {
  const r = createRng(seed);
  const n = dims.reduce((a, b) => a * b, 1);
  return { shape: shape ?? dims, dims, data: Float32Array.from({ length: n }, () => lo + (hi - lo) * r.next()) };
}

function ints(values: number[], dims: number[], shape?: (number | string)[]): GradCheckInput {
  return { shape: shape ?? dims, dims, data: BigInt64Array.from(values.map(BigInt)), dtype: 'int64' };
}

/** Weighted sum of every element with fixed pseudo-random weights, so each output element's gradient differs. */
function project(t: Tensor): Tensor {
  // Symbolic output dims: a smooth per-element weighting instead (d/dt = t + 0.3).
  const dims = t.shape;
  if (!isFixedShape(dims)) return reduceSum(add(mul(mul(t, t), 0.5), mul(t, 0.3)));
  const n = dims.reduce((a, b) => a * b, 1);
  const r = createRng(99);
  const w = t.graph.constant(
    Float32Array.from({ length: n }, () => r.next() * 2 - 1),
    dims,
  );
  return reduceSum(mul(t, w));
}

type Case = [string, Record<string, GradCheckInput>, (x: Record<string, Tensor>) => Tensor];

const B = ['B', 3, 4];
const cases: Case[] = [
  [
    'Add with broadcasting',
    { a: rand([2, 3, 4], 1, -1, 1, B), b: rand([4], 2) },
    (x) => add(x.a as Tensor, x.b as Tensor),
  ],
  [
    'Sub with broadcasting',
    { a: rand([2, 3, 4], 1, -1, 1, B), b: rand([3, 1], 2) },
    (x) => sub(x.a as Tensor, x.b as Tensor),
  ],
  [
    'Mul with broadcasting',
    { a: rand([2, 3, 4], 1, -1, 1, B), b: rand([1, 3, 4], 2) },
    (x) => mul(x.a as Tensor, x.b as Tensor),
  ],
  [
    'Div with broadcasting',
    { a: rand([2, 3, 4], 1, -1, 1, B), b: rand([4], 2, 0.5, 2) },
    (x) => div(x.a as Tensor, x.b as Tensor),
  ],
  [
    'Max and Min',
    { a: rand([3, 4], 1), b: rand([3, 4], 2) },
    (x) => add(maximum(x.a as Tensor, x.b as Tensor), mul(minimum(x.a as Tensor, x.b as Tensor), 3)),
  ],
  [
    'Neg, Exp, Tanh, Sigmoid',
    { a: rand([3, 4], 3) },
    (x) => add(add(neg(exp(x.a as Tensor)), tanh(x.a as Tensor)), sigmoid(mul(x.a as Tensor, 2))),
  ],
  [
    'Log, Sqrt, Reciprocal',
    { a: rand([3, 4], 4, 0.5, 2) },
    (x) => add(add(log(x.a as Tensor), sqrt(x.a as Tensor)), reciprocal(x.a as Tensor)),
  ],
  ['Relu', { a: rand([3, 4], 5, 0.1, 1) }, (x) => relu(sub(x.a as Tensor, 0.5))],
  ['Clip', { a: rand([3, 4], 6, -2, 2) }, (x) => clip(x.a as Tensor, -0.7, 0.9)],
  ['FastGelu (tanh GELU)', { a: rand([3, 4], 7, -3, 3) }, (x) => gelu(x.a as Tensor)],
  [
    'Where and Cast(Greater) masking',
    { a: rand([3, 4], 8), b: rand([3, 4], 9) },
    (x) => {
      const m = greater(x.b as Tensor, 0);
      return add(where(m, x.a as Tensor, mul(x.a as Tensor, 2)), mul(x.a as Tensor, cast(m, 'float32')));
    },
  ],
  [
    'MatMul batched x 2-D weight',
    { a: rand([2, 3, 4], 10, -1, 1, B), w: rand([4, 5], 11) },
    (x) => matmul(x.a as Tensor, x.w as Tensor),
  ],
  [
    'MatMul batched x batched',
    { a: rand([2, 3, 4], 12), b: rand([2, 4, 3], 13) },
    (x) => matmul(x.a as Tensor, x.b as Tensor),
  ],
  [
    'FusedMatMul with transposes and alpha',
    { a: rand([2, 4, 3], 14), b: rand([2, 5, 4], 15) },
    (x) =>
      add(
        reduceSum(fusedMatmul(x.a as Tensor, x.b as Tensor, true, true, 0.5), [1]),
        reduceSum(
          fusedMatmul(transpose(x.a as Tensor, [0, 2, 1]), transpose(x.b as Tensor, [0, 2, 1]), false, false, 2),
          [1],
        ),
      ),
  ],
  ['Softmax', { a: rand([2, 5], 16, -2, 2) }, (x) => softmax(x.a as Tensor, -1)],
  ['LogSoftmax', { a: rand([2, 5], 17, -2, 2) }, (x) => logSoftmax(x.a as Tensor, -1)],
  [
    'LayerNormalization',
    { a: rand([2, 3, 6], 18, -2, 2, ['B', 3, 6]), g: rand([6], 19, 0.5, 1.5), b: rand([6], 20) },
    (x) => layerNorm(x.a as Tensor, x.g as Tensor, x.b as Tensor),
  ],
  [
    'Reshape and Transpose',
    { a: rand([2, 3, 4], 21, -1, 1, B) },
    (x) => transpose(reshape(x.a as Tensor, ['B', 3, 2, 2]), [0, 2, 3, 1]),
  ],
  [
    'Unsqueeze, Squeeze, Expand',
    { a: rand([3, 4], 22), r: rand([2, 3, 4], 23) },
    (x) => expandLike(squeeze(unsqueeze(x.a as Tensor, 0), 0), x.r as Tensor),
  ],
  [
    'Concat (fixed) and Split',
    { a: rand([2, 3], 24), b: rand([2, 2], 25) },
    (x) => {
      const [p, q] = split(concat([x.a as Tensor, x.b as Tensor], 1), 1, [4, 1]) as [Tensor, Tensor];
      return mul(p, q);
    },
  ],
  [
    'Concat with a symbolic last piece',
    { a: rand([2, 2, 3], 26), b: rand([2, 4, 3], 27, -1, 1, [2, 'T', 3]) },
    (x) => exp(concat([x.a as Tensor, x.b as Tensor], 1)),
  ],
  [
    'Slice (start, negative end, to the end)',
    { a: rand([2, 6], 28) },
    (x) => add(mul(slice(x.a as Tensor, 1, 1, -2), slice(x.a as Tensor, 1, 3)), slice(x.a as Tensor, 1, 0, 3)),
  ],
  [
    'Gather (embedding with repeated ids)',
    { t: rand([5, 3], 29), ids: ints([0, 2, 2, 4, 0, 0], [2, 3], ['B', 3]) },
    (x) => gather(x.t as Tensor, x.ids as Tensor),
  ],
  [
    'GatherElements (chosen-token log-prob)',
    { a: rand([2, 3, 5], 30), ids: ints([0, 4, 2, 1, 1, 3], [2, 3, 1]) },
    (x) => gatherElements(logSoftmax(x.a as Tensor), x.ids as Tensor, -1),
  ],
  [
    'ReduceSum keepdims and not',
    { a: rand([2, 3, 4], 31) },
    (x) => add(reduceSum(x.a as Tensor, [1], true), unsqueeze(reduceSum(x.a as Tensor, [1, 2]), 1)),
  ],
  [
    'ReduceMean over fixed and symbolic axes',
    { a: rand([2, 3, 4], 32, -1, 1, ['B', 'T', 4]) },
    (x) => add(reduceMean(x.a as Tensor, [-1], true), reduceMean(mul(x.a as Tensor, x.a as Tensor), [0, 1], true)),
  ],
  [
    'ReduceSumSquare and Sum',
    { a: rand([2, 3], 33), b: rand([2, 3], 34) },
    (x) => mul(sumSquares(x.a as Tensor), sumAll([x.a as Tensor, x.b as Tensor, x.a as Tensor])),
  ],
];

describe('autodiff VJP rules against finite differences (float32, eps 1e-2, |a-n| <= 2e-3 + 2e-2 |n|)', () => {
  it.each(cases)('%s', async (_name, inputs, fn) => {
    const report = await gradCheck(inputs, (_g, x) => project(fn(x as Record<string, Tensor>)));
    expect(report.failures).toEqual([]);
    expect(report.checked).toBeGreaterThan(0);
  });

  it('reports failures when the tolerance is tighter than the difference-quotient error (the check can fail)', async () => {
    // sees is impossible, so instead check that a tighter-than-noise tolerance reports failures on a curved function.
    const report = await gradCheck({ a: rand([4], 35, 1, 2) }, (_g, x) => reduceSum(exp(mul(x.a as Tensor, 3))), {
      eps: 0.3,
      atol: 0,
      rtol: 1e-4,
    });
    expect(report.failures.length).toBeGreaterThan(0);
  });
});
