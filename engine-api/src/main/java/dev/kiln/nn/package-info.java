/**
 * Layers and losses in PyTorch's shapes and names. {@link dev.kiln.nn.Module} is the base of
 * every layer and model: it owns named parameters, buffers and children (dotted names such as
 * {@code features.0.weight}, the keys of checkpoints), switches training and evaluation mode,
 * moves to a device and prints a summary. {@link dev.kiln.nn.Sequential} chains modules; the
 * layers ({@link dev.kiln.nn.Conv2d}, {@link dev.kiln.nn.Linear},
 * {@link dev.kiln.nn.BatchNorm2d}, pooling, activations, {@link dev.kiln.nn.Dropout}) wrap the
 * ops of {@link dev.kiln.ops.Functional} and initialise their parameters as PyTorch does
 * ({@link dev.kiln.nn.Init}). {@link dev.kiln.nn.Loss}es are plain functions, not modules.
 * Errors inside a container arrive as a {@link dev.kiln.nn.ModuleException} naming the layer.
 */
package dev.kiln.nn;
