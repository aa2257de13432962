import type { MathVistaRecord } from '../../data/adapters/mathvista.ts';
import { pyFloatRepr, pyParseFloat, pyParseInt } from '../python-compat.ts';
import type { TextGenerator } from '../text-generator.ts';

/**
 * MathVista answer extraction, in the order of the official pipeline:
 *   1. an empty response extracts as ''
 *   2. multiple choice: a response that *is* one of the option texts is the extraction
 *   3. integer answers: a response that parses as Python int; float answers: one that parses as Python float
 *   4. quick rule: `The answer is "X".` -> X
 *   5. an LLM extractor (few-shot prompt) when one is configured; offline (no extractor) the extraction is ''.
 */

export type QuickExtraction = { readonly found: true; readonly extraction: string } | { readonly found: false };

/** Steps 1-4: the rule-based path. `found: false` means an LLM extractor would be asked next. */
export function quickExtractMathVista(response: string, record: MathVistaRecord): QuickExtraction {
  if (response === '') return { found: true, extraction: '' };
  if (record.question_type === 'multi_choice' && record.choices?.includes(response)) {
    return { found: true, extraction: response };
  }
  if (record.answer_type === 'integer') {
    const n = pyParseInt(response);
    if (n !== null) return { found: true, extraction: n.toString() };
  }
  if (record.answer_type === 'float') {
    const x = pyParseFloat(response);
    if (x !== null) return { found: true, extraction: pyFloatRepr(x) };
  }
  // Python's `.` stops at '\n' only; search finds the first line with the pattern, `.*` is greedy within it.
  const quoted = /The answer is "([^\n]*)"\./.exec(response);
  if (quoted) return { found: true, extraction: quoted[1] ?? '' };
  return { found: false };
}

/**
 * Our few-shot extraction prompt (our own examples and wording). A user can substitute the benchmark's official demo
 * prompt with `loadPromptFile(file)`; both are assembled the official way by `mathVistaExtractionPrompt`.
 */
export const MATHVISTA_EXTRACTION_PROMPT = `Below are examples of pulling the final answer out of a model's reply. Read them, then write the extracted answer for the last reply, in the format its hint asks for and nothing else.

Hint: Please answer the question requiring an integer answer and provide the final value, e.g., 1, 2, 3, at the end.
Question: How many red cubes are left after removing the small ones?

Model response: There were five red cubes and two of them are small, so three remain.

Extracted answer: 3

Hint: Please answer the question requiring a floating-point number with one decimal place and provide the final value, e.g., 1.2, 1.3, 1.4, at the end.
Question: What is the average of the two bars?

Model response: The bars read 4.2 and 5.6; their mean is 4.9.

Extracted answer: 4.9

Hint: Please answer the question requiring a floating-point number with two decimal places and provide the final value, e.g., 1.23, 1.34, 1.45, at the end.
Question: How much do two stamps cost in total? (Unit: $)

Model response: One stamp costs $0.85, so two cost $1.70 altogether.

Extracted answer: 1.70

Hint: Please answer the question requiring a Python list as an answer and provide the final list, e.g., [1, 2, 3], [1.2, 1.3, 1.4], at the end.
Question: In which two years was the value lowest?

Model response: The curve bottoms out in 1998 and again in 2003.

Extracted answer: [1998, 2003]

Hint: Please answer the question and provide the correct option letter, e.g., A, B, C, D, at the end.
Question: Which shape has the largest area?
Choices:
(A) the circle
(B) the square
(C) the triangle

Model response: Comparing the three, the square covers the most space, so the answer is B.

Extracted answer: B`;

/** The official assembly: demo prompt (stripped), the problem's query, the response, then `Extracted answer: `. */
export function mathVistaExtractionPrompt(demo: string, query: string, response: string): string {
  return `${demo.trim()}\n\n${query}\n\n${response}\n\nExtracted answer: `;
}

export interface MathVistaExtractOptions {
  /** The LLM extractor; absent = offline mode (quick path only). */
  readonly llm?: TextGenerator;
  /** The few-shot demo prompt; defaults to ours. */
  readonly demoPrompt?: string;
  readonly signal?: AbortSignal;
}

/** The full extraction: quick path, then the LLM extractor when configured, else ''. */
export async function extractMathVista(
  response: string,
  record: MathVistaRecord,
  options: MathVistaExtractOptions = {},
): Promise<{ extraction: string; method: 'quick' | 'llm' | 'none' }> {
  const quick = quickExtractMathVista(response, record);
  if (quick.found) return { extraction: quick.extraction, method: 'quick' };
  if (!options.llm) return { extraction: '', method: 'none' };
  const prompt = mathVistaExtractionPrompt(
    options.demoPrompt ?? MATHVISTA_EXTRACTION_PROMPT,
    record.query ?? record.question,
    response,
  );
  const text = await options.llm(prompt, options.signal);
  return { extraction: text.trim(), method: 'llm' };
}
