import { z } from 'zod';

/**
 * The records that flow through the loop. Each has a zod schema (the JSONL wire format, camelCase) and a type.
 * Image paths are relative to the dataset file's folder unless absolute.
 */
export const Tier = z.enum(['easy', 'medium', 'hard']).describe('difficulty tier (paper: easy / medium / hard)');
export type Tier = z.infer<typeof Tier>;

export const AnswerType = z
  .enum(['number', 'choice', 'yesno', 'text'])
  .describe('how the gold answer is compared: a number, a choice letter, yes/no, or short text');
export type AnswerType = z.infer<typeof AnswerType>;

export const Problem = z.object({
  id: z.string().min(1).describe('unique within its dataset'),
  question: z.string().describe('the question as shown to the model (without the choices, see `choices`)'),
  images: z.array(z.string()).default([]).describe('image paths, relative to the dataset folder'),
  choices: z
    .array(z.string())
    .nullable()
    .default(null)
    .describe('option texts for multiple choice, in letter order A, B, ...'),
  answer: z.string().describe('the gold answer: a number, a choice letter, yes/no or short text'),
  answerType: AnswerType,
  source: z.string().default('unknown').describe('the family or source dataset the problem comes from'),
  tier: Tier.nullable().default(null),
  caption: z
    .string()
    .nullable()
    .default(null)
    .describe('a caption carried by the dataset; the caption stage fills it otherwise'),
  metadata: z.record(z.string(), z.unknown()).default({}),
});
export type Problem = z.infer<typeof Problem>;

/** One sampled reasoning chain for a problem, with its verdict. */
export const Trace = z.object({
  problemId: z.string(),
  sample: z.number().int().nonnegative().describe('index among the k samples drawn for this problem'),
  text: z.string().describe('the full generated text'),
  extracted: z.string().nullable().describe('the answer the verifier extracted, null when none'),
  correct: z.boolean(),
  generator: z.string().describe('which model or backend produced it'),
});
export type Trace = z.infer<typeof Trace>;

/** One supervised example: the model sees `prompt` (and the images) and learns to write `response`. */
export const SftExample = z.object({
  id: z.string(),
  problemId: z.string(),
  images: z.array(z.string()).default([]),
  prompt: z.string(),
  response: z.string().describe('`<think>...</think>` then `<answer>...</answer>`'),
  answer: z.string().describe('the gold answer, kept for checks and RL'),
});
export type SftExample = z.infer<typeof SftExample>;
