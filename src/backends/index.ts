export * from './easyr1-reward-shim.ts';
export * from './openai-generator.ts';
export * from './openai-wire.ts';
export * from './response-cache.ts';
export * from './retry.ts';
export * from './reward-server.ts';
export * from './reward-wire.ts';
export type * from './types.ts';
