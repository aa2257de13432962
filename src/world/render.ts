import { type Canvas, createCanvas, type SKRSContext2D } from '@napi-rs/canvas';
import { interleavedToChw } from '../data/pixels.ts';
import { drawDigits, textWidth } from './glyphs.ts';
import { encodeRgbPng } from './png.ts';
import type { BarsScene, ClockScene, Color, RectangleScene, Scene, ShapesScene, TriangleScene } from './scene.ts';

/**
 * The renderer: skia (through @napi-rs/canvas) draws a scene on a white square of `size` pixels. High contrast, few
 * big solid shapes, four saturated colours, numerals as seven-segment digits. Every fact an answer needs is drawn.
 * One canvas per size is reused (drawing is synchronous), so rendering thousands of images allocates little.
 */

export const PALETTE: Record<Color, string> = {
  red: '#e02020',
  green: '#1fa02a',
  blue: '#2040e0',
  yellow: '#f0b800',
};
const INK = '#202020';
const GRID = '#c8c8c8';

const canvases = new Map<number, { canvas: Canvas; ctx: SKRSContext2D }>();

function surface(size: number): { canvas: Canvas; ctx: SKRSContext2D } {
  if (!Number.isInteger(size) || size < 16 || size > 2048) {
    throw new RangeError(`image size must be an integer from 16 to 2048 pixels, got ${size}`);
  }
  let s = canvases.get(size);
  if (!s) {
    const canvas = createCanvas(size, size);
    s = { canvas, ctx: canvas.getContext('2d') };
    s.ctx.save();
    canvases.set(size, s);
  }
  // every draw starts from the pristine state: line caps, joins and styles set by one scene must not leak into the
  // next, or an image would depend on what was drawn before it
  const ctx = s.ctx;
  ctx.restore();
  ctx.save();
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, size, size);
  return s;
}

function drawShape(ctx: SKRSContext2D, shape: string, cx: number, cy: number, cell: number, color: string): void {
  ctx.fillStyle = color;
  ctx.beginPath();
  if (shape === 'circle') ctx.arc(cx, cy, cell * 0.36, 0, Math.PI * 2);
  else if (shape === 'square') {
    const s = Math.round(cell * 0.64);
    ctx.rect(Math.round(cx - s / 2), Math.round(cy - s / 2), s, s);
  } else {
    const r = cell * 0.42;
    ctx.moveTo(cx, cy - r);
    ctx.lineTo(cx + r * 0.95, cy + r * 0.75);
    ctx.lineTo(cx - r * 0.95, cy + r * 0.75);
    ctx.closePath();
  }
  ctx.fill();
}

function drawShapes(ctx: SKRSContext2D, scene: ShapesScene, size: number): void {
  const margin = size * 0.04;
  const cell = (size - 2 * margin) / scene.cols;
  if (scene.positional) {
    // faint cell borders make rows and columns visible
    ctx.fillStyle = GRID;
    const t = Math.max(1, Math.round(size / 96));
    for (let i = 1; i < scene.cols; i++) {
      const p = Math.round(margin + i * cell);
      ctx.fillRect(p, Math.round(margin), t, Math.round(size - 2 * margin));
      ctx.fillRect(Math.round(margin), p, Math.round(size - 2 * margin), t);
    }
  }
  for (const o of scene.objects) {
    const cx = margin + (o.col + 0.5 + o.dx) * cell;
    const cy = margin + (o.row + 0.5 + o.dy) * cell;
    drawShape(ctx, o.shape, cx, cy, cell, PALETTE[o.color]);
  }
}

function drawBars(ctx: SKRSContext2D, scene: BarsScene, size: number): void {
  const labels = size >= 96;
  const left = Math.round(size * (labels ? 0.16 : 0.08));
  const right = Math.round(size * 0.96);
  const bottom = Math.round(size * 0.92);
  const top = Math.round(size * 0.06);
  const unit = (bottom - top) / scene.maxValue;
  const t = Math.max(1, Math.round(size / 96));
  ctx.fillStyle = GRID;
  for (let v = 1; v <= scene.maxValue; v++) ctx.fillRect(left, Math.round(bottom - v * unit), right - left, t);
  if (labels) {
    for (let v = 1; v <= scene.maxValue; v++) drawDigits(ctx, String(v), left / 2, bottom - v * unit, size * 0.06, INK);
  }
  const slot = (right - left) / scene.bars.length;
  scene.bars.forEach((b, i) => {
    ctx.fillStyle = PALETTE[b.color];
    const x = Math.round(left + slot * (i + 0.18));
    const y = Math.round(bottom - b.value * unit);
    ctx.fillRect(x, y, Math.round(slot * 0.64), bottom - y);
  });
  ctx.fillStyle = INK;
  ctx.fillRect(left - t, top, t, bottom - top + t);
  ctx.fillRect(left - t, bottom, right - left + t, t);
}

function drawTriangle(ctx: SKRSContext2D, scene: TriangleScene, size: number): void {
  const rad = (d: number) => (d * Math.PI) / 180;
  const [a, b, c] = scene.angles;
  // vertices A (angle a), B (angle b) on a base of length 1, apex C; y grows upwards here
  const ac = Math.sin(rad(b)) / Math.sin(rad(c));
  const pts: [number, number][] = [
    [0, 0],
    [1, 0],
    [ac * Math.cos(rad(a)), ac * Math.sin(rad(a))],
  ];
  const xs = pts.map((p) => p[0]);
  const ys = pts.map((p) => p[1]);
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const box = size * 0.6;
  const scale = box / Math.max(x1 - x0, y1 - y0);
  const ox = (size - (x1 - x0) * scale) / 2;
  const oy = (size - (y1 - y0) * scale) / 2;
  const v = pts.map(([x, y]) => {
    const px = ox + (x - x0) * scale;
    return [scene.mirrored ? size - px : px, size - oy - (y - y0) * scale] as [number, number];
  });
  ctx.beginPath();
  ctx.moveTo(v[0][0], v[0][1]);
  ctx.lineTo(v[1][0], v[1][1]);
  ctx.lineTo(v[2][0], v[2][1]);
  ctx.closePath();
  ctx.fillStyle = '#d8e2ff';
  ctx.fill();
  ctx.strokeStyle = INK;
  ctx.lineWidth = Math.max(1, size / 48);
  ctx.lineJoin = 'round';
  ctx.stroke();
  // each label sits just outside its corner, on the line from the incentre through the vertex
  const side = (i: number, j: number) => Math.hypot(v[i][0] - v[j][0], v[i][1] - v[j][1]);
  const w = [side(1, 2), side(0, 2), side(0, 1)];
  const per = w[0] + w[1] + w[2];
  const inc = [0, 1].map((k) => (w[0] * v[0][k] + w[1] * v[1][k] + w[2] * v[2][k]) / per);
  const h = size * 0.12;
  scene.angles.forEach((angle, i) => {
    const hidden = i === scene.hidden;
    const text = hidden ? '?' : String(angle);
    const tw = textWidth(text.length, h);
    const dx = v[i][0] - inc[0];
    const dy = v[i][1] - inc[1];
    const len = Math.hypot(dx, dy) || 1;
    const [ux, uy] = [dx / len, dy / len];
    const d = size * 0.03 + (Math.abs(ux) * tw) / 2 + (Math.abs(uy) * h) / 2;
    const lx = Math.min(size - tw / 2 - 1, Math.max(tw / 2 + 1, v[i][0] + ux * d));
    const ly = Math.min(size - h / 2 - 1, Math.max(h / 2 + 1, v[i][1] + uy * d));
    drawDigits(ctx, text, lx, ly, h, hidden ? PALETTE.red : INK);
  });
}

function drawRectangle(ctx: SKRSContext2D, scene: RectangleScene, size: number): void {
  const unit = (size * 0.62) / Math.max(scene.width, scene.height);
  const w = Math.round(scene.width * unit);
  const h = Math.round(scene.height * unit);
  const x = Math.round(size * (0.12 + scene.dx));
  const y = Math.round(size * (0.1 + scene.dy));
  const t = Math.max(1, Math.round(size / 48));
  ctx.fillStyle = INK;
  ctx.fillRect(x - t, y - t, w + 2 * t, h + 2 * t);
  ctx.fillStyle = '#d8e2ff';
  ctx.fillRect(x, y, w, h);
  const digit = size * 0.14;
  drawDigits(ctx, String(scene.width), x + w / 2, y + h + t + digit * 0.85, digit, INK);
  drawDigits(ctx, String(scene.height), x + w + t + digit * 0.75, y + h / 2, digit, INK);
}

function drawClock(ctx: SKRSContext2D, scene: ClockScene, size: number): void {
  const cx = size * (0.5 + scene.dx);
  const cy = size * (0.5 + scene.dy);
  const r = size * scene.radius;
  ctx.lineCap = 'round';
  ctx.strokeStyle = INK;
  ctx.lineWidth = Math.max(1, size / 32);
  ctx.beginPath();
  ctx.arc(cx, cy, r, 0, Math.PI * 2);
  ctx.stroke();
  // ticks: minor ones in one path, the 3-6-9 ones in another, the 12 in blue so the face has an up
  const tick = (i: number, inner: number) => {
    const a = (i * Math.PI) / 6;
    ctx.moveTo(cx + r * inner * Math.sin(a), cy - r * inner * Math.cos(a));
    ctx.lineTo(cx + r * 0.95 * Math.sin(a), cy - r * 0.95 * Math.cos(a));
  };
  ctx.lineWidth = Math.max(1, size / 48);
  ctx.beginPath();
  for (let i = 0; i < 12; i++) if (i % 3 !== 0) tick(i, 0.84);
  ctx.stroke();
  ctx.lineWidth = Math.max(1, size / 24);
  ctx.beginPath();
  for (const i of [3, 6, 9]) tick(i, 0.72);
  ctx.stroke();
  ctx.strokeStyle = PALETTE.blue;
  ctx.beginPath();
  tick(0, 0.72);
  ctx.stroke();
  if (size >= 128) {
    for (const [n, i] of [
      [12, 0],
      [3, 3],
      [6, 6],
      [9, 9],
    ]) {
      const a = (i * Math.PI) / 6;
      drawDigits(ctx, String(n), cx + r * 0.55 * Math.sin(a), cy - r * 0.55 * Math.cos(a), size * 0.07, INK);
    }
  }
  const hand = (angle: number, length: number, width: number, color: string) => {
    ctx.strokeStyle = color;
    ctx.lineWidth = width;
    ctx.beginPath();
    ctx.moveTo(cx, cy);
    ctx.lineTo(cx + length * Math.sin(angle), cy - length * Math.cos(angle));
    ctx.stroke();
  };
  hand((((scene.hour % 12) + scene.minute / 60) * Math.PI) / 6, r * 0.5, Math.max(2, size / 14), INK);
  hand((scene.minute * Math.PI) / 30, r * 0.85, Math.max(1, size / 28), PALETTE.red);
}

/**
 * Draws the scene on the shared canvas of its size and returns that canvas; it is valid until the next draw of the
 * same size (for callers that want skia's own encoders, e.g. JPEG, or the benchmark's reference).
 */
export function drawScene(scene: Scene, size: number): Canvas {
  const { canvas, ctx } = surface(size);
  switch (scene.type) {
    case 'shapes':
      drawShapes(ctx, scene, size);
      break;
    case 'bars':
      drawBars(ctx, scene, size);
      break;
    case 'triangle':
      drawTriangle(ctx, scene, size);
      break;
    case 'rectangle':
      drawRectangle(ctx, scene, size);
      break;
    case 'clock':
      drawClock(ctx, scene, size);
      break;
  }
  return canvas;
}

/** RGBA pixels of a drawn scene: `canvas.data()` is ~5x cheaper than getImageData (opaque, so no premultiply issue). */
function draw(scene: Scene, size: number): Uint8Array {
  return drawScene(scene, size).data();
}

/** The scene as a PNG (8-bit RGB, `size` x `size`). Same scene and size -> identical bytes. */
export function renderScene(scene: Scene, size: number): Uint8Array {
  return encodeRgbPng(draw(scene, size), size, size);
}

/** The scene as a Float32Array [3, H, W] in [0, 1] (channel-major), without a PNG round trip. */
export function renderPixels(scene: Scene, size: number): Float32Array {
  return interleavedToChw(draw(scene, size), size, size, 4);
}
