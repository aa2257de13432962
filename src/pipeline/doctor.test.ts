import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LoopbackServer, startLoopbackServer } from '../backends/loopback-server.ts';
import { parseRunConfig } from './config/load.ts';
import { formatDoctor, runDoctor } from './doctor.ts';

const run = promisify(execFile);

describe('vlthink doctor', () => {
  let openai: LoopbackServer;
  let rewards: LoopbackServer;
  beforeAll(async () => {
    openai = await startLoopbackServer((req) =>
      req.path === '/v1/models'
        ? { json: { object: 'list', data: [{ id: 'Qwen/QwQ-32B' }] } }
        : { status: 404, json: {} },
    );
    rewards = await startLoopbackServer(() => ({ json: { status: 'ok' } }));
  });
  afterAll(async () => {
    await openai.close();
    await rewards.close();
  });

  it('checks engines, GPUs, each endpoint with its model and the reward server; names what is missing', async () => {
    const closed = await startLoopbackServer(() => ({ json: {} }));
    await closed.close(); // a port nothing listens on
    const config = parseRunConfig({
      backend: {
        kind: 'scale-out',
        captioner: { baseUrl: `${openai.url}/v1`, model: 'Qwen/Qwen2.5-VL-7B-Instruct' },
        reasoner: { baseUrl: `${openai.url}/v1`, model: 'Qwen/QwQ-32B' },
        policy: { baseUrl: `${closed.url}/v1` },
        rewardUrl: rewards.url,
      },
    });
    const commands: string[] = [];
    const checks = await runDoctor(config, {
      timeoutMs: 2_000,
      exec: async (argv) => {
        commands.push(argv.join(' '));
        if (argv[0] === 'nvidia-smi') return 'NVIDIA H100 80GB HBM3, 81559 MiB\nNVIDIA H100 80GB HBM3, 81559 MiB\n';
        if (argv[0] === 'llamafactory-cli') return 'Welcome to LLaMA Factory, version 0.9.3\n';
        throw Object.assign(new Error('exit 1'), { stderr: "ModuleNotFoundError: No module named 'verl'\n" });
      },
    });
    expect(checks.map((c) => [c.name, c.ok])).toEqual([
      ['GPUs', true],
      ['LLaMA-Factory (SFT)', true],
      ['EasyR1 (GRPO, main)', false],
      ['captioner', false],
      ['text reasoner', true],
      ['policy server', false],
      ['reward server', true],
    ]);
    expect(commands[0]).toBe('nvidia-smi --query-gpu=name,memory.total --format=csv,noheader');
    expect(checks[0]?.detail).toBe('2: NVIDIA H100 80GB HBM3, 81559 MiB, ...');
    expect(checks[1]?.detail).toBe('llamafactory-cli 0.9.3');
    expect(checks[2]?.detail).toContain("No module named 'verl'");
    expect(checks[3]?.detail).toContain('serves Qwen/QwQ-32B, not Qwen/Qwen2.5-VL-7B-Instruct');
    expect(checks[5]?.detail).toContain('ECONNREFUSED');
    const table = formatDoctor(checks);
    expect(table).toContain('3 missing: the run would fail there');
    expect(table).toMatch(/policy server\s+MISSING/);
  });

  it('checks the Ray dashboard, not local engines, when the jobs run on a cluster', async () => {
    const config = parseRunConfig({
      backend: {
        kind: 'scale-out',
        runner: 'ray',
        rayAddress: rewards.url,
        captioner: { baseUrl: `${openai.url}/v1`, model: 'Qwen/QwQ-32B' },
        reasoner: { baseUrl: `${openai.url}/v1`, model: 'Qwen/QwQ-32B' },
        policy: { baseUrl: `${openai.url}/v1` },
        rewardUrl: rewards.url,
      },
    });
    const checks = await runDoctor(config, {
      exec: async () => {
        throw new Error('no local command should run');
      },
    });
    expect(checks.map((c) => [c.name, c.ok])).toEqual([
      ['captioner', true],
      ['text reasoner', true],
      ['policy server', true],
      ['reward server', true],
      ['Ray dashboard', true],
    ]);
  });

  it('a managed policy server (serving: vllm) needs its program and a free policy port, not a running server', async () => {
    const doctor = (command: string[], policyUrl: string) =>
      runDoctor(
        parseRunConfig({
          backend: {
            kind: 'scale-out',
            runner: 'ray',
            policy: { baseUrl: policyUrl },
            serving: { kind: 'vllm', command },
            rewardUrl: rewards.url,
          },
        }),
        { timeoutMs: 2_000 },
      ).then((checks) => checks.find((c) => c.name === 'policy server (managed)'));
    const closed = await startLoopbackServer(() => ({ json: {} }));
    await closed.close();
    expect(await doctor([process.execPath, 'serve'], `${closed.url}/v1`)).toMatchObject({ ok: true });
    expect(await doctor(['no-such-vllm-here', 'serve'], `${closed.url}/v1`)).toMatchObject({
      ok: false,
      detail: 'no-such-vllm-here not found on PATH',
    });
    expect(await doctor([process.execPath, 'serve'], `${openai.url}/v1`)).toMatchObject({
      ok: false,
      detail: `${openai.url}/v1/models already answers: the run starts its own server there`,
    });
  });

  it('on this machine, for the paper preset, prints one table of what is missing and exits 1', async () => {
    const bin = join(import.meta.dirname, '../../bin/vlthink.js');
    const res = await run(process.execPath, [bin, 'doctor', '--preset', 'paper', '--timeout-ms', '2000'], {
      timeout: 60_000,
    }).catch((e: { code: number; stdout: string; stderr: string }) => e);
    expect('code' in res ? res.code : 0).toBe(1);
    expect(res.stdout).toMatch(/data: seed problems\s+MISSING/);
    expect(res.stdout).toMatch(/reward server\s+MISSING/);
    expect(res.stderr).toContain('checks failed');
  });

  it('`vlthink run` of the paper preset stops before its first stage, naming what is missing', async () => {
    const out = await mkdtemp(join(tmpdir(), 'vlthink-doctor-run-'));
    try {
      const bin = join(import.meta.dirname, '../../bin/vlthink.js');
      const res = await run(process.execPath, [bin, 'run', '--preset', 'paper', '--out', out], {
        timeout: 60_000,
      }).catch((e: { code: number; stdout: string; stderr: string }) => e);
      expect('code' in res ? res.code : 0).toBe(2);
      expect(res.stderr).toContain('the run would fail: data: seed problems');
      expect(res.stderr).toContain('vlthink doctor');
      expect(existsSync(join(out, 'paper'))).toBe(false); // nothing started
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });
});
