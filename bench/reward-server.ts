import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { Agent, request } from 'node:http';
import { createInterface } from 'node:readline';
import { verifyScorer } from '../src/backends/verify-scorer.ts';
import { createRng } from '../src/core/index.ts';
import { seededGold } from './seeded-golds.ts';

/**
 * `npm run bench -- reward-server`: load test of `vlthink reward-server` on loopback (goal: >= 5,000
 * verifications/s with batched requests; p99 request latency reported). The server runs as its own process (the real
 * CLI command); the client keeps `CONCURRENCY` batched requests in flight for `SECONDS`. The reference, measured in the
 * same run, is the same scorer called in-process without HTTP: `x_in_process` is the share of that rate the server
 * delivers over HTTP.
 */
const BATCH = 512;
const CONCURRENCY = 4;
const SECONDS = 5;

/** A seeded mix of rollouts like an RL batch: numbers, fractions, choices, yes/no; right, wrong, bare, untagged. */
function makeBatch(seed: number): { responses: string[]; golds: string[] } {
  const rng = createRng(seed);
  const responses: string[] = [];
  const golds: string[] = [];
  for (let i = 0; i < BATCH; i++) {
    const { kind, gold } = seededGold(rng);
    // Wrong answers: mostly of the question's type, sometimes of another (a yes/no answer to a fraction question).
    const wrong = [
      String(rng.int(200)),
      rng.pick(['3/4', '\\frac{2}{5}', '0.5', 'no']),
      rng.pick(['A', 'B', 'C', '12']),
      gold === 'yes' ? 'no' : 'yes',
    ];
    const answer = rng.chance(0.6) ? gold : (wrong[kind] as string);
    const think = `<think>Let me count the objects in the figure step by step. ${'There are several shapes. '.repeat(1 + rng.int(6))}</think>`;
    const style = rng.int(4);
    responses.push(
      style === 0
        ? `${think} So the answer follows. <answer>${answer}</answer>`
        : style === 1
          ? `${think}<answer>${answer}</answer>`
          : style === 2
            ? `${think} The answer is ${answer}.`
            : `<answer>${answer}</answer>`,
    );
    golds.push(gold);
  }
  return { responses, golds };
}

function post(port: number, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = request({ host: '127.0.0.1', port, path: '/v1/reward', method: 'POST', agent: keepAlive }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        res.statusCode === 200
          ? resolve(performance.now() - t0)
          : reject(new Error(`HTTP ${res.statusCode}: ${Buffer.concat(chunks).toString('utf8').slice(0, 300)}`)),
      );
    });
    req.on('error', reject);
    req.setHeader('content-type', 'application/json');
    req.end(body);
  });
}

const keepAlive = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

export async function run(): Promise<void> {
  const batches = Array.from({ length: 8 }, (_, i) => makeBatch(i + 1));
  const bodies = batches.map((b) =>
    JSON.stringify({ reward: 'openvlthinker', responses: b.responses, ground_truths: b.golds }),
  );

  // Reference: the same scorer in-process (warm-up first).
  for (const b of batches) verifyScorer({ name: 'openvlthinker' }, b.responses, b.golds);
  let inProcess = 0;
  const r0 = performance.now();
  while (performance.now() - r0 < 2_000) {
    const b = batches[inProcess % batches.length] as (typeof batches)[number];
    verifyScorer({ name: 'openvlthinker' }, b.responses, b.golds);
    inProcess++;
  }
  const inProcessPerSec = (inProcess * BATCH) / ((performance.now() - r0) / 1000);

  const child = spawn(process.execPath, ['bin/vlthink.js', 'reward-server', '--port', '0'], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  try {
    const [line] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
    const port = Number(new URL((JSON.parse(line) as { url: string }).url).port);
    for (const body of bodies) await post(port, body); // warm-up

    const latencies: number[] = [];
    let sent = 0;
    const t0 = performance.now();
    const worker = async () => {
      while (performance.now() - t0 < SECONDS * 1000) {
        latencies.push(await post(port, bodies[sent++ % bodies.length] as string));
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const elapsed = (performance.now() - t0) / 1000;
    const sorted = [...latencies].sort((a, b) => a - b);
    const perSec = (latencies.length * BATCH) / elapsed;
    process.stdout.write(
      `${JSON.stringify({
        bench: 'reward-server',
        reward: 'openvlthinker',
        batch: BATCH,
        concurrency: CONCURRENCY,
        requests: latencies.length,
        verifications_per_s: Math.round(perSec),
        goal_per_s: 5000,
        p50_ms: Number(quantile(sorted, 0.5).toFixed(1)),
        p99_ms: Number(quantile(sorted, 0.99).toFixed(1)),
        in_process_per_s: Math.round(inProcessPerSec),
        x_in_process: Number((perSec / inProcessPerSec).toFixed(3)),
      })}\n`,
    );
  } finally {
    keepAlive.destroy();
    child.kill('SIGTERM');
  }
}
