import { describe, expect, it } from 'vitest';
import { createProgressParser, parseHfTrainerDict } from './progress-parse.ts';

describe('engine progress parsing', () => {
  it('reads Hugging Face Trainer dict lines from LLaMA-Factory', () => {
    const parser = createProgressParser('llamafactory');
    const lines = [
      '[INFO|trainer.py:2409] >> ***** Running training *****',
      "{'loss': 0.8123, 'grad_norm': 3.25, 'learning_rate': 4.9e-06, 'epoch': 0.12}",
      ' 12%|█▏        | 6/50 [00:30<03:40,  5.01s/it]',
      "{'loss': 0.61, 'grad_norm': 2.0, 'learning_rate': 4.5e-06, 'epoch': 0.24}",
      "{'train_runtime': 250.1, 'train_samples_per_second': 12.8, 'train_loss': 0.7, 'epoch': 1.0}",
    ];
    expect(lines.flatMap((l) => parser.push(l))).toEqual([
      { engine: 'llamafactory', step: 1, loss: 0.8123, grad_norm: 3.25, learning_rate: 4.9e-6, epoch: 0.12 },
      { engine: 'llamafactory', step: 2, loss: 0.61, grad_norm: 2.0, learning_rate: 4.5e-6, epoch: 0.24 },
      {
        engine: 'llamafactory',
        step: 2,
        train_runtime: 250.1,
        train_samples_per_second: 12.8,
        train_loss: 0.7,
        epoch: 1,
      },
    ]);
    expect(parseHfTrainerDict("{'note': 'text only'}")).toBeUndefined();
  });

  it('reads EasyR1 console steps with nested groups', () => {
    const parser = createProgressParser('easyr1');
    const lines = [
      'Config',
      'data:',
      '  rollout_batch_size: 512',
      'Step 1',
      'actor:',
      '  pg_loss: -0.0123',
      '  kl_loss: 0.0004',
      'reward:',
      '  overall: 0.42',
      '  accuracy: 0.4',
      'Step 2',
      'actor:',
      '  pg_loss: 0.01',
      'Running step:   2%|▏  | 2/80',
    ];
    const out = lines.flatMap((l) => parser.push(l));
    expect(out).toEqual([
      {
        engine: 'easyr1',
        step: 1,
        'actor/pg_loss': -0.0123,
        'actor/kl_loss': 0.0004,
        'reward/overall': 0.42,
        'reward/accuracy': 0.4,
      },
      { engine: 'easyr1', step: 2, 'actor/pg_loss': 0.01 },
    ]);
    expect(parser.flush()).toEqual([]);
  });
});
