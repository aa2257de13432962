/**
 * Reverse-mode automatic differentiation over the IR: one vector-Jacobian product (VJP) rule per op, applied from the
 * loss back to the requested tensors. The gradient is itself IR, so forward + backward + optimizer compile into one
 * ONNX graph.
 *
 * Non-differentiable by design: integer/bool ops, ReduceMax (a stop-gradient, as used for max-subtraction), and any
 * tensor passed through `stopGradient`. The backward of softmax, GELU and LayerNorm is written with as few
 * elementwise passes as the math allows (ONNX Runtime's inference build has no fused *Grad kernels).
 */
import {
  type Dim,
  type Graph,
  GraphError,
  isFixedShape,
  type Node,
  type Shape,
  shapeToString,
  type Tensor,
} from './ir.ts';
import {
  add,
  cast,
  concat,
  div,
  equal,
  exp,
  expandLike,
  fusedMatmul,
  greater,
  identity,
  mul,
  neg,
  pad,
  reduceMean,
  reduceSum,
  reshape,
  reshapeLike,
  scatterElementsAdd,
  scatterNDAdd,
  sigmoid,
  sizeOf,
  slice,
  split,
  sub,
  sumAll,
  transpose,
  unsqueeze,
  where,
} from './ops.ts';

type Grads = (Tensor | undefined)[];
type Vjp = (node: Node, gouts: Grads) => Grads;

/** Pass `x` through with no gradient flowing back (e.g. a baseline or the max in a stable softmax). */
export function stopGradient(x: Tensor): Tensor {
  const y = identity(x);
  if (y.node) x.graph.stopped.add(y.node.id);
  return y;
}

/** Sum a broadcast gradient back to `target`'s shape. */
export function sumToShape(g: Tensor, target: Shape): Tensor {
  const lead = g.shape.length - target.length;
  let r = g;
  if (lead > 0) r = reduceSum(r, [...Array(lead).keys()], false);
  const axes: number[] = [];
  target.forEach((d, i) => {
    if (d === 1 && r.shape[i] !== 1) axes.push(i);
  });
  if (axes.length > 0) r = reduceSum(r, axes, true);
  return r;
}

const zerosLike = (ref: Tensor): Tensor => expandLike(ref.graph.scalar(0), ref);
const floatMask = (b: Tensor): Tensor => cast(b, 'float32');

function inputs2(n: Node): [Tensor, Tensor] {
  return [n.inputs[0] as Tensor, n.inputs[1] as Tensor];
}
const out0 = (n: Node): Tensor => n.outputs[0] as Tensor;

function constInts(t: Tensor | undefined, what: string): number[] {
  const data = t ? t.graph.constantData(t) : undefined;
  if (!(data instanceof BigInt64Array)) throw new GraphError(`${what}: expected a constant int64 input`);
  return Array.from(data, (v) => Number(v));
}

/** Undo a keepdims=0 reduction so that `g` broadcasts against the input again. */
function unreduce(g: Tensor, axes: readonly number[], keepdims: boolean): Tensor {
  let r = g;
  if (!keepdims) for (const a of [...axes].sort((x, y) => x - y)) r = unsqueeze(r, a);
  return r;
}

function normAxes(axes: readonly number[], rank: number): number[] {
  return axes.map((a) => (a < 0 ? a + rank : a));
}

const GELU_C = Math.sqrt(2 / Math.PI);
const GELU_K = 0.044715;

const rules: Record<string, Vjp> = {
  Add: (n, [g]) => {
    const [a, b] = inputs2(n);
    return g ? [sumToShape(g, a.shape), sumToShape(g, b.shape)] : [];
  },
  Sub: (n, [g]) => {
    const [a, b] = inputs2(n);
    return g ? [sumToShape(g, a.shape), sumToShape(neg(g), b.shape)] : [];
  },
  Mul: (n, [g]) => {
    const [a, b] = inputs2(n);
    return g ? [sumToShape(mul(g, b), a.shape), sumToShape(mul(g, a), b.shape)] : [];
  },
  Div: (n, [g]) => {
    const [a, b] = inputs2(n);
    if (!g) return [];
    const ga = div(g, b);
    return [sumToShape(ga, a.shape), sumToShape(neg(mul(ga, out0(n))), b.shape)];
  },
  Max: (n, [g]) => minMax(n, g),
  Min: (n, [g]) => minMax(n, g),
  Neg: (_n, [g]) => [g && neg(g)],
  Identity: (_n, [g]) => [g],
  Exp: (n, [g]) => [g && mul(g, out0(n))],
  Log: (n, [g]) => [g && div(g, n.inputs[0] as Tensor)],
  Sqrt: (n, [g]) => [g && div(mul(g, 0.5), out0(n))],
  Sigmoid: (n, [g]) => {
    const y = out0(n);
    return [g && mul(g, mul(y, sub(1, y)))];
  },
  Tanh: (n, [g]) => {
    const y = out0(n);
    return [g && mul(g, sub(1, mul(y, y)))];
  },
  Reciprocal: (n, [g]) => {
    const y = out0(n);
    return [g && neg(mul(g, mul(y, y)))];
  },
  Relu: (n, [g]) => [g && mul(g, floatMask(greater(n.inputs[0] as Tensor, 0)))],
  Clip: (n, [g]) => [g && mul(g, floatMask(equal(out0(n), n.inputs[0] as Tensor)))],
  FastGelu: (n, [g]) => {
    if (!g) return [];
    // y = x s, s = sigmoid(z), z = 2c (x + k x^3)  (tanh-GELU: 0.5 (1 + tanh(u)) = sigmoid(2u)).
    // dy/dx = s + x s (1 - s) z' = s (1 + (1 - s) x z'),  x z' = 2c x + 6ck x^3.  13 elementwise passes.
    const x = n.inputs[0] as Tensor;
    const x2 = mul(x, x);
    const s = sigmoid(mul(x, add(mul(x2, 2 * GELU_C * GELU_K), 2 * GELU_C)));
    const xdz = mul(x, add(mul(x2, 6 * GELU_C * GELU_K), 2 * GELU_C));
    return [mul(g, mul(s, add(mul(sub(1, s), xdz), 1)))];
  },
  Where: (n, [g]) => {
    if (!g) return [];
    const [c, a, b] = n.inputs as [Tensor, Tensor, Tensor];
    return [undefined, sumToShape(where(c, g, 0), a.shape), sumToShape(where(c, 0, g), b.shape)];
  },
  Cast: (n, [g]) => [g && (n.inputs[0] as Tensor).dtype === 'float32' ? g : undefined],
  MatMul: (n, [g]) => {
    if (!g) return [];
    const [a, b] = inputs2(n);
    const ga = sumToShape(fusedMatmul(g, b, false, true), a.shape);
    let gb: Tensor;
    if (b.shape.length === 2 && a.shape.length > 2) {
      // [.., M, K]^T @ [.., M, N] summed over the batch: flatten the batch into M first.
      const a2 = reshape(a, [-1, a.shape[a.shape.length - 1] as Dim]);
      const g2 = reshape(g, [-1, g.shape[g.shape.length - 1] as Dim]);
      gb = fusedMatmul(a2, g2, true, false);
    } else gb = sumToShape(fusedMatmul(a, g, true, false), b.shape);
    return [ga, gb];
  },
  Softmax: (n, [g]) => {
    if (!g) return [];
    const y = out0(n);
    const axis = attrInt(n, 'axis');
    return [mul(y, sub(g, reduceSum(mul(g, y), [axis], true)))];
  },
  LogSoftmax: (n, [g]) => {
    if (!g) return [];
    const axis = attrInt(n, 'axis');
    const p = exp(out0(n));
    return [sub(g, mul(p, reduceSum(g, [axis], true)))];
  },
  LayerNormalization: (n, gouts) => {
    const [g, gMean, gInv] = gouts;
    if (gMean || gInv)
      throw new GraphError('LayerNormalization: gradients through its mean/inv-std outputs are not supported');
    if (!g) return [];
    const [x, gamma, beta] = n.inputs as [Tensor, Tensor, Tensor];
    const mean = n.outputs[1] as Tensor;
    const inv = n.outputs[2] as Tensor;
    const xhat = mul(sub(x, mean), inv);
    const dgamma = sumToShape(mul(g, xhat), gamma.shape);
    const dbeta = sumToShape(g, beta.shape);
    const dxhat = mul(g, gamma);
    const m1 = reduceMean(dxhat, [-1], true);
    const m2 = reduceMean(mul(dxhat, xhat), [-1], true);
    const dx = mul(sub(sub(dxhat, m1), mul(xhat, m2)), inv);
    return [dx, dgamma, dbeta];
  },
  Reshape: (n, [g]) => [g && reshapeLike(g, n.inputs[0] as Tensor)],
  Unsqueeze: (n, [g]) => [g && reshapeLike(g, n.inputs[0] as Tensor)],
  Squeeze: (n, [g]) => [g && reshapeLike(g, n.inputs[0] as Tensor)],
  Transpose: (n, [g]) => {
    if (!g) return [];
    const perm = attrInts(n, 'perm');
    const inv = perm.map((_, i) => perm.indexOf(i));
    return [transpose(g, inv)];
  },
  Expand: (n, [g]) => [g && sumToShape(g, (n.inputs[0] as Tensor).shape)],
  Concat: (n, [g]) => {
    if (!g) return [];
    const axis = attrInt(n, 'axis');
    const sizes = n.inputs.map((x) => x.shape[axis]);
    if (isFixedShape(sizes)) return split(g, axis, [...sizes]);
    // A symbolic last piece (e.g. [image tokens ; text tokens]): slice the fixed pieces, the rest runs to the end.
    const head = sizes.slice(0, -1);
    if (!isFixedShape(head)) {
      throw new GraphError(
        `Concat gradient needs fixed sizes along axis ${axis} except the last, got [${sizes.join(', ')}]`,
      );
    }
    let at = 0;
    return n.inputs.map((_, i) => {
      if (i === n.inputs.length - 1) return slice(g, axis, at);
      const piece = slice(g, axis, at, at + head[i]);
      at += head[i];
      return piece;
    });
  },
  FusedMatMul: (n, [g]) => {
    if (!g) return [];
    const [a, b] = inputs2(n);
    const ta = attrInt(n, 'transA') === 1;
    const tb = attrInt(n, 'transB') === 1;
    const al = attrFloat(n, 'alpha');
    const ga = ta ? fusedMatmul(b, g, tb, true, al) : fusedMatmul(g, b, false, !tb, al);
    const gb = tb ? fusedMatmul(g, a, true, ta, al) : fusedMatmul(a, g, !ta, false, al);
    return [sumToShape(ga, a.shape), sumToShape(gb, b.shape)];
  },
  Split: (n, gouts) => {
    if (gouts.every((g) => !g)) return [];
    const axis = attrInt(n, 'axis');
    const parts = n.outputs.map((o, i) => gouts[i] ?? zerosLike(o));
    return [concat(parts, axis)];
  },
  Slice: (n, [g]) => {
    if (!g) return [];
    const x = n.inputs[0] as Tensor;
    const [start] = constInts(n.inputs[1], 'Slice');
    const [end] = constInts(n.inputs[2], 'Slice');
    const [axis] = constInts(n.inputs[3], 'Slice');
    const rank = x.shape.length;
    const d = x.shape[axis];
    let s = start;
    let e = end;
    if (s < 0) {
      if (typeof d !== 'number') throw new GraphError('Slice gradient: negative start needs a fixed-size axis');
      s += d;
    }
    let after: number;
    if (e >= Number.MAX_SAFE_INTEGER) after = 0;
    else if (e < 0) after = -e;
    else if (typeof d === 'number') {
      e = Math.min(e, d);
      after = d - e;
    } else throw new GraphError(`Slice gradient: a positive end on symbolic dim '${d}' is not supported`);
    const pads = new Array<number>(2 * rank).fill(0);
    pads[axis] = s;
    pads[rank + axis] = after;
    return [pad(g, pads, x.shape)];
  },
  Gather: (n, [g]) => {
    if (!g) return [];
    const [table, ids] = inputs2(n);
    return [scatterNDAdd(zerosLike(table), unsqueeze(ids, -1), g), undefined];
  },
  GatherElements: (n, [g]) => {
    if (!g) return [];
    const [x, idx] = inputs2(n);
    return [scatterElementsAdd(zerosLike(x), idx, g, attrInt(n, 'axis')), undefined];
  },
  ReduceSum: (n, [g]) => {
    if (!g) return [];
    const x = n.inputs[0] as Tensor;
    const axes = normAxes(constInts(n.inputs[1], 'ReduceSum'), x.shape.length);
    return [expandLike(unreduce(g, axes, attrInt(n, 'keepdims') === 1), x)];
  },
  ReduceMean: (n, [g]) => {
    if (!g) return [];
    const x = n.inputs[0] as Tensor;
    const axes = normAxes(attrInts(n, 'axes'), x.shape.length);
    const dims = axes.map((a) => x.shape[a]);
    // Fixed reduced axes: a constant 1/count; symbolic ones: count = size(x) / size(mean) at run time.
    const scaled = isFixedShape(dims)
      ? mul(g, 1 / dims.reduce((a, b) => a * b, 1))
      : div(mul(g, cast(sizeOf(out0(n)), 'float32')), cast(sizeOf(x), 'float32'));
    return [expandLike(unreduce(scaled, axes, attrInt(n, 'keepdims') === 1), x)];
  },
  ReduceSumSquare: (n, [g]) => {
    if (!g) return [];
    const x = n.inputs[0] as Tensor;
    return [
      mul(
        mul(x, 2),
        unreduce(
          g,
          x.shape.map((_, i) => i),
          false,
        ),
      ),
    ];
  },
  Sum: (n, [g]) => (g ? n.inputs.map((x) => sumToShape(g, x.shape)) : []),
  ReduceMax: () => [],
};

function minMax(n: Node, g: Tensor | undefined): Grads {
  if (!g) return [];
  const [a, b] = inputs2(n);
  const m = floatMask(equal(out0(n), a));
  return [sumToShape(mul(g, m), a.shape), sumToShape(mul(g, sub(1, m)), b.shape)];
}

function attrInt(n: Node, name: string): number {
  const a = n.attrs[name];
  if (a?.type !== 'int') throw new GraphError(`${n.op}: missing int attribute '${name}'`);
  return a.value < 0 ? a.value + (n.inputs[0] as Tensor).shape.length : a.value;
}

function attrFloat(n: Node, name: string): number {
  const a = n.attrs[name];
  if (a?.type !== 'float') throw new GraphError(`${n.op}: missing float attribute '${name}'`);
  return a.value;
}

function attrInts(n: Node, name: string): number[] {
  const a = n.attrs[name];
  if (a?.type !== 'ints') throw new GraphError(`${n.op}: missing ints attribute '${name}'`);
  return [...a.value];
}

/** Ops whose VJP is defined (for tests and error messages). */
export const differentiableOps: readonly string[] = Object.keys(rules);

/**
 * Gradients of the scalar `loss` with respect to each tensor of `wrt` (usually parameter inputs). A tensor that the
 * loss does not depend on gets zeros.
 */
export function gradients(loss: Tensor, wrt: readonly Tensor[]): Tensor[] {
  if (loss.shape.length !== 0 || loss.dtype !== 'float32') {
    throw new GraphError(
      `gradients: the loss must be a float32 scalar, got ${loss.dtype} ${shapeToString(loss.shape)}`,
    );
  }
  const graph: Graph = loss.graph;
  // Forward sweep: which tensors depend on any of `wrt` through differentiable paths.
  const active = new Set<number>(wrt.map((t) => t.id));
  for (const node of graph.nodes) {
    if (graph.stopped.has(node.id) || node.op === 'ReduceMax') continue;
    if (node.inputs.some((x) => active.has(x.id))) {
      for (const o of node.outputs) if (o.dtype === 'float32') active.add(o.id);
    }
  }
  const pending = new Map<number, Tensor[]>();
  const push = (t: Tensor, g: Tensor) => {
    const list = pending.get(t.id);
    if (list) list.push(g);
    else pending.set(t.id, [g]);
  };
  const take = (t: Tensor): Tensor | undefined => {
    const list = pending.get(t.id);
    if (!list) return undefined;
    const s = sumAll(list);
    pending.set(t.id, [s]);
    return s;
  };
  if (!active.has(loss.id)) return wrt.map(zerosLike);
  push(loss, graph.scalar(1));
  const nodes = graph.nodes.slice();
  for (let i = nodes.length - 1; i >= 0; i--) {
    const node = nodes[i] as Node;
    if (!node.outputs.some((o) => active.has(o.id) && pending.has(o.id))) continue;
    if (!node.inputs.some((x) => active.has(x.id))) continue;
    const rule = rules[node.op];
    if (!rule)
      throw new GraphError(`no gradient rule for op ${node.op}; differentiable ops: ${differentiableOps.join(', ')}`);
    const gouts = node.outputs.map((o) => take(o));
    const gins = rule(node, gouts);
    node.inputs.forEach((x, k) => {
      const gx = gins[k];
      if (gx && active.has(x.id)) push(x, gx);
    });
  }
  return wrt.map((t) => take(t) ?? zerosLike(t));
}
