import { z } from 'zod';

/**
 * The OpenAI chat-completions wire format (snake_case stays here), shared by the client
 * (`createOpenAICompatibleGenerator`) and the server (`vlthink serve`). Only the fields vlthink sends or reads are
 * named; objects from the server are loose so extra fields (vLLM's `prompt_logprobs`, SGLang's `meta_info`) pass.
 * Reference: OpenAI API "Create chat completion"; vLLM and SGLang accept `top_k` as an extra sampling field.
 */

export const WireTextPart = z.object({ type: z.literal('text'), text: z.string() });

export const WireImagePart = z.object({
  type: z.literal('image_url'),
  image_url: z.object({
    url: z.string().describe('an http(s) URL or a `data:<mime>;base64,<bytes>` URL'),
    detail: z.enum(['auto', 'low', 'high']).optional(),
  }),
});

export const WireContentPart = z.discriminatedUnion('type', [WireTextPart, WireImagePart]);
export type WireContentPart = z.infer<typeof WireContentPart>;

export const WireMessage = z.object({
  role: z.enum(['system', 'user', 'assistant']),
  content: z.union([z.string(), z.array(WireContentPart)]),
});
export type WireMessage = z.infer<typeof WireMessage>;

export const ChatCompletionRequest = z.object({
  model: z.string().min(1),
  messages: z.array(WireMessage).min(1),
  n: z.number().int().min(1).max(128).optional(),
  temperature: z.number().min(0).max(2).optional(),
  top_p: z.number().gt(0).max(1).optional(),
  top_k: z.number().int().min(-1).optional(),
  max_tokens: z.number().int().min(1).optional(),
  max_completion_tokens: z.number().int().min(1).optional(),
  seed: z.number().int().optional(),
  stop: z.union([z.string(), z.array(z.string()).max(16)]).optional(),
  logprobs: z.boolean().optional(),
  top_logprobs: z.number().int().min(0).max(20).optional(),
  stream: z.boolean().optional(),
  stream_options: z.object({ include_usage: z.boolean().optional() }).optional(),
});
export type ChatCompletionRequest = z.infer<typeof ChatCompletionRequest>;

export const WireTokenLogprob = z.looseObject({
  token: z.string(),
  logprob: z.number(),
  bytes: z.array(z.number()).nullable().optional(),
});

export const WireChoice = z.looseObject({
  index: z.number().int().nonnegative(),
  message: z.looseObject({ role: z.string(), content: z.string().nullable() }),
  finish_reason: z.string().nullable(),
  logprobs: z
    .looseObject({ content: z.array(WireTokenLogprob).nullable() })
    .nullable()
    .optional(),
});
export type WireChoice = z.infer<typeof WireChoice>;

export const ChatCompletionResponse = z.looseObject({
  id: z.string(),
  object: z.literal('chat.completion'),
  created: z.number(),
  model: z.string(),
  choices: z.array(WireChoice),
  usage: z
    .looseObject({ prompt_tokens: z.number(), completion_tokens: z.number(), total_tokens: z.number() })
    .optional(),
});
export type ChatCompletionResponse = z.infer<typeof ChatCompletionResponse>;

export const ModelList = z.object({
  object: z.literal('list'),
  data: z.array(
    z.looseObject({ id: z.string(), object: z.literal('model'), created: z.number(), owned_by: z.string() }),
  ),
});
export type ModelList = z.infer<typeof ModelList>;

/** The error body OpenAI-compatible servers send with a 4xx/5xx. */
export const WireError = z.object({
  error: z.object({ message: z.string(), type: z.string(), param: z.string().nullable(), code: z.string().nullable() }),
});
export type WireError = z.infer<typeof WireError>;
