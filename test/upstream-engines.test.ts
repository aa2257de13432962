import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { EASYR1_DIALECTS, type EasyR1Dialect } from '../src/backends/easyr1-config.ts';
import { createDeps, planRun, resolveConfig, writePlanFiles } from '../src/pipeline/index.ts';
import { testPython } from './python.ts';
import { sharedDataDir } from './shared-data.ts';

/**
 * The files `vlthink run --preset paper` writes for the engines, loaded by the engines' own loaders at each targeted
 * revision (the upstream files live beside the shared data, in `upstream/`; see its README):
 * - EasyR1: every config.yaml through `easyr1/check_config.py` (EasyR1's `main()`: the structured `PPOConfig()` of
 *   that revision merged with the file, `to_object`, `deep_post_init`, missing paths are errors) — `main` against
 *   b44b311, `v0.3.2` against the tag, `openvlthinker` against the paper's fork;
 * - LLaMA-Factory: every train.yaml read by PyYAML and checked field by field against LLaMA-Factory's argument
 *   dataclasses and transformers 4.57.6's Seq2SeqTrainingArguments (test/upstream/check_llamafactory.py), at v0.9.3
 *   and main ff6d4d1;
 * - the format prompt rendered by jinja2, as EasyR1's dataset renders it.
 * Needs the tests' Python (test/python.ts: `npm run setup:python` builds it) with omegaconf >= 2.3, PyYAML, jinja2
 * and transformers' sources (`--no-deps transformers==4.57.6`); skips, saying which is missing.
 */
const run = promisify(execFile);
const upstream = resolve(sharedDataDir, '..', 'upstream');
const python = testPython;

async function probe(): Promise<{ transformers: string } | { skip: string }> {
  if (!existsSync(join(upstream, 'easyr1', 'check_config.py'))) {
    return {
      skip: `upstream engine files not found at ${upstream} (set VLTHINK_SHARED_DATA; upstream/ sits beside it)`,
    };
  }
  const script = [
    'import importlib.util, omegaconf, yaml, jinja2',
    "assert tuple(int(x) for x in omegaconf.__version__.split('.')[:2]) >= (2, 3), omegaconf.__version__",
    "spec = importlib.util.find_spec('transformers')",
    "print(spec.submodule_search_locations[0] if spec else '')",
  ].join('\n');
  try {
    const { stdout } = await run(python, ['-c', script], { timeout: 30_000 });
    const transformers = stdout.trim();
    if (!transformers)
      return { skip: `${python} has no transformers sources (pip install --no-deps transformers==4.57.6)` };
    return { transformers };
  } catch (err) {
    const why = (err as { stderr?: string }).stderr?.trim().split('\n').at(-1) ?? String(err);
    return { skip: `${python} cannot load the engines' config loaders (omegaconf >= 2.3, PyYAML, jinja2): ${why}` };
  }
}

const env = await probe();
const skip = 'skip' in env ? env.skip : '';
if (skip) console.warn(`upstream-engines tests skipped: ${skip}`);

const EASYR1_REVISION: Record<EasyR1Dialect, string> = {
  main: 'easyr1/b44b311',
  'v0.3.2': 'easyr1/v0.3.2',
  openvlthinker: 'openvlthinker/6997b47/train/easyr1',
};

async function filesNamed(root: string, name: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(root, { withFileTypes: true, recursive: true })) {
    if (e.isFile() && e.name === name) out.push(join(e.parentPath, e.name));
  }
  return out.sort();
}

/** Runs a checker; its JSON line is the verdict (a failing loader fails the test with the loader's own message). */
async function check(args: string[], cwd: string): Promise<{ ok: boolean; error?: string; errors?: string[] }> {
  const res = await run(python, args, { cwd, timeout: 60_000, maxBuffer: 64 * 1024 * 1024 }).catch(
    (e: { stdout?: string }) => ({ stdout: e.stdout ?? '' }),
  );
  return JSON.parse(res.stdout.trim().split('\n').at(-1) ?? '{}');
}

describe.skipIf(skip !== '')('engine files load with the engines own loaders', () => {
  let root = '';
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'vlthink-upstream-'));
  });
  afterAll(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  /** The paper preset's dry run for one EasyR1 dialect, its engine files written under `<root>/<name>`. */
  async function dryRun(dialect: EasyR1Dialect): Promise<string> {
    const config = await resolveConfig({
      preset: 'paper',
      overrides: [
        ['outDir', root],
        ['name', dialect],
        ['backend.easyR1.dialect', dialect],
      ],
    });
    const written = await writePlanFiles(planRun(config, await createDeps(config)));
    expect(written).toHaveLength(3 * (2 + 2 * 3)); // per round: SFT yaml + DeepSpeed json; per RL stage: 3 files
    return join(root, dialect);
  }

  it.each(EASYR1_DIALECTS)('EasyR1 %s: every config.yaml loads at its revision', async (dialect) => {
    const dir = await dryRun(dialect);
    const configs = await filesNamed(dir, 'config.yaml');
    expect(configs).toHaveLength(6);
    for (const file of configs) {
      const verdict = await check(
        [join(upstream, 'easyr1', 'check_config.py'), join(upstream, EASYR1_REVISION[dialect]), file],
        dirname(file),
      );
      expect(verdict, `${file}: ${verdict.error ?? ''}`).toMatchObject({ ok: true });
      const resolved = (verdict as unknown as { resolved: Record<string, Record<string, unknown>> }).resolved;
      expect(resolved.algorithm).toMatchObject({ kl_penalty: 'low_var_kl', kl_coef: 0.01, use_kl_loss: true });
      expect(resolved.worker).toMatchObject({
        rollout: { n: 5, temperature: 1, top_p: 0.99 },
        actor: { global_batch_size: 128 },
      });
    }
  });

  it.each(['v0.9.3', 'ff6d4d1'])('LLaMA-Factory %s: every train.yaml is read as written', async (rev) => {
    const dir = existsSync(join(root, 'main')) ? join(root, 'main') : await dryRun('main');
    const yamls = await filesNamed(dir, 'train.yaml');
    expect(yamls).toHaveLength(3);
    const checker = join(import.meta.dirname, 'upstream', 'check_llamafactory.py');
    for (const file of yamls) {
      const verdict = await check(
        [checker, join(upstream, 'llamafactory', rev), 'transformers' in env ? env.transformers : '', file],
        root,
      );
      expect(verdict, `${file}: ${(verdict.errors ?? []).join('; ')}`).toEqual({ ok: true, keys: expect.any(Number) });
    }
  });

  it('the LLaMA-Factory check catches what YAML 1.2 writes bare (the save_strategy "no" that broke SFT)', async () => {
    const file = join(root, 'yaml12.yaml');
    await writeFile(file, stringify({ save_strategy: 'no', adam_epsilon: 1e-8, template: 'qwen2_vl' }));
    const checker = join(import.meta.dirname, 'upstream', 'check_llamafactory.py');
    const verdict = await check(
      [checker, join(upstream, 'llamafactory', 'v0.9.3'), 'transformers' in env ? env.transformers : '', file],
      root,
    );
    expect(verdict.ok).toBe(false);
    expect(verdict.errors).toEqual([
      expect.stringContaining('save_strategy: False'),
      expect.stringContaining("adam_epsilon: '1e-8'"),
    ]);
  });

  it('the format prompt renders with jinja2 as EasyR1 renders it', async () => {
    const dir = existsSync(join(root, 'main')) ? join(root, 'main') : await dryRun('main');
    const [prompt] = await filesNamed(dir, 'format_prompt.jinja');
    const script = [
      'import sys, jinja2',
      "print(jinja2.Template(open(sys.argv[1]).read()).render(content='  How many circles? <image>  '))",
    ].join('\n');
    const { stdout } = await run(python, ['-c', script, prompt ?? ''], { timeout: 30_000 });
    expect(stdout.startsWith('How many circles? <image> ')).toBe(true);
    expect(stdout).toContain('<think> </think>');
    expect(stdout).toContain('<answer> </answer>');
  });
});
