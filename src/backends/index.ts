export * from './openai-generator.ts';
export * from './openai-wire.ts';
export * from './response-cache.ts';
export * from './retry.ts';
export type * from './types.ts';
