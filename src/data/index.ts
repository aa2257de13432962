/**
 * data/: datasets on disk. Problem / Trace / SFT example types, JSONL and Parquet I/O, images (decoding, engine pixel
 * caps, tensors), the benchmark adapters, the problem text engines see, and the exports to LLaMA-Factory, EasyR1 and
 * verl.
 *
 * Imports: core only (test/architecture.test.ts).
 */
export * from './export-easyr1.ts';
export * from './export-images.ts';
export * from './export-llama-factory.ts';
export * from './export-rl-parquet.ts';
export * from './export-verl.ts';
export * from './image-tensor-loader.ts';
export * from './images.ts';
export * from './jsonl.ts';
export * from './parquet.ts';
export * from './parquet-writer.ts';
export * from './pixels.ts';
export * from './problem-text.ts';
export * from './show-records.ts';
export * from './types.ts';
