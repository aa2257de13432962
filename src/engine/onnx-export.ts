/**
 * IR -> ONNX ModelProto bytes (onnx-proto: the ONNX 1.10 schema, IR version 8; opset 17 + com.microsoft 1).
 * Only nodes that the outputs depend on are written. Constants become initializers; every attribute carries its
 * explicit type, and raw tensor data is an exact-size byte copy.
 */
import onnxProto from 'onnx-proto';
import { type AttrValue, type DType, fixedDim, GraphError, liveNodes, type Shape, type Tensor } from './ir.ts';
import { onnxDataType } from './ops.ts';

const { onnx } = onnxProto;

export const OPSET = 17;

export interface ExportOptions {
  /** Graph outputs by name. */
  readonly outputs: Readonly<Record<string, Tensor>>;
  /** Producer name recorded in the model. */
  readonly producer?: string;
  /** Keep graph inputs that no output uses (so callers may always feed them). Default false: they are dropped. */
  readonly keepUnusedInputs?: boolean;
}

export interface ExportedModel {
  readonly bytes: Uint8Array;
  /** Input names in declaration order, with dtype and shape. */
  readonly inputs: readonly { name: string; dtype: DType; shape: Shape }[];
  readonly outputs: readonly { name: string; dtype: DType; shape: Shape }[];
  readonly nodeCount: number;
}

function valueInfo(name: string, dtype: DType, shape: Shape) {
  return {
    name,
    type: {
      tensorType: {
        elemType: onnxDataType(dtype),
        shape: { dim: shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

function attrProto(name: string, a: AttrValue) {
  const T = onnx.AttributeProto.AttributeType;
  switch (a.type) {
    case 'int':
      return { name, type: T.INT, i: a.value };
    case 'float':
      return { name, type: T.FLOAT, f: a.value };
    case 'ints':
      return { name, type: T.INTS, ints: [...a.value] };
    case 'string':
      return { name, type: T.STRING, s: new TextEncoder().encode(a.value) };
    default: {
      const never: never = a;
      throw new GraphError(`unknown attribute kind ${JSON.stringify(never)}`);
    }
  }
}

/** Serialize the part of the graph that `outputs` depend on. */
export function exportOnnx(opts: ExportOptions): ExportedModel {
  const entries = Object.entries(opts.outputs);
  const first = entries[0]?.[1];
  if (!first) throw new GraphError('exportOnnx: no outputs given');
  const graph = first.graph;
  const live = liveNodes(entries.map(([, t]) => t));
  const names = new Map<number, string>();
  const nameOf = (t: Tensor): string => {
    const n = names.get(t.id);
    if (n !== undefined) return n;
    const made = t.name ?? `t${t.id}`;
    names.set(t.id, made);
    return made;
  };
  // Graph inputs keep their names; an output that is an input or constant (or listed twice) goes through Identity.
  for (const t of graph.inputs) nameOf(t);
  const extraNodes: { input: string[]; output: string[]; opType: string; name: string }[] = [];
  const used = new Set<number>();
  for (const [name, t] of entries) {
    if (t.kind !== 'value' || used.has(t.id) || names.has(t.id)) {
      extraNodes.push({ input: [nameOf(t)], output: [name], opType: 'Identity', name: `out_${name}` });
    } else {
      names.set(t.id, name);
      used.add(t.id);
    }
  }
  const usedTensors = new Set<number>();
  const nodes = [];
  for (const node of graph.nodes) {
    if (!live.has(node.id)) continue;
    for (const x of node.inputs) usedTensors.add(x.id);
    nodes.push({
      name: `${node.op}_${node.id}`,
      opType: node.op,
      domain: node.domain,
      input: node.inputs.map(nameOf),
      output: node.outputs.map(nameOf),
      attribute: Object.entries(node.attrs).map(([k, v]) => attrProto(k, v)),
    });
  }
  for (const [, t] of entries) usedTensors.add(t.id);
  nodes.push(...extraNodes);
  const initializer = graph.constants
    .filter((c) => usedTensors.has(c.tensor.id))
    .map((c) => ({
      name: nameOf(c.tensor),
      dataType: onnxDataType(c.tensor.dtype),
      dims: c.tensor.shape.map((_, axis) => fixedDim(c.tensor, axis, `constant ${nameOf(c.tensor)}`)),
      rawData: new Uint8Array(c.data.buffer.slice(c.data.byteOffset, c.data.byteOffset + c.data.byteLength)),
    }));
  const inputs = graph.inputs
    .filter((t) => opts.keepUnusedInputs || usedTensors.has(t.id))
    .map((t) => ({ name: nameOf(t), dtype: t.dtype, shape: t.shape }));
  const outputs = entries.map(([name, t]) => ({ name, dtype: t.dtype, shape: t.shape }));
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: opts.producer ?? 'vlthink-engine',
    opsetImport: [
      { domain: '', version: OPSET },
      { domain: 'com.microsoft', version: 1 },
    ],
    graph: {
      name: 'vlthink',
      node: nodes,
      initializer,
      input: inputs.map((i) => valueInfo(i.name, i.dtype, i.shape)),
      output: outputs.map((o) => valueInfo(o.name, o.dtype, o.shape)),
    },
  });
  const bytes = onnx.ModelProto.encode(model).finish();
  return { bytes, inputs, outputs, nodeCount: nodes.length };
}
