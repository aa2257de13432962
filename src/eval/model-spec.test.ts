import { describe, expect, it } from 'vitest';
import { parseBenchList } from './benchmarks.ts';
import { parseModelSpec } from './model-spec.ts';

describe('--model and --bench values', () => {
  it('reads openai:URL#model and checkpoint folders', () => {
    expect(parseModelSpec('openai:http://127.0.0.1:8000/v1#Qwen/Qwen2.5-VL-7B-Instruct')).toEqual({
      kind: 'openai',
      baseURL: 'http://127.0.0.1:8000/v1',
      model: 'Qwen/Qwen2.5-VL-7B-Instruct',
    });
    expect(parseModelSpec('runs/a/round-1/sft')).toEqual({ kind: 'embedded', dir: 'runs/a/round-1/sft' });
    expect(() => parseModelSpec('openai:127.0.0.1:8000#m')).toThrow(/is not openai:URL#model/);
    expect(() => parseModelSpec('openai:http://h/v1#')).toThrow(/is not openai:URL#model/);
  });

  it('accepts known benchmark names only, once each', () => {
    expect(parseBenchList('mathvista, world,mathvista')).toEqual(['mathvista', 'world']);
    expect(() => parseBenchList('mathvista,mmmu')).toThrow(/unknown benchmark 'mmmu'/);
    expect(() => parseBenchList('')).toThrow(/unknown benchmark/);
  });
});
