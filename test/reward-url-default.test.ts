import { describe, expect, it } from 'vitest';
import { DEFAULT_REWARD_SERVER_PORT } from '../src/backends/reward-server.ts';
import { ScaleOutBackendConfig } from '../src/pipeline/config/schema.ts';

describe('reward server default port', () => {
  it('is where the scale-out config looks for the reward server by default', () => {
    const backend = ScaleOutBackendConfig.parse({ kind: 'scale-out' });
    expect(DEFAULT_REWARD_SERVER_PORT).toBe(8700);
    expect(new URL(backend.rewardUrl).port).toBe(String(DEFAULT_REWARD_SERVER_PORT));
  });
});
