import { describe, expect, it } from 'vitest';
import {
  asF32,
  compile,
  compileTrainStep,
  createGraph,
  f32,
  type Graph,
  gradients,
  matmul,
  mul,
  type OptimizerConfig,
  reduceMean,
  sub,
  type Tensor,
  type TrainState,
} from './index.ts';

const X = Float32Array.from({ length: 8 * 3 }, (_, i) => Math.sin(i * 0.7));
const Y = Float32Array.from({ length: 8 * 2 }, (_, i) => Math.cos(i * 0.3));
const W0 = Float32Array.from({ length: 3 * 2 }, (_, i) => 0.1 * (i - 2));
const S0 = Float32Array.from({ length: 2 }, (_, i) => 1 + 0.5 * i);

/** loss = mean(((x @ w) * s - y)^2), with w trainable and s trainable or frozen. */
function buildLoss(g: Graph, p: Readonly<Record<string, Tensor>>) {
  const x = g.input('x', 'float32', ['N', 3]);
  const y = g.input('y', 'float32', ['N', 2]);
  const d = sub(mul(matmul(x, p.w as Tensor), p.s as Tensor), y);
  return { loss: reduceMean(mul(d, d)), metrics: { residual: d } };
}

async function hostGrads(w: Float32Array, s: Float32Array): Promise<{ w: Float32Array; s: Float32Array }> {
  const g = createGraph();
  const p = { w: g.input('w', 'float32', [3, 2]), s: g.input('s', 'float32', [2]) };
  const { loss } = buildLoss(g, p);
  const [gw, gs] = gradients(loss, [p.w, p.s]) as [Tensor, Tensor];
  const c = await compile({ gw, gs });
  const out = await c.run({ w: f32(w, [3, 2]), s: f32(s, [2]), x: f32(X, [8, 3]), y: f32(Y, [8, 2]) });
  return { w: asF32(out.gw, 'gw').slice(), s: asF32(out.gs, 'gs').slice() };
}

/** torch.optim.AdamW's update, in float64. */
function adamwRef(
  p: Float32Array,
  g: Float32Array,
  m: Float64Array,
  v: Float64Array,
  t: number,
  o: { lr: number; wd: number },
) {
  const [b1, b2, eps] = [0.9, 0.999, 1e-8];
  return Array.from(p, (pi, i) => {
    const gi = g[i] as number;
    m[i] = b1 * (m[i] as number) + (1 - b1) * gi;
    v[i] = b2 * (v[i] as number) + (1 - b2) * gi * gi;
    const mh = (m[i] as number) / (1 - b1 ** t);
    const vh = (v[i] as number) / (1 - b2 ** t);
    return pi * (1 - o.lr * o.wd) - (o.lr * mh) / (Math.sqrt(vh) + eps);
  });
}

const specs = [
  { name: 'w', shape: [3, 2] },
  { name: 's', shape: [2] },
];
const feeds = { x: f32(X, [8, 3]), y: f32(Y, [8, 2]) };

describe('compileTrainStep', () => {
  it('matches PyTorch-semantics AdamW step by step (bias correction on the host in float64)', async () => {
    const opt: OptimizerConfig = { kind: 'adamw', lr: 0.05, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.1 };
    const step = await compileTrainStep(buildLoss, { trainable: specs, optimizer: opt });
    const state: TrainState = { step: 0, params: { w: W0.slice(), s: S0.slice() }, m: {}, v: {} };
    const m = { w: new Float64Array(6), s: new Float64Array(2) };
    const v = { w: new Float64Array(6), s: new Float64Array(2) };
    for (let t = 1; t <= 3; t++) {
      const grads = await hostGrads(state.params.w as Float32Array, state.params.s as Float32Array);
      const wantW = adamwRef(state.params.w as Float32Array, grads.w, m.w, v.w, t, { lr: 0.05, wd: 0.1 });
      const wantS = adamwRef(state.params.s as Float32Array, grads.s, m.s, v.s, t, { lr: 0.05, wd: 0.1 });
      const res = await step.run(state, feeds);
      expect(Number.isFinite(res.loss)).toBe(true);
      expect(state.step).toBe(t);
      for (const [i, x] of (state.params.w as Float32Array).entries()) expect(x).toBeCloseTo(wantW[i] as number, 5);
      for (const [i, x] of (state.params.s as Float32Array).entries()) expect(x).toBeCloseTo(wantS[i] as number, 5);
      expect(res.metrics.residual?.dims).toEqual([8, 2]);
    }
  });

  it('clips the global gradient norm and reports the unclipped norm', async () => {
    const grads = await hostGrads(W0, S0);
    const norm = Math.hypot(...grads.w, ...grads.s);
    const maxGradNorm = norm / 4;
    const step = await compileTrainStep(buildLoss, {
      trainable: specs,
      optimizer: { kind: 'sgd', lr: 0.1, weightDecay: 0 },
      maxGradNorm,
    });
    const state: TrainState = { step: 0, params: { w: W0.slice(), s: S0.slice() }, m: {}, v: {} };
    const res = await step.run(state, feeds);
    expect(res.gradNorm).toBeCloseTo(norm, 5);
    const scale = maxGradNorm / (norm + 1e-6);
    Array.from(state.params.w as Float32Array).forEach((x, i) => {
      expect(x).toBeCloseTo((W0[i] as number) - 0.1 * scale * (grads.w[i] as number), 6);
    });
  });

  it('leaves frozen parameters alone and lowers the loss with SGD', async () => {
    const step = await compileTrainStep(buildLoss, {
      trainable: [{ name: 'w', shape: [3, 2] }],
      frozen: [{ name: 's', shape: [2] }],
      optimizer: { kind: 'sgd', lr: 0.2, weightDecay: 0 },
    });
    // Only `w` (3 x 2) is in the optimizer's flat vector; `s` is a plain input.
    expect(step.graph.model.inputs.find((i) => i.name === 'opt:params')?.shape).toEqual([6]);
    const state: TrainState = { step: 0, params: { w: W0.slice(), s: S0.slice() }, m: {}, v: {} };
    const first = await step.run(state, feeds);
    let last = first;
    for (let i = 0; i < 20; i++) last = await step.run(state, feeds);
    expect(last.loss).toBeLessThan(first.loss * 0.9);
    expect(Array.from(state.params.s as Float32Array)).toEqual(Array.from(S0));
  });

  it('rejects feeds of the wrong shape with a message naming the feed', async () => {
    const step = await compileTrainStep(buildLoss, {
      trainable: specs,
      optimizer: { kind: 'sgd', lr: 0.1, weightDecay: 0 },
    });
    const state: TrainState = { step: 0, params: { w: W0.slice(), s: S0.slice() }, m: {}, v: {} };
    await expect(step.run(state, { x: f32(X, [8, 3]), y: f32(new Float32Array(8 * 3), [8, 3]) })).rejects.toThrow(
      /feed 'y'/,
    );
  });
});
