/**
 * The tiny VLM (model/): config, parameters, the graph builders that train/ composes its losses from, the runtime
 * (per-token log-probs, KV-cache sampling), checkpoints, and the tokenizer.
 *
 * Imports: core, engine (test/architecture.test.ts).
 *
 * Sequences: [image tokens ; text tokens]. A text row starts with <bos>; text position t's logits predict token t+1,
 * so feed `tokens = row[:-1]` and score `targets = row[1:]` (both [B, T] int64, right-padded with <pad>; mask the
 * padding in the loss). Images are [B, C, H, W] float32 in [0, 1], row-major.
 *
 * Training (engine's compileTrainStep compiles forward + loss + backward + clipping + AdamW into one ONNX graph):
 *   const step = await compileTrainStep((g, p) => {
 *     const images = g.input('images', 'float32', ['B', cfg.channels, cfg.imageSize, cfg.imageSize]);
 *     const tokens = g.input('tokens', 'int64', ['B', 'T']);
 *     const targets = g.input('targets', 'int64', ['B', 'T']);
 *     const mask = g.input('mask', 'float32', ['B', 'T']);
 *     const logp = tokenLogprobs(vlmForward(cfg, p, images, tokens).logits, targets);   // [B, T]
 *     return { loss: div(neg(reduceSum(mul(logp, mask))), reduceSum(mask)) };
 *   }, { trainable: trainableSpecs(cfg, { freezeVision }), frozen: visionSpecs..., optimizer: { kind: 'adamw', ... },
 *        maxGradNorm: 1 });
 *   await step.run(state, { images, tokens, targets, mask }, { lr });   // state: TrainState, updated in place
 * GRPO builds its surrogate the same way from `logp` and fed-in old_logp / ref_logp / advantages / mask with the
 * engine's ops (exp, log, clip, minimum, maximum, mul, sub, div, cast(greater(..)), reduceSum, reduceMean).
 *
 * Inference: `createVlmRuntime(cfg, params)` -> `logprobs({ images, tokens })` (per-row log-probs of tokens[1..]),
 * `logits(...)`, `sample({ images, prompts }, { temperature, topP, maxTokens, seed, stopToken })` -> per row
 * { tokens, logprobs, finishReason }; sampled log-probs equal `logprobs` of the same sequence to 1e-4.
 * `createVlmWorkerRuntime(cfg, params)`: the same interface in a worker thread (ONNX Runtime blocks the event loop).
 * `createWorkerSequenceScorer(cfg, refParams, { temperature })`: per-token log-probs under other weights, computed in a
 * worker while `sample` runs (pass its `push` as the batch's `onColumn`; `begin` before, `finish` after).
 * Checkpoints: `saveCheckpoint(dir, { config, params, train?, tokenizer? })` / `loadCheckpoint(dir)` (model.safetensors,
 * optimizer.safetensors with the step, config.json, tokenizer.json). `exportInferenceOnnx(path, cfg, params)` writes
 * a standalone ONNX (images, tokens -> logits).
 */
export * from './checkpoint.ts';
export * from './config.ts';
export * from './params.ts';
export * from './runtime.ts';
export * from './runtime-worker.ts';
export * from './sequence-scorer.ts';
export * from './sequence-scorer-worker.ts';
export { pickRows } from './shared-rows.ts';
export * from './tokenizer.ts';
export * from './vlm-graph.ts';
