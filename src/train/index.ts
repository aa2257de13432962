/**
 * train/: SFT and GRPO: the pure math (advantages, losses, schedules), the configs, step metrics, and the loops on the
 * tiny VLM.
 *
 * Imports: core, verify, data, engine, model; never backends, pipeline or cli (test/architecture.test.ts).
 */
export * from './advantages.ts';
export * from './batching.ts';
export * from './config.ts';
export * from './dapo.ts';
export * from './data-order.ts';
export * from './graph-losses.ts';
export * from './grpo.ts';
export * from './lr-schedule.ts';
export * from './metrics.ts';
export * from './policy-io.ts';
export * from './policy-loss.ts';
export * from './sft.ts';
export * from './train-steps.ts';
