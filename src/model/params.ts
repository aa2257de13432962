/**
 * Parameter names, shapes and initialisation. Names follow the module path ('blocks.0.attn.qkv.w'); weights are
 * stored [in, out] so that `x @ w` needs no transpose. `patch.*` is the vision part (frozen in RL if wanted).
 */
import { createRng } from '../core/index.ts';
import type { ParamSpec } from '../engine/index.ts';
import { maxSeq, patchDim, type VlmConfig } from './config.ts';

export type Params = Record<string, Float32Array>;

/** Every parameter in a fixed order. `decay` is off for biases, LayerNorm and position/token tables' 1-D kin. */
export function paramSpecs(c: VlmConfig): ParamSpec[] {
  const D = c.dModel;
  const specs: ParamSpec[] = [
    { name: 'patch.w', shape: [patchDim(c), D] },
    { name: 'patch.b', shape: [D], decay: false },
    { name: 'tok', shape: [c.vocabSize, D] },
    { name: 'pos', shape: [maxSeq(c), D] },
  ];
  for (let i = 0; i < c.nLayers; i++) {
    const b = `blocks.${i}`;
    specs.push(
      { name: `${b}.ln1.g`, shape: [D], decay: false },
      { name: `${b}.ln1.b`, shape: [D], decay: false },
      { name: `${b}.attn.qkv.w`, shape: [D, 3 * D] },
      { name: `${b}.attn.qkv.b`, shape: [3 * D], decay: false },
      { name: `${b}.attn.proj.w`, shape: [D, D] },
      { name: `${b}.attn.proj.b`, shape: [D], decay: false },
      { name: `${b}.ln2.g`, shape: [D], decay: false },
      { name: `${b}.ln2.b`, shape: [D], decay: false },
      { name: `${b}.mlp.fc1.w`, shape: [D, c.dFF] },
      { name: `${b}.mlp.fc1.b`, shape: [c.dFF], decay: false },
      { name: `${b}.mlp.fc2.w`, shape: [c.dFF, D] },
      { name: `${b}.mlp.fc2.b`, shape: [D], decay: false },
    );
  }
  specs.push(
    { name: 'lnf.g', shape: [D], decay: false },
    { name: 'lnf.b', shape: [D], decay: false },
    { name: 'head.w', shape: [D, c.vocabSize] },
  );
  return specs;
}

/** The vision part: the patch embedding. */
export const isVisionParam = (name: string): boolean => name.startsWith('patch.');

/** Specs of the parameters that train when the vision part is frozen (or all of them). */
export function trainableSpecs(c: VlmConfig, opts: { freezeVision?: boolean } = {}): ParamSpec[] {
  return paramSpecs(c).filter((s) => !(opts.freezeVision && isVisionParam(s.name)));
}

/** Specs of the parameters fed in but not updated: the vision part when frozen, else none. */
export function frozenSpecs(c: VlmConfig, opts: { freezeVision?: boolean } = {}): ParamSpec[] {
  return opts.freezeVision ? paramSpecs(c).filter((s) => isVisionParam(s.name)) : [];
}

/**
 * Seeded init (GPT-2 style): weights ~ N(0, initStd), residual output projections scaled by 1/sqrt(2 * nLayers),
 * biases 0, LayerNorm gains 1.
 */
export function initParams(c: VlmConfig, seed: number): Params {
  const rng = createRng(seed);
  const out: Params = {};
  for (const s of paramSpecs(c)) {
    const size = s.shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(size);
    const last = s.name.split('.').pop();
    if (last === 'g') data.fill(1);
    else if (s.shape.length === 2) {
      const r = rng.fork(s.name);
      const residual = s.name.endsWith('attn.proj.w') || s.name.endsWith('mlp.fc2.w');
      const std = residual ? c.initStd / Math.sqrt(2 * c.nLayers) : c.initStd;
      for (let i = 0; i < size; i++) data[i] = r.normal() * std;
    }
    out[s.name] = data;
  }
  return out;
}

export const countParams = (c: VlmConfig): number =>
  paramSpecs(c).reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1), 0);
