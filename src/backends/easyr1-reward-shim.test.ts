import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { easyR1RewardShim } from './easyr1-reward-shim.ts';
import { type RewardServer, startRewardServer } from './reward-server.ts';

const run = promisify(execFile);
const python = await run('python3', ['--version']).then(
  () => true,
  () => false,
);

/** Calls the shim's compute_score exactly as EasyR1's BatchFunctionRewardManager does: a list of reward inputs. */
async function callShim(
  dir: string,
  inputs: unknown[],
  kwargs = '{}',
  env: NodeJS.ProcessEnv = {},
): Promise<{ stdout: string; stderr: string }> {
  const script = [
    'import json, sys',
    `sys.path.insert(0, ${JSON.stringify(dir)})`,
    'import vlthink_reward',
    `out = vlthink_reward.compute_score(json.loads(${JSON.stringify(JSON.stringify(inputs))}), **json.loads(${JSON.stringify(kwargs)}))`,
    'print(json.dumps(out))',
  ].join('\n');
  return run('python3', ['-c', script], { timeout: 20_000, env: { ...process.env, VLTHINK_API_KEY: '', ...env } });
}

describe.skipIf(!python)('EasyR1 reward shim (python3 on PATH)', () => {
  let server: RewardServer;
  let dir: string;
  const seen: string[] = [];
  beforeAll(async () => {
    server = await startRewardServer({
      port: 0,
      score: (spec, responses, golds) => {
        seen.push(spec.name);
        return responses.map((r, i) => ({
          score: r.includes(`<answer>${golds[i]}</answer>`) ? 1 : 0,
          components: { accuracy: r.includes(`<answer>${golds[i]}</answer>`) ? 1 : 0, format: 0.5 },
        }));
      },
    });
    dir = await mkdtemp(join(tmpdir(), 'vlthink-shim-'));
    await writeFile(join(dir, 'vlthink_reward.py'), easyR1RewardShim({ url: server.url, reward: 'openvlthinker' }));
  });
  afterAll(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('forwards a batch and returns one {overall, components} dict per input', async () => {
    const { stdout } = await callShim(dir, [
      { response: '<think>x</think><answer>3</answer>', response_length: 9, ground_truth: '3' },
      { response: '<answer>4</answer>', response_length: 4, ground_truth: '5' },
    ]);
    expect(JSON.parse(stdout)).toEqual([
      { overall: 1, accuracy: 1, format: 0.5 },
      { overall: 0, accuracy: 0, format: 0.5 },
    ]);
    expect(seen.at(-1)).toBe('openvlthinker');
  });

  it("speaks the OpenVLThinker fork's per-sample signature when asked", async () => {
    const forkDir = await mkdtemp(join(tmpdir(), 'vlthink-shim-fork-'));
    await writeFile(
      join(forkDir, 'vlthink_reward.py'),
      easyR1RewardShim({ url: server.url, reward: 'openvlthinker', perSample: true }),
    );
    const script = [
      'import json, sys',
      `sys.path.insert(0, ${JSON.stringify(forkDir)})`,
      'import vlthink_reward',
      "print(json.dumps(vlthink_reward.compute_score('<think>x</think><answer>3</answer>', '3')))",
    ].join('\n');
    const { stdout } = await run('python3', ['-c', script], { timeout: 20_000 });
    expect(JSON.parse(stdout)).toEqual({ overall: 1, accuracy: 1, format: 0.5 });
    await rm(forkDir, { recursive: true, force: true });
  });

  it('sends VLTHINK_API_KEY as a bearer token to a server that requires one', async () => {
    const locked = await startRewardServer({
      port: 0,
      apiKey: 'k-123',
      score: (_spec, responses) => responses.map(() => ({ score: 1, components: {} })),
    });
    try {
      const shimDir = await mkdtemp(join(tmpdir(), 'vlthink-shim-key-'));
      await writeFile(join(shimDir, 'vlthink_reward.py'), easyR1RewardShim({ url: locked.url, reward: 'accuracy' }));
      const inputs = [{ response: 'a', response_length: 1, ground_truth: '1' }];
      const denied = await callShim(shimDir, inputs).catch((e: { stderr: string }) => e);
      expect(denied.stderr).toContain('rejected the batch (HTTP 401)');
      const { stdout } = await callShim(shimDir, inputs, '{}', { VLTHINK_API_KEY: 'k-123' });
      expect(JSON.parse(stdout)).toEqual([{ overall: 1 }]);
      await rm(shimDir, { recursive: true, force: true });
    } finally {
      await locked.close();
    }
  });

  it('raises a clear error when the server rejects the batch', async () => {
    const err = await callShim(
      dir,
      [{ response: 'a', response_length: 1, ground_truth: '1' }],
      '{"reward": "bleu"}',
    ).catch((e: { stderr: string }) => e);
    expect(err.stderr).toContain('rejected the batch (HTTP 400)');
  });

  it('gives up after its attempts when no server listens', async () => {
    const err = await callShim(
      dir,
      [{ response: 'a', response_length: 1, ground_truth: '1' }],
      '{"url": "http://127.0.0.1:9", "attempts": 2}',
    ).catch((e: { stderr: string }) => e);
    expect(err.stderr).toContain('failed 2 times');
    expect(err.stderr).toContain('vlthink reward-server');
  });
});
