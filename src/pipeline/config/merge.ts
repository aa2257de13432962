/**
 * Deep merge for config layers: objects merge key by key, everything else (arrays included) is replaced by the later
 * layer. An object whose `kind` differs from the earlier one replaces it whole, so switching a tagged union's branch
 * never leaves the old branch's fields behind.
 */
export type Plain = Record<string, unknown>;

export function isPlainObject(value: unknown): value is Plain {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function deepMerge(base: unknown, over: unknown): unknown {
  if (over === undefined) return base;
  if (!isPlainObject(base) || !isPlainObject(over)) return over;
  if ('kind' in over && 'kind' in base && over.kind !== base.kind) return over;
  const out: Plain = { ...base };
  for (const [key, value] of Object.entries(over)) out[key] = deepMerge(base[key], value);
  return out;
}

/** Set a dotted path (`rl.stages.0.episodes`) in a plain object tree, creating objects on the way. */
export function setPath(target: Plain, path: readonly string[], value: unknown): void {
  let node: Plain = target;
  for (const [i, key] of path.entries()) {
    if (i === path.length - 1) {
      node[key] = value;
      return;
    }
    const next = node[key];
    if (isPlainObject(next)) node = next;
    else if (Array.isArray(next)) node = next as unknown as Plain;
    else {
      const created: Plain = {};
      node[key] = created;
      node = created;
    }
  }
}
