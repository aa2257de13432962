import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { gradeAnswer, type VerifyOptions, verifyAnswer } from '../src/verify/index.ts';
import { type MathVerifyCase, mathVerifyOptions, readMathVerifyCases } from '../test/math-verify-cases.ts';
import { hasSharedData, sharedDataDir, sharedDataSkipReason, sharedPath } from '../test/shared-data.ts';

/**
 * `npm run bench -- verify`: speed of the general verifier on mixes drawn from the verifier case files (the shared
 * data's `verifier/` folder, found through VLTHINK_SHARED_DATA as the tests find it), on one core (this process):
 *   - numeric and choice answers: verifications/s (goal >= 20,000/s);
 *   - LaTeX expressions (Math-Verify cases whose gold is not a plain number, plus latex2sympy parse cases verified
 *     against themselves): per-verification latency p50/p99/max (goal p99 < 5 ms).
 * Reference in the same run, where python3 with SymPy is installed: SymPy's `simplify(a - b) == 0` on the values we
 * extracted for the numeric/choice mix — the core step of Math-Verify (which adds LaTeX parsing on top), so its rate
 * is an upper bound for Math-Verify's. For scale, the issue quotes Math-Verify at 65-115 answers/s, p99 65-240 ms.
 */
interface Item {
  readonly gold: string;
  readonly prediction: string;
  readonly opts: VerifyOptions;
}

const THROUGHPUT_SECONDS = 2;
const LATENCY_PASSES = 5;

function print(obj: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ bench: 'verify', ...obj })}\n`);
}

function isNumericOrChoice(c: MathVerifyCase): boolean {
  if (c.config.extraction.includes('NativeLetters')) return true;
  const g = c.parsed_gold?.[0] ?? '';
  return /^-?\d+(?:\.\d+)?$/.test(g) || /^-?\d+\/\d+$/.test(g) || /^\d+\*\(1\/100\)$/.test(g);
}

/** Verifications per wall-second and per CPU-second of this process (the box's cores may be shared). */
function throughput(items: readonly Item[]): { perSecond: number; perCpuSecond: number; n: number } {
  let n = 0;
  const cpu0 = process.cpuUsage();
  const started = performance.now();
  const until = started + THROUGHPUT_SECONDS * 1000;
  while (performance.now() < until) {
    for (const it of items) verifyAnswer(it.gold, it.prediction, it.opts);
    n += items.length;
  }
  const cpu = process.cpuUsage(cpu0);
  return {
    perSecond: n / ((performance.now() - started) / 1000),
    perCpuSecond: n / ((cpu.user + cpu.system) / 1e6),
    n,
  };
}

function latencies(items: readonly Item[]): number[] {
  const out: number[] = [];
  for (let pass = 0; pass < LATENCY_PASSES; pass++) {
    for (const it of items) {
      const t0 = performance.now();
      verifyAnswer(it.gold, it.prediction, it.opts);
      out.push(performance.now() - t0);
    }
  }
  return out.sort((a, b) => a - b);
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/** SymPy simplify(a - b) == 0 per pair, timed inside Python; null when python3/SymPy are not available. */
function sympyReference(pairs: readonly [string, string][]): { perSecond: number; n: number } | null {
  const script = [
    'import sys, json, time',
    'import sympy',
    'pairs = json.load(sys.stdin)',
    't = time.perf_counter(); n = 0',
    'while time.perf_counter() - t < 3:',
    '    for a, b in pairs:',
    '        try: sympy.simplify(sympy.sympify(a) - sympy.sympify(b)) == 0',
    '        except Exception: pass',
    '        n += 1',
    'print(json.dumps({"n": n, "s": time.perf_counter() - t}))',
  ].join('\n');
  const r = spawnSync('python3', ['-c', script], { input: JSON.stringify(pairs), encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0 || !r.stdout) return null;
  const { n, s } = JSON.parse(r.stdout) as { n: number; s: number };
  return { perSecond: n / s, n };
}

export async function run(): Promise<void> {
  if (!hasSharedData) {
    print({ skipped: sharedDataSkipReason });
    return;
  }
  const mv = { cases: readMathVerifyCases() };
  const l2s = JSON.parse(readFileSync(sharedPath('verifier', 'latex2sympy_parse_cases.json'), 'utf8')) as {
    parse_cases: { latex: string; expect_error: boolean }[];
  };

  const numeric: Item[] = mv.cases.filter(isNumericOrChoice).map((c) => ({ ...c, opts: mathVerifyOptions(c) }));
  const latex: Item[] = [
    ...mv.cases.filter((c) => !isNumericOrChoice(c)).map((c) => ({ ...c, opts: mathVerifyOptions(c) })),
    ...l2s.parse_cases
      .filter((c) => !c.expect_error)
      .map((c) => ({ gold: `$${c.latex}$`, prediction: `The answer is $${c.latex}$.`, opts: {} })),
  ];

  // warm up the JIT on both mixes
  for (let k = 0; k < 3; k++) for (const it of [...numeric, ...latex]) verifyAnswer(it.gold, it.prediction, it.opts);

  const num = throughput(numeric);
  const ref = sympyReference(
    numeric
      .map((it) => [it.gold, verifyAnswer(it.gold, it.prediction, it.opts).extracted ?? ''] as [string, string])
      .filter(([g, p]) => /^[-\d./*()% ]+$/.test(g) && p !== ''),
  );
  const gradeStarted = performance.now();
  let graded = 0;
  while (performance.now() - gradeStarted < 1000) {
    for (const it of numeric) gradeAnswer(it.gold, it.prediction.slice(-200));
    graded += numeric.length;
  }
  print({
    figure: 'numeric and choice answers, verifications/s on one core (goal >= 20,000)',
    data: sharedDataDir,
    mix: `${numeric.length} Math-Verify cases (numbers, fractions, percentages, choice letters; full model outputs)`,
    verifications_per_s: Math.round(num.perSecond),
    verifications_per_cpu_s: Math.round(num.perCpuSecond),
    verifications: num.n,
    load_average_1m: Number(loadavg()[0].toFixed(1)),
    sympy_simplify_reference_per_s: ref ? Math.round(ref.perSecond) : null,
    x_vs_sympy: ref ? Number((num.perSecond / ref.perSecond).toFixed(1)) : null,
    gradeAnswer_per_s: Math.round((graded * 1000) / (performance.now() - gradeStarted)),
  });

  const lat = latencies(latex);
  print({
    figure: 'LaTeX expressions, per-verification latency on one core (goal p99 < 5 ms)',
    mix: `${latex.length} items: Math-Verify cases with non-numeric golds + latex2sympy parse cases`,
    p50_ms: Number(quantile(lat, 0.5).toFixed(3)),
    p99_ms: Number(quantile(lat, 0.99).toFixed(3)),
    max_ms: Number((lat.at(-1) ?? 0).toFixed(3)),
    verifications_per_s: Math.round(lat.length / (lat.reduce((a, b) => a + b, 0) / 1000)),
  });
}
