/**
 * The ground truth of one synthetic image. A scene holds every fact an answer needs; the renderer draws it, the
 * captioner describes it, and the oracle recomputes answers from it. Kept deliberately small: few big shapes, four
 * colours, single-digit quantities (angles in tens), so a tiny VLM can learn to see it.
 */

export const COLORS = ['red', 'green', 'blue', 'yellow'] as const;
export type Color = (typeof COLORS)[number];

export const SHAPES = ['circle', 'square', 'triangle'] as const;
export type Shape = (typeof SHAPES)[number];

/** One shape on a grid cell; `dx`, `dy` jitter it inside its cell (fractions of a cell, |d| <= 0.1). */
export interface ShapeObject {
  readonly color: Color;
  readonly shape: Shape;
  readonly row: number;
  readonly col: number;
  readonly dx: number;
  readonly dy: number;
}

/** Shapes on a rows x cols grid. Counting scenes use a 4 x 4 grid; position scenes a 3 x 3 grid with unique objects. */
export interface ShapesScene {
  readonly type: 'shapes';
  readonly rows: number;
  readonly cols: number;
  /** Whether the caption describes where each object is (position scenes) or only how many there are. */
  readonly positional: boolean;
  readonly objects: readonly ShapeObject[];
}

/** A vertical bar chart; bars are told apart by colour and read against unit gridlines. */
export interface BarsScene {
  readonly type: 'bars';
  /** The top gridline (values are 1..maxValue). */
  readonly maxValue: number;
  readonly bars: readonly { readonly color: Color; readonly value: number }[];
}

/** A triangle with its angles in degrees (sum 180); the vertex `hidden` is labelled "?" instead of its angle. */
export interface TriangleScene {
  readonly type: 'triangle';
  readonly angles: readonly [number, number, number];
  readonly hidden: 0 | 1 | 2;
  /** Drawn mirrored left-right (style only, so equal angle sets still give distinct images). */
  readonly mirrored: boolean;
}

/** A rectangle with its side lengths written beside the bottom (width) and right (height) sides. */
export interface RectangleScene {
  readonly type: 'rectangle';
  readonly width: number;
  readonly height: number;
  /** Offset of the drawing in fractions of the image (style only, |d| <= 0.06). */
  readonly dx: number;
  readonly dy: number;
}

/** An analogue clock; minutes are a multiple of 15. */
export interface ClockScene {
  readonly type: 'clock';
  readonly hour: number;
  readonly minute: number;
  /** Face radius in fractions of the image (0.36-0.46) and centre offset (|d| <= 0.04): style only. */
  readonly radius: number;
  readonly dx: number;
  readonly dy: number;
}

export type Scene = ShapesScene | BarsScene | TriangleScene | RectangleScene | ClockScene;

/** A small style offset in [-max, max], rounded to hundredths so scenes serialize exactly. */
export function styleOffset(next: () => number, max: number): number {
  return Math.round((next() * 2 - 1) * max * 100) / 100 + 0; // + 0: no -0, which JSON cannot keep
}

/** Names of the cells of a 3 x 3 grid as a caption says them, by [row][col]. */
export const POSITION_NAMES: readonly (readonly string[])[] = [
  ['top left', 'top', 'top right'],
  ['left', 'middle', 'right'],
  ['bottom left', 'bottom', 'bottom right'],
];

/** The cell a position name stands for ("top left" -> row 0, col 0). */
export function positionOf(name: string): { row: number; col: number } {
  for (let row = 0; row < 3; row++) {
    const col = POSITION_NAMES[row].indexOf(name);
    if (col >= 0) return { row, col };
  }
  throw new RangeError(`unknown position name '${name}'`);
}

export function plural(shape: Shape): string {
  return `${shape}s`;
}

/** The 12-hour clock arithmetic the clock families use: 13 -> 1, 0 -> 12. */
export function wrapHour(hour: number): number {
  const h = (((hour - 1) % 12) + 12) % 12;
  return h + 1;
}

/** "3 : 05" style time text (punctuation as its own token, as every text the world emits). */
export function timeText(hour: number, minute: number): string {
  return `${hour} : ${String(minute).padStart(2, '0')}`;
}
