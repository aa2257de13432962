export * from './atomic.ts';
export * from './choice-letters.ts';
export * from './errors.ts';
export * from './hash.ts';
export * from './log.ts';
export * from './pool.ts';
export * from './rng.ts';
