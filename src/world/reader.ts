import type { Rng } from '../core/index.ts';
import { parseCaption } from './caption-facts.ts';
import { LETTERS } from './choices.ts';
import { parseQuestion } from './question.ts';
import { say } from './reader-phrases.ts';
import { reasonBars, reasonGeometry } from './reason-figures.ts';
import { type Reasoning, reasonCounts, reasonPositions } from './reason-shapes.ts';

/**
 * The rule-based caption reader: the paper's text-only reasoner. It sees only the caption, the question and the
 * option texts; it parses the facts the caption states, reasons step by step in words (varied phrasing, sometimes a
 * "wait , let me check again ." detour that re-derives the key step), and answers. Where the caption dropped or
 * corrupted a fact it reasons from what it was told, or guesses, and so answers wrongly as a misled reasoner would.
 *
 * Output: `<think> reasoning </think> short justification <answer> X </answer>` (OpenVLThinker's output format,
 * with spaces around the tags so every token is a word of `worldVocabulary()`).
 */

/** Probability of a self-reflection detour before `</think>`. */
export const DETOUR_RATE = 0.25;

/** Markers at which the pipeline's filter cuts a trace (the paper's "Wait,", "But wait," in this world's spelling). */
export const REFLECTION_MARKERS = ['wait ,', 'but wait ,'] as const;

function reason(rng: Rng, caption: string, question: string): Reasoning | null {
  const spec = parseQuestion(question);
  if (!spec) return null;
  const facts = parseCaption(caption);
  return (
    reasonCounts(rng, spec, facts) ??
    reasonPositions(rng, spec, facts) ??
    reasonBars(rng, spec, facts) ??
    reasonGeometry(rng, spec, facts)
  );
}

/** The option for a value: the same text, else the nearest number, else a random option. */
function chooseOption(rng: Rng, value: string, choices: readonly string[]): { letter: string; line: string } {
  const exact = choices.findIndex((c) => c.trim().toLowerCase() === value);
  if (exact >= 0) return { letter: LETTERS[exact], line: say(rng, 'option', { v: value, l: LETTERS[exact] }) };
  const v = Number(value);
  const numeric = choices.map((c) => Number(c));
  if (Number.isFinite(v) && numeric.every((x) => Number.isFinite(x))) {
    let best = 0;
    for (let i = 1; i < numeric.length; i++) if (Math.abs(numeric[i] - v) < Math.abs(numeric[best] - v)) best = i;
    const letter = LETTERS[best];
    return { letter, line: say(rng, 'closest', { v: value, x: choices[best], l: letter }) };
  }
  const i = rng.int(Math.min(choices.length, LETTERS.length));
  return { letter: LETTERS[i], line: say(rng, 'noOption', { v: value, l: LETTERS[i] }) };
}

/** One reasoning trace for (caption, question, choices). Never throws on odd input: a question it cannot parse gets an honest "i do not understand" trace. */
export function readCaption(caption: string, question: string, choices: readonly string[] | null, rng: Rng): string {
  const r = reason(rng, caption, question);
  if (!r) return `<think> ${say(rng, 'lost')} </think> i cannot answer . <answer> unknown </answer>`;
  const lines = [...r.lines];
  let answer = r.value;
  let summary = r.summary;
  if (choices && choices.length > 0) {
    const opt = chooseOption(rng, r.value, choices);
    lines.push(opt.line);
    answer = opt.letter;
    summary = `${summary.replace(/ \.$/, '')} , option ${opt.letter} .`;
  }
  if (rng.chance(DETOUR_RATE)) {
    lines.push(say(rng, 'detour'), ...r.check, say(rng, 'confirm', { v: answer }));
  }
  return `<think> ${lines.join(' ')} </think> ${summary} <answer> ${answer} </answer>`;
}
