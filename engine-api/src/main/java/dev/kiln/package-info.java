/**
 * Kiln, a deep-learning engine for the JVM: {@link dev.kiln.Kiln} is the entry point.
 *
 * <p>How the packages fit together: {@link dev.kiln.tensor.Tensor}s hold data on a backend
 * ({@link dev.kiln.spi}) found at run time by {@link dev.kiln.Kiln}; every op
 * ({@link dev.kiln.ops.Functional}) validates its inputs once, calls the backend's primitive and
 * records its gradient rule ({@link dev.kiln.autograd}); layers ({@link dev.kiln.nn}) own
 * parameters, optimizers ({@link dev.kiln.optim}) update them, data loaders
 * ({@link dev.kiln.data}) feed batches, the trainer ({@link dev.kiln.train}) runs the loop and
 * checkpoints ({@link dev.kiln.io}) save and restore it.
 *
 * <p>engine-api holds no backend: add {@code engine-cpu} (pure Java) and/or {@code engine-cuda}
 * to the class path. Memory is freed deterministically by {@linkplain dev.kiln.tensor.Scope
 * scopes}, not by the garbage collector.
 */
package dev.kiln;
