import { stripVTControlCharacters } from 'node:util';
import { parseDocument } from 'yaml';
import type { StepMetrics } from './types.ts';

/**
 * Turns an engine's console log into StepMetrics records, line by line, so a run's metrics.jsonl fills while an
 * external engine trains.
 *
 * - LLaMA-Factory (Hugging Face Trainer): one Python dict per logging step,
 *   `{'loss': 0.8123, 'grad_norm': 3.1, 'learning_rate': 4.9e-06, 'epoch': 0.12}`.
 * - EasyR1 (its ConsoleLogger, `verl/utils/logger/logger.py`): `print(f"Step {step}\n" + yaml.dump(unflatten_dict(data),
 *   indent=2))`, so `Step 12` is followed by a PyYAML document of nested groups (`actor:` / `  pg_loss: 0.01`),
 *   flattened here back to `actor/pg_loss`. Most values are numpy scalars (`reduce_metrics` is `np.mean`), which
 *   PyYAML writes as `!!python/object/apply:numpy._core.multiarray.scalar` with the dtype and the raw bytes in
 *   `!!binary`; those are decoded. The logger runs inside a Ray actor (`Runner.remote()` in `verl/trainer/main.py`),
 *   so under Ray every line arrives as `(Runner pid=1234) ...`, the prefix wrapped in ANSI colour codes; prefixes and
 *   colour codes are removed, and lines from other processes interleaved with a step block do not end it.
 * Lines that are neither pass through untouched (they are still in the log file). Non-finite values (`.nan`, `.inf`)
 * are left out of a record, as JSON has no number for them.
 */
export interface ProgressParser {
  /** Feed one line; returns the records completed by it (usually none or one). */
  push(line: string): StepMetrics[];
  /** End of output: returns the records still being collected. */
  flush(): StepMetrics[];
}

const NUMBER = /^-?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?$/i;

/**
 * Ray's prefix on output of actors and tasks started inside a job: `(Runner pid=1234)`, `(Runner pid=1234, ip=10.0.0.2)`
 * or, for a task, `(pid=1234)`; Ray's dedup may append ` [repeated 3x across cluster]`.
 */
const RAY_PREFIX = /^\(((?:[\w.:-]+ )?pid=\d+(?:, ip=[\w.:-]+)?)\) ?/;
const RAY_REPEATED = / \[repeated \d+x across cluster\]$/;

/** One log line without colour codes, split into the process Ray names in its prefix ('' when none) and the text. */
export function splitRayLine(line: string): { readonly source: string; readonly text: string } {
  const plain = stripVTControlCharacters(line);
  const m = RAY_PREFIX.exec(plain);
  if (!m) return { source: '', text: plain };
  return { source: m[1] ?? '', text: plain.slice(m[0].length).replace(RAY_REPEATED, '') };
}

export function parseHfTrainerDict(line: string): StepMetrics | undefined {
  const text = splitRayLine(line).text;
  const start = text.indexOf("{'");
  if (start < 0 || !text.trimEnd().endsWith('}')) return undefined;
  const record: Record<string, number> = {};
  for (const m of text.slice(start).matchAll(/'([\w/.-]+)':\s*([^,}]+)/g)) {
    const value = (m[2] ?? '').trim();
    if (NUMBER.test(value)) record[m[1] ?? ''] = Number(value);
  }
  return Object.keys(record).length > 0 ? record : undefined;
}

/**
 * A numpy scalar as PyYAML dumps it, once parsed: `[{args: [dtype, ...], state: [3, byteorder, ...]}, bytes]`.
 * Decodes float64/32, signed and unsigned integers and bool; anything else is undefined.
 */
export function decodeNumpyScalar(value: unknown): number | undefined {
  if (!Array.isArray(value) || value.length !== 2) return undefined;
  const [dtype, raw] = value as [unknown, unknown];
  if (!(raw instanceof Uint8Array) || typeof dtype !== 'object' || dtype === null) return undefined;
  const { args, state } = dtype as { args?: unknown; state?: unknown };
  const code = Array.isArray(args) ? args[0] : undefined;
  if (typeof code !== 'string') return undefined;
  const order = Array.isArray(state) ? state[1] : '<';
  const little = order !== '>';
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const read: Partial<Record<string, () => number>> = {
    f8: () => view.getFloat64(0, little),
    f4: () => view.getFloat32(0, little),
    i8: () => Number(view.getBigInt64(0, little)),
    i4: () => view.getInt32(0, little),
    i2: () => view.getInt16(0, little),
    i1: () => view.getInt8(0),
    u8: () => Number(view.getBigUint64(0, little)),
    u4: () => view.getUint32(0, little),
    u2: () => view.getUint16(0, little),
    u1: () => view.getUint8(0),
    b1: () => view.getUint8(0),
  };
  const size = Number(code.slice(1));
  const reader = read[code];
  return reader !== undefined && raw.byteLength === size ? reader() : undefined;
}

/** Flattens EasyR1's nested metrics back to `group/key`, keeping finite numbers (plain or numpy scalars). */
function flattenMetrics(value: unknown, prefix: string, out: Record<string, number>): void {
  const scalar = typeof value === 'number' ? value : decodeNumpyScalar(value);
  if (scalar !== undefined) {
    if (Number.isFinite(scalar) && prefix !== '') out[prefix] = scalar;
    return;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Uint8Array) return;
  for (const [k, v] of Object.entries(value)) flattenMetrics(v, prefix === '' ? k : `${prefix}/${k}`, out);
}

/** A line that continues a PyYAML block: indented, a top-level `key:`, or an indentless sequence item. */
const YAML_LINE = /^(?:\s+\S|- |[\w@/.-]+:(?:\s|$))/;

function createEasyR1Parser(): ProgressParser {
  // One block per process Ray names, so output of another actor between two lines of a step does not cut it.
  const blocks = new Map<string, { step: number; lines: string[] }>();
  const finish = (source: string): StepMetrics[] => {
    const block = blocks.get(source);
    blocks.delete(source);
    if (!block) return [];
    const doc = parseDocument(block.lines.join('\n'), { schema: 'yaml-1.1' });
    if (doc.errors.length > 0) return [];
    const metrics: Record<string, number> = {};
    flattenMetrics(doc.toJS(), '', metrics);
    return Object.keys(metrics).length > 0 ? [{ engine: 'easyr1', step: block.step, ...metrics }] : [];
  };
  return {
    push(line) {
      const { source, text } = splitRayLine(line);
      const step = /^Step (\d+)\s*$/.exec(text);
      if (step) {
        const done = finish(source);
        blocks.set(source, { step: Number(step[1]), lines: [] });
        return done;
      }
      const block = blocks.get(source);
      if (block === undefined) return [];
      if (YAML_LINE.test(text)) {
        block.lines.push(text);
        return [];
      }
      return finish(source);
    },
    flush: () => [...blocks.keys()].flatMap(finish),
  };
}

export function createProgressParser(engine: 'llamafactory' | 'easyr1'): ProgressParser {
  if (engine === 'easyr1') return createEasyR1Parser();
  let step = 0;
  return {
    push(line) {
      const record = parseHfTrainerDict(line);
      if (record === undefined) return [];
      if ('loss' in record) step++;
      return [{ engine, step, ...record }];
    },
    flush: () => [],
  };
}
