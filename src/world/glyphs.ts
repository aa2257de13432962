import type { SKRSContext2D } from '@napi-rs/canvas';

/**
 * Seven-segment digits drawn as pixel-aligned rectangles. The world draws its own numerals instead of using a font:
 * system fonts differ between machines (images would not be byte-identical per seed), and thick segments stay legible
 * at 64 px where antialiased font glyphs blur.
 */

// segments: a top, b upper right, c lower right, d bottom, e lower left, f upper left, g middle
const SEGMENTS: Record<string, string> = {
  '0': 'abcdef',
  '1': 'bc',
  '2': 'abged',
  '3': 'abgcd',
  '4': 'fgbc',
  '5': 'afgcd',
  '6': 'afgedc',
  '7': 'abc',
  '8': 'abcdefg',
  '9': 'abcdfg',
  '?': 'ab',
};

/** Width of a rendered string of `n` glyphs of height `h`. */
export function textWidth(n: number, h: number): number {
  const w = Math.max(3, Math.round(h * 0.55));
  const gap = Math.max(1, Math.round(h * 0.2));
  return n * w + (n - 1) * gap;
}

/** Draw `text` (digits and '?') centred at (cx, cy) with glyph height `h` pixels. */
export function drawDigits(ctx: SKRSContext2D, text: string, cx: number, cy: number, h: number, color: string): void {
  const hh = Math.max(5, Math.round(h));
  const w = Math.max(3, Math.round(hh * 0.55));
  const gap = Math.max(1, Math.round(hh * 0.2));
  const t = Math.max(1, Math.round(hh * 0.15));
  const total = textWidth(text.length, hh);
  let x = Math.round(cx - total / 2);
  const y = Math.round(cy - hh / 2);
  const half = Math.round((hh - t) / 2);
  ctx.fillStyle = color;
  for (const ch of text) {
    const segs = SEGMENTS[ch] ?? '';
    for (const s of segs) {
      if (s === 'a') ctx.fillRect(x, y, w, t);
      else if (s === 'd') ctx.fillRect(x, y + hh - t, w, t);
      else if (s === 'g') ctx.fillRect(x, y + half, w, t);
      else if (s === 'f') ctx.fillRect(x, y, t, half + t);
      else if (s === 'b') ctx.fillRect(x + w - t, y, t, half + t);
      else if (s === 'e') ctx.fillRect(x, y + half, t, hh - half);
      else if (s === 'c') ctx.fillRect(x + w - t, y + half, t, hh - half);
    }
    if (ch === '?') {
      // the hook's lower part: half a middle bar, a short stem, and the dot
      const mid = x + Math.round((w - t) / 2);
      ctx.fillRect(mid, y + half, w - (mid - x), t);
      ctx.fillRect(mid, y + half, t, Math.max(1, hh - half - 2 * t));
      ctx.fillRect(mid, y + hh - t, t, t);
    }
    x += w + gap;
  }
}
