import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type ImportEdge, readImportGraph } from './import-graph.ts';

/**
 * The import rules of src/ (README "Folders"): each folder may import only the folders below it in this table, so
 * the direction of every arrow is checked on every run. The lower layers (core, verify, data, world, engine, model,
 * train) never import backends/, pipeline/ or cli/. Non-test modules must follow the table exactly. Test files follow
 * it too, except the pairs listed in fixtures/import-rule-exceptions.json; that list must equal what is found, so it
 * can only shrink (a fixed exception fails this test until its entry is removed).
 */
const LAYERS = [
  'core',
  'verify',
  'data',
  'world',
  'engine',
  'model',
  'train',
  'backends',
  'eval',
  'pipeline',
  'cli',
] as const;
type Layer = (typeof LAYERS)[number];

const MAY_IMPORT: Readonly<Record<Layer, readonly Layer[]>> = {
  core: [],
  verify: ['core'],
  data: ['core'],
  world: ['core', 'data'],
  engine: ['core'],
  model: ['core', 'engine'],
  train: ['core', 'verify', 'data', 'engine', 'model'],
  backends: ['core', 'verify', 'data', 'world', 'engine', 'model', 'train', 'eval'],
  eval: ['core', 'verify', 'data', 'world', 'backends'],
  pipeline: ['core', 'verify', 'data', 'world', 'engine', 'model', 'train', 'backends', 'eval'],
  cli: ['core', 'verify', 'data', 'world', 'engine', 'model', 'train', 'backends', 'eval', 'pipeline'],
};

const LOWER: readonly Layer[] = ['core', 'verify', 'data', 'world', 'engine', 'model', 'train'];
const UPPER: readonly Layer[] = ['backends', 'pipeline', 'cli'];

interface Exceptions {
  testImports: { from: string; to: string; reason: string }[];
  computedDynamicImports: { from: string; reason: string }[];
}

const root = resolve(import.meta.dirname, '..');
const graph = readImportGraph(root, 'src');
const exceptions = JSON.parse(
  readFileSync(resolve(import.meta.dirname, 'fixtures/import-rule-exceptions.json'), 'utf8'),
) as Exceptions;

const isLayer = (name: string): name is Layer => (LAYERS as readonly string[]).includes(name);

/** The src/ folder a repository path lies in; null outside src/ (packages, test/ helpers); an unknown folder throws. */
function layerOf(path: string | null): Layer | null {
  const folder = path === null ? undefined : /^src\/([^/]+)\//.exec(path)?.[1];
  if (folder === undefined) return null;
  if (!isLayer(folder)) throw new Error(`${path}: folder src/${folder} is not in the layering table`);
  return folder;
}

const isTest = (e: ImportEdge) => e.from.endsWith('.test.ts');
const where = (e: ImportEdge) => `${e.from}:${e.line} ${e.kind} '${e.specifier}'`;

/** Edges whose target folder the importing folder may not import. */
function violations(edges: readonly ImportEdge[], allowed: (from: Layer, to: Layer) => boolean): ImportEdge[] {
  return edges.filter((e) => {
    const from = layerOf(e.from);
    const to = layerOf(e.to);
    return from !== null && to !== null && from !== to && !allowed(from, to);
  });
}

const table = (from: Layer, to: Layer) => MAY_IMPORT[from].includes(to);
const lowerRule = (from: Layer, to: Layer) => !(LOWER.includes(from) && UPPER.includes(to));

describe('import rules', () => {
  it('reads the whole tree, every kind of import', () => {
    // Guards against a parser that silently finds nothing: each folder is present and the kinds occur.
    expect(new Set(graph.files.map(layerOf))).toEqual(new Set(LAYERS));
    expect(graph.files.filter((f) => layerOf(f) === null)).toEqual([]);
    const kinds = new Set(graph.edges.map((e) => e.kind));
    for (const k of ['import', 'import type', 're-export', 'dynamic import'] as const) expect(kinds).toContain(k);
    expect(Object.keys(MAY_IMPORT).sort()).toEqual([...LAYERS].sort());
  });

  it('no module of core, verify, data, world, engine, model or train imports backends, pipeline or cli', () => {
    const found = violations(
      graph.edges.filter((e) => !isTest(e)),
      lowerRule,
    );
    expect(found.map(where)).toEqual([]);
  });

  it('every non-test module imports only the folders its layer may import', () => {
    const found = violations(
      graph.edges.filter((e) => !isTest(e)),
      table,
    );
    expect(found.map(where)).toEqual([]);
  });

  it('test files follow the same table, but for the listed exceptions (the list can only shrink)', () => {
    const found = violations(graph.edges.filter(isTest), table);
    const pairs = [...new Set(found.map((e) => `${e.from} -> ${e.to}`))].sort();
    const listed = exceptions.testImports.map((x) => `${x.from} -> ${x.to}`).sort();
    // A new pair: fix the import. A listed pair no longer found: remove it from the fixture.
    expect(pairs, `found:\n${found.map(where).join('\n')}`).toEqual(listed);
  });

  it('dynamic imports with a computed path are only the listed ones (a rule cannot see where they go)', () => {
    const files = [...new Set(graph.computedDynamicImports.map((w) => w.replace(/:\d+$/, '')))].sort();
    // A new one: import by a literal path if you can, else list it with its reason. A listed one gone: remove it.
    expect(files, `found:\n${graph.computedDynamicImports.join('\n')}`).toEqual(
      exceptions.computedDynamicImports.map((x) => x.from).sort(),
    );
  });

  it('reports a violation with its file and line', () => {
    // The checker on a hand-made edge: data importing pipeline breaks both rules and is named by file:line.
    const edge: ImportEdge = {
      from: 'src/data/x.ts',
      line: 3,
      specifier: '../pipeline/loop.ts',
      to: 'src/pipeline/loop.ts',
      kind: 'dynamic import',
    };
    const ok: ImportEdge = { ...edge, specifier: '../core/index.ts', to: 'src/core/index.ts' };
    expect(violations([edge, ok], lowerRule).map(where)).toEqual([
      "src/data/x.ts:3 dynamic import '../pipeline/loop.ts'",
    ]);
    expect(violations([edge, ok], table)).toEqual([edge]);
  });
});
