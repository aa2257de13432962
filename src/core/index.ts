/**
 * core/: what every layer shares and nothing of ours underlies: errors (VlthinkError and its ConfigError, DataError,
 * BackendError subclasses), the seeded RNG, content hashing and fnv1a, atomic file writes, logging, the bounded worker
 * pool, and multiple-choice option letters.
 *
 * Imports: nothing of vlthink's (test/architecture.test.ts checks every folder's imports).
 */
export * from './atomic.ts';
export * from './choice-letters.ts';
export * from './errors.ts';
export * from './hash.ts';
export * from './log.ts';
export * from './pool.ts';
export * from './rng.ts';
