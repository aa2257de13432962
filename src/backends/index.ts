/**
 * backends/: the seams to engines. Generation backends (the embedded tiny VLM, OpenAI-compatible servers, the
 * caption reader) and training backends (embedded, LLaMA-Factory, EasyR1, run locally or as Ray jobs), with their
 * config writers and job plans; the chat server (`vlthink serve`), the reward server and EasyR1's reward shim.
 *
 * Imports: every folder but pipeline and cli (test/architecture.test.ts).
 */
export * from './caption-reader-backend.ts';
export * from './chat-server.ts';
export * from './easyr1-config.ts';
export * from './easyr1-reward-shim.ts';
export * from './engine-keys.ts';
export * from './external-trainers.ts';
export * from './job-plan.ts';
export * from './job-runner.ts';
export * from './llamafactory-config.ts';
export * from './local-runner.ts';
export * from './openai-generator.ts';
export * from './openai-wire.ts';
export * from './progress-parse.ts';
export * from './ray-jobs-runner.ts';
export * from './request-batcher.ts';
export * from './response-cache.ts';
export * from './retry.ts';
export * from './reward-server.ts';
export * from './reward-wire.ts';
export * from './serving-reload.ts';
export type * from './types.ts';
export * from './verify-scorer.ts';
