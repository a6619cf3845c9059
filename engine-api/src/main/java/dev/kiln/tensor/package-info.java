/**
 * Tensors and what describes them: {@link dev.kiln.tensor.Tensor} (an n-dimensional array on
 * one backend, with autograd state), its element type {@link dev.kiln.tensor.DType}, the
 * {@link dev.kiln.tensor.Device} it lives on, {@link dev.kiln.tensor.Shape} helpers for
 * {@code int[]} shapes, the counter-based random {@link dev.kiln.tensor.Generator}, and
 * {@link dev.kiln.tensor.Scope}, which frees the tensors created while it is open.
 *
 * <p>Lifetimes: a tensor is registered in the innermost open scope of the thread that created
 * it and freed when that scope closes, unless it was {@linkplain dev.kiln.tensor.Tensor#keep()
 * kept} or {@linkplain dev.kiln.tensor.Tensor#unscope() unscoped} (then its owner closes it, as a
 * module does with its parameters). Shapes are row-major {@code int[]}; a scalar has shape
 * {@code []}.
 */
package dev.kiln.tensor;
