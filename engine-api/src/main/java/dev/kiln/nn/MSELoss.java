package dev.kiln.nn;

import dev.kiln.ops.Functional;
import dev.kiln.ops.Reduction;
import dev.kiln.tensor.Tensor;

/** Mean squared error between same-shaped tensors, as PyTorch's {@code nn.MSELoss}. */
public final class MSELoss implements Loss {
    private final Reduction reduction;

    /** Mean over all elements. */
    public MSELoss() {
        this(Reduction.MEAN);
    }

    /**
     * With the given reduction.
     *
     * @param reduction how the squared errors are combined (mean, sum, none)
     */
    public MSELoss(Reduction reduction) {
        this.reduction = java.util.Objects.requireNonNull(reduction, "reduction");
    }

    /** Same-shaped input and target; returns {@code []}, or the input's shape for {@link Reduction#NONE}. */
    @Override
    public Tensor apply(Tensor input, Tensor target) {
        return Functional.mseLoss(input, target, reduction);
    }
}
