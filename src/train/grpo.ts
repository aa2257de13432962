/**
 * GRPO on the tiny VLM, one rollout step top to bottom:
 *   take prompts (seeded cursor) -> sample n completions each (temperature, top-p; log-probs kept as the old
 *   policy) -> rewards (verify/) + DAPO overlong penalty -> group advantages -> optional DAPO dynamic-sampling
 *   filter -> reference log-probs -> mini-batch updates (ppoEpochs passes) with the clipped surrogate + KL ->
 *   metrics -> resumable checkpoint.
 *
 * Simplifications, stated up front:
 * - As in verl / EasyR1, the loss scores tokens at the rollout temperature (logits / T), and so do the old policy's
 *   and the reference's log-probs (verl passes the rollout temperature to both). The old log-probs are the sampler's,
 *   returned at the rollout temperature (no recompute); the reference's are scored in a worker thread chunk by chunk
 *   while the sampling runs (createWorkerSequenceScorer), so they cost little more than the sampling itself. (A
 *   reference scored at T = 1 against a policy scored at T < 1 makes the KL term push every sampled token, rewarded
 *   or not, towards the flatter T = 1 distribution: measured, it undid what the advantages taught.)
 * - With kl = 'off' (or klCoef 0) no reference model is run.
 * - Mini-batches take prompt groups in rollout order (verl may shuffle them); the aggregation weights are computed
 *   per mini-batch, as verl's agg_loss does.
 * - Dynamic sampling filters one rollout batch; it does not re-sample to refill it (DAPO does).
 */
import { createRng, type Logger, type Rng, type RngState, silentLogger, throwIfAborted } from '../core/index.ts';
import type { TrainState, TrainStep } from '../engine/index.ts';
import {
  createVlmRuntime,
  createWorkerSequenceScorer,
  type Params,
  type SampleResult,
  type SequenceScorer,
  type VlmRuntime,
} from '../model/index.ts';
import { groupAdvantages } from './advantages.ts';
import { chunks, padBatch, scatterResponseValues, type TokenBatch, type TokenSequence } from './batching.ts';
import type { GrpoConfig } from './config.ts';
import { informativeGroups, overlongPenalty } from './dapo.ts';
import { type DataCursor, startCursor, takeBatch } from './data-order.ts';
import { learningRateAt } from './lr-schedule.ts';
import {
  createUpdateAccumulator,
  rolloutStats,
  roundMetrics,
  type ScoredSample,
  type UpdateAccumulator,
} from './metrics.ts';
import { type EncodedExample, exampleAt, heldOutAccuracy, type PolicyState, stackImages } from './policy-io.ts';
import { aggregationWeights, type LossAggregation } from './policy-loss.ts';
import { batchFeeds, compileGrpoStep, f32Feed, scalarMetric, stepOptionsOf } from './train-steps.ts';

/** How one completion scored: the reward optimized and the components logged. */
export interface RewardScore {
  readonly score: number;
  readonly correct: boolean;
  readonly formatOk: boolean;
}

/** Where a run stands: with the parameters and optimizer moments, all an exact resume needs. */
export interface GrpoProgress {
  /** Rollout steps done. */
  readonly step: number;
  readonly cursor: DataCursor;
  /** The run's RNG (it draws each step's sampling seed). */
  readonly rng: RngState;
}

export interface GrpoRun {
  readonly config: GrpoConfig;
  readonly policy: PolicyState;
  /** The frozen KL reference (same model config); defaults to the initial policy's parameters. */
  readonly reference?: Params;
  readonly problems: readonly EncodedExample[];
  /** Reward of `text` as an answer to problems[index]. */
  readonly score: (text: string, index: number) => RewardScore;
  /** Rollout steps of the whole run (the LR schedule spans them). */
  readonly totalSteps: number;
  readonly freezeVision: boolean;
  readonly eval?: readonly EncodedExample[];
  /** Continue from here (with `state` holding the saved parameters and moments). */
  readonly resume?: { readonly state: TrainState; readonly progress: GrpoProgress };
  /** Stop after this many rollout steps of this call (to test resume); the schedule still spans totalSteps. */
  readonly stopAfter?: number;
  /** Called after each step with the state to save (every `checkpointEvery` steps and at the end). */
  readonly onCheckpoint?: (state: TrainState, progress: GrpoProgress) => Promise<void>;
  readonly onStep?: (metrics: Record<string, number | string>) => void | Promise<void>;
  readonly stage?: string;
  readonly logger?: Logger;
  readonly signal?: AbortSignal;
  readonly threads?: number;
}

export interface GrpoResult {
  readonly policy: PolicyState;
  readonly state: TrainState;
  readonly progress: GrpoProgress;
  readonly lastEvalAccuracy: number | undefined;
}

/** One sampled completion, scored: what the updates consume. */
interface Rollout extends TokenSequence {
  readonly image: Float32Array;
  /** The sampling policy's log-probs of the response tokens, at the rollout temperature. */
  readonly oldLogp: readonly number[];
  readonly advantage: number;
  /** The reference's log-probs at the rollout temperature (empty without KL). */
  readonly refLogp: readonly number[];
}

/** Everything a run holds between steps. */
interface Trainer {
  readonly run: GrpoRun;
  readonly cfg: GrpoConfig;
  readonly step: TrainStep;
  readonly actor: VlmRuntime;
  /** The reference's log-probs at the rollout temperature, scored in a worker while sampling (only with KL). */
  readonly reference: SequenceScorer | undefined;
  readonly state: TrainState;
  readonly rng: Rng;
  cursor: DataCursor;
  readonly promptsPerStep: number;
  readonly totalUpdates: number;
}

interface UpdateOutcome {
  readonly summary: ReturnType<UpdateAccumulator['summary']>;
  readonly tokens: number;
  readonly lr: number;
  readonly seconds: number;
}

/** Rollout steps for `episodes` passes over `problems` prompts. */
export function grpoTotalSteps(config: GrpoConfig, problems: number, episodes: number): number {
  return config.maxSteps ?? Math.max(1, Math.ceil((episodes * problems) / config.rolloutBatchSize));
}

export async function runGrpo(run: GrpoRun): Promise<GrpoResult> {
  if (run.problems.length === 0) throw new RangeError('GRPO needs at least one problem');
  const t = await startTrainer(run);
  try {
    return await trainSteps(t);
  } finally {
    // Native session memory the GC never sees (see runSft).
    await t.reference?.release();
    await t.actor.release();
    await t.step.release();
  }
}

/** The rollout steps of a run, from where it resumes to where it stops. */
async function trainSteps(t: Trainer): Promise<GrpoResult> {
  const { run } = t;
  const firstStep = run.resume?.progress.step ?? 0;
  const lastStep = Math.min(run.totalSteps, firstStep + (run.stopAfter ?? run.totalSteps));
  let lastEvalAccuracy: number | undefined;
  for (let s = firstStep; s < lastStep; s++) {
    throwIfAborted(run.signal, 'GRPO');
    const started = performance.now();
    const picked = takeBatch(run.problems.length, t.promptsPerStep, t.cursor, t.cfg.seed);
    t.cursor = picked.next;
    const rows = picked.indices.flatMap((p) => Array.from({ length: t.cfg.groupSize }, () => p));
    const samples = await rollout(t, rows, t.rng.int(2 ** 31 - 1));
    const rolloutSeconds = (performance.now() - started) / 1000;
    const { groups, scored } = scoreGroups(t, rows, samples);
    const kept = t.cfg.dynamicSampling
      ? informativeGroups(groups.map(rewardsOf)).map((i) => itemAt(groups, i))
      : groups;
    const update = await updatePolicy(t, kept, s);
    const record = stepRecord(t, s, scored, kept.length, update, rolloutSeconds, started);
    const val = await validate(t, s);
    if (val !== undefined) {
      lastEvalAccuracy = val;
      record.val_accuracy = val;
    }
    (run.logger ?? silentLogger).debug('grpo step', {
      step: s + 1,
      reward: record.reward_mean,
      accuracy: record.accuracy,
    });
    await run.onStep?.(roundMetrics(record));
    const every = t.cfg.checkpointEvery;
    if (run.onCheckpoint && (s + 1 === lastStep || (every > 0 && (s + 1) % every === 0))) {
      await run.onCheckpoint(t.state, progressOf(t, s + 1));
    }
  }
  return {
    policy: { ...run.policy, params: t.state.params },
    state: t.state,
    progress: progressOf(t, lastStep),
    lastEvalAccuracy,
  };
}

/** Compile the update step (and the reference scorer when a KL term needs one); set up the state to continue. */
async function startTrainer(run: GrpoRun): Promise<Trainer> {
  const { config: cfg, policy } = run;
  const model = policy.config;
  const options = stepOptionsOf(cfg, run.freezeVision, run.threads);
  const loss = { clipLow: cfg.clipLow, clipHigh: cfg.clipHigh, dualClip: cfg.dualClip, kl: cfg.kl, klCoef: cfg.klCoef };
  const step = await compileGrpoStep(model, { ...options, loss, temperature: cfg.temperature });
  const useKl = cfg.kl !== 'off' && cfg.klCoef !== 0;
  const state: TrainState = run.resume
    ? { ...run.resume.state, params: { ...run.resume.state.params } }
    : { step: 0, params: { ...policy.params }, m: {}, v: {} };
  const promptsPerStep = Math.min(cfg.rolloutBatchSize, run.problems.length);
  const updatesPerStep = cfg.ppoEpochs * Math.ceil(promptsPerStep / cfg.miniBatchSize);
  return {
    run,
    cfg,
    step,
    actor: await createVlmRuntime(model, state.params, { session: options.session }),
    // One intra-op thread: the scorer runs beside the sampler, on what the sampler's threads leave idle.
    reference: useKl
      ? createWorkerSequenceScorer(model, run.reference ?? policy.params, {
          temperature: cfg.temperature,
          session: { ...options.session, intraOpThreads: 1 },
        })
      : undefined,
    state,
    rng: createRng(run.resume?.progress.rng ?? createRng(cfg.seed).fork('grpo').state()),
    cursor: run.resume?.progress.cursor ?? startCursor,
    promptsPerStep,
    totalUpdates: run.totalSteps * updatesPerStep,
  };
}

const progressOf = (t: Trainer, step: number): GrpoProgress => ({ step, cursor: t.cursor, rng: t.rng.state() });
const rewardsOf = (group: readonly { readonly reward: number }[]): number[] => group.map((r) => r.reward);

/** xs[i], or a RangeError naming the index (the arrays here are built alongside each other: a miss is a bug). */
function itemAt<T>(xs: readonly T[], i: number): T {
  const x = xs[i];
  if (x === undefined) throw new RangeError(`index ${i} is outside 0..${xs.length - 1}`);
  return x;
}

/** A sampled completion with the reference's log-probs of its tokens (empty without KL). */
type RolloutSample = SampleResult & { readonly refLogp: readonly number[] };

/**
 * Sample the current policy on `rows` (problem indices; consecutive repeats form a group), 256 rows per engine
 * call, with each token's log-prob at the rollout temperature: the old policy's log-probs of the update. With a KL
 * term the reference scores the same rows, position by position, in its worker while the sampling runs.
 */
async function rollout(t: Trainer, rows: readonly number[], seed: number): Promise<RolloutSample[]> {
  const { cfg, run } = t;
  const tok = run.policy.tokenizer;
  t.actor.setParams(t.state.params);
  const samples: RolloutSample[] = [];
  for (const [k, part] of chunks(rows, 256).entries()) {
    const problems = part.map((p) => exampleAt(run.problems, p));
    const options = {
      temperature: cfg.temperature,
      logprobTemperature: cfg.temperature,
      topP: cfg.topP,
      maxTokens: cfg.maxResponseTokens,
      seed: seed + k,
      stopToken: tok.eos,
      padToken: tok.pad,
    };
    const images = stackImages(problems.map((e) => e.image));
    const prompts = problems.map((e) => e.promptIds);
    const ref = t.reference;
    if (!ref) {
      const out = await t.actor.sample({ images, prompts }, options);
      samples.push(...out.map((r) => ({ ...r, refLogp: [] })));
      continue;
    }
    const shortest = Math.min(...prompts.map((p) => p.length));
    const longest = Math.max(...prompts.map((p) => p.length));
    ref.begin(
      images,
      prompts.map((p) => p.slice(0, shortest)),
      Math.min(longest + cfg.maxResponseTokens - 1, run.policy.config.maxTextLen),
    );
    const out = await t.actor.sample({ images, prompts, onColumn: (pos, tokens) => ref.push(pos, tokens) }, options);
    // Entry j - 1 scores text position j: a row's response starts at position promptIds.length.
    const scored = await ref.finish();
    out.forEach((r, b) => {
      const from = itemAt(prompts, b).length - 1;
      samples.push({ ...r, refLogp: Array.from(itemAt(scored, b).subarray(from, from + r.tokens.length)) });
    });
  }
  return samples;
}

/** Rewards (+ the overlong penalty) of every completion and the group advantages, groups in rollout order. */
function scoreGroups(
  t: Trainer,
  rows: readonly number[],
  samples: readonly RolloutSample[],
): { groups: (Rollout & { reward: number })[][]; scored: ScoredSample[] } {
  const { cfg, run } = t;
  const overlong = { maxTokens: cfg.maxResponseTokens, bufferTokens: cfg.overlongBuffer, factor: cfg.overlongFactor };
  const scored = samples.map((r, i): ScoredSample => {
    const p = itemAt(rows, i);
    const s = run.score(run.policy.tokenizer.decode(r.tokens), p);
    const penalty = cfg.overlongBuffer > 0 ? overlongPenalty(r.tokens.length, overlong) : 0;
    const truncated = r.finishReason === 'length';
    return { reward: s.score + penalty, correct: s.correct, formatOk: s.formatOk, length: r.tokens.length, truncated };
  });
  const groups = chunks(
    samples.map((r, i) => ({
      sample: r,
      example: exampleAt(run.problems, itemAt(rows, i)),
      reward: itemAt(scored, i).reward,
    })),
    cfg.groupSize,
  ).map((group) => {
    const adv = groupAdvantages(rewardsOf(group), { estimator: cfg.advantage, eps: cfg.advantageEps });
    return group.map((g, j) => ({
      promptIds: g.example.promptIds,
      responseIds: g.sample.tokens,
      image: g.example.image,
      oldLogp: g.sample.logprobs,
      reward: g.reward,
      advantage: itemAt(adv, j),
      refLogp: g.sample.refLogp,
    }));
  });
  return { groups, scored };
}

/** Per-token loss weights [B, T]: each row's aggregation weight on its response tokens, 0 elsewhere. */
function tokenWeights(batch: TokenBatch, mode: LossAggregation): Float32Array {
  const out = batch.mask.slice();
  aggregationWeights(batch.responseLengths, mode).forEach((w, b) => {
    const row = out.subarray(b * batch.length, (b + 1) * batch.length);
    row.forEach((m, k) => {
      row[k] = m * w;
    });
  });
  return out;
}

/** ppoEpochs passes over mini-batches of whole groups: one clipped-surrogate + KL step each. */
async function updatePolicy(t: Trainer, kept: readonly Rollout[][], s: number): Promise<UpdateOutcome> {
  const { cfg, state } = t;
  const started = performance.now();
  const schedule = { kind: cfg.schedule, lr: cfg.lr, warmupRatio: cfg.warmupRatio };
  const acc = createUpdateAccumulator();
  let tokens = 0;
  let lr = 0;
  for (let epoch = 0; epoch < cfg.ppoEpochs; epoch++) {
    for (const mini of chunks(kept, cfg.miniBatchSize)) {
      const part = mini.flat().filter((r) => r.responseIds.length > 0);
      if (part.length === 0) continue;
      const batch = padBatch(part, t.run.policy.tokenizer.pad);
      const perToken = (values: (r: Rollout) => readonly number[]) =>
        f32Feed(scatterResponseValues(batch, part.map(values)), batch);
      lr = learningRateAt(schedule, state.step, t.totalUpdates);
      const feeds = {
        ...batchFeeds(t.run.policy.config, batch, stackImages(part.map((r) => r.image))),
        mask: f32Feed(batch.mask, batch),
        weights: f32Feed(tokenWeights(batch, cfg.lossAgg), batch),
        adv: perToken((r) => r.responseIds.map(() => r.advantage)),
        old_logp: perToken((r) => r.oldLogp),
        ref_logp: t.reference ? perToken((r) => r.refLogp) : f32Feed(new Float32Array(batch.mask.length), batch),
      };
      const res = await t.step.run(state, feeds, { lr });
      if (!Number.isFinite(res.loss)) throw new RangeError(`GRPO loss became ${res.loss} at step ${s + 1}; lower lr`);
      const n = batch.responseLengths.reduce((a, b) => a + b, 0);
      tokens += n;
      acc.add({
        loss: res.loss,
        tokens: n,
        pgSum: scalarMetric(res, 'pgSum'),
        klSum: scalarMetric(res, 'klSum'),
        clipped: scalarMetric(res, 'clipped'),
        entropySum: scalarMetric(res, 'entropySum'),
        gradNorm: res.gradNorm,
      });
    }
  }
  return { summary: acc.summary(), tokens, lr, seconds: (performance.now() - started) / 1000 };
}

/** The step's metrics record (rollout statistics, update summary, throughput). */
function stepRecord(
  t: Trainer,
  s: number,
  scored: readonly ScoredSample[],
  keptGroups: number,
  update: UpdateOutcome,
  rolloutSeconds: number,
  started: number,
): Record<string, number | string> {
  const seconds = (performance.now() - started) / 1000;
  const rolloutTokens = scored.reduce((a, x) => a + x.length, 0);
  return {
    phase: t.run.stage ? `grpo-${t.run.stage}` : 'grpo',
    step: s + 1,
    epoch: t.cursor.epoch,
    ...rolloutStats(chunks(scored, t.cfg.groupSize)),
    ...update.summary,
    kept_groups: keptGroups,
    lr: update.lr,
    step_time_s: seconds,
    rollout_tokens_per_s: rolloutTokens / rolloutSeconds,
    update_tokens_per_s: update.seconds > 0 ? update.tokens / update.seconds : 0,
    tokens_per_s: (rolloutTokens + update.tokens) / seconds,
  };
}

/** Held-out accuracy every `valEvery` steps (undefined on the others, or without an eval set). */
async function validate(t: Trainer, s: number): Promise<number | undefined> {
  const { cfg, run } = t;
  if (!run.eval || run.eval.length === 0 || cfg.valEvery <= 0 || (s + 1) % cfg.valEvery !== 0) return undefined;
  t.actor.setParams(t.state.params);
  const val = await heldOutAccuracy(t.actor, run.policy.tokenizer, run.eval.slice(0, cfg.valLimit), {
    maxTokens: cfg.maxResponseTokens,
    temperature: cfg.valTemperature,
    seed: cfg.seed,
  });
  return val.accuracy;
}
