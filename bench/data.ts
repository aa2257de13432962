import { createRng } from '../src/core/index.ts';
import { drawScene, iterateDataset, readCaption, renderPixels, renderScene, type Scene } from '../src/world/index.ts';

/**
 * `npm run bench -- data`: synthetic-world throughput on one core (Node's main thread; zlib runs there too).
 * - problems/s: generate + caption + render + PNG encode, at 64 px (goal: >= 2,000/s);
 * - the same with skia's own PNG encoder (the reference), as a ratio: what the world's RGB PNG framing buys;
 * - renderPixels/s (training's path, no PNG) and caption-reader traces/s.
 */

const SIZE = 64;
const N = 3000;

/** Seconds of this process's CPU time (user + system) that `fn` took: on a shared, loaded machine this is the honest
 * one-core figure (wall time there also counts the time other processes held the core). */
function timeIt(fn: () => void): number {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  fn();
  const c = process.cpuUsage(c0);
  wall += (performance.now() - t0) / 1000;
  return (c.user + c.system) / 1e6;
}
let wall = 0;

export async function run(): Promise<void> {
  // warm up (JIT, canvas creation)
  for (const r of iterateDataset({ n: 200, seed: 99, imageSize: SIZE })) void r;

  let scenes: Scene[] = [];
  wall = 0;
  const full = timeIt(() => {
    scenes = [];
    for (const r of iterateDataset({ n: N, seed: 1, imageSize: SIZE, noise: 0.1 })) scenes.push(r.scene);
  });
  const fullWall = wall;
  const render = timeIt(() => {
    for (const s of scenes) renderScene(s, SIZE);
  });
  const pixels = timeIt(() => {
    for (const s of scenes) renderPixels(s, SIZE);
  });
  // reference: the same drawing encoded by skia's own PNG encoder (RGBA, its default settings)
  const reference = timeIt(() => {
    for (const s of scenes) drawScene(s, SIZE).encodeSync('png');
  });
  const drawOnly = timeIt(() => {
    for (const s of scenes) drawScene(s, SIZE);
  });
  const pngOnly = render - drawOnly;
  const referencePngOnly = reference - drawOnly;

  const records = Array.from(iterateDataset({ n: 1000, seed: 2, imageSize: 16 }));
  const reader = timeIt(() => {
    records.forEach(({ problem }, i) => {
      readCaption(problem.caption ?? '', problem.question, problem.choices, createRng(i));
    });
  });

  const line = {
    bench: 'data',
    imageSize: SIZE,
    problems: N,
    problemsPerCpuSecond: Math.round(N / full),
    problemsPerWallSecond: Math.round(N / fullWall),
    goalProblemsPerSecond: 2000,
    renderPngPerSecond: Math.round(N / render),
    renderPixelsPerSecond: Math.round(N / pixels),
    pngEncodeSpeedupVsSkiaEncoder: Number((referencePngOnly / Math.max(pngOnly, 1e-9)).toFixed(2)),
    readerTracesPerSecond: Math.round(records.length / reader),
  };
  process.stdout.write(`${JSON.stringify(line)}\n`);
}
