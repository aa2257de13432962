/**
 * The graph IR: a DAG of nodes (an ONNX op, its inputs, its attributes) whose outputs are typed `Tensor`s with an
 * inferred shape. Dimensions are numbers or symbolic names ('B', 'T'): a symbolic dimension is never 1, so
 * broadcasting and its gradient (a sum over the broadcast axes) are decided when the graph is built, and one compiled
 * session serves every batch size and sequence length.
 *
 * A graph is built through the functional API in ops.ts; tensors remember their graph, so `matmul(x, w)` needs no
 * graph argument. Nodes are appended in creation order, which is a topological order.
 */
import { VlthinkError } from '../core/index.ts';

export type DType = 'float32' | 'int64' | 'bool';
/** A dimension: a fixed size, or a symbolic name bound when the graph runs. */
export type Dim = number | string;
export type Shape = readonly Dim[];

/** Whether every dim is a fixed size (narrows the type, so callers need no casts). */
export function isFixedShape(dims: readonly Dim[]): dims is number[] {
  return dims.every((d) => typeof d === 'number');
}

/** The fixed size of `t`'s axis `axis`; a GraphError naming `what` when that dim is symbolic. */
export function fixedDim(t: { readonly shape: Shape }, axis: number, what: string): number {
  const d = t.shape[axis];
  if (typeof d !== 'number') throw new GraphError(`${what}: axis ${axis} must have a fixed size, got '${d}'`);
  return d;
}

export type AttrValue =
  | { type: 'int'; value: number }
  | { type: 'float'; value: number }
  | { type: 'ints'; value: readonly number[] }
  | { type: 'string'; value: string };

export interface Node {
  readonly id: number;
  readonly op: string;
  /** ONNX domain: '' for the standard set, 'com.microsoft' for ONNX Runtime's contrib ops. */
  readonly domain: string;
  readonly inputs: readonly Tensor[];
  readonly attrs: Readonly<Record<string, AttrValue>>;
  readonly outputs: Tensor[];
}

export interface Tensor {
  readonly id: number;
  readonly graph: Graph;
  /** The producing node; undefined for graph inputs and constants. */
  readonly node: Node | undefined;
  /** Which output of `node` this is. */
  readonly index: number;
  readonly dtype: DType;
  readonly shape: Shape;
  /** Set for graph inputs (the feed name) and constants. */
  readonly name: string | undefined;
  readonly kind: 'input' | 'constant' | 'value';
}

export interface ConstantData {
  readonly tensor: Tensor;
  readonly data: Float32Array | BigInt64Array | Uint8Array;
}

export class GraphError extends VlthinkError {}

/** A mutable graph under construction. Use `createGraph()`. */
export class Graph {
  readonly nodes: Node[] = [];
  readonly inputs: Tensor[] = [];
  readonly constants: ConstantData[] = [];
  /** Node ids whose outputs pass no gradient (see `stopGradient`). */
  readonly stopped = new Set<number>();
  private nextId = 0;
  private readonly scalarCache = new Map<string, Tensor>();

  /** The data of a constant tensor, or undefined for anything else. */
  constantData(t: Tensor): ConstantData['data'] | undefined {
    if (t.kind !== 'constant') return undefined;
    return this.constants.find((c) => c.tensor === t)?.data;
  }

  /** Declare a graph input fed at run time. */
  input(name: string, dtype: DType, shape: Shape): Tensor {
    if (this.inputs.some((t) => t.name === name)) throw new GraphError(`graph input '${name}' is declared twice`);
    const t = this.makeTensor(undefined, 0, dtype, shape, name, 'input');
    this.inputs.push(t);
    return t;
  }

  /** A constant baked into the graph (an ONNX initializer). */
  constant(data: Float32Array | BigInt64Array | Uint8Array, shape: readonly number[], dtype?: DType): Tensor {
    const size = shape.reduce((a, b) => a * b, 1);
    if (data.length !== size) {
      throw new GraphError(`constant data has ${data.length} elements but shape [${shape.join(', ')}] needs ${size}`);
    }
    const dt: DType =
      dtype ?? (data instanceof Float32Array ? 'float32' : data instanceof BigInt64Array ? 'int64' : 'bool');
    const t = this.makeTensor(undefined, 0, dt, shape, `const_${this.nextId}`, 'constant');
    this.constants.push({ tensor: t, data });
    return t;
  }

  /** A float32 (or int64) scalar constant; repeated values share one initializer. */
  scalar(value: number, dtype: 'float32' | 'int64' = 'float32'): Tensor {
    const key = `${dtype}:${Object.is(value, -0) ? '-0' : String(value)}`;
    const hit = this.scalarCache.get(key);
    if (hit) return hit;
    const t =
      dtype === 'float32'
        ? this.constant(new Float32Array([value]), [])
        : this.constant(new BigInt64Array([BigInt(Math.trunc(value))]), []);
    this.scalarCache.set(key, t);
    return t;
  }

  /** A 1-D int64 constant (shapes, axes, pads). */
  ints(values: readonly number[]): Tensor {
    return this.constant(BigInt64Array.from(values.map((v) => BigInt(v))), [values.length]);
  }

  /** Append a node; `outputs` gives each output's dtype and shape (inferred by the caller in ops.ts). */
  addNode(
    op: string,
    inputs: readonly Tensor[],
    attrs: Record<string, AttrValue>,
    outputs: readonly { dtype: DType; shape: Shape }[],
    domain = '',
  ): Tensor[] {
    for (const x of inputs) {
      if (x.graph !== this) throw new GraphError(`${op}: an input tensor belongs to another graph`);
    }
    const node: Node = { id: this.nextId++, op, domain, inputs, attrs, outputs: [] };
    outputs.forEach((o, i) => {
      node.outputs.push(this.makeTensor(node, i, o.dtype, o.shape, undefined, 'value'));
    });
    this.nodes.push(node);
    return node.outputs;
  }

  private makeTensor(
    node: Node | undefined,
    index: number,
    dtype: DType,
    shape: Shape,
    name: string | undefined,
    kind: Tensor['kind'],
  ): Tensor {
    return { id: this.nextId++, graph: this, node, index, dtype, shape: [...shape], name, kind };
  }
}

export function createGraph(): Graph {
  return new Graph();
}

export function shapeToString(shape: Shape): string {
  return `[${shape.join(', ')}]`;
}

/** Number of elements where the shape is fully known, else undefined. */
export function knownSize(shape: Shape): number | undefined {
  let n = 1;
  for (const d of shape) {
    if (typeof d !== 'number') return undefined;
    n *= d;
  }
  return n;
}

/** Numpy-style broadcast of two shapes. A symbolic dim is assumed to be > 1. */
export function broadcastShapes(a: Shape, b: Shape, what: string): Dim[] {
  const n = Math.max(a.length, b.length);
  const out: Dim[] = [];
  for (let i = 0; i < n; i++) {
    const da = i < n - a.length ? 1 : a[i - (n - a.length)];
    const db = i < n - b.length ? 1 : b[i - (n - b.length)];
    if (da === db) out.push(da);
    else if (da === 1) out.push(db);
    else if (db === 1) out.push(da);
    else if (typeof da === 'number' && typeof db === 'number') {
      throw new GraphError(`${what}: shapes ${shapeToString(a)} and ${shapeToString(b)} do not broadcast`);
    } else out.push(typeof da === 'number' ? da : db);
  }
  return out;
}

export function normAxis(axis: number, rank: number, what: string): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) throw new GraphError(`${what}: axis ${axis} is out of range for rank ${rank}`);
  return a;
}

/** Tensors reachable backwards from `outputs`, as the set of node ids in use (dead code is skipped on export). */
export function liveNodes(outputs: readonly Tensor[]): Set<number> {
  const live = new Set<number>();
  const stack: Tensor[] = [...outputs];
  while (stack.length > 0) {
    const t = stack.pop() as Tensor;
    const node = t.node;
    if (!node || live.has(node.id)) continue;
    live.add(node.id);
    for (const x of node.inputs) stack.push(x);
  }
  return live;
}
