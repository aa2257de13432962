/**
 * A word-level tokenizer for the synthetic world. Pieces, in the order the pre-tokenizer finds them:
 * - the tags `<think>` `</think>` `<answer>` `</answer>` and special tokens written literally;
 * - each digit alone ("12" -> "1" "2"), so numbers of any size need only ten tokens;
 * - words: runs of letters (with inner apostrophes or hyphens: "don't", "x-axis");
 * - each other visible character alone (punctuation, "+", "="); a newline is a token; other whitespace separates.
 * Words missing from the vocabulary match case-insensitively, else map to <unk>. Encoding never throws.
 *
 * Normalized text (what decode returns) is the synthetic world's own convention: pieces joined by one space, except
 * that the digits of a number stay together ("12") and a newline takes no spaces around it. So
 * decode(encode(text)) === text for world text (single-spaced, punctuation as its own word: "there are 3 red circles
 * ."), other text comes back with its whitespace canonicalized and punctuation spaced out, and
 * encode(decode(ids)) equals ids for ids without <unk> or special tokens.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { DataError, writeJsonAtomic } from '../core/index.ts';

export const SPECIAL_TOKENS = ['<pad>', '<bos>', '<eos>', '<unk>'] as const;
export const TAG_TOKENS = ['<think>', '</think>', '<answer>', '</answer>'] as const;
const DIGITS = [...'0123456789'];
const PUNCT = [...'.,;:!?()[]%$+-*/=<>\'"#&_^|~{}@`'];
const NEWLINE = '\n';

const PIECE = /<\/?think>|<\/?answer>|<pad>|<bos>|<eos>|<unk>|\n|[0-9]|[A-Za-z]+(?:['-][A-Za-z]+)*|[^\sA-Za-z0-9]/gu;

/** Split text into pieces (see the module comment). */
export function pretokenize(text: string): string[] {
  return text.match(PIECE) ?? [];
}

export interface Tokenizer {
  readonly vocab: readonly string[];
  readonly size: number;
  readonly pad: number;
  readonly bos: number;
  readonly eos: number;
  readonly unk: number;
  /** Id of a piece, or <unk>. */
  id(piece: string): number;
  encode(text: string, opts?: { bos?: boolean; eos?: boolean }): number[];
  /** Text of ids; <pad>, <bos>, <eos> are dropped unless `keepSpecial`. Ids out of range decode as <unk>. */
  decode(ids: readonly number[], opts?: { keepSpecial?: boolean }): string;
}

const isDigit = (p: string | undefined) => p !== undefined && p.length === 1 && p >= '0' && p <= '9';

/** Join pieces into normalized text (see the module comment). */
export function joinPieces(pieces: readonly string[]): string {
  let out = '';
  pieces.forEach((p, i) => {
    const prev = pieces[i - 1];
    if (i > 0 && !(isDigit(p) && isDigit(prev)) && p !== NEWLINE && prev !== NEWLINE) out += ' ';
    out += p;
  });
  return out;
}

/** Build from a vocabulary list or any corpus: every piece of every string joins the vocabulary. */
export function createTokenizer(corpus: Iterable<string>): Tokenizer {
  const base = [...SPECIAL_TOKENS, ...TAG_TOKENS, NEWLINE, ...DIGITS, ...PUNCT];
  const seen = new Set(base);
  const words: string[] = [];
  for (const text of corpus) {
    for (const p of pretokenize(text)) {
      if (!seen.has(p)) {
        seen.add(p);
        words.push(p);
      }
    }
  }
  return fromVocab([...base, ...words.sort()]);
}

function fromVocab(vocab: readonly string[]): Tokenizer {
  const index = new Map<string, number>();
  const folded = new Map<string, number>();
  vocab.forEach((v, i) => {
    if (!index.has(v)) index.set(v, i);
    if (!folded.has(v.toLowerCase())) folded.set(v.toLowerCase(), i);
  });
  const need = (t: string) => {
    const i = index.get(t);
    if (i === undefined) throw new DataError('tokenizer', `vocabulary lacks the special token ${t}`);
    return i;
  };
  const [pad, bos, eos, unk] = SPECIAL_TOKENS.map(need) as [number, number, number, number];
  const id = (piece: string): number => index.get(piece) ?? folded.get(piece.toLowerCase()) ?? unk;
  const special = new Set([pad, bos, eos]);
  return {
    vocab,
    size: vocab.length,
    pad,
    bos,
    eos,
    unk,
    id,
    encode(text, opts = {}) {
      const ids = pretokenize(typeof text === 'string' ? text : String(text)).map(id);
      if (opts.bos) ids.unshift(bos);
      if (opts.eos) ids.push(eos);
      return ids;
    },
    decode(ids, opts = {}) {
      const pieces: string[] = [];
      for (const i of ids) {
        if (!opts.keepSpecial && special.has(i)) continue;
        pieces.push(Number.isInteger(i) && i >= 0 && i < vocab.length ? (vocab[i] as string) : '<unk>');
      }
      return joinPieces(pieces);
    },
  };
}

const TokenizerFileSchema = z.object({
  kind: z.literal('vlthink-word-tokenizer'),
  version: z.literal(1),
  vocab: z.array(z.string()).min(SPECIAL_TOKENS.length),
});

export function tokenizerToJson(t: Tokenizer): z.infer<typeof TokenizerFileSchema> {
  return { kind: 'vlthink-word-tokenizer', version: 1, vocab: [...t.vocab] };
}

export function tokenizerFromJson(value: unknown, file = 'tokenizer.json'): Tokenizer {
  const parsed = TokenizerFileSchema.safeParse(value);
  if (!parsed.success) throw new DataError(file, `not a vlthink tokenizer file: ${parsed.error.message}`);
  return fromVocab(parsed.data.vocab);
}

export async function saveTokenizer(path: string, t: Tokenizer): Promise<void> {
  await writeJsonAtomic(path, tokenizerToJson(t));
}

export async function loadTokenizer(path: string): Promise<Tokenizer> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new DataError(path, 'cannot read tokenizer file', { cause: err });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new DataError(path, 'tokenizer file is not valid JSON', { cause: err });
  }
  return tokenizerFromJson(json, path);
}
