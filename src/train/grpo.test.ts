import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tokenizerFor, worldSplit } from '../../test/learning-fixture.ts';
import { createRng } from '../core/index.ts';
import { readJsonlAll } from '../data/index.ts';
import { policyPromptText } from '../data/problem-text.ts';
import { Problem } from '../data/types.ts';
import { asF32, compile, createGraph, f32, gradients, i64, type Tensor } from '../engine/index.ts';
import { initParams, loadCheckpoint, paramSpecs, saveCheckpoint, tinyConfig, vlmForward } from '../model/index.ts';
import { parseGrpoConfig } from './config.ts';
import { grpoLoss, targetLogProbs } from './graph-losses.ts';
import { runGrpo } from './grpo.ts';
import { encodeProblems } from './policy-io.ts';
import { aggregationWeights } from './policy-loss.ts';

describe('the whole GRPO loss through the engine', () => {
  it('has the gradient that finite differences give', async () => {
    const cfg = tinyConfig(16, {
      dModel: 16,
      nLayers: 1,
      nHeads: 2,
      dFF: 32,
      maxTextLen: 8,
      imageSize: 8,
      patchSize: 4,
    });
    const params = initParams(cfg, 4);
    for (const k of Object.keys(params)) {
      if (!k.includes('ln')) params[k] = (params[k] as Float32Array).map((v) => v * 20); // gradients well above fp32 noise
    }
    const g = createGraph();
    const p: Record<string, Tensor> = {};
    for (const s of paramSpecs(cfg)) p[s.name] = g.input(s.name, 'float32', s.shape);
    const bt = ['B', 'T'] as const;
    const { logits } = vlmForward(cfg, p, g.input('images', 'float32', ['B', 3, 8, 8]), g.input('ids', 'int64', bt));
    const { logp } = targetLogProbs(logits, g.input('targets', 'int64', bt));
    const out = grpoLoss(
      {
        logp,
        oldLogp: g.input('old', 'float32', bt),
        refLogp: g.input('ref', 'float32', bt),
        advantages: g.input('adv', 'float32', bt),
        weights: g.input('w', 'float32', bt),
        mask: g.input('mask', 'float32', bt),
      },
      { clipLow: 0.2, clipHigh: 0.3, dualClip: 3, kl: 'low_var_kl', klCoef: 0.5 },
    );
    const names = ['patch.w', 'tok', 'blocks.0.attn.qkv.w', 'blocks.0.mlp.fc1.w', 'head.w'];
    const grads = gradients(
      out.loss,
      names.map((n) => p[n] as Tensor),
    );
    const outputs: Record<string, Tensor> = { loss: out.loss, logp };
    names.forEach((n, i) => {
      outputs[`g:${n}`] = grads[i] as Tensor;
    });
    const graph = await compile(outputs, { intraOpThreads: 1 });

    const rng = createRng(11);
    const B = 2;
    const T = 4;
    const images = new Float32Array(B * 3 * 64).map(() => rng.next());
    const ids = [1, 5, 6, 7, 1, 8, 9, 10];
    const targets = [5, 6, 7, 2, 8, 9, 10, 2];
    const mask = Float32Array.from([0, 1, 1, 1, 0, 1, 1, 0]);
    const w = aggregationWeights([3, 2], 'token-mean');
    const weights = mask.map((m, i) => m * (w[Math.floor(i / T)] as number));
    const adv = Float32Array.from([0, 1.1, 1.1, 1.1, 0, -0.9, -0.9, 0]);
    const feeds = (ps: Record<string, Float32Array>, old: Float32Array, ref: Float32Array) => {
      const f: Record<string, ReturnType<typeof f32>> = {
        images: f32(images, [B, 3, 8, 8]),
        ids: i64(ids, [B, T]),
        targets: i64(targets, [B, T]),
        old: f32(old, [B, T]),
        ref: f32(ref, [B, T]),
        adv: f32(adv, [B, T]),
        w: f32(weights, [B, T]),
        mask: f32(mask, [B, T]),
      };
      for (const s of paramSpecs(cfg)) f[s.name] = f32(ps[s.name] as Float32Array, s.shape);
      return f;
    };
    // old/ref log-probs near the current ones: ratios inside and outside the clip range, KL non-zero
    const now = asF32((await graph.run(feeds(params, new Float32Array(B * T), new Float32Array(B * T)))).logp, 'logp');
    const shifts = [0, 0.05, -0.6, 0.1, 0, 0.7, -0.05, 0];
    const old = now.map((v, i) => v + (shifts[i] as number));
    const ref = now.map((v, i) => v - 0.3 + 0.1 * i);
    const base = await graph.run(feeds(params, old, ref));
    const lossAt = async (ps: Record<string, Float32Array>) =>
      asF32((await graph.run(feeds(ps, old, ref))).loss, 'loss')[0] as number;
    let checked = 0;
    for (const n of names) {
      const ga = asF32(base[`g:${n}`], n);
      // the coordinates with the largest gradients (clearly above float32 finite-difference noise)
      const order = [...ga.keys()].sort((a, b) => Math.abs(ga[b] as number) - Math.abs(ga[a] as number)).slice(0, 3);
      for (const i of order) {
        const h = 2e-3;
        const up = { ...params, [n]: (params[n] as Float32Array).slice() };
        const dn = { ...params, [n]: (params[n] as Float32Array).slice() };
        (up[n] as Float32Array)[i] += h;
        (dn[n] as Float32Array)[i] -= h;
        const fd = ((await lossAt(up)) - (await lossAt(dn))) / (2 * h);
        expect(Math.abs(fd - (ga[i] as number))).toBeLessThan(0.03 * Math.abs(fd) + 2e-3);
        checked++;
      }
    }
    expect(checked).toBe(15);
  });
});

describe('GRPO checkpoints', () => {
  let dir = '';
  let init: { readonly path: string };
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vlthink-grpo-'));
    const rl = await worldSplit(dir, { family: 'clock', split: 'rl', n: 12, seed: 5, imageSize: 32, tiers: ['easy'] });
    const tok = tokenizerFor([rl]);
    const cfg = tinyConfig(tok.size, { dModel: 32, nLayers: 1, nHeads: 2, dFF: 64, maxTextLen: 80 });
    await saveCheckpoint(join(dir, 'init'), { config: cfg, params: initParams(cfg, 2), tokenizer: tok });
    init = { path: join(dir, 'init') };
    await writeFile(join(dir, 'rl.jsonl'), rl.problems.map((p) => JSON.stringify(p)).join('\n'));
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** GRPO from the init checkpoint on the 12 problems, a few small steps; the metrics of each step. */
  async function grpoMetrics(
    overrides: Record<string, unknown>,
    score: (text: string, i: number) => number,
    totalSteps = 2,
  ): Promise<Record<string, number | string>[]> {
    const ck = await loadCheckpoint(init.path);
    const policy = {
      config: ck.config,
      params: ck.params,
      tokenizer: ck.tokenizer as NonNullable<typeof ck.tokenizer>,
    };
    const { records } = await readJsonlAll(join(dir, 'rl.jsonl'), Problem);
    const problems = await encodeProblems(records, policy, dir, policyPromptText);
    const metrics: Record<string, number | string>[] = [];
    const res = await runGrpo({
      config: parseGrpoConfig({
        rolloutBatchSize: 4,
        groupSize: 3,
        miniBatchSize: 2,
        maxResponseTokens: 8,
        ...overrides,
      }),
      policy,
      problems,
      totalSteps,
      freezeVision: false,
      threads: 1,
      score: (text, i) => ({ score: score(text, i), correct: false, formatOk: false }),
      onStep: (m) => {
        metrics.push(m);
      },
    });
    expect(res.progress.step).toBe(totalSteps);
    return metrics;
  }

  it('with DAPO dynamic sampling updates only on groups whose rewards differ, and the overlong penalty lowers rewards', async () => {
    // Problems 0 and 1 are scored by the text (their groups differ); every other problem always gets 1.
    // The scorer's rewards, in call order: 4 groups of 3 completions a step. Each step must keep exactly the groups whose
    // rewards differ (and here problems 0 and 1 make at least one such group likely, problems >= 2 never).
    const rewards: number[] = [];
    const dynamic = await grpoMetrics({ dynamicSampling: true }, (text, i) => {
      const r = i < 2 ? text.length % 2 : 1;
      rewards.push(r);
      return r;
    });
    expect(rewards).toHaveLength(dynamic.length * 12);
    dynamic.forEach((m, s) => {
      const step = rewards.slice(s * 12, (s + 1) * 12);
      const differing = [0, 1, 2, 3].filter((g) => new Set(step.slice(g * 3, g * 3 + 3)).size > 1).length;
      expect(m.kept_groups).toBe(differing);
    });
    expect(dynamic.some((m) => (m.kept_groups as number) > 0)).toBe(true);
    const plain = await grpoMetrics({}, (text, i) => (i < 2 ? text.length % 2 : 1));
    for (const m of plain) expect(m.kept_groups).toBe(4);
    // A constant reward of 1, minus the overlong penalty that starts at 0 tokens: below 1 on average.
    const overlong = await grpoMetrics({ overlongBuffer: 8 }, () => 1);
    for (const m of overlong) expect(m.reward_mean as number).toBeLessThan(1);
  });

  it('scores the reference at the rollout temperature: KL is zero while the policy is still the reference', async () => {
    for (const temperature of [0.6, 1]) {
      const [first] = await grpoMetrics({ miniBatchSize: 4, temperature }, (text) => text.length % 2, 1);
      // The first update's loss is computed before the parameters move: policy == reference, so every token's KL is 0.
      expect(Math.abs(first?.kl as number)).toBeLessThan(1e-5);
    }
  });
});
