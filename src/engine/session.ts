/**
 * Execution by onnxruntime-node. A `CompiledGraph` wraps one InferenceSession; sessions are cached per model bytes
 * (graphs use symbolic dims, so one session serves every batch size and sequence length).
 *
 * `run` blocks the event loop while ONNX Runtime computes (its Node binding runs synchronously): run the engine in a
 * worker thread where a server or a progress display must stay responsive.
 */
import * as ort from 'onnxruntime-node';
import { z } from 'zod';
import { contentHash } from '../core/index.ts';
import { type DType, GraphError, type Shape, type Tensor } from './ir.ts';
import { type ExportedModel, exportOnnx } from './onnx-export.ts';

/** A host-side tensor: row-major data plus dims. */
export interface HostTensor {
  readonly data: Float32Array | BigInt64Array | Uint8Array;
  readonly dims: readonly number[];
}

export const SessionOptionsSchema = z.object({
  executionProvider: z
    .enum(['cpu', 'cuda', 'webgpu', 'dml', 'coreml'])
    .default('cpu')
    .describe(
      'ONNX Runtime execution provider; the same graph runs on any provider the installed runtime has (vlthink)',
    ),
  intraOpThreads: z
    .number()
    .int()
    .min(0)
    .default(0)
    .describe(
      'ONNX Runtime intra-op threads (0 = runtime default: one per core). The spike measured 2 best on 2 cores',
    ),
  spinWait: z
    .boolean()
    .default(false)
    .describe(
      "let idle intra-op threads spin (ONNX Runtime's default: on); off wastes no CPU on shared or busy machines",
    ),
  memArena: z
    .boolean()
    .default(true)
    .describe("ONNX Runtime's CPU memory arena (its default): keeps peak activation memory reserved between runs"),
  profile: z
    .boolean()
    .default(false)
    .describe('write an ONNX Runtime profile JSON (onnxruntime_profile_*.json) per session'),
});
export type SessionOptions = z.infer<typeof SessionOptionsSchema>;

export interface CompiledGraph {
  readonly model: ExportedModel;
  /**
   * Run with feeds by input name; returns every output by name. `into` names outputs to write into caller-owned
   * buffers of exactly the output's size (no allocation per run: e.g. a KV cache ping-ponging between two buffers).
   */
  run(
    feeds: Readonly<Record<string, HostTensor>>,
    into?: Readonly<Record<string, HostTensor>>,
  ): Promise<Record<string, HostTensor>>;
  /** Release the native session (shared sessions close with their last holder). Runs after this throw. */
  release(): Promise<void>;
}

const ortType: Record<DType, 'float32' | 'int64' | 'bool'> = { float32: 'float32', int64: 'int64', bool: 'bool' };

function checkFeed(name: string, t: HostTensor, dtype: DType, shape: Shape): void {
  const want = dtype === 'float32' ? Float32Array : dtype === 'int64' ? BigInt64Array : Uint8Array;
  if (!(t.data instanceof want)) {
    throw new GraphError(`feed '${name}': expected ${dtype} data (${want.name}), got ${t.data.constructor.name}`);
  }
  if (t.dims.length !== shape.length) {
    throw new GraphError(
      `feed '${name}': expected rank ${shape.length} [${shape.join(', ')}], got [${t.dims.join(', ')}]`,
    );
  }
  const size = t.dims.reduce((a, b) => a * b, 1);
  if (size !== t.data.length)
    throw new GraphError(`feed '${name}': dims [${t.dims.join(', ')}] need ${size} values, got ${t.data.length}`);
  shape.forEach((d, i) => {
    if (typeof d === 'number' && t.dims[i] !== d) {
      throw new GraphError(`feed '${name}': dim ${i} must be ${d}, got ${t.dims[i]} (dims [${t.dims.join(', ')}])`);
    }
  });
}

/** Live sessions by model bytes + options, shared by every compiled graph with the same key and released with the last. */
const cache = new Map<string, { session: Promise<ort.InferenceSession>; refs: number }>();

function sessionKey(bytes: Uint8Array, opts: SessionOptions): string {
  return `${contentHash(Buffer.from(bytes))}:${opts.executionProvider}:${opts.intraOpThreads}:${opts.spinWait}:${opts.memArena}:${opts.profile}`;
}

async function acquireSession(key: string, bytes: Uint8Array, opts: SessionOptions): Promise<ort.InferenceSession> {
  const hit = cache.get(key);
  if (hit) {
    hit.refs++;
    return hit.session;
  }
  const session = ort.InferenceSession.create(bytes, {
    executionProviders: [opts.executionProvider],
    graphOptimizationLevel: 'all',
    intraOpNumThreads: opts.intraOpThreads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    enableCpuMemArena: opts.memArena,
    extra: { session: { intra_op: { allow_spinning: opts.spinWait ? '1' : '0' } } },
    enableProfiling: opts.profile,
    ...(opts.profile ? { profileFilePrefix: 'onnxruntime_profile' } : {}),
  });
  cache.set(key, { session, refs: 1 });
  session.catch(() => cache.delete(key));
  return session;
}

async function releaseSession(key: string): Promise<void> {
  const hit = cache.get(key);
  if (!hit) return;
  hit.refs--;
  if (hit.refs > 0) return;
  cache.delete(key);
  const session = await hit.session;
  if (session) await session.release();
}

/** Compile outputs of a graph into a runnable session. */
export async function compile(
  outputs: Readonly<Record<string, Tensor>>,
  options: Partial<SessionOptions> = {},
): Promise<CompiledGraph> {
  const opts = SessionOptionsSchema.parse(options);
  const model = exportOnnx({ outputs });
  const key = sessionKey(model.bytes, opts);
  let session: ort.InferenceSession;
  try {
    session = await acquireSession(key, model.bytes, opts);
  } catch (err) {
    throw new GraphError(`ONNX Runtime rejected the compiled graph (${model.nodeCount} nodes): ${String(err)}`, {
      cause: err,
    });
  }
  let released = false;
  return {
    model,
    async run(feeds, into) {
      if (released) throw new GraphError('this compiled graph was released');
      const ortFeeds: Record<string, ort.Tensor> = {};
      for (const inp of model.inputs) {
        const t = feeds[inp.name];
        if (!t)
          throw new GraphError(
            `missing feed '${inp.name}'; the graph needs: ${model.inputs.map((i) => i.name).join(', ')}`,
          );
        checkFeed(inp.name, t, inp.dtype, inp.shape);
        ortFeeds[inp.name] = new ort.Tensor(ortType[inp.dtype], t.data, [...t.dims]);
      }
      let res: ort.InferenceSession.ReturnType;
      if (into) {
        const fetches: Record<string, ort.Tensor | null> = {};
        for (const o of model.outputs) {
          const t = into[o.name];
          fetches[o.name] = t ? new ort.Tensor(ortType[o.dtype], t.data, [...t.dims]) : null;
        }
        res = await session.run(ortFeeds, fetches);
      } else res = await session.run(ortFeeds);
      const out: Record<string, HostTensor> = {};
      for (const o of model.outputs) {
        const t = res[o.name];
        if (!t) throw new GraphError(`ONNX Runtime returned no output '${o.name}'`);
        out[o.name] = { data: t.data as HostTensor['data'], dims: t.dims };
      }
      return out;
    },
    async release() {
      if (released) return;
      released = true;
      if (opts.profile) session.endProfiling();
      await releaseSession(key);
    },
  };
}

export function f32(data: Float32Array | number[], dims: readonly number[]): HostTensor {
  return { data: data instanceof Float32Array ? data : Float32Array.from(data), dims };
}

export function i64(data: ArrayLike<number>, dims: readonly number[]): HostTensor {
  const out = new BigInt64Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = BigInt(data[i]);
  return { data: out, dims };
}

export function asF32(t: HostTensor | undefined, what: string): Float32Array {
  if (!t || !(t.data instanceof Float32Array)) throw new GraphError(`${what}: expected a float32 output`);
  return t.data;
}
