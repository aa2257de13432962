import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { z } from 'zod';
import type { RunConfig, ScaleOutBackendConfig } from './config/schema.ts';

/**
 * `vlthink doctor`: before hours of work, check what a run will need and say, in one table, what is missing —
 * engines installed (LLaMA-Factory, EasyR1's verl), GPUs, each OpenAI-compatible endpoint answering `/v1/models` with
 * its model, the reward server's health, the Ray dashboard, and the input files. Every probe is bounded in time
 * (a command, an HTTP request) and none changes anything. The embedded backend needs nothing beyond the npm install.
 */
export interface DoctorCheck {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
  /** What to do when it is not ok. */
  readonly hint?: string;
}

export interface DoctorOptions {
  /** Milliseconds per probe (command or HTTP request). */
  readonly timeoutMs?: number;
  /** Runs a command and returns its stdout (tests pass a fake; default: execFile without a shell). */
  readonly exec?: (argv: readonly string[], cwd: string, timeoutMs: number) => Promise<string>;
  /** Bearer token for servers started with an API key (vLLM's --api-key, `vlthink serve/reward-server --api-key`). */
  readonly apiKey?: string;
}

const run = promisify(execFile);

async function defaultExec(argv: readonly string[], cwd: string, timeoutMs: number): Promise<string> {
  const [cmd, ...args] = argv;
  if (!cmd) throw new Error('empty command');
  const { stdout } = await run(cmd, args, { cwd, timeout: timeoutMs, maxBuffer: 1 << 20 });
  return stdout;
}

export async function runDoctor(config: RunConfig, options: DoctorOptions = {}): Promise<DoctorCheck[]> {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const exec = options.exec ?? defaultExec;
  const checks: DoctorCheck[] = [];
  if (config.data.kind === 'files') {
    for (const [what, file] of [
      ['seed problems', config.data.train],
      ['test problems', config.data.test],
    ] as const) {
      checks.push(
        existsSync(file)
          ? { name: `data: ${what}`, ok: true, detail: resolve(file) }
          : {
              name: `data: ${what}`,
              ok: false,
              detail: `${resolve(file)} does not exist`,
              hint: `set data.${what === 'seed problems' ? 'train' : 'test'}`,
            },
      );
    }
  }
  const b = config.backend;
  if (b.kind === 'embedded') {
    checks.push({
      name: 'embedded engine',
      ok: true,
      detail: 'ONNX Runtime ships with the npm install; nothing else is needed',
    });
    return checks;
  }
  // A local runner trains on this machine; a Ray job on the cluster, whose GPUs and engines the dashboard reports.
  if (b.runner === 'local') {
    checks.push(await gpus(exec, timeoutMs));
    checks.push(...(await engines(b, exec, timeoutMs)));
  }
  const endpoints: Array<[string, string, string | null]> = [
    ['captioner', b.captioner.baseUrl, b.captioner.model],
    ['text reasoner', b.reasoner.baseUrl, b.reasoner.model],
  ];
  // A managed policy server is started by the run: its program must be here and its port free, not already serving.
  if (b.serving.kind !== 'vllm') endpoints.push(['policy server', b.policy.baseUrl, b.policy.model]);
  const get: GetJson = (url) => getJson(url, timeoutMs, options.apiKey);
  for (const [role, url, model] of endpoints) checks.push(await modelEndpoint(role, url, model, get));
  if (b.serving.kind === 'vllm') checks.push(await managedServing(b.serving.command, b.policy.baseUrl, get));
  checks.push(
    await httpOk(
      'reward server',
      `${b.rewardUrl.replace(/\/+$/, '')}/health`,
      get,
      'start `vlthink reward-server` where the trainer can reach it',
    ),
  );
  if (b.runner === 'ray') {
    checks.push(
      await httpOk(
        'Ray dashboard',
        `${b.rayAddress.replace(/\/+$/, '')}/api/version`,
        get,
        'start the Ray head with the dashboard (`ray start --head --dashboard-host 0.0.0.0`)',
      ),
    );
  }
  return checks;
}

async function gpus(exec: NonNullable<DoctorOptions['exec']>, timeoutMs: number): Promise<DoctorCheck> {
  try {
    const out = await exec(['nvidia-smi', '--query-gpu=name,memory.total', '--format=csv,noheader'], '.', timeoutMs);
    const lines = out.split('\n').filter((l) => l.trim() !== '');
    if (lines.length === 0)
      return { name: 'GPUs', ok: false, detail: 'nvidia-smi lists no GPU', hint: 'run on a GPU node' };
    return { name: 'GPUs', ok: true, detail: `${lines.length}: ${lines[0]?.trim()}${lines.length > 1 ? ', ...' : ''}` };
  } catch (err) {
    return {
      name: 'GPUs',
      ok: false,
      detail: `no NVIDIA GPU (${reason(err)})`,
      hint: 'the engines train on GPUs: run on a GPU node',
    };
  }
}

async function engines(
  b: z.infer<typeof ScaleOutBackendConfig>,
  exec: NonNullable<DoctorOptions['exec']>,
  timeoutMs: number,
): Promise<DoctorCheck[]> {
  const out: DoctorCheck[] = [];
  const lf = b.llamaFactory.command[0] ?? 'llamafactory-cli';
  try {
    const version = (await exec([lf, 'version'], '.', timeoutMs)).match(/\d+\.\d+\.\d+\S*/)?.[0] ?? 'installed';
    out.push({ name: 'LLaMA-Factory (SFT)', ok: true, detail: `${lf} ${version}` });
  } catch (err) {
    out.push({
      name: 'LLaMA-Factory (SFT)',
      ok: false,
      detail: `${lf} does not run (${reason(err)})`,
      hint: 'pip install llamafactory (v0.9.3 or later), or set backend.llamaFactory.command',
    });
  }
  const py = b.easyR1.command[0] ?? 'python3';
  try {
    const version = (
      await exec(
        [py, '-c', 'import verl; print(getattr(verl, "__version__", "installed"))'],
        b.easyR1.workdir,
        timeoutMs,
      )
    ).trim();
    out.push({
      name: `EasyR1 (GRPO, ${b.easyR1.dialect})`,
      ok: true,
      detail: `verl ${version} in ${resolve(b.easyR1.workdir)}`,
    });
  } catch (err) {
    out.push({
      name: `EasyR1 (GRPO, ${b.easyR1.dialect})`,
      ok: false,
      detail: `${py} cannot import verl in ${resolve(b.easyR1.workdir)} (${reason(err)})`,
      hint: 'clone EasyR1 and set backend.easyR1.workdir (and .command) to it',
    });
  }
  return out;
}

type GetJson = (url: string) => Promise<unknown>;

async function getJson(url: string, timeoutMs: number, apiKey: string | undefined): Promise<unknown> {
  const headers: Record<string, string> = apiKey ? { authorization: `Bearer ${apiKey}` } : {};
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), headers });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  return res.json();
}

async function modelEndpoint(role: string, baseUrl: string, model: string | null, get: GetJson): Promise<DoctorCheck> {
  const url = `${baseUrl.replace(/\/+$/, '')}/models`;
  try {
    const body = (await get(url)) as { data?: Array<{ id?: unknown }> };
    const ids = (body.data ?? []).map((m) => String(m.id));
    if (model !== null && !ids.includes(model)) {
      return {
        name: role,
        ok: false,
        detail: `${url} serves ${ids.join(', ') || 'no model'}, not ${model}`,
        hint: `serve ${model} there, or set the model name`,
      };
    }
    return { name: role, ok: true, detail: `${url}: ${model ?? ids.join(', ')}` };
  } catch (err) {
    return {
      name: role,
      ok: false,
      detail: `${url} does not answer (${reason(err)})`,
      hint: `start an OpenAI-compatible server (vLLM, SGLang) at ${baseUrl}`,
    };
  }
}

/** The managed policy server: its program on PATH (or at its path), and nothing answering on the policy URL yet. */
async function managedServing(command: readonly string[], baseUrl: string, get: GetJson): Promise<DoctorCheck> {
  const name = 'policy server (managed)';
  const program = command[0] ?? 'vllm';
  const found = program.includes('/')
    ? existsSync(program)
    : (process.env.PATH ?? '').split(delimiter).some((dir) => dir !== '' && existsSync(join(dir, program)));
  if (!found)
    return {
      name,
      ok: false,
      detail: `${program} not found${program.includes('/') ? '' : ' on PATH'}`,
      hint: 'pip install vllm (or set backend.serving.command)',
    };
  const url = `${baseUrl.replace(/\/+$/, '')}/models`;
  const answered = await get(url).then(
    () => true,
    () => false,
  );
  if (answered)
    return {
      name,
      ok: false,
      detail: `${url} already answers: the run starts its own server there`,
      hint: 'stop that server, or point backend.policy.baseUrl at a free port',
    };
  return { name, ok: true, detail: `${command.join(' ')} <checkpoint> on ${baseUrl} (started per stage)` };
}

async function httpOk(name: string, url: string, get: GetJson, hint: string): Promise<DoctorCheck> {
  try {
    await get(url);
    return { name, ok: true, detail: url };
  } catch (err) {
    return { name, ok: false, detail: `${url} does not answer (${reason(err)})`, hint };
  }
}

/** A probe failure in a few words: the errno (ECONNREFUSED, ENOENT, ...) where there is one. */
function reason(err: unknown): string {
  const e = err as {
    code?: unknown;
    cause?: { code?: unknown; message?: unknown };
    name?: string;
    message?: string;
    stderr?: unknown;
  };
  const code = e.cause?.code ?? e.code;
  if (typeof code === 'string') return code;
  if (typeof e.cause?.message === 'string') return e.cause.message;
  const said = typeof e.stderr === 'string' ? e.stderr.trim().split('\n').at(-1) : undefined;
  if (said) return said;
  if (e.name === 'TimeoutError') return 'timed out';
  return (e.message ?? String(err)).split('\n')[0] ?? 'failed';
}

/** The checks as a table: one row each, ok / MISSING, detail, and what to do. */
export function formatDoctor(checks: readonly DoctorCheck[]): string {
  const width = Math.max(5, ...checks.map((c) => c.name.length));
  const rows = checks.map((c) => {
    const status = c.ok ? 'ok     ' : 'MISSING';
    const hint = !c.ok && c.hint ? `\n${' '.repeat(width + 12)}-> ${c.hint}` : '';
    return `  ${c.name.padEnd(width)}  ${status}  ${c.detail}${hint}`;
  });
  const missing = checks.filter((c) => !c.ok).length;
  const verdict = missing === 0 ? 'everything the run needs is there' : `${missing} missing: the run would fail there`;
  return [`  ${'check'.padEnd(width)}  status   detail`, ...rows, '', verdict].join('\n');
}
