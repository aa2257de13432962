import { CAPTION_TEMPLATES } from './caption.ts';
import { LETTERS } from './choices.ts';
import { QUESTION_WORDS } from './question.ts';
import { READER_PHRASES } from './reader-phrases.ts';
import { COLORS, POSITION_NAMES, SHAPES } from './scene.ts';

/**
 * The world's words. Every text the world emits (questions, options, answers, captions at any noise, reader traces)
 * is lowercase words and punctuation separated by spaces, with numbers as digit strings; split by `worldTokens` it
 * uses only these tokens, so a word-level tokenizer built from this list never meets an unknown word here.
 */

/** Whitespace split, then every digit run into single digits ("12" -> "1", "2"). */
export function worldTokens(text: string): string[] {
  const out: string[] = [];
  for (const word of text.split(/\s+/)) {
    if (word.length === 0) continue;
    if (/^\d+$/.test(word)) out.push(...word);
    else out.push(word);
  }
  return out;
}

/** The tags of a trace, as their own tokens. */
export const TRACE_TAGS = ['<think>', '</think>', '<answer>', '</answer>'] as const;

function templateWords(templates: readonly string[]): string[] {
  return templates.flatMap((t) => worldTokens(t.replace(/\{\w+\}/g, ' ')));
}

let cached: string[] | null = null;

/** Sorted, unique: every token any generator, caption, question or reader trace can emit. */
export function worldVocabulary(): string[] {
  if (cached) return [...cached];
  const words = new Set<string>([
    ...'0123456789',
    ...LETTERS,
    ...TRACE_TAGS,
    ...COLORS,
    ...SHAPES,
    ...SHAPES.map((s) => `${s}s`),
    ...POSITION_NAMES.flat().flatMap((n) => n.split(' ')),
    'yes',
    'no',
    'shapes',
    'that',
    'are',
    'not',
    'there',
    'is',
    'the',
    'and',
    'tallest',
    'shortest',
    'to',
    'of',
    'above',
    'below',
    'column',
    'row',
    'less',
    'more',
    'than',
    'same',
    'as',
    'degrees',
    'top',
    'bottom',
    'width',
    'height',
    'unknown',
    'i',
    'cannot',
    'answer',
    '.',
    ':',
    ',',
    '+',
    '-',
  ]);
  for (const list of Object.values(CAPTION_TEMPLATES)) for (const w of templateWords(list)) words.add(w);
  for (const list of Object.values(READER_PHRASES)) for (const w of templateWords(list)) words.add(w);
  for (const w of templateWords(QUESTION_WORDS)) words.add(w);
  cached = [...words].sort();
  return [...cached];
}
