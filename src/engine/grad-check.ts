/**
 * Finite-difference gradient checking: compare the autodiff gradient of a scalar loss with central differences
 * (f(x + eps) - f(x - eps)) / 2 eps, element by element, both computed by the compiled float32 graph.
 *
 * float32 bounds what this can see: with a loss of order 1 and eps = 1e-2 the difference quotient carries ~1e-5 of
 * rounding noise plus O(eps^2) truncation, so the default tolerance is |analytic - numeric| <= atol + rtol * |numeric|
 * with atol 2e-3, rtol 2e-2. A wrong VJP (a missing term, a transposed product, a dropped broadcast sum) misses it by
 * far more.
 */
import { createRng } from '../core/index.ts';
import { gradients } from './autodiff.ts';
import { createGraph, type Graph, type Tensor } from './ir.ts';
import { asF32, compile, type HostTensor } from './session.ts';

export interface GradCheckInput {
  readonly shape: readonly (number | string)[];
  /** Values (row-major) for the run; `dims` binds symbolic dims. */
  readonly data: Float32Array | BigInt64Array;
  readonly dims: readonly number[];
  readonly dtype?: 'float32' | 'int64';
  /** Check this input's gradient (float inputs default to true). */
  readonly check?: boolean;
}

export interface GradCheckOptions {
  readonly eps?: number;
  readonly atol?: number;
  readonly rtol?: number;
  /** Check at most this many elements per input (chosen by a seeded draw); default all. */
  readonly maxElements?: number;
  readonly seed?: number;
}

export interface GradCheckReport {
  /** Worst |analytic - numeric| - (atol + rtol |numeric|) over checked elements; <= 0 means pass. */
  readonly worstExcess: number;
  readonly checked: number;
  readonly failures: readonly { input: string; index: number; analytic: number; numeric: number }[];
}

/** Check d loss / d input for every checked float input of `build`. */
export async function gradCheck(
  inputs: Readonly<Record<string, GradCheckInput>>,
  build: (g: Graph, x: Readonly<Record<string, Tensor>>) => Tensor,
  opts: GradCheckOptions = {},
): Promise<GradCheckReport> {
  const eps = opts.eps ?? 1e-2;
  const atol = opts.atol ?? 2e-3;
  const rtol = opts.rtol ?? 2e-2;
  const g = createGraph();
  const xs: Record<string, Tensor> = {};
  for (const [name, inp] of Object.entries(inputs)) xs[name] = g.input(name, inp.dtype ?? 'float32', inp.shape);
  const loss = build(g, xs);
  const names = Object.entries(inputs)
    .filter(([, v]) => (v.dtype ?? 'float32') === 'float32' && v.check !== false)
    .map(([k]) => k);
  const grads = gradients(
    loss,
    names.map((n) => xs[n] as Tensor),
  );
  const outputs: Record<string, Tensor> = { loss };
  names.forEach((n, i) => {
    outputs[`grad:${n}`] = grads[i] as Tensor;
  });
  const compiled = await compile(outputs, { intraOpThreads: 1 });
  const lossOnly = await compile({ loss }, { intraOpThreads: 1 });
  const feeds: Record<string, HostTensor> = {};
  for (const [name, inp] of Object.entries(inputs)) feeds[name] = { data: inp.data.slice(), dims: inp.dims };
  const base = await compiled.run(feeds);
  const rng = createRng(opts.seed ?? 0);
  const failures: { input: string; index: number; analytic: number; numeric: number }[] = [];
  let worst = Number.NEGATIVE_INFINITY;
  let checked = 0;
  const f = async () => asF32((await lossOnly.run(feeds)).loss, 'loss')[0];
  for (const name of names) {
    const analytic = asF32(base[`grad:${name}`], name);
    const data = (feeds[name] as HostTensor).data as Float32Array;
    let idx = [...data.keys()];
    if (opts.maxElements !== undefined && idx.length > opts.maxElements)
      idx = rng.shuffle(idx).slice(0, opts.maxElements);
    for (const i of idx) {
      const x0 = data[i];
      data[i] = x0 + eps;
      const up = await f();
      data[i] = x0 - eps;
      const down = await f();
      data[i] = x0;
      const numeric = (up - down) / (2 * eps);
      const a = analytic[i];
      const excess = Math.abs(a - numeric) - (atol + rtol * Math.abs(numeric));
      worst = Math.max(worst, excess);
      checked++;
      if (excess > 0) failures.push({ input: name, index: i, analytic: a, numeric });
    }
  }
  return { worstExcess: worst, checked, failures };
}
