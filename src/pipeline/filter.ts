/**
 * The filter stage's pure part (paper §3.2, Table 3): cut each kept chain at the first self-reflection marker,
 * keep the final answer, bound the length, drop duplicates. Output format `<think>...</think>` then
 * `<answer>...</answer>`.
 *
 *   "<think>Count 3 red. Wait, let me recount: 3.</think> So 3. <answer>3</answer>" with marker "Wait," ->
 *   "<think>Count 3 red.</think> So 3. <answer>3</answer>" (truncated)
 */
export interface FilterSettings {
  readonly markers: readonly string[];
  readonly minWords: number;
  readonly maxWords: number;
  readonly dedup: boolean;
  /** 'chain': the cut reasoning, as the paper; 'answer': the final answer alone, a control for what the chain adds. */
  readonly target?: 'chain' | 'answer';
}

export type DropReason = 'no-correct-trace' | 'no-answer' | 'too-short' | 'too-long' | 'duplicate';

export interface FilterCandidate {
  readonly problemId: string;
  /** The selected trace, or null when no sample was correct. */
  readonly text: string | null;
  /** The verified final answer of that trace. */
  readonly answer: string | null;
}

export interface FilterKept {
  readonly problemId: string;
  readonly response: string;
  readonly truncated: boolean;
  readonly words: number;
}

export interface FilterOutcome {
  readonly kept: FilterKept[];
  readonly dropped: Array<{ problemId: string; reason: DropReason }>;
  readonly stats: FilterStats;
}

export interface FilterStats {
  readonly candidates: number;
  readonly kept: number;
  readonly truncated: number;
  readonly dropped: Record<DropReason, number>;
  readonly meanWordsBefore: number;
  readonly meanWordsAfter: number;
}

/** The reasoning part of a chain: inside `<think>` when present, else everything before `<answer>`. */
export function reasoningOf(text: string): string {
  const think = /<think>([\s\S]*?)(<\/think>|$)/.exec(text);
  const body = think ? (think[1] ?? '') : (text.split('<answer>')[0] ?? '');
  return body.replace(/<\/?think>/g, '').trim();
}

/** The short justification between `</think>` and `<answer>` (paper §3: the model learns to write one), or ''. */
export function justificationOf(text: string): string {
  const end = text.indexOf('</think>');
  if (end < 0) return '';
  const start = end + '</think>'.length;
  const answer = text.indexOf('<answer>', start);
  return (answer < 0 ? '' : text.slice(start, answer)).trim();
}

/** Cut at the earliest marker; `truncated` says whether any marker was found. */
export function cutAtMarkers(reasoning: string, markers: readonly string[]): { text: string; truncated: boolean } {
  let cut = reasoning.length;
  for (const marker of markers) {
    const at = reasoning.indexOf(marker);
    if (at >= 0 && at < cut) cut = at;
  }
  return { text: reasoning.slice(0, cut).trim(), truncated: cut < reasoning.length };
}

export function countWords(text: string): number {
  const words = text.trim().split(/\s+/);
  return words[0] === '' ? 0 : words.length;
}

/** `<think>reasoning</think> justification <answer>answer</answer>` (one line; the justification may be empty). */
export function formatResponse(reasoning: string, justification: string, answer: string): string {
  return `<think>${reasoning}</think> ${justification ? `${justification} ` : ''}<answer>${answer}</answer>`;
}

export function filterTraces(candidates: readonly FilterCandidate[], settings: FilterSettings): FilterOutcome {
  const kept: FilterKept[] = [];
  const dropped: Array<{ problemId: string; reason: DropReason }> = [];
  const seen = new Set<string>();
  const counts: Record<DropReason, number> = {
    'no-correct-trace': 0,
    'no-answer': 0,
    'too-short': 0,
    'too-long': 0,
    duplicate: 0,
  };
  let truncated = 0;
  let wordsBefore = 0;
  let wordsAfter = 0;
  let measured = 0;
  const drop = (problemId: string, reason: DropReason) => {
    dropped.push({ problemId, reason });
    counts[reason]++;
  };
  for (const c of candidates) {
    if (c.text === null) {
      drop(c.problemId, 'no-correct-trace');
      continue;
    }
    if (c.answer === null || c.answer.trim() === '') {
      drop(c.problemId, 'no-answer');
      continue;
    }
    const full = reasoningOf(c.text);
    const cut = cutAtMarkers(full, settings.markers);
    const words = countWords(cut.text);
    measured++;
    wordsBefore += countWords(full);
    wordsAfter += words;
    if (words < settings.minWords) {
      drop(c.problemId, 'too-short');
      continue;
    }
    if (words > settings.maxWords) {
      drop(c.problemId, 'too-long');
      continue;
    }
    // A justification that itself reflects ("wait, ...") goes with the detour.
    const justification = cutAtMarkers(justificationOf(c.text), settings.markers).text;
    const response =
      settings.target === 'answer'
        ? formatResponse('', '', c.answer.trim())
        : formatResponse(cut.text, justification, c.answer.trim());
    const key = `${c.problemId}\u0000${response.replace(/\s+/g, ' ')}`;
    if (settings.dedup && seen.has(key)) {
      drop(c.problemId, 'duplicate');
      continue;
    }
    seen.add(key);
    if (cut.truncated) truncated++;
    kept.push({ problemId: c.problemId, response, truncated: cut.truncated, words });
  }
  return {
    kept,
    dropped,
    stats: {
      candidates: candidates.length,
      kept: kept.length,
      truncated,
      dropped: counts,
      meanWordsBefore: measured > 0 ? wordsBefore / measured : 0,
      meanWordsAfter: measured > 0 ? wordsAfter / measured : 0,
    },
  };
}
