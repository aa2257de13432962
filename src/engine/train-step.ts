/**
 * One training step as one ONNX graph: forward, loss, backward, global-norm gradient clipping, and the optimizer
 * update (AdamW as in PyTorch's torch.optim.AdamW, or plain SGD). Parameters and optimizer moments are fed in and
 * fetched out; the step's scalars (learning rate, Adam's bias corrections) are computed in float64 on the host and fed
 * in, so a schedule never recompiles the graph.
 */
import { z } from 'zod';
import { gradients } from './autodiff.ts';
import { createGraph, type Graph, GraphError, type Tensor } from './ir.ts';
import { add, div, minimum, mul, sqrt, sub, sumAll, sumSquares } from './ops.ts';
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

  // Global-norm clipping: scale = min(1, maxNorm / (norm + 1e-6)); maxNorm = +inf disables it.
  const norm = sqrt(sumAll(grads.map(sumSquares)));
  const maxNorm = g.input('opt:maxGradNorm', 'float32', []);
  const scale = minimum(div(maxNorm, add(norm, 1e-6)), 1);

  const outputs: Record<string, Tensor> = { loss, 'opt:gradNorm': norm };
  for (const [k, t] of Object.entries(metrics)) outputs[`metric:${k}`] = t;
  const lrT = g.input('opt:lr', 'float32', []);
  const decayT = g.input('opt:decay', 'float32', []);
  const stepSizeT = optimizer.kind === 'adamw' ? g.input('opt:stepSize', 'float32', []) : undefined;
  const invSqrtBc2T = optimizer.kind === 'adamw' ? g.input('opt:invSqrtBc2', 'float32', []) : undefined;
  opts.trainable.forEach((spec, i) => {
    const p = trainable[i] as Tensor;
    const gr = mul(grads[i] as Tensor, scale);
    const decayed = spec.decay === false ? p : mul(p, decayT);
    if (optimizer.kind === 'sgd') {
      outputs[`new:${spec.name}`] = sub(decayed, mul(gr, lrT));
      return;
    }
    const m = g.input(`m:${spec.name}`, 'float32', spec.shape);
    const v = g.input(`v:${spec.name}`, 'float32', spec.shape);
    const m1 = add(mul(m, optimizer.beta1), mul(gr, 1 - optimizer.beta1));
    const v1 = add(mul(v, optimizer.beta2), mul(mul(gr, gr), 1 - optimizer.beta2));
    const denom = add(mul(sqrt(v1), invSqrtBc2T as Tensor), optimizer.eps);
    outputs[`new:${spec.name}`] = sub(decayed, mul(div(m1, denom), stepSizeT as Tensor));
    outputs[`newm:${spec.name}`] = m1;
    outputs[`newv:${spec.name}`] = v1;
  });
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
      for (const p of [...opts.trainable, ...(opts.frozen ?? [])]) {
        const data = state.params[p.name];
        if (!data) throw new GraphError(`train state has no parameter '${p.name}'`);
        all[p.name] = { data, dims: p.shape };
      }
      if (optimizer.kind === 'adamw') {
        for (const p of opts.trainable) {
          const size = p.shape.reduce((a, b) => a * b, 1);
          state.m[p.name] ??= new Float32Array(size);
          state.v[p.name] ??= new Float32Array(size);
          all[`m:${p.name}`] = { data: state.m[p.name] as Float32Array, dims: p.shape };
          all[`v:${p.name}`] = { data: state.v[p.name] as Float32Array, dims: p.shape };
        }
      }
      const out = await compiled.run(all);
      for (const p of opts.trainable) {
        state.params[p.name] = asF32(out[`new:${p.name}`], p.name);
        if (optimizer.kind === 'adamw') {
          state.m[p.name] = asF32(out[`newm:${p.name}`], p.name);
          state.v[p.name] = asF32(out[`newv:${p.name}`], p.name);
        }
      }
      state.step = t;
      const metricsOut: Record<string, HostTensor> = {};
      for (const [k, v] of Object.entries(out)) if (k.startsWith('metric:')) metricsOut[k.slice(7)] = v;
      return {
        loss: asF32(out.loss, 'loss')[0] as number,
        gradNorm: asF32(out['opt:gradNorm'], 'gradNorm')[0] as number,
        metrics: metricsOut,
      };
    },
  };
}
