/**
 * Hand-written fakes of the loop's seams, for the pipeline's tests: a tiny arithmetic "world", a text reasoner that
 * reads the caption, a trainer whose checkpoints are one number (skill), and a policy that answers correctly with that
 * probability. Deterministic per seed. `killAt` SIGKILLs the process at the named call, for kill-and-resume tests.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import type {
  Checkpoint,
  Completion,
  GenerationBackend,
  Prompt,
  RlJob,
  SftJob,
  Trainer,
} from '../src/backends/types.ts';
import { contentHash } from '../src/core/index.ts';
import { readJsonlAll } from '../src/data/jsonl.ts';
import { SftExample } from '../src/data/types.ts';
import type { PipelineDeps, WorldSample } from '../src/pipeline/deps.ts';

export interface FakeOptions {
  /** `kind:n` — SIGKILL this process on the n-th call (1-based) of that kind: generate, sft, rl, sft-step. */
  readonly killAt?: string;
  /** Record of calls made, for assertions. */
  readonly calls?: string[];
}

const unit = (label: string) => Number.parseInt(contentHash(label).slice(0, 8), 16) / 0x100000000;

function promptText(prompt: Prompt): string {
  return prompt
    .map((m) =>
      typeof m.content === 'string' ? m.content : m.content.map((p) => (p.type === 'text' ? p.text : '')).join(''),
    )
    .join('\n');
}

/** `What is 3 + 4?` -> 7; the fakes solve it from the question text (the image is decoration). */
function solve(text: string): number | null {
  const m = /What is (\d+) \+ (\d+)\?/.exec(text);
  return m ? Number(m[1]) + Number(m[2]) : null;
}

export function createFakeDeps(options: FakeOptions = {}): PipelineDeps {
  const counters = new Map<string, number>();
  const calls = options.calls ?? [];
  const hit = (kind: string) => {
    const n = (counters.get(kind) ?? 0) + 1;
    counters.set(kind, n);
    calls.push(`${kind}:${n}`);
    if (options.killAt === `${kind}:${n}`) process.kill(process.pid, 'SIGKILL');
  };

  const world = async (req: { n: number; seed: number; split: 'train' | 'test' }): Promise<WorldSample[]> => {
    const png = new Uint8Array(
      await sharp({ create: { width: 8, height: 8, channels: 3, background: { r: 200, g: 40, b: 40 } } })
        .png()
        .toBuffer(),
    );
    return Array.from({ length: req.n }, (_, i) => {
      const a = Math.floor(unit(`${req.seed}:${req.split}:${i}:a`) * 20);
      const b = Math.floor(unit(`${req.seed}:${req.split}:${i}:b`) * 20);
      return {
        png,
        problem: {
          id: `${req.split}-${i}`,
          question: `What is ${a} + ${b}?`,
          images: [],
          choices: null,
          answer: String(a + b),
          answerType: 'number' as const,
          source: i % 2 === 0 ? 'sums-even' : 'sums-odd',
          tier: null,
          caption: `Two numbers are shown: ${a} and ${b}.`,
          metadata: {},
        },
      };
    });
  };

  /** Round 1's reader: right 60% of the time per sample, with a "Wait," detour in a third of the chains. */
  const reasoner: GenerationBackend = {
    id: 'fake-reasoner',
    async generate(prompts, params) {
      hit('generate');
      return prompts.map((p, i) => {
        const truth = solve(promptText(p)) ?? 0;
        return Array.from({ length: params.n }, (_, s): Completion => {
          const r = unit(`${params.seed}:${i}:${s}`);
          const answer = r < 0.6 ? truth : truth + 1;
          const detour = r < 0.3 ? ' Wait, let me add again to be sure.' : '';
          const pad = ' and carry'.repeat(Math.floor(r * 4));
          return {
            text: `<think>I add the two numbers${pad}.${detour}</think> The sum is ${answer}. <answer>${answer}</answer>`,
            finishReason: 'stop',
          };
        });
      });
    },
  };

  const readSkill = async (ckpt: Checkpoint) =>
    (JSON.parse(await readFile(join(ckpt.path, 'model.json'), 'utf8')) as { skill: number }).skill;

  const policy = async (ckpt: Checkpoint): Promise<GenerationBackend> => {
    const skill = await readSkill(ckpt);
    return {
      id: `fake-policy:${ckpt.name}`,
      async generate(prompts, params) {
        hit('generate');
        return prompts.map((p, i) => {
          const text = promptText(p);
          const truth = solve(text) ?? 0;
          return Array.from({ length: params.n }, (_, s): Completion => {
            // Greedy decoding (temperature 0) answers by a per-problem draw, so evaluation is deterministic.
            const draw = params.temperature === 0 ? unit(`greedy:${text}`) : unit(`${params.seed}:${i}:${s}`);
            const answer = draw < skill ? truth : truth + 2;
            return {
              text: `<think>${truth - 1} plus one more.</think>\n<answer>${answer}</answer>`,
              finishReason: 'stop',
            };
          });
        });
      },
    };
  };

  const plan = (outDir: string, what: string) => ({
    checkpoint: { kind: 'embedded' as const, path: outDir, name: what },
    lines: [`fake ${what}; writes ${outDir}`],
    files: [],
  });
  const trainer: Trainer = {
    id: 'fake-trainer',
    planSft: (job) => plan(job.outDir, 'sft'),
    planRl: (job) => plan(job.outDir, job.stage),
    async sft(job: SftJob) {
      hit('sft');
      const { records } = await readJsonlAll(job.dataFile, SftExample);
      for (let step = 0; step < 3; step++) {
        job.onStep?.({ step, loss: 2 / (step + 1), examples: records.length });
        hit('sft-step');
      }
      const skill = Math.min(0.9, 0.3 + records.length / 200);
      await writeFile(join(job.outDir, 'model.json'), JSON.stringify({ skill, base: job.base.name }));
      return { kind: 'embedded', path: job.outDir, name: 'sft' };
    },
    async rl(job: RlJob) {
      hit('rl');
      const skill = await readSkill(job.init);
      const next = Math.min(0.95, skill + 0.05 * job.episodes);
      for (let step = 0; step < job.episodes; step++) {
        job.onStep?.({
          step,
          reward_mean: skill + (step * (next - skill)) / job.episodes,
          kl: 0.01 * step,
          accuracy: skill,
          response_length_mean: 12,
          clip_fraction: 0.1,
        });
      }
      await writeFile(join(job.outDir, 'model.json'), JSON.stringify({ skill: next, stage: job.stage }));
      return { kind: 'embedded', path: job.outDir, name: job.stage };
    },
  };

  return {
    world,
    reasoner,
    policy,
    trainer,
    base: async (dir) => {
      await writeFile(join(dir, 'model.json'), JSON.stringify({ skill: 0.05 }));
      return { kind: 'embedded', path: dir, name: 'fake-base' };
    },
  };
}
