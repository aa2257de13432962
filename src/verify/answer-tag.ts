/**
 * Answer tags in model output: `<think>...</think>` then `<answer>...</answer>` (the format OpenVLThinker trains).
 * Plain string scans (indexOf), linear in the output length, so a 1 MB output costs microseconds.
 */

const OPEN = '<answer>';
const CLOSE = '</answer>';

/**
 * Text of the first `<answer>...</answer>` (across lines), or null when there is none. Nested tags
 * (`<answer><answer>5</answer></answer>`) give the innermost text.
 */
export function extractAnswerTag(text: string): string | null {
  const first = text.indexOf(OPEN);
  if (first < 0) return null;
  const end = text.indexOf(CLOSE, first + OPEN.length);
  if (end < 0) return null;
  const start = text.lastIndexOf(OPEN, end - OPEN.length);
  return text.slice(start + OPEN.length, end);
}

/**
 * The first `<answer>...</answer>` whose content holds no line break, as OpenVLThinker's reward matches it
 * (its regex has no DOTALL flag: a multi-line answer does not count as tagged).
 */
export function extractAnswerTagSingleLine(text: string): string | null {
  let from = 0;
  for (;;) {
    const start = text.indexOf(OPEN, from);
    if (start < 0) return null;
    const contentStart = start + OPEN.length;
    const newline = text.indexOf('\n', contentStart);
    const end = text.indexOf(CLOSE, contentStart);
    if (end >= 0 && (newline < 0 || newline > end)) return text.slice(contentStart, end);
    if (end < 0 && newline < 0) return null;
    // the regex engine retries from the next position; the next `<answer>` is the next candidate
    from = contentStart;
  }
}

/** `<think>...</think>` (whitespace) `<answer>...</answer>` as the whole output (surrounding whitespace allowed). */
export function hasThinkAnswerFormat(output: string): boolean {
  const s = output.trim();
  if (!s.startsWith('<think>') || !s.endsWith(CLOSE)) return false;
  const bridge = /<\/think>\s*<answer>/g;
  for (let m = bridge.exec(s); m !== null; m = bridge.exec(s)) {
    if (m.index >= '<think>'.length && m.index + m[0].length <= s.length - CLOSE.length) return true;
  }
  return false;
}

/** True when nothing but whitespace stands between the first `</think>` and the following `<answer>`. */
export function lacksJustification(output: string): boolean {
  const end = output.indexOf('</think>');
  if (end < 0) return false;
  const ans = output.indexOf(OPEN, end);
  if (ans < 0) return false;
  return output.slice(end + '</think>'.length, ans).trim().length === 0;
}
