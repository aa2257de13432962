import { describe, expect, it } from 'vitest';
import { createProgress, formatStepLine } from './progress.ts';

function recorder(tty: boolean) {
  const out: string[] = [];
  let t = 0;
  const progress = createProgress({ tty, write: (text) => out.push(text), now: () => t });
  return { out, progress, advance: (s: number) => (t += s) };
}

describe('training step progress', () => {
  it('formats step/total, the step figures, steps/s and ETA', () => {
    expect(formatStepLine('round 1 sft', { step: 12, loss: 0.81234 }, 164, 4)).toBe(
      'round 1 sft step 12/164 loss 0.812 · 4.00 steps/s · ETA 38s',
    );
    expect(
      formatStepLine('round 1 rl-hard', { step: 3, reward_mean: 0.5, accuracy: 0.25, kl: 0.0012 }, undefined, 0.5),
    ).toBe('round 1 rl-hard step 3 reward 0.500 acc 0.25 KL 0.0012 · 0.50 steps/s');
  });

  it('redraws one line per step on a TTY', () => {
    const { out, progress, advance } = recorder(true);
    const steps = progress.steps('sft', 4);
    for (let s = 1; s <= 4; s++) {
      advance(0.5);
      steps.step({ step: s, loss: 1 / s });
    }
    steps.done();
    expect(out).toHaveLength(5);
    expect(out[1]).toBe('\r\x1b[Ksft step 2/4 loss 0.500 · 2.00 steps/s · ETA 1s');
    expect(out[4]).toBe('\r\x1b[Ksft: done, 4 steps in 2s\n');
  });

  it('prints a plain line about every 10% of the steps otherwise', () => {
    const { out, progress, advance } = recorder(false);
    const steps = progress.steps('grpo', 100);
    for (let s = 1; s <= 100; s++) {
      advance(0.01);
      steps.step({ step: s, reward_mean: 0.5 });
    }
    expect(out).toHaveLength(10);
    expect(out.every((l) => l.endsWith('\n') && !l.includes('\r'))).toBe(true);
    expect(out[0]).toMatch(/^grpo step 10\/100 reward 0\.500 · [\d.]+ steps\/s · ETA \d+s\n$/);
  });
});
