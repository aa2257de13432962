import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it, vi } from 'vitest';
import { createRng } from '../core/index.ts';
import {
  compileTrainStep,
  f32,
  type GradCheckInput,
  gradCheck,
  i64,
  neg,
  reduceMean,
  type Tensor,
  type TrainState,
} from '../engine/index.ts';
import {
  createVlmRuntime,
  createVlmWorkerRuntime,
  frozenSpecs,
  imageValues,
  inferenceOnnxBytes,
  initParams,
  loadCheckpoint,
  paramSpecs,
  pickRows,
  saveCheckpoint,
  tinyConfig,
  tokenLogprobs,
  trainableSpecs,
  type VlmConfig,
  vlmForward,
} from './index.ts';

const cfg: VlmConfig = tinyConfig(13, {
  dModel: 16,
  nLayers: 2,
  nHeads: 2,
  dFF: 32,
  imageSize: 8,
  patchSize: 4,
  maxTextLen: 12,
});
const B = 3;
const T = 6;
const rng = createRng(5);
const images = Float32Array.from({ length: B * imageValues(cfg) }, () => rng.next());
const rows = [...Array(B)].map(() => [1, ...[...Array(T)].map(() => 4 + rng.int(9))]);
const tokens = rows.flatMap((r) => r.slice(0, -1));
const targets = rows.flatMap((r) => r.slice(1));

function buildNll(g: import('../engine/index.ts').Graph, p: Readonly<Record<string, Tensor>>) {
  const img = g.input('images', 'float32', ['B', 3, 8, 8]);
  const tok = g.input('tokens', 'int64', ['B', 'T']);
  const tgt = g.input('targets', 'int64', ['B', 'T']);
  return { loss: neg(reduceMean(tokenLogprobs(vlmForward(cfg, p, img, tok).logits, tgt))) };
}

const feeds = () => ({ images: f32(images, [B, 3, 8, 8]), tokens: i64(tokens, [B, T]), targets: i64(targets, [B, T]) });

describe('tiny VLM', () => {
  it('has gradients that match finite differences for every parameter and the images (4 sampled elements each)', async () => {
    const params = initParams(tinyConfig(13, { ...cfg, initStd: 0.3 }), 1);
    const inputs: Record<string, GradCheckInput> = {
      images: { shape: ['B', 3, 8, 8], dims: [B, 3, 8, 8], data: images },
      tokens: { shape: ['B', 'T'], dims: [B, T], data: BigInt64Array.from(tokens.map(BigInt)), dtype: 'int64' },
      targets: { shape: ['B', 'T'], dims: [B, T], data: BigInt64Array.from(targets.map(BigInt)), dtype: 'int64' },
    };
    for (const s of paramSpecs(cfg))
      inputs[s.name] = { shape: s.shape, dims: s.shape, data: params[s.name] as Float32Array };
    const report = await gradCheck(
      inputs,
      (_g, x) => {
        const { logits } = vlmForward(cfg, x, x.images as Tensor, x.tokens as Tensor);
        return neg(reduceMean(tokenLogprobs(logits, x.targets as Tensor)));
      },
      { maxElements: 4, eps: 1e-2, atol: 1e-3, rtol: 3e-2, seed: 2 },
    );
    expect(report.checked).toBeGreaterThan(4 * paramSpecs(cfg).length);
    expect(report.failures).toEqual([]);
  });

  it('overfits one batch, changes parameters after a step, keeps a frozen vision part fixed', async () => {
    const step = await compileTrainStep(buildNll, {
      trainable: trainableSpecs(cfg, { freezeVision: true }),
      frozen: frozenSpecs(cfg, { freezeVision: true }),
      optimizer: { kind: 'adamw', lr: 1e-2, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 },
      maxGradNorm: 1,
    });
    const init = initParams(cfg, 0);
    const state: TrainState = { step: 0, params: { ...init }, m: {}, v: {} };
    const first = await step.run(state, feeds());
    expect(state.params['blocks.0.attn.qkv.w']).not.toEqual(init['blocks.0.attn.qkv.w']);
    expect(state.params['patch.w']).toBe(init['patch.w']);
    let last = first;
    for (let i = 0; i < 80; i++) last = await step.run(state, feeds());
    expect(Number.isFinite(last.loss)).toBe(true);
    expect(first.loss).toBeGreaterThan(2);
    expect(last.loss).toBeLessThan(0.1);
  });

  it('saves and loads a checkpoint with identical logits and optimizer state', async () => {
    const params = initParams(cfg, 3);
    const train: TrainState = {
      step: 7,
      params,
      m: { tok: new Float32Array(13 * 16).fill(0.5) },
      v: { tok: new Float32Array(13 * 16).fill(0.25) },
    };
    const dir = await mkdtemp(join(tmpdir(), 'vlthink-ckpt-'));
    await saveCheckpoint(dir, { config: cfg, params, train });
    const back = await loadCheckpoint(dir);
    expect(back.config).toEqual(cfg);
    expect(back.train?.step).toBe(7);
    expect(back.train?.m.tok).toEqual(train.m.tok);
    const a = await (await createVlmRuntime(cfg, params)).logits({ images, tokens: rows });
    const b = await (await createVlmRuntime(back.config, back.params)).logits({ images, tokens: rows });
    expect(Array.from(b.data as Float32Array)).toEqual(Array.from(a.data as Float32Array));
    await expect(loadCheckpoint(join(dir, 'nope'))).rejects.toThrow(/checkpoint config/);
  });

  it('resumes exactly from a checkpoint with optimizer state (3 steps == 2 steps, save, load, 1 step)', async () => {
    const opts = {
      trainable: paramSpecs(cfg),
      optimizer: { kind: 'adamw', lr: 5e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01 },
      maxGradNorm: 1,
    } as const;
    const step = await compileTrainStep(buildNll, opts);
    const straight: TrainState = { step: 0, params: initParams(cfg, 8), m: {}, v: {} };
    for (let i = 0; i < 3; i++) await step.run(straight, feeds());
    const resumed: TrainState = { step: 0, params: initParams(cfg, 8), m: {}, v: {} };
    for (let i = 0; i < 2; i++) await step.run(resumed, feeds());
    const dir = await mkdtemp(join(tmpdir(), 'vlthink-resume-'));
    await saveCheckpoint(dir, { config: cfg, params: resumed.params, train: resumed });
    const back = await loadCheckpoint(dir);
    const state = back.train as TrainState;
    expect(state.step).toBe(2);
    await step.run(state, feeds());
    for (const s of paramSpecs(cfg)) expect(state.params[s.name]).toEqual(straight.params[s.name]);
  });

  it('exports a standalone inference ONNX that gives the engine logits', async () => {
    const params = initParams(cfg, 4);
    const engine = await (await createVlmRuntime(cfg, params)).logits({ images, tokens: rows });
    const session = await ort.InferenceSession.create(inferenceOnnxBytes(cfg, params));
    const out = await session.run({
      images: new ort.Tensor('float32', images, [B, 3, 8, 8]),
      tokens: new ort.Tensor('int64', BigInt64Array.from(rows.flat().map(BigInt)), [B, T + 1]),
    });
    const logits = out.logits as ort.Tensor;
    expect(logits.dims).toEqual([B, T + 1, 13]);
    const a = engine.data as Float32Array;
    const b = logits.data as Float32Array;
    expect(Math.max(...Array.from(a, (x, i) => Math.abs(x - b[i])))).toBeLessThan(1e-5);
  });

  it('samples with a KV cache whose log-probs equal the full forward to 1e-4, reproducibly per seed', async () => {
    const rt = await createVlmRuntime(cfg, initParams(cfg, 6));
    const prompts = [[1, 5], [1, 6, 7, 8], [1]];
    const opts = { maxTokens: 7, seed: 11, stopToken: 2, temperature: 1.3, topP: 0.95 };
    const a = await rt.sample({ images, prompts }, opts);
    const again = await rt.sample({ images, prompts }, opts);
    const other = await rt.sample({ images, prompts }, { ...opts, seed: 12 });
    expect(again).toEqual(a);
    expect(other).not.toEqual(a);
    const full = await rt.logprobs({ images, tokens: prompts.map((p, b) => [...p, ...(a[b]?.tokens ?? [])]) });
    a.forEach((r, b) => {
      expect(r.tokens.length).toBeGreaterThan(0);
      expect(r.finishReason === 'stop' ? r.tokens.at(-1) === 2 : r.tokens.length === 7).toBe(true);
      const want = Array.from(full[b]).slice(prompts[b].length - 1);
      expect(want.length).toBe(r.logprobs.length);
      for (const [i, lp] of r.logprobs.entries()) expect(Math.abs(lp - want[i])).toBeLessThan(1e-4);
    });
    // At the sampling temperature: the same tokens (same seed), log-probs log softmax(logits / 1.3) of the full forward.
    const atT = await rt.sample({ images, prompts }, { ...opts, logprobTemperature: 1.3 });
    const lgT = await rt.logits({ images, tokens: prompts.map((p, b) => [...p, ...(a[b]?.tokens ?? [])]) }, 0);
    const V = 13;
    const Tmax = lgT.dims[1] as number;
    atT.forEach((r, b) => {
      expect(r.tokens).toEqual(a[b]?.tokens);
      const start = (prompts[b] as number[]).length - 1;
      r.logprobs.forEach((lp, i) => {
        const row = Array.from(
          (lgT.data as Float32Array).subarray((b * Tmax + start + i) * V, (b * Tmax + start + i + 1) * V),
          (x) => x / 1.3,
        );
        const max = Math.max(...row);
        const lse = max + Math.log(row.reduce((acc, x) => acc + Math.exp(x - max), 0));
        expect(Math.abs(lp - ((row[r.tokens[i] as number] as number) - lse))).toBeLessThan(1e-4);
      });
    });
    const greedy = await rt.sample({ images, prompts }, { maxTokens: 3, temperature: 0 });
    const lg = await rt.logits({ images, tokens: prompts.map((p) => p.slice(0, 1)) });
    const first = Array.from((lg.data as Float32Array).subarray(2 * 13, 3 * 13));
    expect(greedy[2]?.tokens[0]).toBe(first.indexOf(Math.max(...first)));
  });

  it("samples a group's rows (the same image and prompt) from one prefill row, as rows of their own are sampled", async () => {
    const rt = await createVlmRuntime(cfg, initParams(cfg, 6));
    const n = imageValues(cfg);
    const two = images.subarray(0, 2 * n);
    const prompts = [
      [1, 5, 6],
      [1, 7],
    ];
    const own = await rt.sample({ images: two, prompts }, { maxTokens: 6, temperature: 0 });
    // Four rows, two per prompt: greedy gives each copy its prompt's own continuation, log-probs to float rounding.
    const group = await rt.sample(
      {
        images: pickRows(two, [0, 0, 1, 1], n),
        prompts: [prompts[0], prompts[0], prompts[1], prompts[1]] as number[][],
      },
      { maxTokens: 6, temperature: 0 },
    );
    group.forEach((r, b) => {
      const want = own[b >> 1];
      expect(r.tokens).toEqual(want?.tokens);
      for (const [i, lp] of r.logprobs.entries())
        expect(Math.abs(lp - (want?.logprobs[i] as number))).toBeLessThan(1e-5);
    });
    await rt.release();
  });

  it('runs in a worker thread with the same results as in-process, keeping the event loop free', async () => {
    const params = initParams(cfg, 6);
    const local = await createVlmRuntime(cfg, params);
    const remote = await createVlmWorkerRuntime(cfg, params);
    try {
      const prompts = [
        [1, 5],
        [1, 6, 7],
      ];
      const two = images.subarray(0, 2 * imageValues(cfg));
      // ONNX Runtime runs on this thread only for the in-process runtime: the worker has its own copy of the binding,
      // so a spy on this thread's InferenceSession sees none of the worker's runs.
      // (The binding's typings describe InferenceSession as a factory; at run time it is the class.)
      const sessionClass = ort.InferenceSession as unknown as { prototype: ort.InferenceSession };
      const runs = vi.spyOn(sessionClass.prototype, 'run');
      try {
        const got = await remote.sample({ images: two, prompts }, { maxTokens: 5, seed: 3 });
        expect(runs).not.toHaveBeenCalled();
        expect(got).toEqual(await local.sample({ images: two, prompts }, { maxTokens: 5, seed: 3 }));
        expect(runs).toHaveBeenCalled();
      } finally {
        runs.mockRestore();
      }
      await expect(
        remote.logprobs({
          images: two,
          tokens: [
            [1, 99],
            [1, 2],
          ],
        }),
      ).rejects.toThrow(/token id 99/);
    } finally {
      await remote.release();
    }
  });

  it('rejects malformed batches with clear errors', async () => {
    const rt = await createVlmRuntime(cfg, initParams(cfg, 6));
    await expect(rt.sample({ images: new Float32Array(5), prompts: [[1]] })).rejects.toThrow(/images hold 5 floats/);
    await expect(rt.logprobs({ images: images.subarray(0, imageValues(cfg)), tokens: [[1, 99]] })).rejects.toThrow(
      /token id 99/,
    );
    await expect(rt.sample({ images: images.subarray(0, imageValues(cfg)), prompts: [[]] })).rejects.toThrow(
      /at least one token/,
    );
  });
});
