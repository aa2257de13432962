import { createRng, throwIfAborted } from '../core/index.ts';
import type { Problem } from '../data/types.ts';
import { WORLD_CHOICE_LETTERS as LETTERS, parseQuestion, readCaption, worldTokens } from '../world/index.ts';
import type { Completion, GenerationBackend, GenerationParams, Prompt } from './types.ts';

/**
 * The caption reader as a GenerationBackend: the text reasoner of round-1 distillation in the embedded setup. It
 * reads only the prompt's text (images are ignored: it is text-only, like the paper's R1 reasoner), finds the caption,
 * the question and the options in it, and samples `n` traces with `readCaption`, seeded by `params.seed` and the prompt
 * text (so a prompt's samples do not depend on its place in the batch).
 *
 * Prompt text it understands (labels case-insensitive; `captionReaderPrompt` writes exactly this):
 *   caption: <caption>
 *   question: <question>
 *   (A) <option>   (also "A. x", "A) x", "A: x"; one per line, optionally after a "choices:" line)
 * Without labels it takes the line that is a world question as the question and the longest other line as caption.
 * Temperature below 0.05 reads as greedy: all n samples are the same trace.
 */

export interface ParsedReaderPrompt {
  readonly caption: string;
  readonly question: string;
  readonly choices: string[] | null;
}

const OPTION_RE = /^\(?([A-Da-d])\s*[).:]\s*(.+)$/;

function promptText(prompt: Prompt): string {
  const parts: string[] = [];
  for (const m of prompt) {
    if (m.role !== 'user') continue;
    if (typeof m.content === 'string') parts.push(m.content);
    else for (const p of m.content) if (p.type === 'text') parts.push(p.text);
  }
  return parts.join('\n');
}

/** Finds caption, question and options in a prompt's text. Never throws: missing parts come back empty. */
export function parseReaderPrompt(text: string): ParsedReaderPrompt {
  let caption: string | null = null;
  let question = '';
  const choices: string[] = [];
  const rest: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.length === 0 || /^choices\s*:?$/i.test(line)) continue;
    const labelled = line.match(/^(caption|description|question)\s*:\s*(.*)$/i);
    if (labelled) {
      if (labelled[1].toLowerCase() === 'question') question = labelled[2];
      else caption = labelled[2];
      continue;
    }
    const option = line.match(OPTION_RE);
    if (option && choices.length < LETTERS.length && option[1].toUpperCase() === LETTERS[choices.length]) {
      choices.push(option[2].trim());
      continue;
    }
    rest.push(line);
  }
  if (!question) question = rest.find((l) => parseQuestion(l) !== null) ?? '';
  if (caption === null) {
    caption = rest.filter((l) => l !== question).reduce((best, l) => (l.length > best.length ? l : best), '');
  }
  return { caption, question, choices: choices.length > 0 ? choices : null };
}

/** The prompt the caption reader reads for a problem (its caption must be filled). */
export function captionReaderPrompt(problem: Problem): Prompt {
  const lines = [`caption: ${problem.caption ?? ''}`, `question: ${problem.question}`];
  for (const [i, c] of (problem.choices ?? []).entries()) lines.push(`(${LETTERS[i]}) ${c}`);
  return [{ role: 'user', content: lines.join('\n') }];
}

/** Cut a trace at the first stop string, or at `maxTokens` world tokens (words; digits count one each). */
function limit(text: string, params: GenerationParams): Completion {
  let out = text;
  let finishReason: Completion['finishReason'] = 'stop';
  for (const s of params.stop ?? []) {
    const at = s.length > 0 ? out.indexOf(s) : -1;
    if (at >= 0) out = out.slice(0, at);
  }
  if (worldTokens(out).length > params.maxTokens) {
    const words = out.split(/\s+/);
    let kept = 0;
    let n = 0;
    while (kept < words.length && n + worldTokens(words[kept]).length <= params.maxTokens) {
      n += worldTokens(words[kept]).length;
      kept++;
    }
    out = words.slice(0, kept).join(' ');
    finishReason = 'length';
  }
  return { text: out, finishReason };
}

export function createCaptionReaderBackend(): GenerationBackend {
  return {
    id: 'caption-reader',
    async generate(prompts, params, signal) {
      if (!Number.isInteger(params.n) || params.n < 1) {
        throw new RangeError(`caption reader: params.n must be a positive integer, got ${params.n}`);
      }
      const greedy = params.temperature < 0.05;
      return prompts.map((prompt) => {
        throwIfAborted(signal);
        const text = promptText(prompt);
        const { caption, question, choices } = parseReaderPrompt(text);
        const base = createRng(params.seed ?? 0).fork(text);
        return Array.from({ length: params.n }, (_, j) =>
          limit(readCaption(caption, question, choices, base.fork(greedy ? 0 : j)), params),
        );
      });
    },
  };
}
