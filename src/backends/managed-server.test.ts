import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freePort } from '../../test/free-port.ts';
import { AbortedError, BackendError } from '../core/index.ts';
import { createLocalRunner } from './local-runner.ts';
import { startLoopbackServer } from './loopback-server.ts';
import { ManagedServingConfig, managedServerArgv, startManagedServer } from './managed-server.ts';

/**
 * A server in the shape of `vllm serve MODEL --host H --port P --served-model-name NAME`: a Node one-liner that lists
 * NAME on /v1/models after 300 ms (nothing with --never), prints what it was given, and exits on SIGTERM (or with code 3 at once when told).
 */
const FAKE_SERVER = `
const a = process.argv.slice(1);
const at = (f) => a[a.indexOf(f) + 1];
if (a.includes('--fail')) { console.error('CUDA out of memory'); process.exit(3); }
console.log('model ' + a[0] + ' gpus ' + process.env.CUDA_VISIBLE_DEVICES);
const server = require('node:http').createServer((req, res) => {
  res.setHeader('content-type', 'application/json');
  const data = a.includes('--never') ? [] : [{ id: at('--served-model-name'), object: 'model' }];
  res.end(JSON.stringify({ object: 'list', data }));
});
setTimeout(() => server.listen(Number(at('--port')), at('--host')), 300);
process.on('SIGTERM', () => { console.log('shutting down'); server.close(); process.exit(0); });
`;

describe('managed policy server (vllm serve per stage)', () => {
  let dir = '';
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vlthink-managed-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const config = (extra: Partial<ManagedServingConfig> = {}) =>
    ManagedServingConfig.parse({ kind: 'vllm', command: [process.execPath, '-e', FAKE_SERVER], ...extra });

  it("appends the checkpoint and the policy URL's host and port to vLLM's command line", () => {
    const cfg = ManagedServingConfig.parse({ kind: 'vllm', extraArgs: ['--tensor-parallel-size', '2'] });
    expect(managedServerArgv(cfg, '/ck/rl', 'http://10.0.0.5:8002/v1', 'policy')).toEqual([
      'vllm',
      'serve',
      '/ck/rl',
      '--host',
      '10.0.0.5',
      '--port',
      '8002',
      '--served-model-name',
      'policy',
      '--tensor-parallel-size',
      '2',
    ]);
    expect(() => ManagedServingConfig.parse({ kind: 'vllm', gpus: 'all' })).toThrow(/GPU indices/);
  });

  it('starts the server, waits until /v1/models lists the model, logs its output, and stops it', async () => {
    const baseUrl = `http://127.0.0.1:${await freePort()}/v1`;
    const logFile = join(dir, 'serving', 'round-1-sft.log');
    const server = await startManagedServer({
      runner: createLocalRunner(),
      config: config({ gpus: '2,3' }),
      checkpoint: '/ck/sft',
      baseUrl,
      model: 'sft-1',
      logFile,
      pollMs: 50,
    });
    const models = (await (await fetch(`${baseUrl}/models`)).json()) as { data: Array<{ id: string }> };
    expect(models.data.map((m) => m.id)).toEqual(['sft-1']);
    await server.stop();
    await expect(fetch(`${baseUrl}/models`)).rejects.toThrow();
    const log = await readFile(logFile, 'utf8');
    expect(log).toContain(`-e`);
    expect(log).toContain('model /ck/sft gpus 2,3');
    expect(log).toContain('shutting down');
  });

  it('a server that exits before serving fails the stage with its last lines and the log path', async () => {
    const baseUrl = `http://127.0.0.1:${await freePort()}/v1`;
    const err = await startManagedServer({
      runner: createLocalRunner(),
      config: config({ extraArgs: ['--fail'] }),
      checkpoint: '/ck/x',
      baseUrl,
      model: 'x',
      logFile: join(dir, 'x.log'),
      pollMs: 50,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackendError);
    expect((err as BackendError).message).toMatch(
      /the policy server stopped before serving x: .*serve exited with code 3; last lines:\nCUDA out of memory$/,
    );
    expect((err as BackendError).describe()).toContain(join(dir, 'x.log'));
  });

  it('refuses to start where a server already answers (one left behind by a killed run)', async () => {
    const other = await startLoopbackServer(() => ({ json: { data: [{ id: 'old' }] } }));
    try {
      const err = await startManagedServer({
        runner: createLocalRunner(),
        config: config(),
        checkpoint: '/ck/x',
        baseUrl: `${other.url}/v1`,
        model: 'x',
        logFile: join(dir, 'x.log'),
      }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BackendError);
      expect((err as BackendError).message).toContain('a server already answers there (serving old)');
    } finally {
      await other.close();
    }
  });

  it('an abort while waiting (Ctrl-C during a stage) stops the server and rejects with AbortedError', async () => {
    const ctl = new AbortController();
    setTimeout(() => ctl.abort(), 700);
    const err = await startManagedServer({
      runner: createLocalRunner(),
      config: config({ extraArgs: ['--never'] }),
      checkpoint: '/ck/x',
      baseUrl: `http://127.0.0.1:${await freePort()}/v1`,
      model: 'x',
      logFile: join(dir, 'x.log'),
      pollMs: 20,
      signal: ctl.signal,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AbortedError);
    expect(await readFile(join(dir, 'x.log'), 'utf8')).toContain('shutting down');
  });

  it('gives up after startTimeoutS when the model never appears, and stops the server', async () => {
    const baseUrl = `http://127.0.0.1:${await freePort()}/v1`;
    const err = await startManagedServer({
      runner: createLocalRunner(),
      config: config({ startTimeoutS: 1, extraArgs: ['--never'] }),
      checkpoint: '/ck/x',
      baseUrl,
      model: 'x',
      logFile: join(dir, 'x.log'),
      pollMs: 20,
    }).catch((e: unknown) => e);
    expect((err as BackendError).message).toContain('did not list x within 1 s (it lists nothing)');
    expect(await readFile(join(dir, 'x.log'), 'utf8')).toContain('shutting down');
  });
});
