import { describe, expect, it } from 'vitest';
import { createProgressParser, decodeNumpyScalar, parseHfTrainerDict, splitRayLine } from './progress-parse.ts';

/**
 * One EasyR1 step exactly as its ConsoleLogger prints it (`"Step 1\n" + yaml.dump(unflatten_dict(metrics), indent=2)`,
 * PyYAML 6.0 and numpy 2.x, the metrics `np.mean` scalars as `reduce_metrics` makes them, one float32 and two plain
 * floats), captured from Python once and kept verbatim.
 */
const EASYR1_STEP_1 = [
  'Step 1',
  'actor:',
  '  kl_loss: !!python/object/apply:numpy._core.multiarray.scalar',
  '  - &id001 !!python/object/apply:numpy.dtype',
  '    args:',
  '    - f8',
  '    - false',
  '    - true',
  '    state: !!python/tuple',
  '    - 3',
  '    - <',
  '    - null',
  '    - null',
  '    - null',
  '    - -1',
  '    - -1',
  '    - 0',
  '  - !!binary |',
  '    LUMc6+I2Oj8=',
  '  lr: 1.0e-06',
  '  pg_loss: !!python/object/apply:numpy._core.multiarray.scalar',
  '  - *id001',
  '  - !!binary |',
  '    jSjtDb4wib8=',
  'critic:',
  '  score:',
  '    mean: !!python/object/apply:numpy._core.multiarray.scalar',
  '    - !!python/object/apply:numpy.dtype',
  '      args:',
  '      - f4',
  '      - false',
  '      - true',
  '      state: !!python/tuple',
  '      - 3',
  '      - <',
  '      - null',
  '      - null',
  '      - null',
  '      - -1',
  '      - -1',
  '      - 0',
  '    - !!binary |',
  '      AADAPg==',
  'response_length:',
  '  mean: !!python/object/apply:numpy._core.multiarray.scalar',
  '  - *id001',
  '  - !!binary |',
  '    AAAAAADAeUA=',
  'reward:',
  '  accuracy: 0.4',
  '  overall: !!python/object/apply:numpy._core.multiarray.scalar',
  '  - *id001',
  '  - !!binary |',
  '    AAAAAAAA2D8=',
];
const STEP_1_METRICS = {
  engine: 'easyr1',
  step: 1,
  'actor/kl_loss': 0.0004,
  'actor/lr': 1e-6,
  'actor/pg_loss': -0.0123,
  'critic/score/mean': 0.375,
  'response_length/mean': 412,
  'reward/accuracy': 0.4,
  'reward/overall': 0.375,
};
/** Ray's prefix on an actor's line inside a job, coloured (`Style.DIM + Fore.CYAN`, then `Style.RESET_ALL`). */
const ray = (actor: string, line: string) => `\u001b[2m\u001b[36m(${actor})\u001b[0m ${line}`;

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
  it('reads an EasyR1 step printed by its console logger, numpy scalars decoded', () => {
    const parser = createProgressParser('easyr1');
    const out = [...EASYR1_STEP_1, 'Start generating batch...'].flatMap((l) => parser.push(l));
    expect(out).toEqual([STEP_1_METRICS]);
    expect(parser.flush()).toEqual([]);
  });

  it('reads EasyR1 steps from a Ray job log: actor prefixes, colour codes, other actors interleaved', () => {
    const parser = createProgressParser('easyr1');
    const lines = [
      ray('Runner pid=2871', 'Config'),
      ray('Runner pid=2871', 'data:'),
      ray('Runner pid=2871', '  rollout_batch_size: 512'),
      ...EASYR1_STEP_1.slice(0, 20).map((l) => ray('Runner pid=2871', l)),
      ray('WorkerDict pid=3001, ip=10.0.0.2', 'INFO: offloading optimizer states'),
      ...EASYR1_STEP_1.slice(20).map((l) => ray('Runner pid=2871', l)),
      ray('Runner pid=2871', 'Step 2'),
      ray('Runner pid=2871', 'actor:'),
      ray('Runner pid=2871', '  pg_loss: 0.01'),
      ray('Runner pid=2871', '  entropy_loss: .nan'),
    ];
    const out = lines.flatMap((l) => parser.push(l));
    expect(out).toEqual([STEP_1_METRICS]);
    expect(parser.flush()).toEqual([{ engine: 'easyr1', step: 2, 'actor/pg_loss': 0.01 }]);
  });

  it('splits Ray prefixes and colour codes off a line', () => {
    expect(splitRayLine(ray('Runner pid=12', 'Step 3'))).toEqual({ source: 'Runner pid=12', text: 'Step 3' });
    expect(splitRayLine('(Runner pid=12, ip=10.1.2.3) x: 1 [repeated 2x across cluster]')).toEqual({
      source: 'Runner pid=12, ip=10.1.2.3',
      text: 'x: 1',
    });
    expect(splitRayLine('(pid=77) task line')).toEqual({ source: 'pid=77', text: 'task line' });
    expect(splitRayLine('\u001b[33m(raylet)\u001b[0m warning')).toEqual({ source: '', text: '(raylet) warning' });
    expect(splitRayLine('Step 4')).toEqual({ source: '', text: 'Step 4' });
  });

  it('decodes numpy scalars of each byte order and refuses what it cannot read', () => {
    const dtype = (code: string, order = '<') => ({ args: [code, false, true], state: [3, order] });
    const le = new Uint8Array([0x8d, 0x28, 0xed, 0x0d, 0xbe, 0x30, 0x89, 0xbf]);
    expect(decodeNumpyScalar([dtype('f8'), le])).toBe(-0.0123);
    expect(decodeNumpyScalar([dtype('f8', '>'), le.slice().reverse()])).toBe(-0.0123);
    expect(decodeNumpyScalar([dtype('i8'), new Uint8Array([7, 0, 0, 0, 0, 0, 0, 0])])).toBe(7);
    expect(decodeNumpyScalar([dtype('f2'), new Uint8Array([0, 60])])).toBeUndefined();
    expect(decodeNumpyScalar([dtype('f8'), new Uint8Array([1, 2, 3])])).toBeUndefined();
    expect(decodeNumpyScalar(['f8', le])).toBeUndefined();
  });

  it('reads LLaMA-Factory dict lines that arrive through Ray with colour codes', () => {
    const parser = createProgressParser('llamafactory');
    expect(parser.push(ray('pid=99', "{'loss': 0.5, 'epoch': 0.1}"))).toEqual([
      { engine: 'llamafactory', step: 1, loss: 0.5, epoch: 0.1 },
    ]);
  });
});
