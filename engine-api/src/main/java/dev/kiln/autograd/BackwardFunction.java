package dev.kiln.autograd;

import dev.kiln.tensor.Tensor;

/** An op's backward rule: from the gradient of its output, the gradients of its inputs (null where none is needed). */
@FunctionalInterface
public interface BackwardFunction {
    Tensor[] apply(Tensor gradOutput);
}
