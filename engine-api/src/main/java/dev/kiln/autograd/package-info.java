/**
 * Reverse-mode automatic differentiation. An op whose input requires a gradient (and while
 * {@link dev.kiln.autograd.GradMode} is on for the thread) records a
 * {@link dev.kiln.autograd.Node}: its name, inputs and {@link dev.kiln.autograd.BackwardFunction}.
 * {@link dev.kiln.autograd.Autograd#backward} walks those nodes in reverse topological order,
 * frees intermediate gradients and accumulates the gradients of leaf tensors (parameters).
 * Users reach this through {@code Tensor.backward()} and {@code Kiln.noGrad()}; op authors call
 * {@link dev.kiln.autograd.Autograd#needsGrad} and {@link dev.kiln.autograd.Autograd#record}.
 */
package dev.kiln.autograd;
