import { describe, expect, it } from 'vitest';
import { createRng } from '../core/index.ts';
import { gradients } from '../engine/autodiff.ts';
import { createGraph } from '../engine/ir.ts';
import { asF32, compile, f32, i64 } from '../engine/session.ts';
import { type GrpoLossOptions, grpoLoss, sftLoss, targetLogProbs, tokenEntropy } from './graph-losses.ts';
import { aggregationWeights, grpoTokenLoss, klPenalty, type LossAggregation } from './policy-loss.ts';

const B = 3;
const T = 4;
const lengths = [4, 2, 3];

/** A batch of per-token values with every branch of the loss represented (clipped, dual-clipped, KL). */
function fixture(seed: number) {
  const rng = createRng(seed);
  const n = B * T;
  const logp = new Float32Array(n);
  const oldLogp = new Float32Array(n);
  const refLogp = new Float32Array(n);
  const adv = new Float32Array(n);
  const mask = new Float32Array(n);
  for (let b = 0; b < B; b++) {
    const a = [1.2, -0.7, -1.5][b] as number;
    for (let t = 0; t < T; t++) {
      const i = b * T + t;
      logp[i] = -0.2 - 2 * rng.next();
      oldLogp[i] = logp[i] + (rng.next() - 0.5) * 1.6; // ratios roughly 0.45 .. 2.2
      refLogp[i] = logp[i] + (rng.next() - 0.5);
      adv[i] = a;
      mask[i] = t < (lengths[b] as number) ? 1 : 0;
    }
  }
  oldLogp[B * T - 4] = (logp[B * T - 4] as number) - 1.5; // ratio e^1.5 = 4.48 with A = -1.5: dual clip
  return { logp, oldLogp, refLogp, adv, mask };
}

function weightsFor(mode: LossAggregation, mask: Float32Array): Float32Array {
  const w = aggregationWeights(lengths, mode);
  return mask.map((m, i) => m * (w[Math.floor(i / T)] as number));
}

/** The plain-number loss in float64, as policy-loss.ts defines it. */
function reference(
  x: ReturnType<typeof fixture>,
  logp: ArrayLike<number>,
  w: Float32Array,
  o: GrpoLossOptions,
): number {
  let loss = 0;
  for (let i = 0; i < B * T; i++) {
    if (w[i] === 0) continue;
    const tok = {
      logp: logp[i] as number,
      oldLogp: x.oldLogp[i] as number,
      refLogp: x.refLogp[i] as number,
      advantage: x.adv[i] as number,
    };
    loss += (w[i] as number) * grpoTokenLoss(tok, o);
  }
  return loss;
}

async function build(o: GrpoLossOptions) {
  const g = createGraph();
  const t = {
    logp: g.input('logp', 'float32', ['B', 'T']),
    oldLogp: g.input('old_logp', 'float32', ['B', 'T']),
    refLogp: g.input('ref_logp', 'float32', ['B', 'T']),
    advantages: g.input('adv', 'float32', ['B', 'T']),
    weights: g.input('weights', 'float32', ['B', 'T']),
    mask: g.input('mask', 'float32', ['B', 'T']),
  };
  const out = grpoLoss(t, o);
  const [grad] = gradients(out.loss, [t.logp]);
  if (!grad) throw new Error('no gradient');
  return compile({ loss: out.loss, grad, clipped: out.clippedTokens, kl: out.klSum });
}

const options: GrpoLossOptions = { clipLow: 0.2, clipHigh: 0.3, dualClip: 3, kl: 'low_var_kl', klCoef: 0.01 };

describe('graph GRPO loss', () => {
  it.each(['token-mean', 'seq-mean-token-mean', 'seq-mean-token-sum'] as const)(
    'matches the plain-number loss and its finite-difference gradient (%s)',
    async (mode) => {
      const x = fixture(7);
      const w = weightsFor(mode, x.mask);
      const graph = await build(options);
      const dims = [B, T];
      const res = await graph.run({
        logp: f32(x.logp, dims),
        old_logp: f32(x.oldLogp, dims),
        ref_logp: f32(x.refLogp, dims),
        adv: f32(x.adv, dims),
        weights: f32(w, dims),
        mask: f32(x.mask, dims),
      });
      const want = reference(x, x.logp, w, options);
      expect(asF32(res.loss, 'loss')[0]).toBeCloseTo(want, 6);
      const grad = asF32(res.grad, 'grad');
      const h = 1e-4;
      for (let i = 0; i < B * T; i++) {
        const up = Float64Array.from(x.logp);
        const down = Float64Array.from(x.logp);
        up[i] = (up[i] as number) + h;
        down[i] = (down[i] as number) - h;
        const fd = (reference(x, up, w, options) - reference(x, down, w, options)) / (2 * h);
        expect(grad[i]).toBeCloseTo(fd, 4);
      }
      // statistics: clipped tokens counted on the mask, KL summed on the mask
      let clippedTokens = 0;
      let klSum = 0;
      for (let i = 0; i < B * T; i++) {
        if (x.mask[i] === 0) continue;
        const r = Math.exp((x.logp[i] as number) - (x.oldLogp[i] as number));
        const a = x.adv[i] as number;
        if (-a * Math.min(1.3, Math.max(0.8, r)) > -a * r) clippedTokens++;
        klSum += klPenalty(x.logp[i] as number, x.refLogp[i] as number, 'low_var_kl');
      }
      expect(asF32(res.clipped, 'clipped')[0]).toBe(clippedTokens);
      expect(clippedTokens).toBeGreaterThan(0);
      expect(asF32(res.kl, 'kl')[0]).toBeCloseTo(klSum, 5);
    },
  );
});

describe('graph GRPO loss options', () => {
  it.each([
    { kl: 'off', klCoef: 0.5 },
    { kl: 'k1', klCoef: 0.05 },
    { kl: 'low_var_kl', klCoef: 0 },
  ] as const)('matches the plain-number loss and KL sum with kl $kl, klCoef $klCoef', async (kl) => {
    const o: GrpoLossOptions = { ...options, ...kl };
    const x = fixture(11);
    const w = weightsFor('token-mean', x.mask);
    const dims = [B, T];
    const res = await (await build(o)).run({
      logp: f32(x.logp, dims),
      old_logp: f32(x.oldLogp, dims),
      ref_logp: f32(x.refLogp, dims),
      adv: f32(x.adv, dims),
      weights: f32(w, dims),
      mask: f32(x.mask, dims),
    });
    expect(asF32(res.loss, 'loss')[0]).toBeCloseTo(reference(x, x.logp, w, o), 6);
    let klSum = 0;
    for (let i = 0; i < B * T; i++) {
      if (x.mask[i] !== 0) klSum += klPenalty(x.logp[i] as number, x.refLogp[i] as number, o.kl);
    }
    expect(asF32(res.kl, 'kl')[0]).toBeCloseTo(klSum, 5);
    if (o.kl !== 'off') expect(Math.abs(klSum)).toBeGreaterThan(1e-3);
  });
});

describe('graph token losses', () => {
  it('log-probs of the targets at a temperature, their entropy and the SFT loss match plain numbers', async () => {
    const V = 3;
    const logits = [0.5, -1, 2, 1, 1, 0, -2, 0.3, 0.7, 3, -0.5, 0.1];
    const targets = [2, 0, 1, 1];
    const weights = [0.5, 0.25, 0, 0.25];
    for (const temperature of [1, 0.5]) {
      const g = createGraph();
      const lt = g.input('logits', 'float32', [2, 2, V]);
      const tt = g.input('targets', 'int64', [2, 2]);
      const wt = g.input('weights', 'float32', [2, 2]);
      const { logp, logProbs } = targetLogProbs(lt, tt, temperature);
      const graph = await compile({ logp, entropy: tokenEntropy(logProbs), sft: sftLoss(logp, wt) });
      const res = await graph.run({
        logits: f32(logits, [2, 2, V]),
        targets: i64(targets, [2, 2]),
        weights: f32(weights, [2, 2]),
      });
      const wantLogp: number[] = [];
      const wantEntropy: number[] = [];
      for (let i = 0; i < 4; i++) {
        const z = logits.slice(i * V, i * V + V).map((v) => v / temperature);
        const lse = Math.log(z.reduce((a, v) => a + Math.exp(v), 0));
        const lp = z.map((v) => v - lse);
        wantLogp.push(lp[targets[i] as number] as number);
        wantEntropy.push(-lp.reduce((a, v) => a + Math.exp(v) * v, 0));
      }
      const gotLogp = asF32(res.logp, 'logp');
      const gotEntropy = asF32(res.entropy, 'entropy');
      for (let i = 0; i < 4; i++) {
        expect(gotLogp[i]).toBeCloseTo(wantLogp[i] as number, 5);
        expect(gotEntropy[i]).toBeCloseTo(wantEntropy[i] as number, 5);
      }
      const sft = -wantLogp.reduce((a, v, i) => a + v * (weights[i] as number), 0);
      expect(asF32(res.sft, 'sft')[0]).toBeCloseTo(sft, 5);
    }
  });
});
