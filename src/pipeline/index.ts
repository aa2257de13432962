/**
 * pipeline/: the OpenVLThinker loop: the run config and presets, the stages, the round loop, the run manifest,
 * status, and the run report.
 *
 * Imports: every folder but cli (test/architecture.test.ts).
 */
export * from './config/index.ts';
export type { PipelineDeps, WorldRequest, WorldSample } from './deps.ts';
export { type DoctorCheck, type DoctorOptions, formatDoctor, runDoctor } from './doctor.ts';
export { createDeps, type DepsOptions } from './engines.ts';
export { type FilterSettings, type FilterStats, filterTraces } from './filter.ts';
export { type RunOptions, RunSummary, runPipeline } from './loop.ts';
export { Manifest, readManifest, StageRecord } from './manifest.ts';
export { runDirOf } from './paths.ts';
export { planRun, type RunPlan, writePlanFiles } from './plan.ts';
export { createProgress, type Progress, silentProgress } from './progress.ts';
export { policyPromptText, THINK_INSTRUCTION } from './prompts.ts';
export * from './report/index.ts';
export { type Selection, selectTrace } from './select-trace.ts';
export { formatStatus, type RunStatus, readRunStatus } from './status.ts';
export { formatSummaryTable } from './summary.ts';
