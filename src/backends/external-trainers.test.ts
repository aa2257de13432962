import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paperGrpoConfig, paperSftConfig } from '../train/config.ts';
import { createEasyR1Trainer, createExternalTrainer, createLlamaFactoryTrainer } from './external-trainers.ts';
import { createLocalRunner } from './local-runner.ts';
import { type LoopbackServer, startLoopbackServer } from './loopback-server.ts';
import { type RewardServer, startRewardServer } from './reward-server.ts';
import type { StepMetrics } from './types.ts';

const python = await promisify(execFile)('python3', ['--version']).then(
  () => true,
  () => false,
);

/** Plays llamafactory-cli: reads its YAML, checks the exported dataset, logs two HF steps, saves a model. */
const FAKE_LLAMAFACTORY = `
const fs = require('node:fs'); const path = require('node:path');
const yaml = fs.readFileSync(process.argv[2], 'utf8');
const get = (k) => (new RegExp('^' + k + ': (.*)$', 'm').exec(yaml) || [])[1];
const data = JSON.parse(fs.readFileSync(path.join(get('dataset_dir'), get('dataset') + '.json'), 'utf8'));
console.log('examples ' + data.length + ' torchrun ' + process.env.FORCE_TORCHRUN + ' lr ' + get('learning_rate'));
console.log("{'loss': 1.25, 'grad_norm': 2.5, 'learning_rate': 5e-06, 'epoch': 0.5}");
console.log("{'loss': 0.75, 'grad_norm': 1.5, 'learning_rate': 2.5e-06, 'epoch': 1.0}");
fs.mkdirSync(get('output_dir'), { recursive: true });
fs.writeFileSync(path.join(get('output_dir'), 'config.json'), '{"model_type": "qwen2_5_vl"}');
`;

/** Plays EasyR1: reads its config, scores rollouts through the reward shim it was given, saves global_step_2. */
const FAKE_EASYR1 = `
import importlib.util, os, re, sys
cfg = open(sys.argv[1].split("=", 1)[1]).read()
get = lambda k: re.search(r"^\\s*" + k + r": (.*)$", cfg, re.M).group(1).strip()
path, fn = get("reward_function").rsplit(":", 1)
spec = importlib.util.spec_from_file_location("shim", path); shim = importlib.util.module_from_spec(spec); spec.loader.exec_module(shim)
assert os.path.exists(get("train_files")), "parquet missing"
inputs = [{"response": "<think>t</think> so <answer>3</answer>", "response_length": 9, "ground_truth": "3"},
          {"response": "<answer>4</answer>", "response_length": 4, "ground_truth": "3"}]
scores = getattr(shim, fn)(inputs, url=get("url"), reward=get("reward"))
for step in (1, 2):
    print("Step %d" % step); print("reward:"); print("  overall: %s" % (sum(s["overall"] for s in scores) / len(scores)))
    print("actor:"); print("  pg_loss: -0.01")
os.makedirs(os.path.join(get("save_checkpoint_path"), "global_step_2", "actor"), exist_ok=True)
os.makedirs(os.path.join(get("save_checkpoint_path"), "global_step_1", "actor"), exist_ok=True)
`;

const FAKE_MERGER = `
import json, os, sys
d = sys.argv[sys.argv.index("--local_dir") + 1]
os.makedirs(os.path.join(d, "huggingface"), exist_ok=True)
json.dump({"merged_from": d}, open(os.path.join(d, "huggingface", "config.json"), "w"))
`;

let dir: string;
let rewards: RewardServer;
let sglang: LoopbackServer;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vlthink-ext-'));
  await mkdir(join(dir, 'images'));
  const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#f00' } })
    .png()
    .toBuffer();
  await writeFile(join(dir, 'images', 'a.png'), png);
  await writeFile(
    join(dir, 'sft.jsonl'),
    `${JSON.stringify({ id: 's1', problemId: 'p1', images: ['images/a.png'], prompt: 'How many?', response: '<think>one</think><answer>1</answer>', answer: '1' })}\n`,
  );
  await writeFile(
    join(dir, 'medium.jsonl'),
    `${JSON.stringify({ id: 'p1', question: 'How many?', images: ['images/a.png'], answer: '3', answerType: 'number' })}\n`,
  );
  await writeFile(join(dir, 'fake-llamafactory.cjs'), FAKE_LLAMAFACTORY);
  await mkdir(join(dir, 'easyr1', 'scripts'), { recursive: true });
  await writeFile(join(dir, 'easyr1', 'fake_main.py'), FAKE_EASYR1);
  await writeFile(join(dir, 'easyr1', 'scripts', 'model_merger.py'), FAKE_MERGER);
  rewards = await startRewardServer({
    port: 0,
    score: (_spec, responses, golds) =>
      responses.map((r, i) => ({ score: r.includes(`<answer>${golds[i]}</answer>`) ? 1 : 0, components: {} })),
  });
  sglang = await startLoopbackServer(() => ({
    json: { success: true, message: 'Succeeded to update model weights.' },
  }));
});
afterAll(async () => {
  await rewards.close();
  await sglang.close();
  await rm(dir, { recursive: true, force: true });
});

describe('external trainers run their plans end to end with stand-in engines', () => {
  it('LLaMA-Factory SFT: exports sharegpt data, trains, streams step metrics, skips when rerun', async () => {
    const steps: StepMetrics[] = [];
    const lines: string[] = [];
    const runner = createLocalRunner();
    const trainer = createLlamaFactoryTrainer(
      { command: [process.execPath, join(dir, 'fake-llamafactory.cjs')] },
      paperSftConfig,
      {
        runner: {
          id: runner.id,
          run: (c, o) => {
            const onLine = (l: string) => {
              lines.push(l);
              o.onLine?.(l);
            };
            return runner.run(c, { ...o, onLine });
          },
        },
      },
    );
    const job = {
      base: { kind: 'hf' as const, path: '/models/qwen', name: 'qwen' },
      dataFile: join(dir, 'sft.jsonl'),
      imageRoot: dir,
      outDir: join(dir, 'round-1', 'sft'),
      onStep: (m: StepMetrics) => steps.push(m),
    };
    const ckpt = await trainer.sft(job);
    expect(ckpt).toEqual({ kind: 'hf', path: join(dir, 'round-1', 'sft', 'model'), name: 'qwen-sft' });
    expect(lines[0]).toBe('examples 1 torchrun 1 lr 0.000005');
    expect(steps.map((s) => [s.stage, s.step, s.loss])).toEqual([
      ['sft', 1, 1.25],
      ['sft', 2, 0.75],
    ]);
    const info = JSON.parse(
      await readFile(join(dir, 'round-1', 'sft', 'engine-job', 'data', 'dataset_info.json'), 'utf8'),
    );
    expect(Object.keys(info)).toEqual(['vlthink_sft']);
    const again = await trainer.sft({ ...job, onStep: () => steps.push({ unexpected: 1 }) });
    expect(again).toEqual(ckpt);
    expect(steps).toHaveLength(2);
    expect(lines).toHaveLength(3);
    await expect(trainer.rl({} as never)).rejects.toThrow(/SFT stage only/);
  });

  it.skipIf(!python)(
    'EasyR1 GRPO: parquet + shim + config, rewards over HTTP, merge of the last step, SGLang reload',
    async () => {
      const steps: StepMetrics[] = [];
      const easy = createEasyR1Trainer(
        { command: ['python3', join(dir, 'easyr1', 'fake_main.py')], workdir: join(dir, 'easyr1') },
        paperGrpoConfig,
        { runner: createLocalRunner(), rewardUrl: rewards.url, serving: { kind: 'sglang', url: sglang.url } },
      );
      const trainer = createExternalTrainer({
        sft: createLlamaFactoryTrainer({}, paperSftConfig, { runner: createLocalRunner() }),
        rl: easy,
      });
      const outDir = join(dir, 'round-1', 'rl-medium');
      const ckpt = await trainer.rl({
        init: { kind: 'hf', path: join(dir, 'round-1', 'sft', 'model'), name: 'qwen-sft' },
        problemsFile: join(dir, 'medium.jsonl'),
        imageRoot: dir,
        outDir,
        reward: { name: 'openvlthinker' },
        stage: 'medium',
        episodes: 5,
        freezeVision: true,
        onStep: (m) => steps.push(m),
      });
      const merged = join(outDir, 'checkpoints', 'global_step_2', 'actor', 'huggingface');
      expect(ckpt).toEqual({ kind: 'hf', path: merged, name: 'qwen-sft-medium' });
      expect(JSON.parse(await readFile(join(merged, 'config.json'), 'utf8'))).toEqual({
        merged_from: join(outDir, 'checkpoints', 'global_step_2', 'actor'),
      });
      expect(steps).toEqual([
        { stage: 'medium', engine: 'easyr1', step: 1, 'reward/overall': 0.5, 'actor/pg_loss': -0.01 },
        { stage: 'medium', engine: 'easyr1', step: 2, 'reward/overall': 0.5, 'actor/pg_loss': -0.01 },
      ]);
      expect(sglang.requests.map((r) => [r.path, r.body])).toEqual([
        ['/update_weights_from_disk', { model_path: merged }],
      ]);
      expect(existsSync(join(outDir, 'engine-job', 'data', 'train.parquet'))).toBe(true);
    },
  );

  it('plugs in a format prompt file, and refuses a missing one up front', async () => {
    const file = join(dir, 'math_format.jinja');
    await writeFile(file, '{{ content | trim }} Think first, then answer.\n');
    const easy = createEasyR1Trainer({ formatPromptFile: file }, paperGrpoConfig, {
      runner: createLocalRunner(),
      rewardUrl: 'http://127.0.0.1:9',
    });
    const plan = easy.planRl({
      init: { kind: 'hf', path: '/m', name: 'm' },
      problemsFile: join(dir, 'medium.jsonl'),
      imageRoot: dir,
      outDir: join(dir, 'rl-plan'),
      reward: { name: 'openvlthinker' },
      stage: 'medium',
      episodes: 1,
      freezeVision: true,
    });
    expect(plan.files.find((f) => f.path.endsWith('.jinja'))?.contents).toBe(
      '{{ content | trim }} Think first, then answer.\n',
    );
    expect(() =>
      createEasyR1Trainer({ formatPromptFile: join(dir, 'nope.jinja') }, paperGrpoConfig, {
        runner: createLocalRunner(),
        rewardUrl: 'http://127.0.0.1:9',
      }),
    ).toThrow(/backend\.easyR1\.formatPromptFile/);
  });

  it('fails early, naming the reward server, when it is not running', async () => {
    const easy = createEasyR1Trainer({}, paperGrpoConfig, {
      runner: createLocalRunner(),
      rewardUrl: 'http://127.0.0.1:9',
    });
    const err = await easy
      .rl({
        init: { kind: 'hf', path: '/m', name: 'm' },
        problemsFile: join(dir, 'medium.jsonl'),
        imageRoot: dir,
        outDir: join(dir, 'rl-x'),
        reward: { name: 'accuracy' },
        stage: 'hard',
        episodes: 1,
        freezeVision: false,
      })
      .catch((e: unknown) => e as Error);
    expect(String(err)).toContain('reward server health is not reachable');
    expect(existsSync(join(dir, 'rl-x'))).toBe(false);
  });
});
