export * from './images.ts';
export * from './jsonl.ts';
export * from './types.ts';
