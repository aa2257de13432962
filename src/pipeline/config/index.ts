export { coerceOverride, configHelp, parseRunConfig, resolveConfig, runConfigJsonSchema } from './load.ts';
export { deepMerge } from './merge.ts';
export { PRESET_NAMES, PRESETS, type PresetName } from './presets.ts';
export * from './schema.ts';
