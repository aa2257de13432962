import { join, resolve } from 'node:path';
import { type JobPlan, planEasyR1Rl, planLlamaFactorySft } from '../backends/job-plan.ts';
import type { Checkpoint } from '../backends/types.ts';
import type { RunConfig } from './config/schema.ts';
import { paths } from './context.ts';
import { runDirOf } from './loop.ts';

/**
 * `vlthink run --dry-run`: every stage of every round with the files it reads and writes, and for the scale-out
 * backend the exact endpoints it calls and the training jobs' files, commands and endpoints (the same plans the
 * external trainers execute). Builds nothing and touches no GPU.
 */
export function describeRunPlan(config: RunConfig): string {
  const runDir = resolve(runDirOf(config));
  const at = (rel: string) => join(runDir, rel);
  const b = config.backend;
  const out: string[] = [
    `vlthink run ${config.name}: ${config.rounds} round(s), backend ${b.kind}, run directory ${runDir}`,
    `  writes ${at(paths.config)}, ${at('manifest.json')}, ${at(paths.metrics)}, ${at(paths.summary)}`,
  ];
  const gen = (role: string, url: string, model: string, params: string) =>
    `    POST ${url}/chat/completions  model=${model}  ${params}  (${role})`;
  const data = config.data;
  out.push(
    'stage data:',
    data.kind === 'world'
      ? `    synthetic world: ${data.train} train + ${data.test} test problems, seed ${data.seed}, ${data.imageSize}px, caption noise ${data.captionNoise}`
      : `    reads ${resolve(data.train)} and ${resolve(data.test)} (Problem JSONL with images)`,
    `    writes ${at(paths.trainProblems)}, ${at(paths.testProblems)}`,
  );
  const base: Checkpoint =
    b.kind === 'scale-out'
      ? { kind: 'hf', path: b.baseModel, name: b.baseModel }
      : { kind: 'embedded', path: at(paths.base), name: 'base' };
  out.push(
    'stage base:',
    `    ${b.kind === 'scale-out' ? `Hugging Face model ${b.baseModel}` : `tiny VLM initialized in ${at(paths.base)}`}`,
  );
  // Where each checkpoint lands: the external engines' plans say; embedded checkpoints are the stage folders.
  let previousRl: Checkpoint | undefined;
  for (let r = 1; r <= config.rounds; r++) {
    out.push(`round ${r}:`);
    const serve = (ckpt: Checkpoint, what: string, params: string) =>
      b.kind === 'scale-out'
        ? gen(what, b.policy.baseUrl, b.policy.model ?? ckpt.path, params)
        : `    in-process generation with the embedded checkpoint ${ckpt.path}  ${params}  (${what})`;
    const ckpts = new Map<string, Checkpoint>();
    if (r === 1) {
      out.push(
        '  caption:',
        b.kind === 'scale-out'
          ? gen(
              'captioner, for problems without a caption',
              b.captioner.baseUrl,
              b.captioner.model,
              `max_tokens=${config.caption.maxTokens} temperature=${config.caption.temperature}`,
            )
          : '    captions from the world (the scene description with caption noise)',
        `    prompt: ${JSON.stringify(config.caption.prompt)}`,
        `    writes ${at(paths.captions(1))}`,
        '  distill:',
        b.kind === 'scale-out'
          ? gen('text reasoner on caption + question', b.reasoner.baseUrl, b.reasoner.model, sampling(config.distill))
          : `    the world's rule-based caption reader  ${sampling(config.distill)}`,
        `    keeps the ${config.distill.selection} correct chain; writes ${at(paths.traces(1))}`,
      );
    } else {
      const prev = previousRl ?? base;
      out.push(
        '  regenerate:',
        serve(prev, `round ${r - 1} RL policy on image + question`, sampling(config.regenerate)),
        `    keeps the ${config.regenerate.selection} correct chain; writes ${at(paths.traces(r))}`,
      );
    }
    out.push(
      '  filter:',
      `    cut at ${JSON.stringify(config.filter.markers)}; ${config.filter.minWords}-${config.filter.maxWords} words; dedup ${config.filter.dedup}`,
      `    writes ${at(paths.sftData(r))}, ${at(paths.filterStats(r))}`,
      '  sft (from the base model):',
    );
    const sftJob = { base, dataFile: at(paths.sftData(r)), imageRoot: at(paths.dataDir), outDir: at(paths.sft(r)) };
    if (b.kind === 'scale-out') {
      const plan = planLlamaFactorySft(b.llamaFactory, sftJob, b.serving);
      out.push(...jobLines(plan));
      ckpts.set('sft', plan.checkpoint);
    } else {
      ckpts.set('sft', { kind: 'embedded', path: sftJob.outDir, name: paths.sft(r) });
      out.push(
        `    embedded trainer: lr ${config.sft.lr}, ${config.sft.epochs} epochs, batch ${config.sft.batchSize}; writes ${sftJob.outDir}`,
      );
    }
    const sft = ckpts.get('sft') ?? base;
    out.push(
      '  difficulty:',
      serve(
        sft,
        'error rate of the SFT policy',
        `n=${config.difficulty.k} temperature=${config.difficulty.temperature}`,
      ),
      `    writes ${at(paths.difficulty(r))} and ${config.rl.stages.map((s) => at(paths.rlData(r, s.name))).join(', ')}`,
    );
    let init = sft;
    for (const stage of config.rl.stages) {
      out.push(
        `  rl-${stage.name} (tiers ${stage.tiers.join('+')}, ${stage.episodes} episodes${stage.freezeVision ? ', vision frozen' : ''}):`,
      );
      const job = {
        init,
        reference: sft,
        problemsFile: at(paths.rlData(r, stage.name)),
        imageRoot: at(paths.dataDir),
        outDir: at(paths.rl(r, stage.name)),
        reward: { name: config.rl.reward },
        stage: stage.name,
        episodes: stage.episodes,
        freezeVision: stage.freezeVision,
      };
      if (b.kind === 'scale-out') {
        const plan = planEasyR1Rl(b.easyR1, job, { serving: b.serving, rewardUrl: b.rewardUrl });
        out.push(...jobLines(plan));
        init = plan.checkpoint;
      } else {
        out.push(
          `    embedded GRPO: group ${config.rl.groupSize}, lr ${config.rl.lr}, KL ${config.rl.kl} ${config.rl.klCoef}, clip ${config.rl.clipLow}/${config.rl.clipHigh}; writes ${job.outDir}`,
        );
        init = { kind: 'embedded', path: job.outDir, name: paths.rl(r, stage.name) };
      }
      ckpts.set(`rl-${stage.name}`, init);
    }
    previousRl = init;
    out.push('  evaluate:');
    for (const name of ['sft', ...config.rl.stages.map((s) => `rl-${s.name}`)]) {
      out.push(
        serve(
          ckpts.get(name) ?? sft,
          `${name} on the test set`,
          `n=1 temperature=${config.eval.temperature} max_tokens=${config.eval.maxTokens}`,
        ),
        `    writes ${at(paths.evalSummary(r, name))}`,
      );
    }
  }
  return out.join('\n');
}

function sampling(s: { k: number; temperature: number; topP: number; maxTokens: number }): string {
  return `n=${s.k} temperature=${s.temperature} top_p=${s.topP} max_tokens=${s.maxTokens}`;
}

function jobLines(plan: JobPlan): string[] {
  const lines = [`    ${plan.engine} job (${plan.stage}):`];
  for (const f of plan.files) lines.push(`      file ${f.path}: ${f.description}`);
  for (const c of plan.commands) {
    const env = Object.entries(c.env)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ');
    lines.push(`      run [${c.name}] (cd ${c.cwd}) ${env ? `${env} ` : ''}${c.argv.join(' ')}`);
  }
  for (const e of plan.endpoints)
    lines.push(`      ${e.method} ${e.url}${e.body === undefined ? '' : ` ${JSON.stringify(e.body)}`}  (${e.name})`);
  lines.push(`      checkpoint ${plan.checkpoint.path}`);
  return lines;
}
