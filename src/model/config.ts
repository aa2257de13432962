/**
 * The tiny VLM's sizes. `bench` is exactly the shape of the PyTorch reference model that `npm run bench -- engine`
 * measures against; `tiny` is the embedded default, small enough to train from scratch in minutes on 2 CPU cores.
 */
import { z } from 'zod';

export const VlmConfigSchema = z
  .object({
    vocabSize: z
      .number()
      .int()
      .min(2)
      .describe('token vocabulary size (from the tokenizer; 64 in the benchmark shape)'),
    dModel: z.number().int().min(4).default(96).describe('residual width d_model (torch_reference.py: 128)'),
    nLayers: z.number().int().min(1).default(3).describe('transformer blocks (torch_reference.py: 4)'),
    nHeads: z
      .number()
      .int()
      .min(1)
      .default(4)
      .describe('attention heads; d_model must divide by it (torch_reference.py: 4)'),
    dFF: z.number().int().min(1).default(384).describe('MLP hidden width, tanh-GELU (torch_reference.py: 4 * d_model)'),
    imageSize: z
      .number()
      .int()
      .min(1)
      .default(32)
      .describe('square input images, pixels per side (torch_reference.py: 32)'),
    patchSize: z
      .number()
      .int()
      .min(1)
      .default(8)
      .describe('ViT-style square patch side in pixels; imageSize must divide by it (torch_reference.py: 8)'),
    channels: z.number().int().min(1).default(3).describe('image channels (RGB = 3)'),
    maxTextLen: z
      .number()
      .int()
      .min(2)
      .default(128)
      .describe('most text tokens in a sequence: sizes the learned position table (torch_reference.py: 64)'),
    lnEps: z.number().positive().default(1e-5).describe('LayerNorm epsilon (PyTorch default 1e-5)'),
    initStd: z.number().positive().default(0.02).describe('std of the normal weight init (GPT-2: 0.02)'),
  })
  .refine((c) => c.dModel % c.nHeads === 0, { message: 'dModel must be divisible by nHeads', path: ['nHeads'] })
  .refine((c) => c.imageSize % c.patchSize === 0, {
    message: 'imageSize must be divisible by patchSize',
    path: ['patchSize'],
  });
export type VlmConfig = Readonly<z.infer<typeof VlmConfigSchema>>;

/** The engine benchmark's shape, the PyTorch reference's (V 64, D 128, L 4, H 4, FF 512, 32 px, 8 px patches, T 64). */
export const benchConfig: VlmConfig = Object.freeze(
  VlmConfigSchema.parse({
    vocabSize: 64,
    dModel: 128,
    nLayers: 4,
    nHeads: 4,
    dFF: 512,
    imageSize: 32,
    patchSize: 8,
    maxTextLen: 64,
  }),
);

/** The embedded default for a tokenizer with `vocabSize` tokens. */
export function tinyConfig(vocabSize: number, overrides: Partial<VlmConfig> = {}): VlmConfig {
  return Object.freeze(VlmConfigSchema.parse({ vocabSize, ...overrides }));
}

/** Image tokens per image (patches). */
export const numPatches = (c: VlmConfig): number => (c.imageSize / c.patchSize) ** 2;
/** Values per flattened patch. */
export const patchDim = (c: VlmConfig): number => c.channels * c.patchSize * c.patchSize;
/** Longest sequence (image tokens + text tokens): rows of the position table. */
export const maxSeq = (c: VlmConfig): number => numPatches(c) + c.maxTextLen;
/** Floats per image. */
export const imageValues = (c: VlmConfig): number => c.channels * c.imageSize * c.imageSize;
