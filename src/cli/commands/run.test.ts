import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createFakeDeps } from '../../../test/pipeline-fakes.ts';
import { parseRunConfig } from '../../pipeline/config/load.ts';
import { RunConfig } from '../../pipeline/config/schema.ts';
import { runPipeline } from '../../pipeline/loop.ts';
import { parseFieldArgs } from './run.ts';

interface JsonSchemaNode {
  properties?: Record<string, JsonSchemaNode>;
  anyOf?: JsonSchemaNode[];
  oneOf?: JsonSchemaNode[];
  allOf?: JsonSchemaNode[];
}

const bin = resolve(import.meta.dirname, '../../../bin/vlthink.js');
const exec = promisify(execFile);
async function vlthink(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec(process.execPath, [bin, ...args]);
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'vlthink-cli-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('vlthink run / status / report', () => {
  it('turns --field value, --field=value and bare flags into config overrides', () => {
    expect(parseFieldArgs(['--rl.groupSize', '8', '--filter.dedup=false', '--caption.skipWhenPresent'])).toEqual([
      ['rl.groupSize', '8'],
      ['filter.dedup', 'false'],
      ['caption.skipWhenPresent', 'true'],
    ]);
  });

  it('exits 2 with one message naming every wrong field, the value and what is allowed', async () => {
    const r = await vlthink('run', '--rounds', '0', '--distill.k', 'x', '--filter.maxWordz', '3', '--dry-run');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('rounds: saw 0; allowed: number >=1');
    expect(r.stderr).toContain('distill.k: saw "x"');
    expect(r.stderr).toContain('filter.maxWordz');
  });

  it('prints the paper plan: endpoints, engine files and commands, without running anything', async () => {
    const r = await vlthink('run', '--preset', 'paper', '--out', root, '--dry-run');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('model=Qwen/QwQ-32B  n=4');
    expect(r.stdout).toContain('llamafactory-cli train');
    expect(r.stdout).toContain('python3 -m verl.trainer.main config=');
    expect(r.stdout).toContain('rl-hard (tiers hard, 15 episodes)');
    expect(r.stdout.match(/^round \d:/gm)).toHaveLength(3);
  });

  it('lists every config field in --help', async () => {
    const r = await vlthink('run', '--help');
    expect(r.stdout).toMatch(/--rl\.groupSize <integer>\s+completions sampled per prompt/);
    // Every leaf of the schema (each variant of a union too), walked here from its JSON Schema, has a --flag line.
    const fields = new Set<string>();
    const walk = (node: JsonSchemaNode, path: string) => {
      const variants = [...(node.anyOf ?? []), ...(node.oneOf ?? []), ...(node.allOf ?? [])];
      for (const variant of variants) walk(variant, path);
      if (node.properties) {
        for (const [key, child] of Object.entries(node.properties)) walk(child, path ? `${path}.${key}` : key);
      } else if (path && variants.length === 0) fields.add(path);
    };
    walk(z.toJSONSchema(RunConfig, { io: 'input', unrepresentable: 'any' }) as JsonSchemaNode, '');
    const flags = new Set([...r.stdout.matchAll(/^ {2}--([\w.]+) </gm)].map((m) => m[1] as string));
    expect(fields.size).toBeGreaterThan(80);
    expect([...fields].filter((f) => !flags.has(f))).toEqual([]);
  });

  it('status and report read a run directory', async () => {
    const config = parseRunConfig({ name: 'c', outDir: root, rounds: 1, data: { kind: 'world', train: 12, test: 8 } });
    await runPipeline(config, createFakeDeps());
    const s = await vlthink('status', join(root, 'c'));
    expect(s.code).toBe(0);
    expect(s.stdout).toContain('state: complete');
    expect(s.stdout).toMatch(/round-1\/rl-hard\s+done/);
    const rep = await vlthink('report', join(root, 'c'));
    expect(rep.code).toBe(0);
    expect(rep.stdout).toContain('report.html (7 charts)');
    const missing = await vlthink('status', join(root, 'nope'));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('is not a vlthink run directory');
  }, 60_000);
});
