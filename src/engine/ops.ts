/**
 * The functional op API over the IR. Each function infers its output's dtype and shape and appends one ONNX node
 * (opset 17, plus ONNX Runtime's com.microsoft contrib ops where they are faster). Numbers given where a tensor is
 * expected become float32 scalar constants.
 */
import {
  type AttrValue,
  broadcastShapes,
  type Dim,
  type DType,
  type Graph,
  GraphError,
  isFixedShape,
  normAxis,
  type Shape,
  shapeToString,
  type Tensor,
} from './ir.ts';

export type Operand = Tensor | number;

const one = (g: Graph, op: string, inputs: Tensor[], attrs: Record<string, AttrValue>, dtype: DType, shape: Shape) =>
  g.addNode(op, inputs, attrs, [{ dtype, shape }])[0] as Tensor;

function graphOf(...xs: Operand[]): Graph {
  for (const x of xs) if (typeof x !== 'number') return x.graph;
  throw new GraphError('an op needs at least one tensor operand');
}

function lift(g: Graph, x: Operand): Tensor {
  return typeof x === 'number' ? g.scalar(x) : x;
}

function requireFloat(x: Tensor, what: string): void {
  if (x.dtype !== 'float32') throw new GraphError(`${what} needs a float32 tensor, got ${x.dtype}`);
}

function binary(op: string, a: Operand, b: Operand): Tensor {
  const g = graphOf(a, b);
  const x = lift(g, a);
  const y = lift(g, b);
  if (x.dtype !== y.dtype) throw new GraphError(`${op}: dtypes differ (${x.dtype} vs ${y.dtype})`);
  return one(g, op, [x, y], {}, x.dtype, broadcastShapes(x.shape, y.shape, op));
}

export const add = (a: Operand, b: Operand): Tensor => binary('Add', a, b);
export const sub = (a: Operand, b: Operand): Tensor => binary('Sub', a, b);
export const mul = (a: Operand, b: Operand): Tensor => binary('Mul', a, b);
export const div = (a: Operand, b: Operand): Tensor => binary('Div', a, b);
/** Elementwise maximum of two tensors (ONNX Max). */
export const maximum = (a: Operand, b: Operand): Tensor => binary('Max', a, b);
/** Elementwise minimum of two tensors (ONNX Min). */
export const minimum = (a: Operand, b: Operand): Tensor => binary('Min', a, b);

function unary(op: string, x: Tensor, attrs: Record<string, AttrValue> = {}, domain = ''): Tensor {
  requireFloat(x, op);
  return x.graph.addNode(op, [x], attrs, [{ dtype: x.dtype, shape: x.shape }], domain)[0] as Tensor;
}

export const neg = (x: Tensor): Tensor => unary('Neg', x);
export const exp = (x: Tensor): Tensor => unary('Exp', x);
export const log = (x: Tensor): Tensor => unary('Log', x);
export const sqrt = (x: Tensor): Tensor => unary('Sqrt', x);
export const tanh = (x: Tensor): Tensor => unary('Tanh', x);
export const sigmoid = (x: Tensor): Tensor => unary('Sigmoid', x);
export const reciprocal = (x: Tensor): Tensor => unary('Reciprocal', x);
export const relu = (x: Tensor): Tensor => unary('Relu', x);
export const identity = (x: Tensor): Tensor => one(x.graph, 'Identity', [x], {}, x.dtype, x.shape);

/** tanh-approximated GELU (GPT-2's), as ONNX Runtime's fused FastGelu kernel. */
export const gelu = (x: Tensor): Tensor => unary('FastGelu', x, {}, 'com.microsoft');

/** Clamp to [lo, hi] (either bound may be omitted). */
export function clip(x: Tensor, lo: number | undefined, hi: number | undefined): Tensor {
  requireFloat(x, 'Clip');
  const g = x.graph;
  const inputs: Tensor[] = [x, g.scalar(lo ?? Number.NEGATIVE_INFINITY), g.scalar(hi ?? Number.POSITIVE_INFINITY)];
  return one(g, 'Clip', inputs, {}, 'float32', x.shape);
}

function compare(op: string, a: Operand, b: Operand): Tensor {
  const g = graphOf(a, b);
  const x = lift(g, a);
  const y = lift(g, b);
  return one(g, op, [x, y], {}, 'bool', broadcastShapes(x.shape, y.shape, op));
}

export const greater = (a: Operand, b: Operand): Tensor => compare('Greater', a, b);
export const less = (a: Operand, b: Operand): Tensor => compare('Less', a, b);
export const equal = (a: Operand, b: Operand): Tensor => compare('Equal', a, b);
export const and = (a: Tensor, b: Tensor): Tensor => compare('And', a, b);
export const not = (x: Tensor): Tensor => one(x.graph, 'Not', [x], {}, 'bool', x.shape);

const onnxDtype: Record<DType, number> = { float32: 1, int64: 7, bool: 9 };
export const onnxDataType = (d: DType): number => onnxDtype[d];

export function cast(x: Tensor, to: DType): Tensor {
  if (x.dtype === to) return x;
  return one(x.graph, 'Cast', [x], { to: { type: 'int', value: onnxDtype[to] } }, to, x.shape);
}

/** Pick `a` where `cond`, else `b`. Slow in ONNX Runtime: prefer multiplying by `cast(cond, 'float32')`. */
export function where(cond: Tensor, a: Operand, b: Operand): Tensor {
  const g = cond.graph;
  const x = lift(g, a);
  const y = lift(g, b);
  const shape = broadcastShapes(broadcastShapes(cond.shape, x.shape, 'Where'), y.shape, 'Where');
  return one(g, 'Where', [cond, x, y], {}, x.dtype, shape);
}

/** Batched matrix product with numpy broadcasting over leading dims. */
export function matmul(a: Tensor, b: Tensor): Tensor {
  requireFloat(a, 'MatMul');
  requireFloat(b, 'MatMul');
  if (a.shape.length < 2 || b.shape.length < 2) {
    throw new GraphError(`MatMul needs rank >= 2, got ${shapeToString(a.shape)} @ ${shapeToString(b.shape)}`);
  }
  const k1 = a.shape[a.shape.length - 1] as Dim;
  const k2 = b.shape[b.shape.length - 2] as Dim;
  if (k1 !== k2 && typeof k1 === 'number' && typeof k2 === 'number') {
    throw new GraphError(`MatMul inner dims differ: ${shapeToString(a.shape)} @ ${shapeToString(b.shape)}`);
  }
  const batch = broadcastShapes(a.shape.slice(0, -2), b.shape.slice(0, -2), 'MatMul');
  const shape = [...batch, a.shape[a.shape.length - 2] as Dim, b.shape[b.shape.length - 1] as Dim];
  return one(a.graph, 'MatMul', [a, b], {}, 'float32', shape);
}

/**
 * `alpha * op(a) @ op(b)` with optional transposes of the last two dims (ONNX Runtime's FusedMatMul): the backward
 * pass uses it to avoid materialising transposed copies.
 */
export function fusedMatmul(a: Tensor, b: Tensor, transA: boolean, transB: boolean, alpha = 1): Tensor {
  const last2 = (s: Shape, t: boolean): [Dim, Dim] => {
    const r = s[s.length - 2] as Dim;
    const c = s[s.length - 1] as Dim;
    return t ? [c, r] : [r, c];
  };
  const [m] = last2(a.shape, transA);
  const [, n] = last2(b.shape, transB);
  const batch = broadcastShapes(a.shape.slice(0, -2), b.shape.slice(0, -2), 'FusedMatMul');
  const attrs: Record<string, AttrValue> = {
    transA: { type: 'int', value: transA ? 1 : 0 },
    transB: { type: 'int', value: transB ? 1 : 0 },
    alpha: { type: 'float', value: alpha },
  };
  return a.graph.addNode(
    'FusedMatMul',
    [a, b],
    attrs,
    [{ dtype: 'float32', shape: [...batch, m, n] }],
    'com.microsoft',
  )[0] as Tensor;
}

export function softmax(x: Tensor, axis = -1): Tensor {
  normAxis(axis, x.shape.length, 'Softmax');
  return unary('Softmax', x, { axis: { type: 'int', value: axis } });
}

export function logSoftmax(x: Tensor, axis = -1): Tensor {
  normAxis(axis, x.shape.length, 'LogSoftmax');
  return unary('LogSoftmax', x, { axis: { type: 'int', value: axis } });
}

/**
 * LayerNorm over the last axis (ONNX LayerNormalization, opset 17). Also returns the saved mean and inverse standard
 * deviation ([..., 1]) that the backward pass reuses.
 */
export function layerNormFull(x: Tensor, gamma: Tensor, beta: Tensor, eps = 1e-5): [Tensor, Tensor, Tensor] {
  requireFloat(x, 'LayerNormalization');
  const stat = [...x.shape.slice(0, -1), 1];
  const attrs: Record<string, AttrValue> = {
    axis: { type: 'int', value: -1 },
    epsilon: { type: 'float', value: eps },
  };
  const outs = x.graph.addNode('LayerNormalization', [x, gamma, beta], attrs, [
    { dtype: 'float32', shape: x.shape },
    { dtype: 'float32', shape: stat },
    { dtype: 'float32', shape: stat },
  ]);
  return outs as [Tensor, Tensor, Tensor];
}

export function layerNorm(x: Tensor, gamma: Tensor, beta: Tensor, eps = 1e-5): Tensor {
  return layerNormFull(x, gamma, beta, eps)[0];
}

/**
 * Reshape. Each entry of `spec` is a number, -1 (inferred; at most one), or a symbolic name which must equal the
 * input's dim at the same position (it is copied).
 */
export function reshape(x: Tensor, spec: readonly Dim[]): Tensor {
  const onnxShape: number[] = [];
  const out: Dim[] = [];
  let inferAt = -1;
  spec.forEach((d, i) => {
    if (typeof d === 'string') {
      if (x.shape[i] !== d) {
        throw new GraphError(
          `Reshape: symbolic dim '${d}' at position ${i} must match input ${shapeToString(x.shape)}`,
        );
      }
      onnxShape.push(0);
      out.push(d);
    } else if (d === -1) {
      if (inferAt >= 0) throw new GraphError('Reshape: at most one -1 dim');
      inferAt = i;
      onnxShape.push(-1);
      out.push(-1);
    } else {
      onnxShape.push(d);
      out.push(d);
    }
  });
  if (inferAt >= 0) {
    const known = out.filter((d, i): d is number => i !== inferAt && typeof d === 'number').reduce((a, b) => a * b, 1);
    const keptSyms = out.filter((d) => typeof d === 'string');
    let num = 1;
    const syms: string[] = [];
    for (const d of x.shape) {
      if (typeof d === 'number') num *= d;
      else syms.push(d);
    }
    const rest = syms.filter((s) => {
      const k = keptSyms.indexOf(s);
      if (k >= 0) {
        keptSyms.splice(k, 1);
        return false;
      }
      return true;
    });
    if (rest.length === 0) {
      if (num % known !== 0)
        throw new GraphError(`Reshape: cannot reshape ${shapeToString(x.shape)} to [${spec.join(', ')}]`);
      out[inferAt] = num / known;
    } else {
      const factor = num / known;
      out[inferAt] = [factor === 1 ? '' : String(factor), ...rest].filter((s) => s !== '').join('*');
    }
  }
  return one(x.graph, 'Reshape', [x, x.graph.ints(onnxShape)], {}, x.dtype, out);
}

/** Reshape `x` to a run-time shape tensor (int64 [rank]); `outShape` is its static description. */
export function reshapeDynamic(x: Tensor, shape: Tensor, outShape: Shape): Tensor {
  return one(x.graph, 'Reshape', [x, shape], {}, x.dtype, outShape);
}

/** Reshape `x` to the run-time shape of `ref` (used by gradients of reshapes). */
export function reshapeLike(x: Tensor, ref: Tensor): Tensor {
  return one(x.graph, 'Reshape', [x, shapeOf(ref)], {}, x.dtype, ref.shape);
}

/** The run-time shape of `x` as a 1-D int64 tensor (dims start..end). */
export function shapeOf(x: Tensor, start?: number, end?: number): Tensor {
  const attrs: Record<string, AttrValue> = {};
  if (start !== undefined) attrs.start = { type: 'int', value: start };
  if (end !== undefined) attrs.end = { type: 'int', value: end };
  const n = (end ?? x.shape.length) - (start ?? 0);
  return one(x.graph, 'Shape', [x], attrs, 'int64', [n]);
}

/** Number of elements of `x` at run time, as a scalar int64. */
export function sizeOf(x: Tensor): Tensor {
  return one(x.graph, 'Size', [x], {}, 'int64', []);
}

/** Broadcast `x` to the run-time shape of `ref`. */
export function expandLike(x: Tensor, ref: Tensor): Tensor {
  return one(x.graph, 'Expand', [x, shapeOf(ref)], {}, x.dtype, broadcastShapes(x.shape, ref.shape, 'Expand'));
}

export function transpose(x: Tensor, perm: readonly number[]): Tensor {
  if (perm.length !== x.shape.length)
    throw new GraphError(`Transpose: perm [${perm}] does not match rank ${x.shape.length}`);
  return one(
    x.graph,
    'Transpose',
    [x],
    { perm: { type: 'ints', value: perm } },
    x.dtype,
    perm.map((p) => x.shape[p] as Dim),
  );
}

export function unsqueeze(x: Tensor, axis: number): Tensor {
  const a = normAxis(axis, x.shape.length + 1, 'Unsqueeze');
  const shape = [...x.shape.slice(0, a), 1, ...x.shape.slice(a)];
  return one(x.graph, 'Unsqueeze', [x, x.graph.ints([a])], {}, x.dtype, shape);
}

export function squeeze(x: Tensor, axis: number): Tensor {
  const a = normAxis(axis, x.shape.length, 'Squeeze');
  if (x.shape[a] !== 1) throw new GraphError(`Squeeze: dim ${a} of ${shapeToString(x.shape)} is not 1`);
  return one(
    x.graph,
    'Squeeze',
    [x, x.graph.ints([a])],
    {},
    x.dtype,
    x.shape.filter((_, i) => i !== a),
  );
}

function sumDims(dims: Dim[]): Dim {
  if (isFixedShape(dims)) return dims.reduce((a, b) => a + b, 0);
  return dims.join('+');
}

export function concat(xs: readonly Tensor[], axis: number): Tensor {
  const first = xs[0];
  if (!first) throw new GraphError('Concat needs at least one tensor');
  const a = normAxis(axis, first.shape.length, 'Concat');
  const shape = [...first.shape];
  shape[a] = sumDims(xs.map((x) => x.shape[a] as Dim));
  return one(first.graph, 'Concat', [...xs], { axis: { type: 'int', value: a } }, first.dtype, shape);
}

/** Split along `axis` into pieces of the given sizes. */
export function split(x: Tensor, axis: number, sizes: readonly number[]): Tensor[] {
  const a = normAxis(axis, x.shape.length, 'Split');
  const outs = sizes.map((s) => {
    const shape = [...x.shape];
    shape[a] = s;
    return { dtype: x.dtype, shape };
  });
  return x.graph.addNode('Split', [x, x.graph.ints(sizes)], { axis: { type: 'int', value: a } }, outs);
}

/**
 * `x[start:end]` along one axis; `end` may be negative (from the end) or omitted (to the end). The backward pass
 * pads with zeros, so a positive `end` needs a fixed-size axis.
 */
export function slice(x: Tensor, axis: number, start: number, end?: number): Tensor {
  const a = normAxis(axis, x.shape.length, 'Slice');
  const d = x.shape[a] as Dim;
  const e = end ?? Number.MAX_SAFE_INTEGER;
  let size: Dim;
  if (typeof d === 'number') {
    const s0 = start < 0 ? d + start : start;
    const e0 = Math.min(e < 0 ? d + e : e, d);
    size = Math.max(0, e0 - s0);
  } else {
    if (start < 0) {
      if (end !== undefined) throw new GraphError(`Slice: negative start with an end on symbolic dim '${d}'`);
      size = -start;
    } else size = end === undefined ? `${d}-${start}` : end < 0 ? `${d}-${start - end}` : end - start;
  }
  const shape = [...x.shape];
  shape[a] = size;
  const g = x.graph;
  return one(g, 'Slice', [x, g.ints([start]), g.ints([e]), g.ints([a])], {}, x.dtype, shape);
}

/** Zero padding (ONNX Pad, constant mode); `pads` = [begin..., end...] per axis. */
export function pad(x: Tensor, pads: readonly number[], outShape: Shape): Tensor {
  return one(
    x.graph,
    'Pad',
    [x, x.graph.ints(pads)],
    { mode: { type: 'string', value: 'constant' } },
    x.dtype,
    outShape,
  );
}

/** Rows of `table` [N, ...] picked by integer `ids` [...] -> [...ids, ...] (embedding lookup). */
export function gather(table: Tensor, ids: Tensor): Tensor {
  if (ids.dtype !== 'int64') throw new GraphError(`Gather: ids must be int64, got ${ids.dtype}`);
  return one(table.graph, 'Gather', [table, ids], { axis: { type: 'int', value: 0 } }, table.dtype, [
    ...ids.shape,
    ...table.shape.slice(1),
  ]);
}

/** `out[i][j] = x[i][idx[i][j]]` along `axis` (picks the log-prob of each target token). */
export function gatherElements(x: Tensor, idx: Tensor, axis = -1): Tensor {
  if (idx.dtype !== 'int64') throw new GraphError(`GatherElements: indices must be int64, got ${idx.dtype}`);
  const a = normAxis(axis, x.shape.length, 'GatherElements');
  return one(x.graph, 'GatherElements', [x, idx], { axis: { type: 'int', value: a } }, x.dtype, idx.shape);
}

/** `data` with `updates` added at `indices` (ONNX ScatterND, reduction add): the embedding gradient. */
export function scatterNDAdd(data: Tensor, indices: Tensor, updates: Tensor): Tensor {
  return one(
    data.graph,
    'ScatterND',
    [data, indices, updates],
    { reduction: { type: 'string', value: 'add' } },
    data.dtype,
    data.shape,
  );
}

/** `data` with `updates` added at `indices` along `axis` (ONNX ScatterElements, reduction add). */
export function scatterElementsAdd(data: Tensor, indices: Tensor, updates: Tensor, axis: number): Tensor {
  const attrs: Record<string, AttrValue> = {
    axis: { type: 'int', value: normAxis(axis, data.shape.length, 'ScatterElements') },
    reduction: { type: 'string', value: 'add' },
  };
  return one(data.graph, 'ScatterElements', [data, indices, updates], attrs, data.dtype, data.shape);
}

/** Zeros with the run-time shape of `ref`. */
export function zerosLike(ref: Tensor): Tensor {
  const g = ref.graph;
  return mul(expandLike(g.scalar(0), ref), 1);
}

function reducedShape(x: Tensor, axes: readonly number[], keepdims: boolean, what: string): [number[], Dim[]] {
  const ax = axes.map((a) => normAxis(a, x.shape.length, what));
  const shape: Dim[] = [];
  x.shape.forEach((d, i) => {
    if (!ax.includes(i)) shape.push(d);
    else if (keepdims) shape.push(1);
  });
  return [ax, shape];
}

/** Sum over `axes` (all axes when omitted). */
export function reduceSum(x: Tensor, axes?: readonly number[], keepdims = false): Tensor {
  const [ax, shape] = reducedShape(x, axes ?? x.shape.map((_, i) => i), keepdims, 'ReduceSum');
  const keep = { keepdims: { type: 'int', value: keepdims ? 1 : 0 } } as const;
  return one(x.graph, 'ReduceSum', [x, x.graph.ints(ax)], keep, x.dtype, shape);
}

/** Mean over `axes` (all axes when omitted). */
export function reduceMean(x: Tensor, axes?: readonly number[], keepdims = false): Tensor {
  const [ax, shape] = reducedShape(x, axes ?? x.shape.map((_, i) => i), keepdims, 'ReduceMean');
  const attrs: Record<string, AttrValue> = {
    axes: { type: 'ints', value: ax },
    keepdims: { type: 'int', value: keepdims ? 1 : 0 },
  };
  return one(x.graph, 'ReduceMean', [x], attrs, x.dtype, shape);
}

/** Max over `axes` (no gradient). */
export function reduceMax(x: Tensor, axes?: readonly number[], keepdims = false): Tensor {
  const [ax, shape] = reducedShape(x, axes ?? x.shape.map((_, i) => i), keepdims, 'ReduceMax');
  const attrs: Record<string, AttrValue> = {
    axes: { type: 'ints', value: ax },
    keepdims: { type: 'int', value: keepdims ? 1 : 0 },
  };
  return one(x.graph, 'ReduceMax', [x], attrs, x.dtype, shape);
}

/** Sum of squares over all axes -> scalar. */
export function sumSquares(x: Tensor): Tensor {
  const ax = x.shape.map((_, i) => i);
  return one(
    x.graph,
    'ReduceSumSquare',
    [x],
    { axes: { type: 'ints', value: ax }, keepdims: { type: 'int', value: 0 } },
    'float32',
    [],
  );
}

/** Elementwise sum of several same-shape tensors (ONNX Sum). */
export function sumAll(xs: readonly Tensor[]): Tensor {
  const first = xs[0];
  if (!first) throw new GraphError('Sum needs at least one tensor');
  if (xs.length === 1) return first;
  let shape: Dim[] = [...first.shape];
  for (const x of xs.slice(1)) shape = broadcastShapes(shape, x.shape, 'Sum');
  return one(first.graph, 'Sum', [...xs], {}, first.dtype, shape);
}

/** `[start, start+1, ..., limit-1]` as int64, where `limit` is a scalar int64 tensor. */
export function range(limit: Tensor, start = 0): Tensor {
  const g = limit.graph;
  return one(g, 'Range', [g.scalar(start, 'int64'), limit, g.scalar(1, 'int64')], {}, 'int64', ['range']);
}

/** One run-time dimension of `x` as a scalar int64 tensor. */
export function dimOf(x: Tensor, axis: number): Tensor {
  const a = normAxis(axis, x.shape.length, 'dimOf');
  return squeeze(shapeOf(x, a, a + 1), 0);
}
