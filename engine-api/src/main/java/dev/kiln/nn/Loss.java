package dev.kiln.nn;

import dev.kiln.tensor.Tensor;

/**
 * A loss function of a prediction and a target. Losses hold no parameters, buffers or mode, so
 * they are not {@link Module}s: one method is their whole contract.
 */
@FunctionalInterface
public interface Loss {
    /**
     * The loss of {@code input} against {@code target}; shapes as each loss states.
     *
     * @param input the prediction, for example logits {@code [N, C]}
     * @param target the target, for example INT32 class indices {@code [N]}
     * @return a scalar {@code []} for mean/sum reduction, per-sample values otherwise
     * @throws IllegalArgumentException if the shapes or dtypes do not fit
     */
    Tensor apply(Tensor input, Tensor target);
}
