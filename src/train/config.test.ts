import { describe, expect, it } from 'vitest';
import { ConfigError } from '../core/index.ts';
import { embeddedGrpoConfig, paperGrpoConfig, paperSftConfig, parseGrpoConfig, parseSftConfig } from './config.ts';

describe('training configs', () => {
  it('the paper variant carries OpenVLThinker / EasyR1 values', () => {
    expect(paperGrpoConfig).toMatchObject({
      lr: 1e-6,
      schedule: 'constant',
      weightDecay: 0.01,
      rolloutBatchSize: 512,
      miniBatchSize: 128,
      groupSize: 5,
      temperature: 1.0,
      topP: 0.99,
      clipLow: 0.2,
      clipHigh: 0.3,
      dualClip: 3.0,
      kl: 'low_var_kl',
      klCoef: 0.01,
      lossAgg: 'token-mean',
      maxGradNorm: 1.0,
      ppoEpochs: 1,
      maxResponseTokens: 2048,
    });
    expect(paperSftConfig).toMatchObject({
      lr: 5e-6,
      schedule: 'cosine',
      warmupRatio: 0.15,
      epochs: 1,
      freezeVision: true,
    });
  });
  it('user settings override a preset and keep the rest', () => {
    const c = parseGrpoConfig({ groupSize: 8 });
    expect(c.groupSize).toBe(8);
    expect(c.lr).toBe(embeddedGrpoConfig.lr);
    expect(parseGrpoConfig({}, 'paper').rolloutBatchSize).toBe(512);
  });
  it('a bad value fails with a ConfigError naming the field', () => {
    expect(() => parseGrpoConfig({ clipLow: 2 })).toThrow(ConfigError);
    expect(() => parseGrpoConfig({ clipLow: 2 })).toThrow(/grpo\.clipLow/);
    expect(() => parseSftConfig({ epoch: 3 })).toThrow(/sft/);
    expect(() => parseSftConfig(5)).toThrow(/expected an object/);
  });
});
