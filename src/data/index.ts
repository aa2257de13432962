export * from './jsonl.ts';
export * from './types.ts';
