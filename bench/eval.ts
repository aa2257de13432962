import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { MathVisionOutput, MathVisionRecord, readJsonlFile } from '../src/data/adapters/mathvision.ts';
import { readMathVistaFile } from '../src/data/adapters/mathvista.ts';
import { extractMathVision, mathVisionCorrect, mathVisionResult, scoreMathVista } from '../src/eval/index.ts';
import { hasSharedData, sharedDataSkipReason, sharedPath } from '../test/shared-data.ts';

/**
 * `npm run bench -- eval`: official scoring throughput on the benchmarks' stored outputs (goal: 3,040 MATH-V
 * responses in under 2 s, file reading included). The reference is plain JSON parsing of the same file in the same
 * run: `x_parse` says how many times a bare parse the whole scoring costs.
 */
function print(obj: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ bench: 'eval', ...obj })}\n`);
}

function seconds(t0: number): number {
  return (performance.now() - t0) / 1000;
}

export async function run(): Promise<void> {
  if (!hasSharedData) {
    print({ skipped: sharedDataSkipReason });
    return;
  }
  const dir = sharedPath('mathvision');
  const files = readdirSync(join(dir, 'outputs')).filter((f) => f.endsWith('.jsonl'));
  // Warm-up on one file (JIT), then each file timed end to end: read test.jsonl + outputs, extract, judge, result.
  const warm = await readJsonlFile(join(dir, 'outputs', files[0] as string), MathVisionOutput);
  for (const o of warm.slice(0, 300)) extractMathVision(o.response ?? '');
  const times: number[] = [];
  const parses: number[] = [];
  let rows = 0;
  for (const file of files) {
    const p0 = performance.now();
    await readJsonlFile(join(dir, 'outputs', file), MathVisionOutput);
    parses.push(seconds(p0));
    const t0 = performance.now();
    const test = await readJsonlFile(join(dir, 'test.jsonl'), MathVisionRecord);
    const byId = new Map(test.map((r) => [r.id, r]));
    const outputs = await readJsonlFile(join(dir, 'outputs', file), MathVisionOutput);
    const judged = outputs.map((o) => {
      const record = byId.get(o.id) as MathVisionRecord;
      return { record, correct: mathVisionCorrect(extractMathVision(o.response ?? ''), record) };
    });
    mathVisionResult(judged);
    times.push(seconds(t0));
    rows = outputs.length;
  }
  const worst = Math.max(...times);
  const mean = times.reduce((a, b) => a + b, 0) / times.length;
  const parseMean = parses.reduce((a, b) => a + b, 0) / parses.length;
  print({
    figure: 'mathvision_score_file',
    rows_per_file: rows,
    files: files.length,
    mean_s: Number(mean.toFixed(3)),
    worst_s: Number(worst.toFixed(3)),
    goal_s: 2,
    x_parse: Number((mean / parseMean).toFixed(1)),
  });

  const vista = readdirSync(sharedPath('mathvista', 'outputs')).filter((f) => f.startsWith('output_'));
  const t1 = performance.now();
  let vistaRows = 0;
  for (const file of vista) {
    const records = await readMathVistaFile(sharedPath('mathvista', 'outputs', file));
    await scoreMathVista(records, { integerRule: 'legacy', useStoredExtraction: true });
    vistaRows += records.length;
  }
  const vistaS = seconds(t1);
  print({
    figure: 'mathvista_score_files',
    rows: vistaRows,
    files: vista.length,
    total_s: Number(vistaS.toFixed(3)),
    rows_per_s: Math.round(vistaRows / vistaS),
  });
}
