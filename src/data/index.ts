export * from './images.ts';
export * from './jsonl.ts';
export * from './parquet.ts';
export * from './types.ts';
