package dev.kiln.autograd;

import dev.kiln.tensor.Tensor;

/** An op's backward rule: from the gradient of its output, the gradients of its inputs (null where none is needed). */
@FunctionalInterface
public interface BackwardFunction {
    /**
     * Computes the input gradients.
     *
     * @param gradOutput gradient of the loss with respect to the op's output (the output's shape)
     * @return one gradient per input, in input order, each of that input's shape; null entries where no gradient is needed
     */
    Tensor[] apply(Tensor gradOutput);
}
