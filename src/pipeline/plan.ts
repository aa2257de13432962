import { resolve } from 'node:path';
import { shellQuote } from '../backends/job-plan.ts';
import { managedServerArgv } from '../backends/managed-server.ts';
import type { Checkpoint } from '../backends/types.ts';
import { writeFileAtomic } from '../core/index.ts';
import { basePretraining, type RunConfig, type SamplingConfig } from './config/schema.ts';
import type { PipelineDeps } from './deps.ts';
import { rlJobOf, sftJobOf } from './jobs.ts';
import { paths, runDirOf } from './paths.ts';

/**
 * `vlthink run --dry-run`: every stage of every round with the files it reads and writes, the generation calls it
 * makes, and the training jobs as the trainer plans them (`Trainer.planSft` / `planRl` on the jobs that `jobs.ts`
 * builds for the run itself, so the dry run cannot drift from the run), with the engine files those jobs generate
 * (`files`: configs, prompts, shims — not the data, which does not exist yet). Trains nothing and touches no GPU.
 */
export interface RunPlan {
  readonly text: string;
  readonly files: ReadonlyArray<{ readonly path: string; readonly contents: string }>;
}

export function planRun(config: RunConfig, deps: PipelineDeps): RunPlan {
  const files: Array<{ path: string; contents: string }> = [];
  const runDir = resolve(runDirOf(config));
  const at = (rel: string) => resolve(runDir, rel);
  const gen = generationLine(config);
  const data = config.data;
  const out: string[] = [
    `vlthink run ${config.name}: ${config.rounds} round(s), backend ${config.backend.kind}, run directory ${runDir}`,
    `  writes ${at(paths.config)}, ${at('manifest.json')}, ${at(paths.metrics)}, ${at(paths.summary)}`,
    'stage data:',
    data.kind === 'world'
      ? `    synthetic world: ${data.train} train + ${data.test} test problems, seed ${data.seed}, ${data.imageSize}px, caption noise ${data.captionNoise}`
      : `    reads ${resolve(data.train)} and ${resolve(data.test)} (Problem JSONL with images)`,
    `    writes ${at(paths.trainProblems)}, ${at(paths.testProblems)}`,
  ];
  const base: Checkpoint =
    config.backend.kind === 'scale-out'
      ? { kind: 'hf', path: config.backend.baseModel, name: config.backend.baseModel }
      : { kind: 'embedded', path: at(paths.base), name: 'base' };
  out.push('stage base:', `    ${base.kind === 'hf' ? 'Hugging Face model' : 'tiny VLM initialized in'} ${base.path}`);
  const pretrain = basePretraining(config);
  if (pretrain) {
    out.push(
      `    then caption-pretrained: ${pretrain.problems} world images (world seed ${pretrain.worldSeed}, third split, ${pretrain.families?.join(', ') ?? 'all families'}), ${pretrain.sft.epochs} epochs at lr ${pretrain.sft.lr}`,
    );
  }

  let previousRl: Checkpoint | undefined;
  for (let r = 1; r <= config.rounds; r++) {
    out.push(`round ${r}:`);
    if (r === 1) {
      const params = `max_tokens=${config.caption.maxTokens} temperature=${config.caption.temperature}`;
      out.push(
        '  caption:',
        gen.captioner(params),
        `    prompt: ${JSON.stringify(config.caption.prompt)}`,
        `    writes ${at(paths.captions(1))}`,
        '  distill:',
        gen.reasoner(sampling(config.distill)),
        `    keeps the ${config.distill.selection} correct chain; writes ${at(paths.traces(1))}`,
      );
    } else {
      out.push(
        '  regenerate:',
        gen.policy(previousRl ?? base, `round ${r - 1} RL policy on image + question`, sampling(config.regenerate)),
        `    keeps the ${config.regenerate.selection} correct chain; writes ${at(paths.traces(r))}`,
      );
    }
    const sftPlan = deps.trainer.planSft(sftJobOf(at, r, base));
    files.push(...sftPlan.files);
    out.push(
      '  filter:',
      `    cut at ${JSON.stringify(config.filter.markers)}; ${config.filter.minWords}-${config.filter.maxWords} words; dedup ${config.filter.dedup}`,
      `    writes ${at(paths.sftData(r))}, ${at(paths.filterStats(r))}`,
      '  sft (from the base model):',
      ...indent(sftPlan.lines),
    );
    const sft = sftPlan.checkpoint;
    const difficultyParams = `n=${config.difficulty.k} temperature=${config.difficulty.temperature}`;
    out.push(
      '  difficulty:',
      gen.policy(sft, 'error rate of the SFT policy', difficultyParams),
      `    writes ${at(paths.difficulty(r))} and ${config.rl.stages.map((s) => at(paths.rlData(r, s.name))).join(', ')}`,
    );
    const checkpoints: Array<[string, Checkpoint]> = [['sft', sft]];
    let init = sft;
    for (const stage of config.rl.stages) {
      const frozen = stage.freezeVision ? ', vision frozen' : '';
      const plan = deps.trainer.planRl(rlJobOf(config, at, r, stage, init, sft));
      files.push(...plan.files);
      out.push(`  rl-${stage.name} (tiers ${stage.tiers.join('+')}, ${stage.episodes} episodes${frozen}):`);
      out.push(...indent(plan.lines));
      init = plan.checkpoint;
      checkpoints.push([`rl-${stage.name}`, init]);
    }
    previousRl = init;
    out.push('  evaluate:');
    const evaluated = config.eval.checkpoints === 'all' ? checkpoints : [checkpoints[0], checkpoints.at(-1)];
    for (const [name, ckpt] of evaluated.filter((c): c is [string, Checkpoint] => c !== undefined)) {
      const params = `n=1 temperature=${config.eval.temperature} max_tokens=${config.eval.maxTokens}`;
      out.push(gen.policy(ckpt, `${name} on the test set`, params), `    writes ${at(paths.evalSummary(r, name))}`);
    }
  }
  return { text: out.join('\n'), files };
}

/** Writes a plan's engine files (each atomically) and returns their paths. */
export async function writePlanFiles(plan: RunPlan): Promise<string[]> {
  for (const f of plan.files) await writeFileAtomic(f.path, f.contents);
  return plan.files.map((f) => f.path);
}

/** How each role's generation is served, as dry-run lines: the one place that looks at the backend kind. */
function generationLine(config: RunConfig) {
  const b = config.backend;
  if (b.kind === 'scale-out') {
    const post = (role: string, url: string, model: string, params: string) =>
      `    POST ${url}/chat/completions  model=${model}  ${params}  (${role})`;
    return {
      captioner: (params: string) =>
        post('captioner, for problems without a caption', b.captioner.baseUrl, b.captioner.model, params),
      reasoner: (params: string) =>
        post('text reasoner on caption + question', b.reasoner.baseUrl, b.reasoner.model, params),
      policy: (ckpt: Checkpoint, role: string, params: string) => {
        const model = b.policy.model ?? ckpt.path;
        const line = post(role, b.policy.baseUrl, model, params);
        if (b.serving.kind !== 'vllm') return line;
        const argv = managedServerArgv(b.serving, ckpt.path, b.policy.baseUrl, model);
        return `    start ${argv.map(shellQuote).join(' ')}  (stopped after the stage)\n${line}`;
      },
    };
  }
  return {
    captioner: () => '    captions from the world (the scene description with caption noise)',
    reasoner: (params: string) => `    the world's rule-based caption reader  ${params}`,
    policy: (ckpt: Checkpoint, role: string, params: string) =>
      `    in-process generation with the embedded checkpoint ${ckpt.path}  ${params}  (${role})`,
  };
}

function sampling(s: SamplingConfig): string {
  return `n=${s.k} temperature=${s.temperature} top_p=${s.topP} max_tokens=${s.maxTokens}`;
}

function indent(lines: readonly string[]): string[] {
  return lines.map((l) => `    ${l}`);
}
