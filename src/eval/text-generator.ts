import type { GenerationBackend, GenerationParams } from '../backends/types.ts';

/**
 * A text-in, text-out helper model (answer extractor, judge): one user message, one greedy completion. Any
 * GenerationBackend becomes one through `textGeneratorFrom`; tests use scripted functions directly.
 */
export type TextGenerator = (prompt: string, signal?: AbortSignal) => Promise<string>;

export function textGeneratorFrom(backend: GenerationBackend, params: Partial<GenerationParams> = {}): TextGenerator {
  const full: GenerationParams = { n: 1, temperature: 0, topP: 1, maxTokens: 256, ...params };
  return async (prompt, signal) => {
    const [completions] = await backend.generate([[{ role: 'user', content: prompt }]], full, signal);
    return completions?.[0]?.text ?? '';
  };
}
