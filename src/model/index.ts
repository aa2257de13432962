/**
 * The tiny VLM (model/): config, parameters, the graph builders that train/ composes its losses from, the runtime
 * (per-token log-probs, KV-cache sampling), checkpoints, and the tokenizer.
 *
 * For training, build the loss inside `compileTrainStep` from engine/:
 *   const { logits } = vlmForward(cfg, params, images, tokens);   // [B, T, V] at text positions
 *   const logp = tokenLogprobs(logits, targets);                    // [B, T]: log p(targets[t] | tokens[<=t], image)
 * with images [B, C, H, W] float32 in [0, 1] and tokens/targets [B, T] int64 (targets = tokens shifted left by one).
 */

export * from './checkpoint.ts';
export * from './config.ts';
export * from './params.ts';
export * from './runtime.ts';
export * from './tokenizer.ts';
export * from './vlm-graph.ts';
