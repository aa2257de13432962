/**
 * GRPO on the tiny VLM, one rollout step top to bottom:
 *   take prompts (seeded cursor) -> sample n completions each (temperature, top-p; log-probs kept as the old
 *   policy) -> rewards (verify/) + DAPO overlong penalty -> group advantages -> optional DAPO dynamic-sampling
 *   filter -> reference log-probs -> mini-batch updates (ppoEpochs passes) with the clipped surrogate + KL ->
 *   metrics -> resumable checkpoint.
 *
 * Simplifications, stated up front:
 * - As in verl / EasyR1, the loss scores tokens at the rollout temperature (logits / T), and so do the old policy's
 *   and the reference's log-probs (verl passes the rollout temperature to both). At T = 1 the old log-probs are the
 *   sampler's; at other temperatures they are recomputed by one forward pass before the updates. (A reference scored
 *   at T = 1 against a policy scored at T < 1 makes the KL term push every sampled token, rewarded or not, towards
 *   the flatter T = 1 distribution: measured, it undid what the advantages taught.)
 * - With kl = 'off' (or klCoef 0) no reference model is run.
 * - Mini-batches take prompt groups in rollout order (verl may shuffle them); the aggregation weights are computed
 *   per mini-batch, as verl's agg_loss does.
 * - Dynamic sampling filters one rollout batch; it does not re-sample to refill it (DAPO does).
 */
import { createRng, type Logger, type RngState, silentLogger, throwIfAborted } from '../core/index.ts';
import type { TrainState } from '../engine/index.ts';
import { createVlmRuntime, type Params, type SampleResult } from '../model/index.ts';
import { groupAdvantages } from './advantages.ts';
import { chunks, gatherResponseValues, padBatch, scatterResponseValues, type TokenSequence } from './batching.ts';
import type { GrpoConfig } from './config.ts';
import { informativeGroups, overlongPenalty } from './dapo.ts';
import { type DataCursor, startCursor, takeBatch } from './data-order.ts';
import { learningRateAt } from './lr-schedule.ts';
import { createUpdateAccumulator, rolloutStats, roundMetrics, type ScoredSample } from './metrics.ts';
import { type EncodedExample, heldOutAccuracy, type PolicyState, stackImages } from './policy-io.ts';
import { aggregationWeights } from './policy-loss.ts';
import { batchFeeds, compileGrpoStep, compileTargetLogprobs, f32Feed, scalarMetric } from './train-steps.ts';

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

interface Rollout extends TokenSequence {
  readonly group: number;
  readonly image: Float32Array;
  oldLogp: readonly number[];
  reward: number;
  advantage: number;
  refLogp: readonly number[];
}

/** Rollout steps for `episodes` passes over `problems` prompts. */
export function grpoTotalSteps(config: GrpoConfig, problems: number, episodes: number): number {
  return config.maxSteps ?? Math.max(1, Math.ceil((episodes * problems) / config.rolloutBatchSize));
}

export async function runGrpo(run: GrpoRun): Promise<GrpoResult> {
  const { config: cfg, policy } = run;
  const log = run.logger ?? silentLogger;
  const tok = policy.tokenizer;
  const model = policy.config;
  if (run.problems.length === 0) throw new RangeError('GRPO needs at least one problem');
  const session = { intraOpThreads: run.threads ?? 0 };
  const step = await compileGrpoStep(model, {
    freezeVision: run.freezeVision,
    optimizer: {
      kind: 'adamw',
      lr: cfg.lr,
      beta1: cfg.beta1,
      beta2: cfg.beta2,
      eps: cfg.adamEps,
      weightDecay: cfg.weightDecay,
    },
    maxGradNorm: cfg.maxGradNorm,
    session,
    loss: { clipLow: cfg.clipLow, clipHigh: cfg.clipHigh, dualClip: cfg.dualClip, kl: cfg.kl, klCoef: cfg.klCoef },
    temperature: cfg.temperature,
  });
  const useKl = cfg.kl !== 'off' && cfg.klCoef !== 0;
  const scoreAtT =
    cfg.temperature === 1 && !useKl ? undefined : await compileTargetLogprobs(model, cfg.temperature, session);
  const state: TrainState = run.resume
    ? { ...run.resume.state, params: { ...run.resume.state.params } }
    : { step: 0, params: { ...policy.params }, m: {}, v: {} };
  const actor = await createVlmRuntime(model, state.params, { session });
  const refParams = useKl ? (run.reference ?? policy.params) : undefined;
  let cursor = run.resume?.progress.cursor ?? startCursor;
  const rng = createRng(run.resume?.progress.rng ?? createRng(cfg.seed).fork('grpo').state());
  const firstStep = run.resume?.progress.step ?? 0;
  const lastStep = Math.min(run.totalSteps, firstStep + (run.stopAfter ?? run.totalSteps));
  const promptsPerStep = Math.min(cfg.rolloutBatchSize, run.problems.length);
  const updatesPerStep = cfg.ppoEpochs * Math.ceil(promptsPerStep / cfg.miniBatchSize);
  const totalUpdates = run.totalSteps * updatesPerStep;
  const schedule = { kind: cfg.schedule, lr: cfg.lr, warmupRatio: cfg.warmupRatio };
  let lastEvalAccuracy: number | undefined;
  const progress = (s: number): GrpoProgress => ({ step: s, cursor, rng: rng.state() });

  for (let s = firstStep; s < lastStep; s++) {
    throwIfAborted(run.signal, 'GRPO');
    const started = performance.now();
    const picked = takeBatch(run.problems.length, promptsPerStep, cursor, cfg.seed);
    cursor = picked.next;
    const seed = rng.int(2 ** 31 - 1);

    // 1. Rollouts: each prompt repeated n times, consecutive rows form a group.
    actor.setParams(state.params);
    const rows = picked.indices.flatMap((p) => Array.from({ length: cfg.groupSize }, () => p));
    const samples: SampleResult[] = [];
    for (const [k, part] of chunks(rows, 256).entries()) {
      const problems = part.map((p) => run.problems[p] as EncodedExample);
      samples.push(
        ...(await actor.sample(
          { images: stackImages(problems.map((e) => e.image)), prompts: problems.map((e) => e.promptIds) },
          {
            temperature: cfg.temperature,
            topP: cfg.topP,
            maxTokens: cfg.maxResponseTokens,
            seed: seed + k,
            stopToken: tok.eos,
            padToken: tok.pad,
          },
        )),
      );
    }
    const rolloutSeconds = (performance.now() - started) / 1000;

    // 2. Rewards (+ overlong penalty) and group advantages.
    const scored: ScoredSample[] = [];
    const rollouts: Rollout[] = samples.map((r, i) => {
      const p = rows[i] as number;
      const e = run.problems[p] as EncodedExample;
      const s0 = run.score(tok.decode(r.tokens), p);
      const penalty =
        cfg.overlongBuffer > 0
          ? overlongPenalty(r.tokens.length, {
              maxTokens: cfg.maxResponseTokens,
              bufferTokens: cfg.overlongBuffer,
              factor: cfg.overlongFactor,
            })
          : 0;
      const reward = s0.score + penalty;
      scored.push({
        reward,
        correct: s0.correct,
        formatOk: s0.formatOk,
        length: r.tokens.length,
        truncated: r.finishReason === 'length',
      });
      return {
        promptIds: e.promptIds,
        responseIds: r.tokens,
        group: Math.floor(i / cfg.groupSize),
        image: e.image,
        oldLogp: r.logprobs,
        reward,
        advantage: 0,
        refLogp: [],
      };
    });
    const groups = chunks(rollouts, cfg.groupSize);
    for (const g of groups) {
      const adv = groupAdvantages(
        g.map((r) => r.reward),
        { estimator: cfg.advantage, eps: cfg.advantageEps },
      );
      g.forEach((r, j) => {
        r.advantage = adv[j] as number;
      });
    }
    const kept = cfg.dynamicSampling
      ? informativeGroups(groups.map((g) => g.map((r) => r.reward))).map((i) => groups[i] as Rollout[])
      : groups;

    // 3. Old log-probs (when T != 1) and reference log-probs of the kept completions, both at the rollout temperature.
    if (scoreAtT) {
      for (const part of chunks(kept.flat(), 256)) {
        const batch = padBatch(part, tok.pad);
        const images = stackImages(part.map((r) => r.image));
        if (cfg.temperature !== 1) {
          gatherResponseValues(batch, await scoreAtT(state.params, batch, images)).forEach((v, i) => {
            (part[i] as Rollout).oldLogp = v;
          });
        }
        if (refParams) {
          gatherResponseValues(batch, await scoreAtT(refParams, batch, images)).forEach((v, i) => {
            (part[i] as Rollout).refLogp = v;
          });
        }
      }
    }

    // 4. Updates: ppoEpochs passes over mini-batches of whole groups.
    const updateStarted = performance.now();
    const acc = createUpdateAccumulator();
    let updateTokens = 0;
    let lr = 0;
    for (let epoch = 0; epoch < cfg.ppoEpochs; epoch++) {
      for (const mini of chunks(kept, cfg.miniBatchSize)) {
        const part = mini.flat().filter((r) => r.responseIds.length > 0);
        if (part.length === 0) continue;
        const batch = padBatch(part, tok.pad);
        const w = aggregationWeights(batch.responseLengths, cfg.lossAgg);
        const weights = batch.mask.map((m, i) => m * (w[Math.floor(i / batch.length)] as number));
        const adv = scatterResponseValues(
          batch,
          part.map((r) => r.responseIds.map(() => r.advantage)),
        );
        lr = learningRateAt(schedule, state.step, totalUpdates);
        const res = await step.run(
          state,
          {
            ...batchFeeds(model, batch, stackImages(part.map((r) => r.image))),
            mask: f32Feed(batch.mask, batch),
            weights: f32Feed(weights, batch),
            adv: f32Feed(adv, batch),
            old_logp: f32Feed(
              scatterResponseValues(
                batch,
                part.map((r) => r.oldLogp),
              ),
              batch,
            ),
            ref_logp: f32Feed(
              refParams
                ? scatterResponseValues(
                    batch,
                    part.map((r) => r.refLogp),
                  )
                : new Float32Array(batch.mask.length),
              batch,
            ),
          },
          { lr },
        );
        if (!Number.isFinite(res.loss)) throw new RangeError(`GRPO loss became ${res.loss} at step ${s + 1}; lower lr`);
        const tokens = batch.responseLengths.reduce((a, b) => a + b, 0);
        updateTokens += tokens;
        acc.add({
          loss: res.loss,
          tokens,
          pgSum: scalarMetric(res, 'pgSum'),
          klSum: scalarMetric(res, 'klSum'),
          clipped: scalarMetric(res, 'clipped'),
          entropySum: scalarMetric(res, 'entropySum'),
          gradNorm: res.gradNorm,
        });
      }
    }
    const updateSeconds = (performance.now() - updateStarted) / 1000;
    const seconds = (performance.now() - started) / 1000;
    const rolloutTokens = scored.reduce((a, x) => a + x.length, 0);
    const record: Record<string, number | string> = {
      phase: run.stage ? `grpo-${run.stage}` : 'grpo',
      step: s + 1,
      epoch: cursor.epoch,
      ...rolloutStats(chunks(scored, cfg.groupSize)),
      ...acc.summary(),
      kept_groups: kept.length,
      lr,
      step_time_s: seconds,
      rollout_tokens_per_s: rolloutTokens / rolloutSeconds,
      update_tokens_per_s: updateSeconds > 0 ? updateTokens / updateSeconds : 0,
      tokens_per_s: (rolloutTokens + updateTokens) / seconds,
    };
    if (run.eval && run.eval.length > 0 && cfg.valEvery > 0 && (s + 1) % cfg.valEvery === 0) {
      actor.setParams(state.params);
      const val = await heldOutAccuracy(actor, tok, run.eval.slice(0, cfg.valLimit), {
        maxTokens: cfg.maxResponseTokens,
        temperature: cfg.valTemperature,
        seed: cfg.seed,
      });
      lastEvalAccuracy = val.accuracy;
      record.val_accuracy = val.accuracy;
    }
    log.debug('grpo step', { step: s + 1, reward: record.reward_mean, accuracy: record.accuracy });
    await run.onStep?.(roundMetrics(record));
    const last = s + 1 === lastStep;
    if (run.onCheckpoint && (last || (cfg.checkpointEvery > 0 && (s + 1) % cfg.checkpointEvery === 0))) {
      await run.onCheckpoint(state, progress(s + 1));
    }
  }
  return { policy: { ...policy, params: state.params }, state, progress: progress(lastStep), lastEvalAccuracy };
}
