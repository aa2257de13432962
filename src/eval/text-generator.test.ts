import { describe, expect, it } from 'vitest';
import type { GenerationBackend, GenerationParams, Prompt } from '../backends/types.ts';
import { extractMathVista } from './mathvista/index.ts';
import { textGeneratorFrom } from './text-generator.ts';

describe('LLM helpers through any GenerationBackend', () => {
  it('asks greedily with one user message and returns the first completion', async () => {
    const seen: { prompts: readonly Prompt[]; params: GenerationParams }[] = [];
    const backend: GenerationBackend = {
      id: 'scripted',
      async generate(prompts, params) {
        seen.push({ prompts, params });
        return [[{ text: '42', finishReason: 'stop' }]];
      },
    };
    const llm = textGeneratorFrom(backend);
    const record = {
      pid: '7',
      question: 'How many?',
      query: 'Hint: integer.\nQuestion: How many?',
      choices: null,
      answer: '42',
      question_type: 'free_form' as const,
      answer_type: 'integer' as const,
      metadata: { language: 'english', source: 's', category: 'c', task: 't', context: 'x', grade: 'g', skills: [] },
    };
    expect(await extractMathVista('there are forty-two', record, { llm })).toEqual({ extraction: '42', method: 'llm' });
    expect(seen[0]?.params).toMatchObject({ n: 1, temperature: 0 });
    const message = seen[0]?.prompts[0]?.[0];
    expect(message?.role).toBe('user');
    expect(String(message?.content)).toMatch(
      /Hint: integer\.\nQuestion: How many\?\n\nthere are forty-two\n\nExtracted answer: $/,
    );
  });
});
