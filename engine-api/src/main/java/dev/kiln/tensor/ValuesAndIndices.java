package dev.kiln.tensor;

/**
 * Values and their INT64 positions along the reduced dimension, as PyTorch's
 * {@code torch.return_types.max}, {@code min} and {@code topk} ({@code values, indices}): what
 * {@link Tensor#max(int, boolean)}, {@link Tensor#min(int, boolean)} and
 * {@link Tensor#topk(int, int, boolean, boolean)} return. Both tensors belong to the scope that
 * created them; only {@code values} carries a gradient.
 *
 * @param values  the selected values (FLOAT32), differentiable
 * @param indices their indices along the dimension (INT64), same shape as {@code values}
 */
public record ValuesAndIndices(Tensor values, Tensor indices) {}
