import type { StepMetrics } from './types.ts';

/**
 * Turns an engine's console log into StepMetrics records, line by line, so a run's metrics.jsonl fills while an
 * external engine trains.
 *
 * - LLaMA-Factory (Hugging Face Trainer): one Python dict per logging step,
 *   `{'loss': 0.8123, 'grad_norm': 3.1, 'learning_rate': 4.9e-06, 'epoch': 0.12}`.
 * - EasyR1 (its ConsoleLogger): `Step 12` followed by the nested metrics, one `key: value` per line, indented
 *   under their group (`actor:` / `  pg_loss: 0.01`), flattened here to `actor/pg_loss`.
 * Lines that are neither pass through untouched (they are still in the log file).
 */
export interface ProgressParser {
  /** Feed one line; returns the records completed by it (usually none or one). */
  push(line: string): StepMetrics[];
  /** End of output: returns a record still being collected. */
  flush(): StepMetrics[];
}

const NUMBER = /^-?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?$/i;

export function parseHfTrainerDict(line: string): StepMetrics | undefined {
  const start = line.indexOf("{'");
  if (start < 0 || !line.trimEnd().endsWith('}')) return undefined;
  const record: Record<string, number> = {};
  for (const m of line.slice(start).matchAll(/'([\w/.-]+)':\s*([^,}]+)/g)) {
    const value = (m[2] ?? '').trim();
    if (NUMBER.test(value)) record[m[1] ?? ''] = Number(value);
  }
  return Object.keys(record).length > 0 ? record : undefined;
}

export function createProgressParser(engine: 'llamafactory' | 'easyr1'): ProgressParser {
  if (engine === 'llamafactory') {
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
  let current: Record<string, number | string> | undefined;
  let groups: { indent: number; name: string }[] = [];
  const finish = (): StepMetrics[] => {
    const done = current;
    current = undefined;
    groups = [];
    return done && Object.keys(done).length > 2 ? [done] : [];
  };
  return {
    push(line) {
      const step = /^Step (\d+)\s*$/.exec(line);
      if (step) {
        const done = finish();
        current = { engine, step: Number(step[1]) };
        return done;
      }
      if (current === undefined) return [];
      const kv = /^(\s*)([\w@/.-]+):\s*(.*)$/.exec(line);
      if (!kv) return finish();
      const indent = kv[1]?.length ?? 0;
      const key = kv[2] ?? '';
      const value = (kv[3] ?? '').trim();
      groups = groups.filter((g) => g.indent < indent);
      if (value === '') {
        groups.push({ indent, name: key });
        return [];
      }
      if (NUMBER.test(value)) current[[...groups.map((g) => g.name), key].join('/')] = Number(value);
      return [];
    },
    flush: finish,
  };
}
