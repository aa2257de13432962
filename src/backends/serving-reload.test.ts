import { afterEach, describe, expect, it } from 'vitest';
import { BackendError } from '../core/index.ts';
import { type LoopbackServer, startLoopbackServer } from './loopback-server.ts';
import { reloadServing } from './serving-reload.ts';

let sglang: LoopbackServer;
afterEach(async () => sglang?.close());

describe('reloadServing (SGLang update_weights_from_disk)', () => {
  it('posts the model path and accepts success', async () => {
    sglang = await startLoopbackServer(() => ({
      json: { success: true, message: 'Succeeded to update model weights.', num_paused_requests: 0 },
    }));
    await reloadServing(`${sglang.url}/update_weights_from_disk`, '/ckpt/hf');
    expect(sglang.requests.map((r) => [r.method, r.path, r.body])).toEqual([
      ['POST', '/update_weights_from_disk', { model_path: '/ckpt/hf' }],
    ]);
  });

  it("reports SGLang's refusal with its message and status", async () => {
    sglang = await startLoopbackServer(() => ({
      status: 400,
      json: { success: false, message: 'Failed to get weights iterator: /ckpt/hf not found', num_paused_requests: 0 },
    }));
    const err = (await reloadServing(`${sglang.url}/update_weights_from_disk`, '/ckpt/hf').catch(
      (e: unknown) => e,
    )) as BackendError;
    expect(err).toBeInstanceOf(BackendError);
    expect(err.status).toBe(400);
    expect(err.message).toContain('could not load /ckpt/hf: Failed to get weights iterator');
  });

  it('names an unreachable server', async () => {
    const err = (await reloadServing('http://127.0.0.1:9/update_weights_from_disk', '/x').catch(
      (e: unknown) => e,
    )) as BackendError;
    expect(err.message).toContain('cannot reach the serving endpoint to load /x');
  });
});
