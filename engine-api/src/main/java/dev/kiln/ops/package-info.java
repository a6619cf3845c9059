/**
 * The differentiable operations. {@link dev.kiln.ops.Functional} lists every op as a static
 * method (the {@code Tensor} instance methods delegate to it); each validates shapes, dtypes and
 * devices once, throws {@link IllegalArgumentException} naming the op and what it expected, runs
 * the backend's primitive and records the backward rule. Option records
 * ({@link dev.kiln.ops.Conv2dOptions}, {@link dev.kiln.ops.Pool2dOptions},
 * {@link dev.kiln.ops.Padding}) are immutable and built fluently; composite ops (asymmetric
 * and circular padding, 'same' padding, mean, log-softmax cross-entropy) are written here once,
 * so every backend gets them.
 */
package dev.kiln.ops;
