import { afterEach, describe, expect, it } from 'vitest';
import { type BatchScorer, type RewardServer, startRewardServer } from './reward-server.ts';
import type { RewardSpec } from './types.ts';

/** A scorer with a visible rule: 1 when the <answer> text equals the gold, components echo what it saw. */
const calls: { spec: RewardSpec; responses: readonly string[] }[] = [];
const exactMatch: BatchScorer = (spec, responses, golds) => {
  calls.push({ spec, responses });
  return responses.map((r, i) => {
    const answer = /<answer>(.*?)<\/answer>/.exec(r)?.[1] ?? r;
    const accuracy = answer.trim() === golds[i] ? 1 : 0;
    return { score: accuracy, components: { accuracy, format: r.includes('<think>') ? 1 : 0 } };
  });
};

let server: RewardServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
  calls.length = 0;
});

async function post(path: string, body: string | object): Promise<{ status: number; json: unknown }> {
  if (!server) throw new Error('no server');
  const res = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

describe('reward server: API key', () => {
  it('answers 401 with an OpenAI-style error without the bearer key, 200 with it; /health stays open', async () => {
    server = await startRewardServer({ port: 0, score: exactMatch, apiKey: 'k-9' });
    const body = JSON.stringify({ reward: 'accuracy', responses: ['<answer>3</answer>'], ground_truths: ['3'] });
    const call = (headers: Record<string, string>) =>
      fetch(`${server?.url}/v1/reward`, { method: 'POST', headers, body });
    const none = await call({});
    expect(none.status).toBe(401);
    expect(((await none.json()) as { error: { code: string; type: string } }).error).toMatchObject({
      code: 'invalid_api_key',
      type: 'invalid_request_error',
    });
    expect((await call({ authorization: 'Bearer k-8' })).status).toBe(401);
    expect(calls).toHaveLength(0);
    const ok = await call({ authorization: 'Bearer k-9' });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { scores: number[] }).scores).toEqual([1]);
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
  });
});

describe('reward server: scoring', () => {
  it('scores a vlthink batch and returns per-sample components', async () => {
    server = await startRewardServer({ port: 0, score: exactMatch });
    const { status, json } = await post('/v1/reward', {
      reward: 'openvlthinker',
      responses: ['<think>2+2</think><answer>4</answer>', '<answer>5</answer>', 'no tags at all'],
      ground_truths: ['4', '4', 'no tags at all'],
    });
    expect(status).toBe(200);
    expect(json).toEqual({
      reward: 'openvlthinker',
      scores: [1, 0, 1],
      components: [
        { accuracy: 1, format: 1 },
        { accuracy: 0, format: 0 },
        { accuracy: 1, format: 0 },
      ],
    });
    expect(calls[0]?.spec).toEqual({ name: 'openvlthinker' });
  });

  it('passes mix weights through to the scorer', async () => {
    server = await startRewardServer({ port: 0, score: exactMatch });
    const { status } = await post('/v1/reward', {
      reward: 'mix',
      weights: { accuracy: 0.9, format: 0.1 },
      responses: ['x'],
      ground_truths: ['x'],
    });
    expect(status).toBe(200);
    expect(calls[0]?.spec).toEqual({ name: 'mix', weights: { accuracy: 0.9, format: 0.1 } });
  });

  it('speaks the OpenRLHF remote-reward shape, stripping the prompt from each query', async () => {
    server = await startRewardServer({ port: 0, score: exactMatch, openRlhfReward: { name: 'accuracy' } });
    const { status, json } = await post('/get_reward', {
      query: ['<|user|>Q1<|assistant|><think>a</think><answer>7</answer>', '<|user|>Q2<|assistant|>8'],
      prompts: ['<|user|>Q1<|assistant|>', '<|user|>Q2<|assistant|>'],
      labels: ['7', '9'],
    });
    expect(status).toBe(200);
    expect(json).toEqual({ rewards: [1, 0], scores: [1, 0], extra_logs: { accuracy: [1, 0], format: [1, 0] } });
    expect(calls[0]?.responses).toEqual(['<think>a</think><answer>7</answer>', '8']);
    expect(calls[0]?.spec).toEqual({ name: 'accuracy' });
  });

  it('answers an empty batch with empty lists', async () => {
    server = await startRewardServer({ port: 0, score: exactMatch });
    const { status, json } = await post('/v1/reward', { reward: 'format', responses: [], ground_truths: [] });
    expect(status).toBe(200);
    expect(json).toEqual({ reward: 'format', scores: [], components: [] });
  });
});

describe('reward server: bad requests get a reason, never a crash', () => {
  it.each([
    ['not JSON', '{"reward": "accuracy", "responses": [', 400, 'the body is not JSON'],
    ['unknown reward', { reward: 'bleu', responses: [], ground_truths: [] }, 400, 'reward'],
    ['missing ground truths', { reward: 'accuracy', responses: ['a'] }, 400, 'ground_truths'],
    ['length mismatch', { reward: 'accuracy', responses: ['a', 'b'], ground_truths: ['a'] }, 400, 'same length'],
    ['a number for a response', { reward: 'accuracy', responses: [4], ground_truths: ['4'] }, 400, 'responses'],
    ['a JSON array body', [1, 2, 3], 400, 'invalid request'],
  ])('%s -> %i', async (_name, body, status, reason) => {
    server = await startRewardServer({ port: 0, score: exactMatch });
    const res = await post('/v1/reward', body);
    expect(res.status).toBe(status);
    expect((res.json as { error: { message: string; status: number } }).error.message).toContain(reason);
    expect((res.json as { error: { status: number } }).error.status).toBe(status);
    const ok = await post('/v1/reward', { reward: 'accuracy', responses: ['1'], ground_truths: ['1'] });
    expect(ok.status).toBe(200);
  });

  it('rejects OpenRLHF batches whose lists disagree in length', async () => {
    server = await startRewardServer({ port: 0, score: exactMatch });
    const res = await post('/get_reward', { query: ['a', 'b'], labels: ['a'] });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.json)).toContain('query and labels must have the same length');
  });

  it('answers unknown paths with 404, wrong methods with 405, oversize bodies with 413', async () => {
    server = await startRewardServer({ port: 0, score: exactMatch, maxBodyBytes: 1_000 });
    expect((await post('/v2/nothing', {})).status).toBe(404);
    expect((await fetch(`${server.url}/v1/reward`)).status).toBe(405);
    const health = await fetch(`${server.url}/health`);
    expect(await health.json()).toEqual({ status: 'ok' });
    const big = await post('/v1/reward', { reward: 'accuracy', responses: ['x'.repeat(5_000)], ground_truths: ['x'] });
    expect(big.status).toBe(413);
  });

  it('turns a scorer bug into a 500 for that request and keeps serving', async () => {
    let broken = true;
    server = await startRewardServer({
      port: 0,
      score: (spec, responses, golds) => {
        if (broken) throw new TypeError('cannot read properties of undefined');
        return exactMatch(spec, responses, golds);
      },
    });
    const res = await post('/v1/reward', { reward: 'accuracy', responses: ['1'], ground_truths: ['1'] });
    expect(res.status).toBe(500);
    expect(JSON.stringify(res.json)).toContain('cannot read properties of undefined');
    broken = false;
    expect((await post('/v1/reward', { reward: 'accuracy', responses: ['1'], ground_truths: ['1'] })).status).toBe(200);
  });
});

describe("reward server with verify/'s rewards", () => {
  it('scores the OpenVLThinker reward: 1 correct, 0.5 correct but bare, 0 wrong', async () => {
    const { verifyScorer } = await import('./verify-scorer.ts');
    server = await startRewardServer({ port: 0, score: verifyScorer });
    const { status, json } = await post('/v1/reward', {
      reward: 'openvlthinker',
      responses: [
        '<think>3 apples</think> Counting gives three. <answer>3</answer>',
        '<think>3 apples</think><answer>3</answer>',
        '<think>hmm</think> so <answer>4</answer>',
      ],
      ground_truths: ['3', '3', '3'],
    });
    expect(status).toBe(200);
    const body = json as { scores: number[]; components: Record<string, number>[] };
    expect(body.scores).toEqual([1, 0.5, 0]);
    expect(body.components.map((c) => c.accuracy)).toEqual([1, 1, 0]);
  });

  it('answers a mix with an unknown reward name with 400 and the reason', async () => {
    const { verifyScorer } = await import('./verify-scorer.ts');
    server = await startRewardServer({ port: 0, score: verifyScorer });
    const res = await post('/v1/reward', {
      reward: 'mix',
      weights: { accuracy: 0.9, bleu: 0.1 },
      responses: ['<answer>1</answer>'],
      ground_truths: ['1'],
    });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.json)).toContain("unknown reward 'bleu'");
  });
});

describe('reward server under hostile input', () => {
  it('answers seeded garbage, deep nesting and wrong types with 4xx and stays healthy', async () => {
    const { createRng } = await import('../core/index.ts');
    const rng = createRng(42);
    server = await startRewardServer({ port: 0, score: exactMatch, maxBodyBytes: 200_000 });
    const bodies: string[] = [
      '[]',
      'null',
      '"text"',
      '{"reward": null}',
      `${'['.repeat(50_000)}${']'.repeat(50_000)}`,
      JSON.stringify({ reward: 'accuracy', responses: 'abc', ground_truths: 'abc' }),
      JSON.stringify({ reward: 'accuracy', responses: [null], ground_truths: ['1'] }),
      JSON.stringify({ reward: 'mix', weights: { accuracy: 'high' }, responses: [], ground_truths: [] }),
    ];
    for (let i = 0; i < 30; i++)
      bodies.push(Array.from({ length: 1 + rng.int(300) }, () => String.fromCharCode(rng.int(256))).join(''));
    for (const body of bodies) {
      const res = await post('/v1/reward', body);
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
    }
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
    expect((await post('/v1/reward', { reward: 'accuracy', responses: ['2'], ground_truths: ['2'] })).status).toBe(200);
  });
});
