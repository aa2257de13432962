import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ConfigError } from '../../core/index.ts';
import { deepMerge, isPlainObject, type Plain, setPath } from './merge.ts';
import { PRESET_NAMES, PRESETS, type PresetName } from './presets.ts';
import { RunConfig } from './schema.ts';

/**
 * Config resolution, in layer order: schema defaults (the `embedded` preset) <- preset <- config files (YAML or JSON)
 * <- `--a.b value` overrides. Every problem with the result is reported at once, naming the field, the value seen and
 * what is allowed; the CLI turns that ConfigError into exit code 2.
 */
export interface ConfigSources {
  readonly preset?: string;
  /** YAML or JSON files, applied in order. */
  readonly files?: readonly string[];
  /** `[dotted.path, raw text]` pairs from the command line, applied last. */
  readonly overrides?: ReadonlyArray<readonly [string, string]>;
}

export async function resolveConfig(sources: ConfigSources): Promise<RunConfig> {
  const presetName = sources.preset ?? 'embedded';
  if (!isPresetName(presetName)) {
    throw new ConfigError('preset', `unknown preset '${presetName}'`, {
      value: presetName,
      hint: `use one of: ${PRESET_NAMES.join(', ')}`,
    });
  }
  // The schema defaults are the base layer, so a partial override (`--data.train 50`) lands inside the default branch.
  let layered: unknown = deepMerge(RunConfig.parse({}), structuredClone(PRESETS[presetName]));
  for (const file of sources.files ?? []) layered = deepMerge(layered, await readConfigFile(file));
  const overrides: Plain = {};
  for (const [path, raw] of sources.overrides ?? []) {
    setPath(overrides, path.split('.'), coerceOverride(path.split('.'), raw));
  }
  layered = deepMerge(layered, overrides);
  return parseRunConfig(layered);
}

function isPresetName(name: string): name is PresetName {
  return (PRESET_NAMES as string[]).includes(name);
}

async function readConfigFile(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new ConfigError('--config', `cannot read config file ${file}`, {
      value: file,
      cause,
      hint: 'check the path',
    });
  }
  try {
    const value: unknown = extname(file) === '.json' ? JSON.parse(text) : parseYaml(text);
    if (value === null || value === undefined) return {};
    if (!isPlainObject(value)) throw new Error('the top level must be a mapping of fields');
    return value;
  } catch (cause) {
    const why = cause instanceof Error ? cause.message : String(cause);
    throw new ConfigError('--config', `${file} is not valid ${extname(file) === '.json' ? 'JSON' : 'YAML'}: ${why}`, {
      value: file,
      cause,
    });
  }
}

/** Parse a merged config object; one ConfigError lists every wrong field. The result is deeply frozen. */
export function parseRunConfig(value: unknown): RunConfig {
  const result = RunConfig.safeParse(value, { reportInput: true });
  if (result.success) return deepFreeze(result.data);
  const lines = result.error.issues.flatMap(describeIssue);
  const fields = [...new Set(lines.map((l) => l.field))];
  throw new ConfigError(
    fields.join(', '),
    `${lines.length} invalid value(s)\n${lines.map((l) => `  - ${l.text}`).join('\n')}`,
    {
      value,
      hint: 'fix the fields above in your config file or --field overrides; `vlthink run --help` lists every field',
    },
  );
}

function describeIssue(issue: z.core.$ZodIssue): Array<{ field: string; text: string }> {
  const at = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => {
      const field = at ? `${at}.${key}` : key;
      const seen = isPlainObject(issue.input) ? show(issue.input[key]) : '?';
      return { field, text: `${field}: saw ${seen}; this field does not exist here (check its spelling and nesting)` };
    });
  }
  const field = at || '(root)';
  const discriminator = 'discriminator' in issue && typeof issue.discriminator === 'string' ? issue.discriminator : '';
  const seen = discriminator && isPlainObject(issue.input) ? issue.input[discriminator] : issue.input;
  const path = discriminator && !at.endsWith(discriminator) ? `${field}.${discriminator}` : field;
  return [{ field: path, text: `${path}: saw ${show(seen)}; ${allowedText(issue)}` }];
}

function allowedText(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_union' && 'options' in issue && Array.isArray(issue.options)) {
    return `allowed: ${issue.options.map((o) => JSON.stringify(o)).join(' | ')}`;
  }
  const text = issue.message
    .replace(/^Invalid input: /, '')
    .replace(/^Invalid option: /, '')
    .replace(/^Too (small|big): expected (\w+) to (be|have) /, '$2 ');
  return `allowed: ${text}`;
}

function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

// ---- overrides: text from the command line, typed by the schema ---------------------------------------------------

type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  default?: unknown;
  description?: string;
  enum?: unknown[];
  const?: unknown;
  minimum?: number;
  maximum?: number;
};

let cachedSchema: JsonSchema | undefined;
export function runConfigJsonSchema(): JsonSchema {
  cachedSchema ??= z.toJSONSchema(RunConfig, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  return cachedSchema;
}

/** Every schema node a dotted path can land on (a tagged union contributes each branch's field). */
function nodesAt(path: readonly string[]): JsonSchema[] {
  let nodes: JsonSchema[] = [runConfigJsonSchema()];
  for (const key of path) {
    const next: JsonSchema[] = [];
    for (const node of nodes.flatMap(branches)) {
      const child = node.properties?.[key] ?? (/^\d+$/.test(key) ? node.items : undefined);
      if (child) next.push(child);
    }
    nodes = next;
  }
  return nodes.flatMap(branches);
}

function branches(node: JsonSchema): JsonSchema[] {
  const alts = node.oneOf ?? node.anyOf;
  return alts ? alts.flatMap(branches) : [node];
}

/** Turn `--a.b text` into the value the schema expects there; anything unparseable stays text for zod to report. */
export function coerceOverride(path: readonly string[], raw: string): unknown {
  const types = new Set(nodesAt(path).flatMap((n) => (Array.isArray(n.type) ? n.type : n.type ? [n.type] : [])));
  if (raw === 'null' && types.has('null')) return null;
  if (types.has('integer') || types.has('number')) {
    const n = Number(raw);
    return raw.trim() !== '' && Number.isFinite(n) ? n : raw;
  }
  if (types.has('boolean')) return raw === 'true' ? true : raw === 'false' ? false : raw;
  if (types.has('array') || types.has('object')) {
    try {
      return JSON.parse(raw);
    } catch {
      return types.has('array') ? raw.split(',').map((s) => s.trim()) : raw;
    }
  }
  return raw;
}

// ---- --help from the schema ------------------------------------------------------------------------------------------

/** One line per settable field: `--path <type>  description (default: ...)`. */
export function configHelp(): string {
  const lines: string[] = [];
  walk(runConfigJsonSchema(), [], lines);
  return lines.join('\n');
}

function walk(node: JsonSchema, path: string[], lines: string[], embedded: unknown = embeddedDefaults()): void {
  const alts = node.oneOf ?? node.anyOf;
  if (alts?.every((a) => !a.properties && !a.oneOf && !a.anyOf)) {
    // A nullable or primitive union is one field: `--sft.maxSteps <integer|null>`.
    const merged: JsonSchema = { ...node, type: alts.flatMap((a) => (a.type ? [a.type].flat() : [])) };
    delete merged.anyOf;
    delete merged.oneOf;
    walk(merged, path, lines, embedded);
    return;
  }
  if (alts) {
    for (const alt of alts) walk(alt, path, lines, embedded);
    return;
  }
  if (node.properties) {
    for (const [key, child] of Object.entries(node.properties)) walk(child, [...path, key], lines, embedded);
    return;
  }
  const flag = `--${path.join('.')}`;
  const type = node.const !== undefined ? JSON.stringify(node.const) : node.enum ? node.enum.join('|') : typeText(node);
  const value = valueAt(embedded, path);
  const dflt =
    value !== undefined
      ? ` (embedded: ${show(value)})`
      : node.default === undefined
        ? ''
        : ` (default: ${show(node.default)})`;
  const entry = `  ${flag} <${type}>`;
  const line = `${entry.padEnd(38)} ${node.description ?? ''}${dflt}`;
  if (!lines.includes(line)) lines.push(line);
}

let cachedDefaults: unknown;
/** The resolved `embedded` preset: what a field is when nothing sets it. */
function embeddedDefaults(): unknown {
  cachedDefaults ??= deepMerge(RunConfig.parse({}), PRESETS.embedded);
  return cachedDefaults;
}

function valueAt(root: unknown, path: readonly string[]): unknown {
  let node = root;
  for (const key of path) {
    if (!isPlainObject(node)) return undefined;
    node = node[key];
  }
  return node;
}

function typeText(node: JsonSchema): string {
  const t = Array.isArray(node.type) ? node.type.join('|') : (node.type ?? 'value');
  if (t === 'array' && node.items) return `${typeText(node.items)}[]`;
  return t;
}
