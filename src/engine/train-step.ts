/**
 * One training step as one ONNX graph: forward, loss, backward, global-norm gradient clipping, and the optimizer
 * update (AdamW as in PyTorch's torch.optim.AdamW, or plain SGD). Parameters and optimizer moments are fed in and
 * fetched out; the step's scalars (learning rate, Adam's bias corrections) are computed in float64 on the host and fed
 * in, so a schedule never recompiles the graph.
 */
import { z } from 'zod';
import { gradients } from './autodiff.ts';
import { createGraph, type Graph, GraphError, type Tensor } from './ir.ts';
import { add, concat, div, minimum, mul, reshape, sqrt, sub, sumSquares, where } from './ops.ts';
import { asF32, type CompiledGraph, compile, type HostTensor, type SessionOptions } from './session.ts';

export const AdamWSchema = z.object({
  kind: z.literal('adamw'),
  lr: z.number().positive().default(1e-3).describe('learning rate (PyTorch AdamW default 1e-3)'),
  beta1: z.number().min(0).max(1).default(0.9).describe("first-moment decay (Adam's beta1, Kingma & Ba 2015)"),
  beta2: z.number().min(0).max(1).default(0.999).describe("second-moment decay (Adam's beta2)"),
  eps: z.number().positive().default(1e-8).describe('denominator epsilon (PyTorch default 1e-8)'),
  weightDecay: z
    .number()
    .min(0)
    .default(0.01)
    .describe('decoupled weight decay (Loshchilov & Hutter; PyTorch default 0.01)'),
});
export const SgdSchema = z.object({
  kind: z.literal('sgd'),
  lr: z.number().positive().default(1e-2).describe('learning rate'),
  weightDecay: z
    .number()
    .min(0)
    .default(0)
    .describe('decoupled weight decay per step (multiplies params by 1 - lr*wd)'),
});
export const OptimizerSchema = z.discriminatedUnion('kind', [AdamWSchema, SgdSchema]);
export type OptimizerConfig = z.infer<typeof OptimizerSchema>;

export interface ParamSpec {
  readonly name: string;
  readonly shape: readonly number[];
  /** Whether weight decay applies (default true, as PyTorch's AdamW over model.parameters()). */
  readonly decay?: boolean;
}

/** Everything a step changes: exact resume needs all of it. */
export interface TrainState {
  /** Steps taken so far (Adam's t before the next step). */
  step: number;
  params: Record<string, Float32Array>;
  /** Adam's first and second moments (empty for SGD). */
  m: Record<string, Float32Array>;
  v: Record<string, Float32Array>;
}

export interface BuiltLoss {
  /** Scalar loss to minimise. */
  readonly loss: Tensor;
  /** Extra outputs fetched each step (scalars or tensors, e.g. KL, clip fraction). */
  readonly metrics?: Readonly<Record<string, Tensor>>;
}

export interface TrainStepOptions {
  /** Parameters the step updates. */
  readonly trainable: readonly ParamSpec[];
  /** Parameters fed in but not updated (e.g. a frozen vision encoder). */
  readonly frozen?: readonly ParamSpec[];
  readonly optimizer: OptimizerConfig;
  /** Clip the global gradient L2 norm to this value; 0 or Infinity disables clipping. */
  readonly maxGradNorm?: number;
  readonly session?: Partial<SessionOptions>;
}

export interface StepResult {
  readonly loss: number;
  /** Global gradient norm before clipping. */
  readonly gradNorm: number;
  readonly metrics: Record<string, HostTensor>;
}

export interface TrainStep {
  readonly graph: CompiledGraph;
  /** Run one step: updates `state` in place (new arrays) and returns the loss and metrics. `lr` overrides the config. */
  run(state: TrainState, feeds: Readonly<Record<string, HostTensor>>, opts?: { lr?: number }): Promise<StepResult>;
  /** Close the step's session. */
  release(): Promise<void>;
}

const FLAT_PARAMS = 'opt:params';
const FLAT_M = 'opt:m';
const FLAT_V = 'opt:v';
const NEW_PARAMS = 'new:params';
const NEW_M = 'new:m';
const NEW_V = 'new:v';

/** Where each trainable parameter sits in the optimizer's flat vector. */
interface FlatLayout {
  readonly size: number;
  readonly offsets: readonly number[];
  readonly sizes: readonly number[];
}

function flatLayout(specs: readonly ParamSpec[]): FlatLayout {
  const sizes = specs.map((s) => s.shape.reduce((a, b) => a * b, 1));
  const offsets: number[] = [];
  let size = 0;
  for (const n of sizes) {
    offsets.push(size);
    size += n;
  }
  return { size, offsets, sizes };
}

/**
 * The flat vector of `arrays` in layout order. When they already are consecutive views of one buffer of exactly that
 * size (what the previous step left in the state) that buffer is used as is; otherwise they are copied into a new one
 * (`zeroIfMissing`: absent entries, e.g. Adam's moments before the first step, start at zero).
 */
function packFlat(
  layout: FlatLayout,
  specs: readonly ParamSpec[],
  arrays: Record<string, Float32Array>,
  what: string,
  zeroIfMissing: boolean,
): Float32Array {
  const first = arrays[specs[0]?.name ?? ''];
  if (first && first.byteOffset === 0 && first.buffer.byteLength === layout.size * 4) {
    const whole = new Float32Array(first.buffer, 0, layout.size);
    if (
      specs.every(
        (s, i) =>
          arrays[s.name]?.buffer === first.buffer &&
          arrays[s.name]?.byteOffset === layout.offsets[i] * 4 &&
          arrays[s.name]?.length === layout.sizes[i],
      )
    ) {
      return whole;
    }
  }
  const flat = new Float32Array(layout.size);
  specs.forEach((s, i) => {
    const data = arrays[s.name];
    const n = layout.sizes[i];
    if (!data) {
      if (zeroIfMissing) return;
      throw new GraphError(`train state has no ${what} '${s.name}'`);
    }
    if (data.length !== n)
      throw new GraphError(
        `train state's ${what} '${s.name}' has ${data.length} values, its shape [${s.shape.join(', ')}] needs ${n}`,
      );
    flat.set(data, layout.offsets[i]);
  });
  return flat;
}

/** Point each entry of `into` at its part of `flat` (views, no copies). */
function unpackFlat(
  layout: FlatLayout,
  specs: readonly ParamSpec[],
  flat: Float32Array,
  into: Record<string, Float32Array>,
): void {
  specs.forEach((s, i) => {
    const off = layout.offsets[i];
    into[s.name] = flat.subarray(off, off + layout.sizes[i]);
  });
}

/** Build and compile a training step graph. `build` receives the graph and every parameter as an input tensor. */
export async function compileTrainStep(
  build: (g: Graph, params: Readonly<Record<string, Tensor>>) => BuiltLoss,
  opts: TrainStepOptions,
): Promise<TrainStep> {
  const optimizer = OptimizerSchema.parse(opts.optimizer);
  const g = createGraph();
  const params: Record<string, Tensor> = {};
  for (const p of [...opts.trainable, ...(opts.frozen ?? [])]) {
    if (params[p.name]) throw new GraphError(`parameter '${p.name}' is listed twice`);
    params[p.name] = g.input(p.name, 'float32', p.shape);
  }
  const { loss, metrics = {} } = build(g, params);
  const trainable = opts.trainable.map((p) => params[p.name] as Tensor);
  const grads = gradients(loss, trainable);

  // The optimizer runs over one flat vector of every trainable parameter (laid out in `opts.trainable` order): a
  // dozen elementwise nodes over N values instead of a dozen per parameter. The forward reads each parameter as its
  // own input; the host feeds those as views of the same flat buffer, so nothing is copied.
  const layout = flatLayout(opts.trainable);
  const flatGrad =
    grads.length === 1
      ? reshape(grads[0] as Tensor, [layout.size])
      : concat(
          grads.map((gr, i) => reshape(gr, [layout.sizes[i]])),
          0,
        );
  // Global-norm clipping: scale = min(1, maxNorm / (norm + 1e-6)); maxNorm = +inf disables it.
  const norm = sqrt(sumSquares(flatGrad));
  const maxNorm = g.input('opt:maxGradNorm', 'float32', []);
  const scale = minimum(div(maxNorm, add(norm, 1e-6)), 1);

  const outputs: Record<string, Tensor> = { loss, 'opt:gradNorm': norm };
  for (const [k, t] of Object.entries(metrics)) outputs[`metric:${k}`] = t;
  const lrT = g.input('opt:lr', 'float32', []);
  const decayT = g.input('opt:decay', 'float32', []);
  const p = g.input(FLAT_PARAMS, 'float32', [layout.size]);
  const gr = mul(flatGrad, scale);
  // Decoupled weight decay on the parameters that take it: p * (1 - lr * wd) there, p elsewhere.
  const decays = opts.trainable.map((spec) => spec.decay !== false);
  let decayed: Tensor;
  if (decays.every(Boolean)) decayed = mul(p, decayT);
  else if (!decays.some(Boolean)) decayed = p;
  else {
    const mask = new Uint8Array(layout.size);
    decays.forEach((d, i) => {
      if (d) mask.fill(1, layout.offsets[i], layout.offsets[i] + layout.sizes[i]);
    });
    decayed = mul(p, where(g.constant(mask, [layout.size], 'bool'), decayT, 1));
  }
  if (optimizer.kind === 'sgd') outputs[NEW_PARAMS] = sub(decayed, mul(gr, lrT));
  else {
    const stepSizeT = g.input('opt:stepSize', 'float32', []);
    const invSqrtBc2T = g.input('opt:invSqrtBc2', 'float32', []);
    const m = g.input(FLAT_M, 'float32', [layout.size]);
    const v = g.input(FLAT_V, 'float32', [layout.size]);
    const m1 = add(mul(m, optimizer.beta1), mul(gr, 1 - optimizer.beta1));
    const v1 = add(mul(v, optimizer.beta2), mul(mul(gr, gr), 1 - optimizer.beta2));
    const denom = add(mul(sqrt(v1), invSqrtBc2T), optimizer.eps);
    outputs[NEW_PARAMS] = sub(decayed, mul(div(m1, denom), stepSizeT));
    outputs[NEW_M] = m1;
    outputs[NEW_V] = v1;
  }
  const compiled = await compile(outputs, opts.session);
  const feedsNeeded = new Set(compiled.model.inputs.map((i) => i.name));
  const clipAt = opts.maxGradNorm === undefined || opts.maxGradNorm <= 0 ? Number.POSITIVE_INFINITY : opts.maxGradNorm;

  return {
    graph: compiled,
    release: () => compiled.release(),
    async run(state, feeds, runOpts = {}) {
      const lr = runOpts.lr ?? optimizer.lr;
      const t = state.step + 1;
      const all: Record<string, HostTensor> = { ...feeds };
      const scalar = (name: string, value: number) => {
        if (feedsNeeded.has(name)) all[name] = { data: new Float32Array([value]), dims: [] };
      };
      scalar('opt:maxGradNorm', clipAt);
      scalar('opt:lr', lr);
      scalar('opt:decay', 1 - lr * optimizer.weightDecay);
      if (optimizer.kind === 'adamw') {
        scalar('opt:stepSize', lr / (1 - optimizer.beta1 ** t));
        scalar('opt:invSqrtBc2', 1 / Math.sqrt(1 - optimizer.beta2 ** t));
      }
      const flat = packFlat(layout, opts.trainable, state.params, 'parameter', false);
      all[FLAT_PARAMS] = { data: flat, dims: [layout.size] };
      opts.trainable.forEach((p, i) => {
        const off = layout.offsets[i];
        all[p.name] = { data: flat.subarray(off, off + layout.sizes[i]), dims: p.shape };
      });
      for (const p of opts.frozen ?? []) {
        const data = state.params[p.name];
        if (!data) throw new GraphError(`train state has no parameter '${p.name}'`);
        all[p.name] = { data, dims: p.shape };
      }
      if (optimizer.kind === 'adamw') {
        all[FLAT_M] = { data: packFlat(layout, opts.trainable, state.m, 'first moment', true), dims: [layout.size] };
        all[FLAT_V] = { data: packFlat(layout, opts.trainable, state.v, 'second moment', true), dims: [layout.size] };
      }
      const out = await compiled.run(all);
      unpackFlat(layout, opts.trainable, asF32(out[NEW_PARAMS], 'new parameters'), state.params);
      if (optimizer.kind === 'adamw') {
        unpackFlat(layout, opts.trainable, asF32(out[NEW_M], 'new first moments'), state.m);
        unpackFlat(layout, opts.trainable, asF32(out[NEW_V], 'new second moments'), state.v);
      }
      state.step = t;
      const metricsOut: Record<string, HostTensor> = {};
      for (const [k, v] of Object.entries(out)) if (k.startsWith('metric:')) metricsOut[k.slice(7)] = v;
      return {
        loss: asF32(out.loss, 'loss')[0],
        gradNorm: asF32(out['opt:gradNorm'], 'gradNorm')[0],
        metrics: metricsOut,
      };
    },
  };
}
