/**
 * Tokens of LaTeX and plain-text math. Letters come as runs (`word`) so the parser can tell a function name (`sin`,
 * `sqrt`) or a whole-word answer (`odd`) from a product of single-letter symbols (`xy`).
 */
export type Token =
  | { readonly t: 'num'; readonly text: string; readonly float: boolean }
  | { readonly t: 'word'; readonly text: string }
  | { readonly t: 'cmd'; readonly name: string }
  | { readonly t: 'op'; readonly text: string }
  | { readonly t: 'text'; readonly text: string; readonly cmd: string }
  | { readonly t: 'end' };

export class ParseFailure extends Error {}

/**
 * Failing a parse is routine (extraction tries many candidates), so it throws one shared instance instead of building
 * an Error with a stack trace each time. `why` documents the cause at the throw site.
 */
const FAILURE = new ParseFailure('not parseable');
export function parseFailure(_why: string): ParseFailure {
  return FAILURE;
}

const OPS2 = ['**', '<=', '>=', '!=', '==', '\\\\'];

export function tokenize(s: string, maxTokens = 20_000): Token[] {
  const out: Token[] = [];
  let i = 0;
  const n = s.length;
  while (i < n) {
    if (out.length > maxTokens) throw parseFailure('too many tokens');
    const c = s.charCodeAt(i);
    // whitespace
    if (c === 32 || c === 9 || c === 10 || c === 13 || c === 12 || c === 0xa0 || c === 0x3000) {
      i++;
      continue;
    }
    // numbers: 12, 1.5, .5, 1,234,567 (thousands groups), 1 000 000 (space groups)
    if ((c >= 48 && c <= 57) || (c === 46 && isDigit(s.charCodeAt(i + 1)))) {
      let j = i;
      while (j < n && isDigit(s.charCodeAt(j))) j++;
      let text = s.slice(i, j);
      // thousands groups: only when the leading group has 1-3 digits and every group has exactly 3
      const before = s.slice(Math.max(0, i - 3), i).trimEnd();
      const opener = /[([{,]$/.test(before) && !before.endsWith('{,');
      if (text.length >= 1 && text.length <= 3 && text[0] !== '0' && !opener) {
        let k = j;
        let grouped = text;
        while (s[k] === ',' && isDigit3(s, k + 1) && !isDigit(s.charCodeAt(k + 4))) {
          grouped += s.slice(k + 1, k + 4);
          k += 4;
        }
        if (k > j) {
          text = grouped;
          j = k;
        }
      }
      let float = false;
      if (s[j] === '.' && isDigit(s.charCodeAt(j + 1))) {
        let k = j + 1;
        while (k < n && isDigit(s.charCodeAt(k))) k++;
        text += s.slice(j, k);
        j = k;
        float = true;
      }
      // scientific notation: 6.673E-11, 1e5
      if ((s[j] === 'E' || s[j] === 'e') && /^[+-]?\d/.test(s.slice(j + 1, j + 3))) {
        const m = /^[eE][+-]?\d+/.exec(s.slice(j, j + 12));
        if (m) {
          text += m[0];
          j += m[0].length;
          float = true;
        }
      }
      if (text.startsWith('.')) text = `0${text}`;
      out.push({ t: 'num', text, float });
      i = j;
      continue;
    }
    if (isLetter(c)) {
      let j = i;
      while (j < n && isLetter(s.charCodeAt(j))) j++;
      out.push({ t: 'word', text: s.slice(i, j) });
      i = j;
      continue;
    }
    if (c === 92 /* \ */) {
      const next = s[i + 1];
      if (next === undefined) throw parseFailure('trailing backslash');
      if (next === '\\') {
        out.push({ t: 'op', text: '\\\\' });
        i += 2;
        continue;
      }
      if (!/[a-zA-Z]/.test(next)) {
        // \{ \} \| \, etc.
        out.push({ t: 'cmd', name: next });
        i += 2;
        continue;
      }
      let j = i + 1;
      while (j < n && /[a-zA-Z]/.test(s[j])) j++;
      const name = s.slice(i + 1, j);
      // `\vertx` is `\vert x` (latex2sympy reads it so)
      const glued = GLUED_PREFIXES.find((p) => name.startsWith(p) && name.length > p.length);
      if (glued && !KEEP_WHOLE.has(name)) {
        out.push({ t: 'cmd', name: glued });
        i = i + 1 + glued.length;
        continue;
      }
      if (TEXT_CMDS.has(name)) {
        const body = readBraced(s, j);
        if (body) {
          out.push({ t: 'text', text: body.text, cmd: name });
          i = body.end;
          continue;
        }
      }
      out.push({ t: 'cmd', name });
      i = j;
      continue;
    }
    const two = s.slice(i, i + 2);
    if (OPS2.includes(two)) {
      out.push({ t: 'op', text: two === '==' ? '=' : two });
      i += 2;
      continue;
    }
    const ch = s[i];
    if ("+-*/^_()[]{},;|!=<>:&'%.?".includes(ch)) {
      out.push({ t: 'op', text: ch });
      i++;
      continue;
    }
    throw parseFailure(`unexpected character '${ch}'`);
  }
  out.push({ t: 'end' });
  return out;
}

const GLUED_PREFIXES = ['lvert', 'rvert', 'vert', 'cdot', 'times'];
const KEEP_WHOLE = new Set(['vertical', 'timesbar']);

export const TEXT_CMDS = new Set([
  'text',
  'textbf',
  'textit',
  'textrm',
  'textsf',
  'texttt',
  'textnormal',
  'mbox',
  'mathrm',
  'mathit',
  'mathbf',
  'mathsf',
  'mathtt',
  'mathcal',
  'mathbb',
  'boldsymbol',
  'operatorname',
  'variable',
]);

function readBraced(s: string, at: number): { text: string; end: number } | null {
  let i = at;
  while (s[i] === ' ') i++;
  if (s[i] !== '{') return null;
  let depth = 0;
  for (let j = i; j < s.length; j++) {
    if (s[j] === '\\') {
      j++;
      continue;
    }
    if (s[j] === '{') depth++;
    else if (s[j] === '}') {
      depth--;
      if (depth === 0) return { text: s.slice(i + 1, j), end: j + 1 };
    }
  }
  return null;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isDigit3(s: string, at: number): boolean {
  return isDigit(s.charCodeAt(at)) && isDigit(s.charCodeAt(at + 1)) && isDigit(s.charCodeAt(at + 2));
}

function isLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}
