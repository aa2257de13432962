/**
 * engine/: the embedded engine: a tensor graph IR with shape inference, reverse-mode autodiff, compilation to ONNX and
 * execution by onnxruntime-node, in-graph optimizers (AdamW, SGD with global-norm clipping), and safetensors.
 *
 * Imports: core only (test/architecture.test.ts).
 */
export * from './autodiff.ts';
export * from './grad-check.ts';
export * from './ir.ts';
export * from './onnx-export.ts';
export * from './ops.ts';
export * from './safetensors.ts';
export * from './session.ts';
export * from './train-step.ts';
