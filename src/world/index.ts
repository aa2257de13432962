/**
 * world/: the synthetic visual-math world: problem families and generators, the renderer, the captioner, and the
 * rule-based caption reader that plays the text reasoner.
 *
 * Imports: core, data (test/architecture.test.ts).
 */
export { type CaptionOptions, captionScene } from './caption.ts';
export { type CaptionFacts, parseCaption } from './caption-facts.ts';
export { LETTERS as WORLD_CHOICE_LETTERS } from './choices.ts';
export {
  FAMILY_TABLE,
  generateDataset,
  iterateDataset,
  parseSynthOptions,
  SPLITS,
  type Split,
  SynthOptions,
  splitOf,
  toProblem,
  type WorldRecord,
} from './dataset.ts';
export { FAMILIES, type Family, type FamilyName, type GeneratedProblem, tierForSteps } from './family.ts';
export { parseQuestion, type QuestionSpec, questionText } from './question.ts';
export { DETOUR_RATE, REFLECTION_MARKERS, readCaption } from './reader.ts';
export { drawScene, PALETTE, renderPixels, renderScene } from './render.ts';
export * from './scene.ts';
export { TRACE_TAGS, worldTokens, worldVocabulary } from './vocabulary.ts';
export { type WorldDatasetSummary, type WriteWorldOptions, writeWorldDataset } from './write-dataset.ts';
