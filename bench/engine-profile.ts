/**
 * `npm run bench -- engine-profile`: where the engine's time goes at torch_reference.py's shape. Runs the training
 * step and a sampling pass with ONNX Runtime's profiler on and prints, per graph, the time by op type (share of the
 * summed kernel time) and the slowest nodes, plus how much of each run's wall time is spent outside the kernels
 * (feeding, fetching, host work). Threads: VLTHINK_BENCH_THREADS (default 1).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchConfig as cfg, createVlmRuntime } from '../src/model/index.ts';
import { benchTrainStep } from './engine.ts';

const B = 32;
const T = 64;
const THREADS = Number(process.env.VLTHINK_BENCH_THREADS ?? 1);

interface ProfileEvent {
  readonly cat: string;
  readonly name: string;
  readonly dur: number;
  readonly args?: { op_name?: string };
}

/** Kernel time by op type and by node, in ms, from one ORT profile file (the warm-up run excluded by `skipRuns`). */
function summarize(file: string, skipRuns: number) {
  const events = JSON.parse(readFileSync(file, 'utf8')) as ProfileEvent[];
  const byOp = new Map<string, number>();
  const byNode = new Map<string, number>();
  let runs = 0;
  let runUs = 0;
  let kernelUs = 0;
  for (const e of events) {
    if (e.cat === 'Session' && e.name === 'model_run') {
      runs++;
      if (runs > skipRuns) runUs += e.dur;
      continue;
    }
    if (runs < skipRuns || e.cat !== 'Node' || !e.name.endsWith('_kernel_time')) continue;
    const op = e.args?.op_name ?? '?';
    byOp.set(op, (byOp.get(op) ?? 0) + e.dur);
    const node = e.name.replace(/_kernel_time$/, '');
    byNode.set(node, (byNode.get(node) ?? 0) + e.dur);
    kernelUs += e.dur;
  }
  const n = Math.max(1, runs - skipRuns);
  const top = (m: Map<string, number>, k: number) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, k)
      .map(([name, us]) => ({
        name,
        ms_per_run: Math.round(us / n / 10) / 100,
        share: Math.round((us / kernelUs) * 1000) / 10,
      }));
  return {
    runs: n,
    ms_per_run: Math.round(runUs / n / 10) / 100,
    kernel_ms_per_run: Math.round(kernelUs / n / 10) / 100,
    by_op: top(byOp, 14),
    top_nodes: top(byNode, 10),
  };
}

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'vlthink-profile-'));
  const cwd = process.cwd();
  process.chdir(dir); // ONNX Runtime writes its profile files into the working directory
  try {
    const session = { intraOpThreads: THREADS, profile: true };
    const { step, state, feeds, images } = await benchTrainStep(session);
    await step.run(state, feeds);
    const t0 = performance.now();
    const steps = 5;
    for (let i = 0; i < steps; i++) await step.run(state, feeds);
    const trainWall = (performance.now() - t0) / steps;
    await step.release();
    const trainFile = readdirSync(dir).find((f) => f.startsWith('onnxruntime_profile'));

    const rt = await createVlmRuntime(cfg, state.params, { session });
    const prompts = Array.from({ length: B }, () => [0]);
    await rt.sample({ images, prompts }, { maxTokens: 2, seed: 1 });
    const t1 = performance.now();
    await rt.sample({ images, prompts }, { maxTokens: T, seed: 2 });
    const sampleWall = performance.now() - t1;
    await rt.release();
    const files = readdirSync(dir).filter((f) => f.startsWith('onnxruntime_profile') && f !== trainFile);
    const out: Record<string, unknown> = { bench: 'engine-profile', threads: THREADS };
    if (trainFile)
      out.train = { wall_ms_per_step: Math.round(trainWall * 100) / 100, ...summarize(join(dir, trainFile), 1) };
    out.sample_wall_ms = Math.round(sampleWall);
    for (const f of files) {
      const s = summarize(join(dir, f), 0);
      out[`sample_graph_${s.runs > 10 ? 'decode' : 'prefill'}`] = s;
    }
    process.stdout.write(`${JSON.stringify(out, null, 1)}\n`);
  } finally {
    process.chdir(cwd);
    rmSync(dir, { recursive: true, force: true });
  }
}
