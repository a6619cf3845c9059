/**
 * Optimizers: {@link dev.kiln.optim.SGD}, {@link dev.kiln.optim.Adam} and
 * {@link dev.kiln.optim.AdamW} over {@link dev.kiln.optim.ParamGroup}s (per-group learning rate
 * and weight decay; frozen parameters are skipped). Each step is one fused backend call per
 * group. {@link dev.kiln.optim.Optimizer#state()} and
 * {@link dev.kiln.optim.Optimizer#loadState} exchange the moment buffers and step counts as an
 * {@link dev.kiln.optim.OptimizerState}, keyed as PyTorch's {@code state_dict()}, which
 * checkpoints save. {@link dev.kiln.optim.GradientClipping} clips by global norm; learning-rate
 * schedules live in {@link dev.kiln.optim.schedule}.
 */
package dev.kiln.optim;
