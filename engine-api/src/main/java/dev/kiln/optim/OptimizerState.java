package dev.kiln.optim;

import dev.kiln.tensor.Tensor;
import java.util.Map;

/**
 * An optimizer's state for a checkpoint, in flat named form. Tensor keys are
 * {@code <paramIndex>.<name>} ({@code 3.exp_avg}, {@code 0.momentum_buffer}), the index counting
 * parameters over all groups in order, as PyTorch's {@code state_dict} does. Scalar keys are
 * {@code <paramIndex>.step} and {@code group.<g>.lr}, {@code group.<g>.initial_lr},
 * {@code group.<g>.weight_decay}.
 *
 * @param tensors state tensors by key, in parameter order (copied into an unmodifiable map); from {@link Optimizer#state()} these are the optimizer's
 *                live tensors: read them, do not close them
 * @param scalars step counts and group settings by key
 */
public record OptimizerState(Map<String, Tensor> tensors, Map<String, Double> scalars) {
    /** Copies both maps, keeping their order. */
    public OptimizerState {
        tensors = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(tensors));
        scalars = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(scalars));
    }
}
