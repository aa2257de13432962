/**
 * eval/: benchmark evaluation: the official scorers (MathVista, MathVerse, MATH-Vision), OpenVLThinker's mode, model
 * specs, the runner and its reports.
 *
 * Imports: core, verify, data, world, backends (test/architecture.test.ts).
 */
export * from './benchmarks.ts';
export * from './config.ts';
export * from './levenshtein.ts';
export * from './mathverse/index.ts';
export * from './mathvision/index.ts';
export * from './mathvista/index.ts';
export * from './model-spec.ts';
export * from './openvlthinker-mode.ts';
export * from './prompt-file.ts';
export * from './python-compat.ts';
export * from './report.ts';
export * from './runner.ts';
export * from './score-file.ts';
export * from './text-generator.ts';
export * from './types.ts';
